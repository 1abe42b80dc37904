import Foundation
import Solver
import SwitchyardModel
import Synchronization

extension SourcingModel {
    /// The model with one more row per training run, `short[w] + R_w Σ_{c,k} s[w,c,k] ≥ R_w`
    /// (`run-whole`), R_w the work the run has left: a pattern covers all of it, none leaves all
    /// of it short. Every plan meets it, but the relaxation can no longer run a run at just the
    /// fraction of a pattern that covers its work (patterns are whole months, so a whole one does
    /// more than the work). On the small generated scenarios it raises the relaxation 0.2–2.6%
    /// (`generate --seed 2 --no-resilience`: $43.22M to $44.36M). It is not in the model the
    /// planner rounds: there it made N-1 relaxations too slow to solve (docs/planner.md).
    func withWholeRuns() -> LinearProgram {
        var program = lp
        var patterns: [Int: [Variable]] = [:]
        for (key, start) in runStart { patterns[key.workload, default: []].append(start) }
        // Work done before a re-plan's start (history, fixed) counts at most its upper bound.
        var done: [Int: Double] = [:]
        for (key, x) in allocation where key.period < overrides.fromPeriod {
            done[key.workload, default: 0] += input.speeds[key.workload][key.model] * input.hours * lp.upper[x.index]
        }
        for w in patterns.keys.sorted() {
            guard let short = trainingShort[w], case .training(let work) = input.workloads[w].demand else { continue }
            let left = work - (done[w] ?? 0)
            guard left > 1e-6 else { continue }
            let starts = patterns[w]!.sorted { $0.index < $1.index }
            program.addConstraint(
                "run-whole[\(input.workloads[w].id)]", [(short, 1)] + starts.map { ($0, left) }, lower: left)
        }
        return program
    }
}

/// Branch and cut for the bound alone, beside the planner's own search, on the machine's other
/// core: Cbc in a child process on the model with whole runs (`withWholeRuns`), the plan so far
/// as its start. The planner's search never waits for it nor reads it while it runs (so its plan
/// does not depend on when this one answers); at the end its bound, where higher, is the
/// plan's (`SolveStages.withBoundSearch`).
final class BoundSearch: Sendable {
    private struct State {
        var bound: Double?
        var done = false
        var cancelled = false
    }
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the search on `model` for `seconds`, from `start` when given; nil where the
    /// planner's MILP solver is not a child process (a second solve in this process would wait
    /// for the first: Cbc is serialised) or there is too little time for it to say anything.
    init?(
        model: SourcingModel, solver: any LinearSolver, seconds: Double, start: [Double]?, logLevel: Int = 0,
        record: @escaping @Sendable (_ bound: Double?, _ status: SolveStatus?) -> Void
    ) {
        guard let child = solver as? IsolatedCbcSolver, seconds >= 2 else { return nil }
        var settings = SolveOptions(timeLimitSeconds: seconds, relativeGap: 1e-6, logLevel: logLevel)
        settings.initialSolution = start
        let options = settings
        let thread = Thread { [self] in
            let program = model.withWholeRuns()
            let solution = try? child.solve(program, options: options) { [self] in
                state.withLock { $0.cancelled }
            }
            let bound = solution?.bestBound.flatMap { $0.isFinite ? $0 : nil }
            let stopped = state.withLock {
                $0.bound = bound
                $0.done = true
                return $0.cancelled
            }
            // A search stopped because its answer is no longer wanted says nothing.
            if !stopped { record(bound, solution?.status) }
            finished.signal()
        }
        thread.stackSize = 16 << 20
        thread.start()
    }

    /// Its bound: waits for the search up to `seconds`, then stops it. Nil when it found none.
    func bound(waitingUpTo seconds: Double) -> Double? {
        if seconds > 0, !state.withLock({ $0.done }) { _ = finished.wait(timeout: .now() + seconds) }
        cancel()
        return state.withLock { $0.bound }
    }

    /// Whether its child has answered or been stopped.
    var isDone: Bool { state.withLock { $0.done } }

    /// Stops the search and waits (a moment) for its child to be gone, so none outlives the plan.
    func cancel() {
        let done = state.withLock { s in
            s.cancelled = true
            return s.done
        }
        // The one signal comes after `done` is set, and only this thread waits for it.
        if !done { _ = finished.wait(timeout: .now() + 5) }
    }
}
