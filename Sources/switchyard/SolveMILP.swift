import ArgumentParser
import Foundation
import Solver

/// The planner's child process for one Cbc solve (see `IsolatedCbcSolver`): a program and its
/// options as JSON on standard input, the solution as JSON on standard output. Not for people.
struct SolveMILP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve-milp", abstract: "Solve one MILP for the planner (internal).", shouldDisplay: false)

    func run() throws {
        // The solve is its parent's: when the parent is gone (a server stopped mid-solve), stop
        // too, rather than burn a core until the time limit for an answer nobody reads.
        let parent = getppid()
        Thread.detachNewThread {
            while getppid() == parent { usleep(200_000) }
            _exit(1)
        }
        let input = FileHandle.standardInput.readDataToEndOfFile()
        // Cbc prints its log (`--solver-log`) on standard output, where the answer goes: the
        // answer keeps the real standard output and the log goes to standard error instead.
        let answer = FileHandle(fileDescriptor: dup(1), closeOnDealloc: true)
        dup2(2, 1)
        try answer.write(contentsOf: IsolatedCbcSolver.serveSolve(input))
    }
}
