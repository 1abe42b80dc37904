import Foundation
import Solver
import SwitchyardModel

/// Places training runs from an LP relaxation, the first step of rounding: each run, largest
/// first (gang × work), takes the start pattern (cluster and first month) the relaxation gave
/// most weight, earliest on a tie, among those whose months its cluster can still hold beside
/// the runs already placed. A run with no such pattern is left out: its work is short. The
/// result fixes every run variable; leases are rounded afterwards around it.
struct RunPlacement {
    let model: SourcingModel

    /// Runs with at least one pattern, largest first, the order they are placed in.
    var runOrder: [Int] {
        let input = model.input
        let runs = Set(model.runStart.keys.map(\.workload))
        return runs.sorted {
            let a = Double(input.workloads[$0].gang) * (input.workloads[$0].demand.work ?? 0)
            let b = Double(input.workloads[$1].gang) * (input.workloads[$1].demand.work ?? 0)
            return (a, $1) > (b, $0)
        }
    }

    /// A run's place to try first: a cluster, and a first month in it.
    struct Choice: Equatable {
        let cluster: Int
        let start: Int
    }

    /// Where run w starts among `fixed` run variables, if it was placed.
    func placed(_ w: Int, in fixed: [Int: Double]) -> SourcingModel.RunStartKey? {
        model.runStart.first { $0.key.workload == w && (fixed[$0.value.index] ?? 0) > 0.5 }?.key
    }

    /// Variable index → fixed value for every run variable; `preferring` makes a run take its
    /// given start pattern when it fits, or else another start in that cluster.
    func fix(_ values: [Double], preferring: [Int: Choice] = [:]) -> [Int: Double] {
        let input = model.input
        var fixed: [Int: Double] = [:]
        var load = Array(repeating: Array(repeating: 0.0, count: input.periods), count: input.clusters.count)
        let patterns = Dictionary(grouping: model.runStart.keys, by: \.workload)
        for w in runOrder {
            let gang = Double(input.workloads[w].gang)
            let mine = patterns[w] ?? []
            // 2: the preferred pattern; 1: the preferred cluster; 0: anything else.
            func rank(_ key: SourcingModel.RunStartKey) -> Int {
                guard let choice = preferring[w], choice.cluster == key.cluster else { return 0 }
                return choice.start == key.period ? 2 : 1
            }
            let fits = { (key: SourcingModel.RunStartKey) -> Bool in
                let length = model.runLengths[key] ?? 0
                return (key.period..<(key.period + length)).allSatisfy { t in
                    load[key.cluster][t] + gang <= model.clusterCapacity(key.cluster, t) + 1e-9
                }
            }
            let ranked = mine.sorted {
                let a = values[model.runStart[$0]!.index]
                let b = values[model.runStart[$1]!.index]
                return (rank($0), a, -$0.period, -$0.cluster) > (rank($1), b, -$1.period, -$1.cluster)
            }
            let placed = ranked.first(where: fits)
            for key in mine { fixed[model.runStart[key]!.index] = key == placed ? 1 : 0 }
            if let placed {
                for t in placed.period..<(placed.period + (model.runLengths[placed] ?? 0)) {
                    load[placed.cluster][t] += gang
                }
            }
        }
        return fixed
    }

    /// Runs of consecutive periods in a sorted list.
    static func stretches(_ periods: [Int]) -> [[Int]] {
        var result: [[Int]] = []
        for t in periods {
            if let last = result.last?.last, last + 1 == t {
                result[result.count - 1].append(t)
            } else {
                result.append([t])
            }
        }
        return result
    }
}

/// The moves of training runs tried after the first rounding, most promising first as the LP
/// with the runs placed prices them: moving run w from its start pattern a to b changes that
/// LP's cost by at least `d[b] - d[a]` (its reduced costs; the LP's cost is convex in the
/// bounds, so the first-order change underestimates the whole). A move is the placement
/// `RunPlacement.fix` makes with the run preferring its new pattern, and its LP is solved warm
/// from the current one's basis. First the moves of negative estimate are offered whose LP is
/// cheaper than the current one's; when none is left, every candidate whose LP is below the
/// plan's cost (no plan with those runs can cost less than their LP): whole gangs make
/// rounding's cost differ from one placement to the next by more than the LP does, and on the
/// small benchmark no move made the LP cheaper.
struct RunMoves {
    let model: SourcingModel
    let placement: RunPlacement
    let relaxation: Solution
    private(set) var runs: [Int: Double]
    private(set) var placed: Solution
    private var preferred: [Int: RunPlacement.Choice] = [:]
    /// Each placed run's start pattern in `runs`.
    private var current: [Int: SourcingModel.RunStartKey] = [:]
    private var queue: [SourcingModel.RunStartKey] = []
    private var next = 0
    /// Whether the moves of any estimate are being tried, against the plan's cost.
    private var widened = false

    struct Move {
        let workload: Int
        let runs: [Int: Double]
        let placed: Solution
        let preferred: [Int: RunPlacement.Choice]
    }

    init(model: SourcingModel, placement: RunPlacement, relaxation: Solution, runs: [Int: Double], placed: Solution) {
        self.model = model
        self.placement = placement
        self.relaxation = relaxation
        self.runs = runs
        self.placed = placed
        current = Self.patterns(of: runs, in: model)
        queue = candidates()
    }

    private static func patterns(of runs: [Int: Double], in model: SourcingModel) -> [Int: SourcingModel.RunStartKey] {
        var result: [Int: SourcingModel.RunStartKey] = [:]
        for (key, s) in model.runStart where (runs[s.index] ?? 0) > 0.5 { result[key.workload] = key }
        return result
    }

    /// The estimate of moving a run to start pattern `key`: `d[key] - d[its own]`, or `d[key]`
    /// for a run left out (its shortfall is free in the LP). Nil for the run's own pattern.
    func estimate(_ key: SourcingModel.RunStartKey) -> Double? {
        guard let reduced = placed.reducedCosts, let s = model.runStart[key], (runs[s.index] ?? 0) < 0.5 else {
            return nil
        }
        let own = current[key.workload].flatMap { model.runStart[$0] }
        return reduced[s.index] - (own.map { reduced[$0.index] } ?? 0)
    }

    /// Each run's candidate patterns, all runs' together lowest estimate first: in each other
    /// cluster the pattern of lowest estimate (earliest on a tie; the `perRun` clusters of
    /// lowest estimate), and in its own cluster starts a month or two earlier or later. Only
    /// negative estimates unless `widened`.
    private func candidates() -> [SourcingModel.RunStartKey] {
        var best: [PeriodKey: (estimate: Double, key: SourcingModel.RunStartKey)] = [:]
        var shifts: [(estimate: Double, key: SourcingModel.RunStartKey)] = []
        for key in model.runStart.keys {
            guard let estimate = estimate(key), widened || estimate < -1e-6 else { continue }
            if let at = current[key.workload], at.cluster == key.cluster {
                if abs(at.period - key.period) <= 2 { shifts.append((estimate, key)) }
                continue
            }
            let slot = PeriodKey(key.workload, key.cluster)
            if let kept = best[slot], (kept.estimate, kept.key.period) <= (estimate, key.period) { continue }
            best[slot] = (estimate, key)
        }
        func order(
            _ a: (estimate: Double, key: SourcingModel.RunStartKey),
            _ b: (estimate: Double, key: SourcingModel.RunStartKey)
        ) -> Bool {
            (a.estimate, a.key.workload, a.key.cluster, a.key.period) < (
                b.estimate, b.key.workload, b.key.cluster, b.key.period
            )
        }
        var taken: [Int: Int] = [:]
        var chosen = shifts
        for candidate in best.values.sorted(by: order) where taken[candidate.key.workload, default: 0] < Self.perRun {
            taken[candidate.key.workload, default: 0] += 1
            chosen.append(candidate)
        }
        return chosen.sorted(by: order).map(\.key)
    }

    /// Other clusters tried per run, of lowest estimate.
    static let perRun = 3

    /// The next move whose LP is cheaper than the current placement's, or once none is left
    /// cheaper than `plan` (the current plan's cost); nil when none is left (or the deadline
    /// passed).
    mutating func next(
        planner: Planner, relaxed: LinearProgram, plan: Double, until deadline: ContinuousClock.Instant?
    ) -> Move? {
        var options = SolveOptions()
        options.warmStart = placed.basis
        while true {
            if next == queue.count, !widened {
                widened = true
                queue = candidates()
                next = 0
            }
            guard next < queue.count else { return nil }
            if let deadline, deadline <= .now { return nil }
            let key = queue[next]
            next += 1
            var trial = preferred
            trial[key.workload] = RunPlacement.Choice(cluster: key.cluster, start: key.period)
            let moved = placement.fix(relaxation.values, preferring: trial)
            guard moved != runs, placement.placed(key.workload, in: moved) == key else { continue }
            var lp = relaxed
            for (index, value) in moved { lp.setBounds(Variable(index: index), lower: value, upper: value) }
            guard let s = planner.solve(lp, options, until: deadline), s.status == .optimal,
                (s.objective ?? .infinity) < (widened ? plan : placed.objective ?? .infinity) - 1e-6
            else { continue }
            return Move(workload: key.workload, runs: moved, placed: s, preferred: trial)
        }
    }

    /// Makes `move` the current placement, and its LP the one moves are priced from.
    mutating func accept(_ move: Move) {
        runs = move.runs
        placed = move.placed
        preferred = move.preferred
        current = Self.patterns(of: runs, in: model)
        widened = false
        queue = candidates()
        next = 0
    }
}
