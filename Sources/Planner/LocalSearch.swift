import Solver
import SwitchyardModel

/// The plan's integer decisions in groups a small MILP can settle at a time: each accelerator
/// model's (its offers' leases, signatures and backups, its clusters' lanes, the gangs on it,
/// provider-loss restarts in its clusters), each training run's (its start in the clusters where
/// the plan has it, with the decisions of the models it touches), and every decision in a
/// window of months. A run's start patterns are free only in its own step: the other steps keep
/// the runs where the plan has them, and `RunMoves` moves runs between clusters.
///
/// Why: on the small generated scenario the relaxation's bound is within 0.8% of the optimum
/// but the rounded plan was 4% above it (docs/planner.md, "Where the gap is"): whole gangs,
/// packed one cluster and month at a time, miss combinations a solver sees when it may change a
/// model's leases and gangs together. Cbc on the whole model did not find them in minutes; a
/// model or two months at a time, it does in about a second each.
struct LocalSearch {
    /// Integer columns one step frees.
    struct Neighbourhood {
        let name: String
        let free: [Int]
    }

    let model: SourcingModel
    /// Months per window (relax-and-fix and fix-and-optimise).
    var window = 2
    /// Branch-and-bound nodes per small MILP: a node limit, not only a time limit, so the same
    /// plan comes back however busy the machine is.
    var nodeLimit = 400
    /// Relax-and-fix's windows stop within this gap of their own bound (later months relaxed):
    /// proving a window optimal buys nothing the next windows keep. Measured on the small
    /// benchmark (debug build, 30 s): 0.5% ended at $56.69M, 0.01% at $57.36M.
    var windowGap = 0.005

    /// The accelerator model (nil: none) and period (nil: every period) of each integer
    /// decision a step may free.
    func tags() -> [Int: (model: Int?, period: Int?)] {
        let input = model.input
        var tag: [Int: (model: Int?, period: Int?)] = [:]
        for lease in model.leases { tag[lease.variable.index] = (input.offerModel[lease.key.offer], lease.key.start) }
        for (offer, y) in model.signed { tag[y.index] = (input.offerModel[offer], nil) }
        for (key, r) in model.backup { tag[r.index] = (input.offerModel[key.index], key.period) }
        for (key, n) in model.gangCounts { tag[n.index] = (key.model, key.period) }
        for (key, l) in model.lanes { tag[l.index] = (input.clusters[key.cluster].model, key.period) }
        for (key, b) in model.loss.runStart {
            tag[b.index] = (input.clusters[key.start.cluster].model, key.start.period)
        }
        return tag.filter { model.lp.isInteger[$0.key] }
    }

    /// Fix-and-optimise's steps in a fixed order: each accelerator model's decisions, then each
    /// training run's (`runNeighbourhoods`), then each window of months (decisions without a
    /// month, such as whether an offer is signed at all, are free in every window).
    func neighbourhoods(_ plan: [Double]) -> [Neighbourhood] {
        let tag = tags()
        let columns = tag.keys.sorted()
        var result: [Neighbourhood] = []
        for m in model.input.models.indices {
            let free = columns.filter { tag[$0]!.model == m }
            if !free.isEmpty { result.append(Neighbourhood(name: "\(model.input.models[m])", free: free)) }
        }
        result += runNeighbourhoods(plan, tags: tag)
        let periods = model.input.periods
        guard periods > window else { return result }
        for first in stride(from: 0, to: periods, by: window) {
            let last = min(periods, first + window)
            let free = columns.filter { tag[$0]!.period.map { $0 >= first && $0 < last } ?? true }
            if !free.isEmpty { result.append(Neighbourhood(name: "months \(first + 1)–\(last)", free: free)) }
        }
        return result
    }

    /// Each training run's step: its start patterns in the clusters where `plan` starts it (so
    /// it may start earlier or later there; `RunMoves` moves runs between clusters), its
    /// restarts in provider losses, and every decision of the accelerator models of those
    /// clusters and of the clusters it may restart in. Why: once the steps before have changed
    /// the leases, a run a month later can be cheaper, and no step with the runs fixed finds
    /// that. A re-plan of the example after the Nebius slip (1% gap, debug build) ended in
    /// 15.9 s at 0.40% with this step, and in 80.9 s at 0.72% without it, where branch and cut
    /// on the whole model spent 65 s finding the later start.
    func runNeighbourhoods(_ plan: [Double], tags tag: [Int: (model: Int?, period: Int?)]) -> [Neighbourhood] {
        let input = model.input
        let byWorkload = Dictionary(grouping: model.runStart, by: \.key.workload)
        var result: [Neighbourhood] = []
        for w in byWorkload.keys.sorted() {
            let starts = byWorkload[w]!
            let clusters = Set(starts.filter { plan[$0.value.index] > 0.5 }.map(\.key.cluster))
            guard !clusters.isEmpty else { continue }
            let restarts = model.loss.runStart.filter { $0.key.start.workload == w }
            let models = Set((Array(clusters) + restarts.map(\.key.start.cluster)).map { input.clusters[$0].model })
            var free = Set(starts.filter { clusters.contains($0.key.cluster) }.map(\.value.index))
            free.formUnion(restarts.map(\.value.index))
            free.formUnion(tag.filter { $0.value.model.map(models.contains) ?? false }.map(\.key))
            result.append(Neighbourhood(name: "run \(input.workloads[w].id)", free: free.sorted()))
        }
        return result
    }

    /// The model with the runs' start patterns fixed where `plan` has them.
    func runsFixed(_ plan: [Double]) -> LinearProgram {
        var lp = model.lp
        for v in model.runStart.values {
            let value = plan[v.index].rounded()
            lp.setBounds(v, lower: value, upper: value)
        }
        return lp
    }

    /// `runsFixed(plan)` with the integer columns outside `hood` fixed where `plan` has them,
    /// and the runs' start patterns in `hood` free again.
    func restricted(_ plan: [Double], to hood: Neighbourhood) -> LinearProgram {
        var lp = runsFixed(plan)
        let free = Set(hood.free)
        for v in model.runStart.values where free.contains(v.index) {
            lp.setBounds(v, lower: model.lp.lower[v.index], upper: model.lp.upper[v.index])
        }
        for j in lp.isInteger.indices where lp.isInteger[j] && !free.contains(j) {
            let value = plan[j].rounded()
            lp.setBounds(Variable(index: j), lower: value, upper: value)
        }
        return lp
    }

    /// Relax-and-fix's program for the window starting at `first`: the window's decisions
    /// integer, later months' relaxed, earlier ones fixed where `plan` has them.
    func window(_ plan: [Double], first: Int, tags tag: [Int: (model: Int?, period: Int?)]) -> LinearProgram {
        var lp = runsFixed(plan)
        for (j, t) in tag {
            guard let period = t.period else { continue }
            if period < first {
                lp.setBounds(Variable(index: j), lower: plan[j].rounded(), upper: plan[j].rounded())
            } else if period >= first + window {
                lp.relaxIntegrality(of: Variable(index: j))
            }
        }
        return lp
    }
}

extension Planner {
    /// Relax-and-fix from `start`'s runs, kept when cheaper than `start`; then fix-and-optimise
    /// until a round of its neighbourhoods improves nothing, the plan is inside the gap of
    /// `bound` or `end` comes.
    /// It only ever lowers the plan's cost.
    func localSearch(
        _ model: SourcingModel, from start: Solution, bound: Double?, until end: ContinuousClock.Instant,
        clock: ContinuousClock.Instant, timing: inout SolveTiming
    ) -> Solution {
        let began = ContinuousClock.now
        defer { timing.roundingSeconds += (ContinuousClock.now - began).seconds }
        let search = LocalSearch(model: model)
        func inside(_ s: Solution) -> Bool {
            (model.gap(objective: s.objective, bound: bound) ?? .infinity) <= options.relativeGap
        }
        guard var best = start.objective.map({ _ in start }), !inside(best) else { return start }
        func keep(_ s: Solution?, _ step: SolverStep, _ what: String) -> Bool {
            guard let s, s.status.hasSolution, let objective = s.objective,
                objective < (best.objective ?? .infinity) - 1e-6 * max(1, abs(objective))
            else { return false }
            var better = s
            better.bestBound = best.bestBound
            better.basis = best.basis
            better.status = inside(better) ? .optimal : .feasible
            best = better
            say("\(what): \(cost(best))", since: clock)
            record(step, model, objective: best.objective)
            return true
        }
        // Relax-and-fix builds a plan anew: it pays where rounding left the plan far from the
        // bound (the small benchmark, 5%), not near it (the example, 1.3%: its plan was dearer
        // than the one it started from, and took 2.4 s of a 7 s solve).
        if (model.gap(objective: best.objective, bound: bound) ?? .infinity) > 2 * options.relativeGap {
            _ = keep(relaxAndFix(search, from: best, until: end, clock: clock), .relaxAndFix, "relax and fix")
        }
        // Round and round the neighbourhoods until a whole round since the last improvement
        // has improved nothing: each of them has then been solved on the plan as it stands.
        let hoods = search.neighbourhoods(best.values)
        var unchanged = 0
        var next = 0
        while !hoods.isEmpty, unchanged < hoods.count, !inside(best) {
            let hood = hoods[next]
            next = (next + 1) % hoods.count
            let left = (end - ContinuousClock.now).seconds
            guard left >= 0.5 else { break }
            var options = SolveOptions(timeLimitSeconds: left, relativeGap: 1e-4, nodeLimit: search.nodeLimit)
            options.initialSolution = best.values
            let s = try? milpSolver.solve(search.restricted(best.values, to: hood), options: options)
            unchanged = keep(s, .fixAndOptimise, "fix and optimise \(hood.name)") ? 0 : unchanged + 1
        }
        return best
    }

    /// Relax-and-fix with the runs where `start` has them: windows of months, earliest first,
    /// each solved with its own decisions integer, later months relaxed and earlier ones fixed
    /// where the windows before put them; each window gets its share of the time left. Nil
    /// when a window finds no plan in its time, or when a window's bound reaches `start`'s
    /// cost: each window solves the one before with more fixed, so no later window can end
    /// cheaper than that bound, and the windows left would build a plan that is not kept (on the
    /// example, the last five of twelve windows, about 1.3 s of a 15 s plan in a debug build).
    func relaxAndFix(
        _ search: LocalSearch, from start: Solution, until end: ContinuousClock.Instant,
        clock: ContinuousClock.Instant
    ) -> Solution? {
        let tag = search.tags()
        let periods = search.model.input.periods
        var values = start.values
        var last: Solution?
        for first in stride(from: 0, to: periods, by: search.window) {
            let left = (end - ContinuousClock.now).seconds
            let windows = (periods - first + search.window - 1) / search.window
            guard left >= 0.2 * Double(windows) else { return nil }
            let options = SolveOptions(
                timeLimitSeconds: left / Double(windows), relativeGap: search.windowGap, nodeLimit: search.nodeLimit)
            let stop = min(periods, first + search.window)
            guard let s = try? milpSolver.solve(search.window(values, first: first, tags: tag), options: options),
                s.status.hasSolution
            else {
                say("  relax and fix, months \(first + 1)–\(stop): no plan in its time", since: clock)
                return nil
            }
            say("  relax and fix, months \(first + 1)–\(stop): \(cost(s))", since: clock)
            if stop < periods, let bound = s.bestBound, let plan = start.objective,
                bound >= plan - 1e-6 * max(1, abs(plan))
            {
                say("  relax and fix: its bound \(money(bound)) is not below the plan's cost; stopped", since: clock)
                return nil
            }
            values = s.values
            last = s
        }
        return last
    }
}
