import ArgumentParser
import Foundation
import Solver

/// The planner's child process for one Cbc solve (see `IsolatedCbcSolver`): a program and its
/// options as JSON on standard input, the solution as JSON on standard output. Not for people.
struct SolveMILP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve-milp", abstract: "Solve one MILP for the planner (internal).", shouldDisplay: false)

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        try FileHandle.standardOutput.write(contentsOf: IsolatedCbcSolver.serveSolve(input))
    }
}
