import Solver
import SwitchyardModel

/// Where and when a training run can hold its gang (docs/planner.md, 7a): one cluster, one start,
/// the whole months its work needs there, unbroken. The base plan and each provider-loss case
/// draw their runs' start patterns from here, so a loss case can restart a run only where the
/// base plan could have put it.
struct RunPatterns {
    let input: PlanningInput
    let overrides: PlanningOverrides

    /// One start pattern: run in `cluster` from `start` for `length` months.
    struct Pattern: Equatable {
        let cluster: Int
        let start: Int
        let length: Int
        var months: Range<Int> { start..<(start + length) }
    }

    /// Reference-hours of run w done before the re-plan began (0 in a fresh plan).
    func done(_ w: Int) -> Double {
        let gang = Double(input.workloads[w].gang)
        var done = 0.0
        // In cluster order: a float sum in dictionary order differs between processes, and a run's
        // length is this rounded up.
        for (past, periods) in (overrides.pastRuns[w] ?? [:]).sorted(by: { $0.key < $1.key }) {
            done += Double(periods.count) * gang * input.speeds[w][input.clusters[past].model] * input.hours
        }
        return done
    }

    /// Whole months run w needs in cluster c for the work it has left (all of it in a fresh
    /// plan; what the months before a re-plan did not do, after one, plus
    /// `SourcingModel.restartHours` of redone progress when `restarting` a run that had
    /// started); nil where it cannot run.
    func runLength(_ w: Int, cluster c: Int, restarting: Bool = false) -> Int? {
        guard case .training(let work) = input.workloads[w].demand else { return nil }
        let gang = Double(input.workloads[w].gang)
        let perMonth = gang * input.speeds[w][input.clusters[c].model] * input.hours
        guard perMonth > 0 else { return nil }
        let done = done(w)
        let redo =
            restarting && done > 0 ? gang * input.speeds[w][input.clusters[c].model] * SourcingModel.restartHours : 0
        return max(0, Int(((work - done + redo) / perMonth - 1e-9).rounded(.up)))
    }

    /// The most accelerators cluster c can hold in period t after what an incident took.
    func clusterCapacity(_ c: Int, _ t: Int) -> Double {
        let cluster = input.clusters[c]
        let factor = cluster.site.map { overrides.site($0, t) } ?? overrides.provider(cluster.provider, t)
        return cluster.capacity[t] * factor
    }

    /// Every start pattern of run w in the clusters `admitted` lets in, cluster by cluster and
    /// start by start: months the re-plan can still change, inside the window, each one the
    /// cluster can hold the gang in. Carrying straight on where it ran costs nothing; any other
    /// start is a restart.
    func patterns(of w: Int, in admitted: (Int) -> Bool = { _ in true }) -> [Pattern] {
        let from = overrides.fromPeriod
        let gang = Double(input.workloads[w].gang)
        let window = input.window(of: w)
        var result: [Pattern] = []
        for c in input.gangClusters[w] where admitted(c) {
            let cluster = input.clusters[c]
            guard let seamless = runLength(w, cluster: c), seamless > 0 else { continue }
            let restarted = runLength(w, cluster: c, restarting: true) ?? seamless
            let open = window.map { t in
                t >= from && clusterCapacity(c, t) >= gang && input.canSupply(cluster.model, t)
            }
            let base = window.lowerBound
            let ranUpToNow = overrides.pastRuns[w]?[c]?.contains(from - 1) ?? false
            for k in window {
                let length = ranUpToNow && k == from ? seamless : restarted
                guard k + length <= window.upperBound, (k..<(k + length)).allSatisfy({ open[$0 - base] })
                else { continue }
                result.append(Pattern(cluster: c, start: k, length: length))
            }
        }
        return result
    }
}

extension SourcingModel {
    /// Shortfall penalty no plan can avoid, whatever it signs: every training run with no start
    /// pattern at all (short its whole work), and in every supplier's loss (all of them, in the
    /// model or checked after it) every critical run with no pattern outside that supplier (short
    /// its requirement). The gap is measured on the objective above it (`gap`): a run no supplier
    /// mix can cover adds a penalty (a billion dollars, on the example's pre-training run under
    /// CoreWeave's loss) that would otherwise make any plan look within 1% of its bound. With it,
    /// the reference-hours of that requirement per supplier.
    func computeUnavoidable() -> (penalty: Double, lossHours: [Int: Double]) {
        let penalty = input.scenario.policy.shortfallPenaltyPerReferenceHour.double
        let patterns = RunPatterns(input: input, overrides: overrides)
        var total = 0.0
        for (w, workload) in input.workloads.enumerated() {
            guard case .training(let work) = workload.demand else { continue }
            let left = max(0, work - patterns.done(w))
            if patterns.patterns(of: w).isEmpty { total += penalty * overrides.weight(of: w, input) * left }
        }
        guard input.scenario.policy.resilience == .nMinus1 else { return (total, [:]) }
        let coverage = input.scenario.policy.criticalCoverage
        var hours: [Int: Double] = [:]
        for p in suppliers {
            for w in input.critical {
                guard case .training(let work) = input.workloads[w].demand else { continue }
                let required = max(0, work * coverage - patterns.done(w))
                if patterns.patterns(of: w, in: { input.clusters[$0].provider != p }).isEmpty {
                    total += penalty * required
                    hours[p, default: 0] += required
                }
            }
        }
        return (total, hours)
    }

    /// The relative gap on what the decisions control, of an objective and a bound of this
    /// model: the objective's distance from the bound over the objective less the penalty no
    /// plan avoids in this model (`unavoidableInModel`; the loss cases left out of it are in
    /// neither number). Nil without both.
    func gap(objective: Double?, bound: Double?) -> Double? {
        guard let objective, let bound else { return nil }
        return max(0, objective - bound) / max(1e-9, abs(objective - unavoidableInModel))
    }

    /// `gap(objective:bound:)` of a solution.
    func gap(_ s: Solution?) -> Double? { gap(objective: s?.objective, bound: s?.bestBound) }
}
