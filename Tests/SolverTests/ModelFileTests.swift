import Foundation
import Testing

@testable import Solver

/// A model written out is the model: Cbc reads the MPS and LP files back and finds the same
/// optimum as the program they were written from, for programs with every kind of row and
/// bound (ranges, equalities, free rows, free and fixed columns, general integers, negative
/// lower bounds, an objective constant, either sense) and names no format allows.
@Suite struct ModelFileTests {
    static func program(sense: LinearProgram.Sense, seed: UInt64) -> LinearProgram {
        var random = RandomIntegerProgram.Rng(state: seed)
        var lp = LinearProgram(sense: sense)
        lp.objectiveOffset = 12.5
        let names = ["n[cw-gb200,oneYear,3]", "x y", "3rd", "", ".dot", "a\\b", "é", "same", "same"]
        var vars: [Variable] = []
        for i in 0..<9 {
            let lower: Double = i == 4 ? -5 : (i == 6 ? -.infinity : 0)
            let upper: Double = i == 5 ? 2 : (i == 7 ? 3 : Double(5 + random.next() % 20))
            let integer = i % 2 == 0
            let objective = Double(Int(random.next() % 11) - 5) * (sense == .minimize ? 1 : -1)
            vars.append(
                lp.addVariable(
                    names[i], lower: i == 7 ? 3 : lower, upper: upper, objective: objective, integer: integer))
        }
        for r in 0..<7 {
            let terms = vars.shuffled(using: &random).prefix(4).map { ($0, Double(Int(random.next() % 9) - 4) + 0.5) }
            switch r % 4 {
            case 0: lp.addConstraint("range row \(r)", terms, lower: -10, upper: 12)
            case 1: lp.addConstraint("le[\(r)]", terms, upper: 8)
            case 2: lp.addConstraint("ge[\(r)]", terms, lower: -9)
            default: lp.addConstraint("eq \(r)", terms, lower: 1.5, upper: 1.5)
            }
        }
        lp.addConstraint("free row", [(vars[0], 1), (vars[1], 1)])
        // Keeps the free column bounded in the optimum.
        lp.addConstraint("bound free", [(vars[6], 1)], lower: -7)
        return lp
    }

    @Test(arguments: [(LinearProgram.Sense.minimize, UInt64(1)), (.maximize, 2), (.minimize, 3), (.maximize, 4)])
    func cbcReadsTheWrittenModelAndFindsTheSameOptimum(sense: LinearProgram.Sense, seed: UInt64) throws {
        let lp = Self.program(sense: sense, seed: seed)
        let options = SolveOptions(timeLimitSeconds: 30, relativeGap: 0)
        let direct = try CbcSolver().solve(lp, options: options)
        #expect(direct.status == .optimal, "seed \(seed) is meant to have an optimum to compare")
        for format in LinearProgram.ModelFormat.allCases {
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("sy-model-\(UUID().uuidString).\(format.rawValue)").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try lp.modelFile(format).write(toFile: path, atomically: true, encoding: .utf8)
            let read = try #require(CbcSolver().solve(file: path, format: format, options: options), "\(format)")
            if direct.status == .optimal, let objective = direct.objective {
                #expect(read.status == .optimal, "\(format) seed \(seed)")
                // Cbc reports the objective without the constant for an LP file; with it for MPS
                // (the constant is the objective row's right-hand side).
                // An MPS file holds a maximisation as the minimisation of its negation.
                let found = try #require(read.objective) * (format == .mps && sense == .maximize ? -1 : 1)
                let matches = [found, found + lp.objectiveOffset, found - lp.objectiveOffset].contains {
                    abs($0 - objective) <= 1e-6 * max(1, abs(objective))
                }
                #expect(matches, "\(format) seed \(seed): \(found) against \(objective)")
            } else {
                #expect(read.status != .optimal, "\(format) seed \(seed): \(direct.status)")
            }
        }
    }

    @Test func formatsComeFromTheExtension() {
        #expect(LinearProgram.ModelFormat(path: "a/b.MPS") == .mps)
        #expect(LinearProgram.ModelFormat(path: "plan.lp") == .lp)
        #expect(LinearProgram.ModelFormat(path: "plan.txt") == nil)
    }
}
