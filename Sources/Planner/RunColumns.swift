import Foundation
import Solver

/// The LP relaxation of a model with many training-run start patterns, by column generation:
/// most of a large model's columns are patterns (a run, a cluster that holds its gang, a first
/// month), and the relaxation uses few of them. The restricted LP starts with every pattern in
/// each run's `firstClusters` cheapest clusters and the others fixed at zero; after each solve
/// the row duals price the others (`c_j − Σ_i y_i a_ij`), up to `perRound` of each run's most
/// negative join, and the primal simplex carries on from the last basis. It ends when no run
/// could gain: with each run's patterns limited to one (`run-once`), the restricted LP's cost
/// plus each run's most negative reduced cost (if negative) is a lower bound of the whole LP's
/// (the Lagrangian bound with only `run-once` kept), so once that is within `tolerance` of the
/// restricted LP's cost, the restricted LP's optimum is the whole LP's, to that tolerance.
struct RunColumns {
    let model: SourcingModel
    /// Clusters per run whose patterns are in the first restricted LP.
    var firstClusters = 4
    /// Patterns per run that join after a solve, at most.
    var perRound = 10
    /// The relative distance between the restricted LP's cost and the Lagrangian bound at which
    /// it stops, well below Clp's own tolerances.
    var tolerance = 1e-9

    /// Models with at least this many patterns are solved by column generation.
    static let from = 20_000

    /// Every run's patterns, by workload, in a fixed order (cluster, then first month).
    private var patterns: [Int: [Variable]] {
        var byRun: [Int: [(SourcingModel.RunStartKey, Variable)]] = [:]
        for (key, v) in model.runStart { byRun[key.workload, default: []].append((key, v)) }
        return byRun.mapValues { runs in
            runs.sorted { ($0.0.cluster, $0.0.period) < ($1.0.cluster, $1.0.period) }.map(\.1)
        }
    }

    /// Solves `relaxed` (the model's LP with integrality relaxed) with `solver`; `timeLeft` is
    /// the time left for it. The solution's columns are the whole LP's, the patterns that never
    /// joined at zero; its seconds and iterations are the rounds' sum.
    func solve(
        _ relaxed: LinearProgram, with solver: any LinearSolver, timeLeft: () -> Double?,
        say: (String) -> Void = { _ in }
    ) throws -> Solution {
        var lp = relaxed
        let patterns = self.patterns
        let runs = patterns.keys.sorted()
        var joined = [Bool](repeating: false, count: lp.variableCount)
        let cheapest = Dictionary(
            uniqueKeysWithValues: runs.map { ($0, Set(model.input.clustersByPrice($0).prefix(firstClusters))) })
        for (key, v) in model.runStart where cheapest[key.workload]!.contains(key.cluster) { joined[v.index] = true }
        var outside = 0
        for w in runs {
            for v in patterns[w]! where !joined[v.index] {
                lp.setBounds(v, lower: 0, upper: 0)
                outside += 1
            }
        }
        let column = columns(of: lp, for: patterns.values.joined())
        var basis: Basis?
        var newcomers: [Variable] = []
        var seconds = 0.0
        var iterations = 0
        var round = 0
        while true {
            round += 1
            var options = SolveOptions(timeLimitSeconds: timeLeft().map { max(1, $0) })
            if let basis {
                options.warmStart = basis.atLowerBound(newcomers)
                options.lpAlgorithm = .primal
            }
            var solution = try solver.solve(lp, options: options)
            seconds += solution.seconds
            iterations += solution.iterations
            solution.seconds = seconds
            solution.iterations = iterations
            guard solution.status == .optimal, let objective = solution.objective, let duals = solution.rowDuals
            else { return solution }
            // Each run's most negative reduced costs among the patterns still outside.
            newcomers = []
            var gain = 0.0
            for w in runs {
                var priced: [(Double, Variable)] = []
                for v in patterns[w]! where !joined[v.index] {
                    let reduced = column[v.index]!.reduce(lp.objective[v.index]) { $0 - duals[$1.row] * $1.value }
                    if reduced < 0 { priced.append((reduced, v)) }
                }
                priced.sort { ($0.0, $0.1.index) < ($1.0, $1.1.index) }
                gain += priced.first?.0 ?? 0
                newcomers += priced.prefix(perRound).map(\.1)
            }
            let dollars = { (value: Double) in String(format: "$%.0f", value) }
            say(
                "relaxation round \(round): \(dollars(objective)) with \(outside) of \(model.runStart.count) "
                    + "patterns outside, bound \(dollars(objective + gain))")
            if let left = timeLeft(), left <= 0, -gain > tolerance * max(1, abs(objective)) {
                // Out of time with patterns still to join: the restricted LP's cost is no bound.
                solution.status = .limitReached
                return solution
            }
            if -gain <= tolerance * max(1, abs(objective)) || newcomers.isEmpty {
                // For a warm start on the whole LP: the patterns outside are at zero, their lower bound.
                solution.basis = solution.basis?.atLowerBound(
                    runs.flatMap { patterns[$0]! }.filter { !joined[$0.index] })
                return solution
            }
            for v in newcomers {
                joined[v.index] = true
                lp.setBounds(v, lower: 0, upper: 1)
            }
            outside -= newcomers.count
            basis = solution.basis
            if basis == nil { newcomers = [] }
        }
    }

    /// A column's terms: (row, coefficient).
    typealias Terms = [(row: Int, value: Double)]

    /// The terms of each of `wanted` columns of `lp`, by column index.
    private func columns(of lp: LinearProgram, for wanted: some Sequence<Variable>) -> [Int: Terms] {
        var found: [Int: Terms] = [:]
        var isWanted = [Bool](repeating: false, count: lp.variableCount)
        for v in wanted {
            isWanted[v.index] = true
            found[v.index] = []
        }
        for r in 0..<lp.constraintCount {
            for k in lp.rowStarts[r]..<lp.rowStarts[r + 1] where isWanted[Int(lp.columns[k])] {
                found[Int(lp.columns[k])]!.append((r, lp.coefficients[k]))
            }
        }
        return found
    }
}
