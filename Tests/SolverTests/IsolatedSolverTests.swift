import Foundation
import Testing

@testable import Solver

/// Cbc in a child process answers as Cbc in this one, and a child that dies costs only its solve.
@Suite struct IsolatedSolverTests {
    /// A MILP with an unbounded variable (infinite bounds cross the pipe) and an integer optimum
    /// worked by hand: maximise 3x + 2y, x + y <= 4.5, x <= 2.5, x, y integer, y >= 0 unbounded
    /// above: x = 2, y = 2, objective 10.
    static func program() -> LinearProgram {
        var lp = LinearProgram(sense: .maximize)
        let x = lp.addVariable("x", upper: 2.5, objective: 3, integer: true)
        let y = lp.addVariable("y", objective: 2, integer: true)
        lp.addConstraint("sum", [(x, 1), (y, 1)], upper: 4.5)
        return lp
    }

    @Test func aChildAnswersAsCbcDoes() throws {
        let solver = try #require(
            IsolatedCbcSolver.besideThisProgram(), "the switchyard program is built beside the tests")
        let isolated = try solver.solve(Self.program(), options: SolveOptions(timeLimitSeconds: 30))
        let inProcess = try CbcSolver().solve(Self.program(), options: SolveOptions(timeLimitSeconds: 30))
        #expect(isolated.status == .optimal)
        #expect(isolated.values == [2, 2])
        #expect(isolated.objective == 10)
        #expect(isolated.values == inProcess.values && isolated.objective == inProcess.objective)
    }

    /// A child killed by SIGABRT (as Clp's assertion does) or exiting with an error: the solve
    /// is `.failed`, nothing is thrown, this process lives on.
    @Test(arguments: ["kill -ABRT $$", "exit 3", "echo not-json"])
    func aChildThatDiesCostsOnlyItsSolve(script: String) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dying-solver-\(UUID()).sh")
        try "#!/bin/sh\ncat > /dev/null\n\(script)\n".write(to: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path.path)
        defer { try? FileManager.default.removeItem(at: path) }
        let solution = try IsolatedCbcSolver(executable: path).solve(Self.program(), options: SolveOptions())
        #expect(solution.status == .failed)
        #expect(solution.values.isEmpty)
    }

    /// A child still working when its time limit and the grace have passed is killed: the solve
    /// is `.limitReached` (Cbc ran 144 s with a 42 s limit on the generated medium scenario).
    @Test func aChildPastItsTimeLimitIsStopped() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("slow-solver-\(UUID()).sh")
        try "#!/bin/sh\ncat > /dev/null\nexec sleep 60\n".write(to: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path.path)
        defer { try? FileManager.default.removeItem(at: path) }
        let started = ContinuousClock.now
        let solution = try IsolatedCbcSolver(executable: path).solve(
            Self.program(), options: SolveOptions(timeLimitSeconds: 1))
        let elapsed = ContinuousClock.now - started
        #expect(solution.status == .limitReached)
        #expect(solution.values.isEmpty)
        #expect(elapsed >= .seconds(1 + IsolatedCbcSolver.grace(forLimit: 1)) && elapsed < .seconds(30), "\(elapsed)")
        #expect(IsolatedCbcSolver.grace(forLimit: 1) == 1 && IsolatedCbcSolver.grace(forLimit: 120) == 5)
    }
}
