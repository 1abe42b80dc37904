import Solver
import SwitchyardModel

/// One solve of the planner, as its stages: build a model, add the provider-loss cases that fall
/// short (first on the relaxation, then on rounded plans), search the last plan further when it
/// is outside the gap, then extract, explain and report it. `Planner.solve` lists the stages;
/// each is a method here, and the state they share (the clock, the timings) is this value's.
struct SolveStages {
    let planner: Planner
    let input: PlanningInput
    let overrides: PlanningOverrides
    let started = ContinuousClock.now
    var timing = SolveTiming()
    var buildSeconds = 0.0
    /// Branch and cut for the bound beside the search of the last model (`BoundSearch`).
    var boundSearch: BoundSearch?

    /// A rounded plan and what it was checked against.
    struct Rounded {
        var model: SourcingModel
        var solution: Solution
        /// The provider-loss cases in the model.
        var subset: Set<Int>
        /// The losses checked with the plan fixed (those outside the model).
        var evaluation: [(blocks: LossBlocks, values: [Double])]
        /// The relaxation the plan was rounded from.
        var relaxation: Solution?
    }

    /// The last relaxation that solved in the loss-case rounds, and its cases; or the first
    /// round's, when it did not solve (the rounded round then says why there is no plan).
    struct Relaxed {
        var subset: Set<Int>
        var model: SourcingModel
        var solution: Solution
    }

    func say(_ message: @autoclosure () -> String) { planner.say(message(), since: started) }

    /// ": a, b, …", the first few providers of `indices` by name (for progress lines).
    func names(_ indices: [Int]) -> String {
        guard !indices.isEmpty else { return "" }
        let shown = indices.prefix(planner.lossCasesPerRound).map { "\(input.providers[$0])" }
        return ": " + shown.joined(separator: ", ") + (indices.count > shown.count ? ", …" : "")
    }

    func timeLeft() -> Double {
        (planner.options.timeLimitSeconds ?? .infinity) - (ContinuousClock.now - started).seconds
    }

    /// The suppliers whose loss is outside `subset` (checked after the solve, not optimised).
    func rest(of model: SourcingModel, subset: Set<Int>) -> [Int] {
        Set(model.suppliers).subtracting(subset).sorted()
    }

    /// The model with the loss cases of `subset` (every one when nil).
    mutating func build(_ subset: Set<Int>?) -> SourcingModel {
        let start = ContinuousClock.now
        defer { buildSeconds += (ContinuousClock.now - start).seconds }
        let model = SourcingModel(input, overrides: overrides, lossSubset: subset)
        say(
            "model: \(model.lp.variableCount) variables (\(model.lp.integerCount) integer, "
                + "\(model.runStart.count) run patterns), \(model.lp.constraintCount) constraints, "
                + "\(subset?.count ?? 0) loss cases")
        return model
    }

    /// The losses of `providers` checked with `values` fixed, timed.
    mutating func evaluate(_ providers: [Int], model: SourcingModel, values: [Double], relaxed: Bool = false) throws
        -> [(blocks: LossBlocks, values: [Double])]
    {
        let start = ContinuousClock.now
        defer { timing.evaluationSeconds += (ContinuousClock.now - start).seconds }
        let deadline = planner.options.timeLimitSeconds.map { started + .seconds($0) }
        return try planner.evaluateLosses(providers, model: model, base: values, until: deadline, relaxed: relaxed)
    }

    /// Plans in one solve: every loss case in the model from the start (or none, when nothing
    /// is critical or N-1 is off).
    mutating func inOneSolve() throws -> Rounded {
        let model = build(nil)
        boundSearch = Self.boundSearch(planner: planner, started: started, on: model, from: nil)
        let solution = try planner.solveMILP(model, timing: &timing, since: started)
        return Rounded(model: model, solution: solution, subset: [], evaluation: [], relaxation: nil)
    }

    /// N-1 by constraint generation on the relaxation alone: its allocation is checked against
    /// each provider's loss, and the cases it falls short on join the model, until it falls short
    /// on none (or the rounds or the time run out). Only then is a plan rounded. A round's plan
    /// only says which cases to add, and rounding one (with its moves of runs) costs as much as
    /// its relaxation again: on the medium benchmark that left no time for the third round's plan.
    mutating func relaxationRounds() throws -> (subset: Set<Int>, last: Relaxed?, rounds: Int) {
        var subset = Set<Int>()
        var round = 0
        var relaxed: Relaxed?
        while round < planner.maxResilienceRounds, timeLeft() > 0 {
            let candidate = build(subset)
            // A relaxation that fails or runs out of time leaves the last one's cases. The first
            // one's is handed on as it is, so the rounded round says why there is no plan without
            // building and solving it again (a thrown error surfaces when that round solves it).
            let attempt = try? planner.relax(candidate, timing: &timing, since: started)
            guard let relaxation = attempt, relaxation.status == .optimal else {
                if let relaxed {
                    subset = relaxed.subset
                } else if let attempt {
                    relaxed = Relaxed(subset: subset, model: candidate, solution: attempt)
                }
                break
            }
            round += 1
            relaxed = Relaxed(subset: subset, model: candidate, solution: relaxation)
            let rest = rest(of: candidate, subset: subset)
            // With the time gone, what the relaxation falls short in can change nothing: the
            // plan rounded next ends without one (a 4 s plan checked 12 losses after its
            // relaxation ended at 4.1 s, and took 8.2 s to say so).
            guard !rest.isEmpty, timeLeft() > 0 else { break }
            let evaluation = try evaluate(rest, model: candidate, values: relaxation.values, relaxed: true)
            let checked = Array(rest.prefix(evaluation.count))
            let short = planner.violators(evaluation, among: checked, model: candidate)
            say(
                "relaxation checked against \(checked.count) provider losses"
                    + (checked.count < rest.count ? " of \(rest.count) (the time ran out)" : "")
                    + ": \(short.count) short\(names(short))")
            // The next round's relaxation is larger, and a plan has to be rounded after it.
            if short.isEmpty || timeLeft() < 3 * relaxation.seconds { break }
            subset.formUnion(short.prefix(planner.lossCasesPerRound))
        }
        return (subset, relaxed, round)
    }

    /// Rounded plans, each checked against the losses outside its model; the cases found short
    /// join the next round's model. A round with more cases that finds no plan in the time left
    /// leaves the previous round's plan, whose loss table says what it lacks.
    mutating func integerRounds(from relaxed: (subset: Set<Int>, last: Relaxed?, rounds: Int)) throws -> Rounded {
        var subset = relaxed.subset
        var given = relaxed.last
        var count = 0
        var kept: Rounded?
        while true {
            let reuse = given?.subset == subset ? given : nil
            given = nil
            let model = reuse?.model ?? build(subset)
            let relaxation: Solution
            let solution: Solution
            do {
                relaxation = try reuse?.solution ?? planner.relax(model, timing: &timing, since: started)
                solution = try planner.solveMILP(
                    model, relaxation: relaxation, timing: &timing, search: false, since: started)
            } catch {
                guard let kept else { throw error }
                say("no plan with \(subset.count) loss cases in the time left: keeping the last round's")
                return kept
            }
            count += 1
            timing.resilienceRounds = relaxed.rounds + count
            let rest = rest(of: model, subset: subset)
            guard !rest.isEmpty else {
                return Rounded(model: model, solution: solution, subset: subset, evaluation: [], relaxation: relaxation)
            }
            let evaluation = try evaluate(rest, model: model, values: solution.values)
            say("checked \(rest.count) provider losses")
            let short = planner.violators(evaluation, among: rest, model: model)
            let round = Rounded(
                model: model, solution: solution, subset: subset, evaluation: evaluation, relaxation: relaxation)
            kept = round
            // Another round solves a larger relaxation than this one's and rounds it again:
            // started with less than three times this relaxation's seconds left, it ends without
            // a plan (on the medium benchmark a fourth case's relaxation ran out the last 37 s
            // after one of 34 s), and the search below gets nothing.
            if short.isEmpty || count >= planner.maxResilienceRounds || timeLeft() < 3 * relaxation.seconds {
                if !short.isEmpty {
                    say("\(short.count) more provider loss(es) short; too little time left for another round")
                }
                return round
            }
            say("\(short.count) provider loss(es) short\(names(short))")
            subset.formUnion(short.prefix(planner.lossCasesPerRound))
        }
    }

    /// The last round's plan, searched further when the heuristic left it outside the gap:
    /// first with its runs fixed, then everything; polished, and its losses checked again if it
    /// changed.
    mutating func searched(_ rounded: Rounded) throws -> Rounded {
        var result = rounded
        let target = planner.options.relativeGap
        guard let gap = rounded.model.gap(rounded.solution), gap > target else { return result }
        let model = rounded.model
        boundSearch = Self.boundSearch(planner: planner, started: started, on: model, from: rounded.solution.values)
        var solution = planner.withRunsFixed(
            model, from: rounded.solution, bound: rounded.solution.bestBound, clock: started, timing: &timing)
        if let gap = model.gap(solution), gap > target {
            let searched = try planner.branchAndCut(
                model, from: solution, bound: solution.bestBound, basis: solution.basis, clock: started,
                timing: &timing)
            if (searched.objective ?? .infinity) < (solution.objective ?? .infinity) - 1e-6 {
                solution = searched
            } else {
                solution.bestBound = searched.bestBound
                if let g = model.gap(solution), g <= target { solution.status = .optimal }
            }
        }
        solution = planner.polished(
            model, solution, guide: rounded.relaxation?.values ?? rounded.solution.values, bound: solution.bestBound,
            clock: started, timing: &timing)
        let rest = rest(of: model, subset: rounded.subset)
        if solution.values != rounded.solution.values, !rest.isEmpty {
            result.evaluation = try evaluate(rest, model: model, values: solution.values)
        }
        result.solution = solution
        return result
    }

    /// Where the plan's time limit leaves one, a `BoundSearch` on `model` (from the plan `start`
    /// when there is one) for most of the time left: an answer that comes after the plan's
    /// limit is not waited for, and Cbc counts its limit in CPU seconds (on a loaded machine its
    /// child gets less than a core and runs past it into its grace).
    static func boundSearch(
        planner: Planner, started: ContinuousClock.Instant, on model: SourcingModel, from start: [Double]?
    )
        -> BoundSearch?
    {
        guard planner.searchesBound, let limit = planner.options.timeLimitSeconds, model.lp.integerCount > 0 else {
            return nil
        }
        let left = limit - (ContinuousClock.now - started).seconds
        return BoundSearch(
            model: model, solver: planner.milpSolver, seconds: 0.85 * (left - min(3, 0.05 * limit)), start: start,
            logLevel: planner.options.logLevel
        ) {
            bound, status in
            planner.say(
                "bound search: \(status?.rawValue ?? "failed"), \(bound.map(planner.money) ?? "no bound")",
                since: started)
            planner.record(.boundSearch, model, bound: bound)
        }
    }

    /// The plan with the bound search's bound where it is higher than its own. A plan already
    /// inside the gap does not wait for it; one outside waits until half a second before the
    /// limit.
    mutating func withBoundSearch(_ rounded: Rounded) -> Rounded {
        guard let search = boundSearch else { return rounded }
        boundSearch = nil
        guard let gap = rounded.model.gap(rounded.solution), gap > planner.options.relativeGap,
            let objective = rounded.solution.objective
        else {
            search.cancel()
            return rounded
        }
        var result = rounded
        if let bound = search.bound(waitingUpTo: timeLeft() - 0.5), bound > (rounded.solution.bestBound ?? -.infinity) {
            result.solution.bestBound = min(bound, objective)
        }
        return result
    }

    /// The plan of a rounded solution: extracted, explained from the LP's duals (with what time
    /// is left, 1 to 60 s), with each shortfall's reasons.
    func explained(_ rounded: Rounded) -> Plan {
        var extractor = PlanExtractor(
            model: rounded.model, values: rounded.solution.values, evaluated: rounded.evaluation)
        var plan = extractor.plan()
        plan.explanation = Explainer(
            model: rounded.model, values: rounded.solution.values, lpSolver: planner.lpSolver,
            warmStart: rounded.solution.basis, timeLimitSeconds: min(60, max(1, timeLeft()))
        )
        .explain(plan: plan)
        extractor.attachReasons(to: &plan)
        return plan
    }

    /// What the solver did. The bound of the last model is a bound for the full one: leaving
    /// out loss cases only removes costs and constraints (and the penalty they cannot avoid,
    /// added back). The gap compares it with the full plan's objective.
    func report(_ rounded: Rounded, plan: Plan, explainSeconds: Double) -> SolverReport {
        let model = rounded.model
        let solution = rounded.solution
        let objective = plan.cost.objective.double
        // The model's bound leaves out what its missing loss cases cannot avoid; the plan's cost
        // counts it.
        let outside = model.unavoidableOutside
        let bound = min((solution.bestBound.map { $0 + outside }) ?? objective, objective)
        let gap = model.gap(objective: objective - outside, bound: bound - outside) ?? 0
        let status = SolverReport.status(
            PlanStatus(rawValue: solution.status.rawValue) ?? .failed, gap: gap, target: planner.options.relativeGap)
        return SolverReport(
            status: status, variables: model.lp.variableCount, integerVariables: model.lp.integerCount,
            constraints: model.lp.constraintCount, nonzeros: model.lp.nonzeroCount, buildSeconds: buildSeconds,
            solveSeconds: timing.relaxationSeconds + timing.roundingSeconds + timing.branchAndCutSeconds
                + timing.evaluationSeconds,
            explainSeconds: explainSeconds, gap: gap, nodes: solution.nodes,
            relaxationSeconds: timing.relaxationSeconds, roundingSeconds: timing.roundingSeconds,
            branchAndCutSeconds: timing.branchAndCutSeconds, resilienceRounds: timing.resilienceRounds,
            lossCasesOptimised: model.lossProviders.count, lossCheckSeconds: timing.evaluationSeconds,
            gapUSD: max(0, objective - bound), unavoidablePenaltyUSD: model.unavoidablePenalty,
            progress: planner.curve?.progress(of: model, offset: outside))
    }
}
