import Foundation
import Solver
import SwitchyardCatalog
import SwitchyardModel

/// Turns a scenario into a sourcing plan: the MILP of docs/planner.md solved by Cbc, explained
/// from Clp's duals with the integer decisions fixed.
///
/// ```swift
/// let plan = try Planner().plan(try ScenarioFile.load(path: "examples/frontier-lab.yaml"))
/// print(PlanReport.render(plan, format: .text))
/// ```
public struct Planner: Sendable {
    /// Limits for the MILP.
    public var options: SolveOptions
    /// The MILP backend.
    public var milpSolver: any LinearSolver
    /// The LP backend for the explanation.
    public var lpSolver: any LinearSolver
    /// N-1 by constraint generation (the default): optimise only the provider-loss cases that
    /// fall short, check the rest. `false` puts every loss case in the model from the start.
    public var generateLossCases = true
    /// Whether a second process searches for a better bound beside the search for a plan
    /// (`BoundSearch`): it takes a second core, so it is off unless asked for (`plan
    /// --threads 2`, the CLI's default on two cores); the plan is the same either way.
    public var searchesBound = false
    /// Told, as the solve goes, what step it is at and how long it has run (for `--progress`).
    public var progress: (@Sendable (String) -> Void)?
    /// Told the best plan and bound over time each time either moves, on the model being
    /// solved (for a plan job's progress on the server). Called on the solver's threads.
    public var onProgress: (@Sendable (SolveProgress) -> Void)?
    /// Relaxations of models with at least this many training-run start patterns are solved by
    /// column generation of the patterns (`RunColumns`).
    var runColumnsFrom = RunColumns.from
    /// The solve's progress, recorded for the plan's JSON (set by `solve`).
    var curve: SolveCurve?

    /// A planner; defaults: 1% gap, 120 s limit, Cbc (in a child process where it can be, see
    /// `IsolatedCbcSolver`) and Clp.
    public init(
        options: SolveOptions = SolveOptions(timeLimitSeconds: 120, relativeGap: 0.01),
        milpSolver: any LinearSolver = IsolatedCbcSolver.preferred, lpSolver: any LinearSolver = ClpSolver()
    ) {
        self.options = options
        self.milpSolver = milpSolver
        self.lpSolver = lpSolver
    }

    /// Plans a scenario. Shortfalls are part of the plan, never an error.
    ///
    /// - Throws: `PlannerError` when the solver fails outright.
    public func plan(_ scenario: Scenario) throws -> Plan {
        let input = try PlanningInput(scenario)
        return try solve(input, overrides: PlanningOverrides())
    }

    /// The whole MILP of a scenario, every provider-loss case in it: the model `plan` solves
    /// (by rounds of loss cases and a search of its own), for another solver to take
    /// (`LinearProgram.modelFile`). Its optimum is the plan's cost objective.
    public func model(_ scenario: Scenario) throws -> LinearProgram {
        SourcingModel(try PlanningInput(scenario), overrides: PlanningOverrides(), lossSubset: nil).lp
    }

    /// The stages of a solve (`SolveStages`): with N-1 on critical work, loss cases are added in
    /// rounds on the relaxation, then on rounded plans, and the last plan is searched further;
    /// otherwise one solve. Then the plan is extracted, explained and reported.
    func solve(_ input: PlanningInput, overrides: PlanningOverrides) throws -> Plan {
        var planner = self
        planner.curve = SolveCurve(observer: onProgress)
        var stages = SolveStages(planner: planner, input: input, overrides: overrides)
        // A solve that throws leaves no bound search running.
        defer { stages.boundSearch?.cancel() }
        stages.say("planning \(input.workloads.count) workloads over \(input.periods) months")
        let resilient = input.scenario.policy.resilience == .nMinus1 && !input.critical.isEmpty
        var rounded: SolveStages.Rounded
        if resilient, generateLossCases {
            let relaxed = try stages.relaxationRounds()
            rounded = try stages.searched(try stages.integerRounds(from: relaxed))
        } else {
            rounded = try stages.inOneSolve()
        }
        // Branch and cut leaves each loss's runs wherever they cost the same: solved once more on
        // the final plan, a run that can stay where the plan has it stays.
        let exact = exactLosses(rounded.model, rounded.solution, until: nil)
        if (exact.objective ?? .infinity) <= (rounded.solution.objective ?? .infinity) + 1e-6 {
            rounded.solution = exact
        }
        rounded = stages.withBoundSearch(rounded)
        let explainStart = ContinuousClock.now
        var plan = stages.explained(rounded)
        plan.solver = stages.report(rounded, plan: plan, explainSeconds: (ContinuousClock.now - explainStart).seconds)
        return plan
    }

    /// Most rounds N-1 constraint generation makes on the relaxation, and then on rounded
    /// plans, before it reports the remaining loss cases as evaluated rather than optimised.
    var maxResilienceRounds: Int { 4 }

    /// Most loss cases one round adds to the model, worst first. Every case is a copy of the
    /// critical work's allocation and its runs' start patterns (on the medium benchmark about
    /// 18,000 columns each): all 20 of medium's at once made a relaxation of 418,534 columns that
    /// took 257 s, and no plan was found in 300 s. Cover bought for the worst losses often covers
    /// the others; those still short join the next round.
    var lossCasesPerRound: Int { 4 }

    /// The providers among `rest` whose loss, as `evaluation` found it, leaves critical work
    /// short beyond what no plan avoids (`SourcingModel.unavoidableLossHours`, and a millionth
    /// of the critical demand), the most short first (ties by provider index).
    func violators(_ evaluation: [(blocks: LossBlocks, values: [Double])], among rest: [Int], model: SourcingModel)
        -> [Int]
    {
        let input = model.input
        var short: [Int: Double] = [:]
        for checked in evaluation {
            short.merge(checked.blocks.shortfalls(values: checked.values, hours: input.hours)) { $0 + $1 }
        }
        let demand = input.critical.reduce(0) { $0 + input.demandHours(of: $1) }
        let beyond = rest.map { p in (p, (short[p] ?? 0) - (model.unavoidableLossHours[p] ?? 0)) }
        return beyond.filter { $0.1 > 1e-6 * max(1, demand) }.sorted { ($0.1, $1.0) > ($1.1, $0.0) }.map(\.0)
    }

    /// A loss case that needs no solve: when the critical work's own allocation in the plan fits,
    /// month by month and model by model, in what the other providers supply, every critical run
    /// already holds its gang in a cluster of another provider, and the plan already meets the
    /// coverage target, that allocation is an N-1 allocation with no shortfall and no backup
    /// exercised — the best the case can do. Returns it as the case's solution, or nil.
    func screenLoss(_ p: Int, model: SourcingModel, base: [Double]) -> (blocks: LossBlocks, values: [Double])? {
        let input = model.input
        let critical = Set(input.critical)
        let runs = LossCaseBuilder(input: input, handles: model.handles, penalty: 0, fixed: nil).criticalRuns
        var criticalUse: [PeriodKey: Double] = [:]
        let allocation = model.allocation.sorted {
            ($0.key.workload, $0.key.model, $0.key.period) < ($1.key.workload, $1.key.model, $1.key.period)
        }
        for (key, x) in allocation where critical.contains(key.workload) {
            criticalUse[PeriodKey(key.model, key.period), default: 0] += base[x.index]
        }
        let handles = model.handles
        for (key, used) in criticalUse where used > 1e-9 {
            let outside = -handles.supplySources(model: key.index, period: key.period, without: p)
                .reduce(0.0) { $0 + $1.1 * base[$1.0.index] }
            if used > outside * (1 + 1e-9) + 1e-6 { return nil }
        }
        guard let kept = runsStaying(runs, without: p, model: model, base: base), meetsCoverage(model, base: base)
        else { return nil }
        var blocks = LossBlocks()
        blocks.providers = [p]
        var values: [Double] = []
        let from = model.overrides.fromPeriod
        for (key, x) in model.allocation where critical.contains(key.workload) && base[x.index] > 0 {
            if runs.contains(key.workload), key.period < from { continue }
            blocks.allocation[.init(provider: p, allocation: key)] = Variable(index: values.count)
            values.append(base[x.index])
        }
        for key in kept {
            let loss = LossRunKey(provider: p, start: key)
            blocks.runStart[loss] = Variable(index: values.count)
            blocks.runLengths[loss] = model.runLengths[key]
            values.append(1)
        }
        return (blocks, values)
    }

    /// The start patterns of critical `runs` in the plan, when every one of them stays as it is
    /// without provider p: placed, in a cluster not p's, whose own supply holds the critical
    /// runs' gangs in it. Nil otherwise.
    private func runsStaying(_ runs: [Int], without p: Int, model: SourcingModel, base: [Double])
        -> [SourcingModel.RunStartKey]?
    {
        let input = model.input
        var kept: [SourcingModel.RunStartKey] = []
        var load: [PeriodKey: Double] = [:]
        for w in runs {
            let placed = model.runStart.filter { $0.key.workload == w && base[$0.value.index] > 0.5 }.map(\.key)
            guard let key = placed.first, placed.count == 1, input.clusters[key.cluster].provider != p else {
                return nil
            }
            kept.append(key)
            for t in key.period..<(key.period + (model.runLengths[key] ?? 0)) {
                load[PeriodKey(key.cluster, t), default: 0] += Double(input.workloads[w].gang)
            }
        }
        for (key, gangs) in load {
            let held = -model.handles.clusterSources(key.index, period: key.period)
                .reduce(0.0) { $0 + $1.1 * base[$1.0.index] }
            if gangs > held + 1e-6 { return nil }
        }
        return kept
    }

    /// Whether the plan's own shortfall on critical work is within the N-1 allowance.
    private func meetsCoverage(_ model: SourcingModel, base: [Double]) -> Bool {
        let input = model.input
        let coverage = input.scenario.policy.criticalCoverage
        for w in input.critical {
            switch input.workloads[w].demand {
            case .service(let capacity):
                for t in input.window(of: w) {
                    let short = model.serviceShort[PeriodKey(w, t)].map { base[$0.index] } ?? capacity
                    if capacity - short < coverage * capacity - 1e-6 { return false }
                }
            case .training(let work), .batch(let work):
                let short = model.trainingShort[w].map { base[$0.index] } ?? work
                if work - short < coverage * work - 1e-6 * work { return false }
            }
        }
        return true
    }

    /// Checks provider-loss cases against a solved plan: each is a small program of its own, with
    /// the plan's supply and backups as constants, unless `screenLoss` settles it first. Critical
    /// runs are placed whole by `dive`, unless `relaxed` (the case's relaxation). When `relaxed`,
    /// the checks stop at `deadline` and the answer covers a prefix of `providers`: checking a
    /// relaxation only says which cases to add next, and with the time gone there is no next.
    func evaluateLosses(
        _ providers: [Int], model: SourcingModel, base: [Double], until deadline: ContinuousClock.Instant? = nil,
        relaxed: Bool = false
    ) throws -> [(blocks: LossBlocks, values: [Double])] {
        let builder = LossCaseBuilder(
            input: model.input, handles: model.handles,
            penalty: model.input.scenario.policy.shortfallPenaltyPerReferenceHour.double, fixed: base)
        var cases: [(blocks: LossBlocks, values: [Double])] = []
        for p in providers {
            if relaxed, let deadline, ContinuousClock.now >= deadline { break }
            cases.append(
                try evaluateLoss(p, model: model, base: base, builder: builder, until: deadline, relaxed: relaxed))
        }
        return cases
    }

    /// One provider's loss checked against `base`, as `evaluateLosses` checks each.
    private func evaluateLoss(
        _ p: Int, model: SourcingModel, base: [Double], builder: LossCaseBuilder,
        until deadline: ContinuousClock.Instant?, relaxed: Bool
    ) throws -> (blocks: LossBlocks, values: [Double]) {
        if let witness = screenLoss(p, model: model, base: base) { return witness }
        var lp = LinearProgram()
        var blocks = LossBlocks()
        builder.add(provider: p, to: &lp, blocks: &blocks)
        // Checking a relaxation for the losses it falls short in, the case's own relaxation
        // is the like-for-like answer.
        let patterns = relaxed ? [] : Array(blocks.runStart.values)
        let solution: Solution
        do {
            let left = deadline.map { max(1, ($0 - .now).seconds) }
            let options = SolveOptions(
                timeLimitSeconds: min(options.timeLimitSeconds ?? .infinity, left ?? .infinity))
            solution = try dive(lp, patterns: patterns, options: options)
        } catch {
            throw PlannerError.solver("\(error)")
        }
        guard solution.status.hasSolution else {
            throw PlannerError.solver(
                "checking the loss of \(model.input.providers[p]) ended with status \(solution.status.rawValue)")
        }
        return (blocks, solution.values)
    }

    /// A loss case's runs made whole by diving (Clp only): its LP, then the most-weighted
    /// fractional start pattern fixed to 1 (or, where that leaves no room, to 0) and the LP solved
    /// again from its basis, until every pattern is whole. A case has a handful of critical runs,
    /// so a few LPs of a few hundred columns, milliseconds each; with every pattern whole it is
    /// the case's best answer given those choices, and never claims a restart without room.
    /// (A MILP per case in a Cbc child was tried first: it worked, but it was slow, and a suite
    /// run spawned thousands of children beside the tests' own processes.)
    func dive(_ program: LinearProgram, patterns: [Variable], options: SolveOptions) throws -> Solution {
        var lp = program
        lp.relaxIntegrality()
        var solution = try lpSolver.solve(lp, options: options)
        let order = patterns.sorted { $0.index < $1.index }
        for _ in 0..<(order.count + 1) {
            guard solution.status.hasSolution else { return solution }
            let fractional = order.filter {
                let x = solution.values[$0.index]
                return x > 1e-6 && x < 1 - 1e-6
            }
            guard let next = fractional.max(by: { solution.values[$0.index] < solution.values[$1.index] }) else {
                break
            }
            var warm = options
            warm.warmStart = solution.basis
            lp.setBounds(next, lower: 1, upper: 1)
            let fixed = try lpSolver.solve(lp, options: warm)
            if fixed.status.hasSolution {
                solution = fixed
            } else {
                lp.setBounds(next, lower: 0, upper: 0)
                solution = try lpSolver.solve(lp, options: warm)
            }
        }
        // Round-off: a pattern at 0.9999999 is the whole run.
        for v in order where solution.status.hasSolution {
            solution.values[v.index] = solution.values[v.index].rounded()
        }
        return solution
    }

    /// The solution with its model's own loss cases solved again on its base plan, runs whole: in a
    /// relaxation or a plan rounded by LP, critical runs' loss patterns may be fractional (half a
    /// gang restarting somewhere), which no supplier's loss can deliver. Each case is solved as
    /// `evaluateLosses` solves it, its values written back and the objective recomputed, so every
    /// plan's cost prices its losses as they would play out. The same solution when no case
    /// places runs, or if a case cannot be solved.
    func exactLosses(_ model: SourcingModel, _ solution: Solution, until deadline: ContinuousClock.Instant?)
        -> Solution
    {
        guard !model.loss.runStart.isEmpty, solution.status.hasSolution else { return solution }
        let cases: [(blocks: LossBlocks, values: [Double])]
        do {
            cases = try evaluateLosses(model.loss.providers, model: model, base: solution.values, until: deadline)
        } catch {
            return solution
        }
        var values = solution.values
        let loss = model.loss
        for index in loss.exercise.values.map(\.index) + loss.allocation.values.map(\.index)
            + loss.serviceShort.values.map(\.index) + loss.trainingShort.values.map(\.index)
            + loss.runStart.values.map(\.index)
        {
            values[index] = 0
        }
        for (blocks, solved) in cases {
            func copy<Key>(_ from: [Key: Variable], _ to: [Key: Variable]) {
                for (key, v) in from { if let target = to[key] { values[target.index] = solved[v.index] } }
            }
            copy(blocks.exercise, loss.exercise)
            copy(blocks.allocation, loss.allocation)
            copy(blocks.serviceShort, loss.serviceShort)
            copy(blocks.trainingShort, loss.trainingShort)
            copy(blocks.runStart, loss.runStart)
        }
        var exact = solution
        exact.values = values
        exact.objective = zip(model.lp.objective, values).reduce(0) { $0 + $1.0 * $1.1 }
        return exact
    }
}

/// The planner's one error type.
public enum PlannerError: Error, Sendable, CustomStringConvertible {
    /// The solver could not produce a plan.
    case solver(String)
    /// Input the planner cannot use (plan of another scenario, bad incident…), with every problem.
    case input(InputError)

    public var description: String {
        switch self {
        case .solver(let message): "solver: \(message)"
        case .input(let error): error.description
        }
    }
}

extension Planner {
    /// Solves the MILP in two steps. First a rounding heuristic: solve the LP relaxation with Clp,
    /// place the training runs (`RunPlacement`) and solve the relaxation again around them, round
    /// the other integer decisions (leases down, then up where availability allows; backups up),
    /// fix them and re-solve the LP. That gives a good plan within seconds and a proven lower
    /// bound. Then Cbc starts from that plan and improves it until the gap or time limit.
    /// Cbc alone often finds no incumbent at all on these models: shortfall slack makes every
    /// integer point feasible, but its heuristics do not look there.
    /// The time limit counts from `since` (the whole plan's start), so rounds of N-1 constraint
    /// generation share it rather than each taking it afresh.
    func solveMILP(
        _ model: SourcingModel, relaxation given: Solution? = nil, timing: inout SolveTiming, search: Bool = true,
        since: ContinuousClock.Instant = .now
    ) throws -> Solution {
        let clock = since
        let roundStart = ContinuousClock.now
        let limit = options.timeLimitSeconds ?? .infinity
        // Rounding's LPs end with the plan's time limit too: before they did, a third N-1 round's
        // rounding on the medium benchmark ran to 256 s of a 120 s limit.
        let deadline = limit.isFinite ? clock + .seconds(limit) : nil
        var relaxed = model.lp
        relaxed.relaxIntegrality()
        let relaxation = try given ?? relax(model, timing: &timing, since: clock)
        var incumbent: Solution?
        let bound = relaxation.status == .optimal ? relaxation.objective : nil
        func withinGap(_ s: Solution?, tenth: Bool = false) -> Bool {
            guard let objective = s?.objective, let bound else { return false }
            return model.gap(objective: objective, bound: bound)! <= options.relativeGap * (tenth ? 0.1 : 1)
        }
        if relaxation.status == .optimal {
            let placement = RunPlacement(model: model)
            let runs = placement.fix(relaxation.values)
            let placed = placedRelaxation(
                model, relaxed: relaxed, relaxation: relaxation, runs: runs, until: deadline, clock: clock)
            incumbent = rounded(
                model, relaxed: relaxed, relaxation: relaxation, runs: runs, placed: placed, until: deadline,
                detail: true, clock: clock)
            say("rounded: \(incumbent?.objective.map(money) ?? "no plan")", since: clock)
            record(.rounded, model, objective: incumbent?.objective)
            if let placed, var plan = incumbent {
                // Moving a run to another cluster, or starting it earlier or later, changes much at
                // once (leases, shares, which runs can follow it in its cluster, what a supplier's
                // loss takes): while the plan is outside the gap, until 60% of the time limit has
                // gone, try the moves the LP with the runs placed prices cheapest, and keep those
                // that make the rounded plan cheaper.
                let budget = min(limit, 1e9) * 0.6  // of the whole plan's time limit
                // The search for the next move (many LPs) ends with the budget too, not only with
                // the plan's deadline.
                let searchEnd = min(clock + .seconds(budget), deadline ?? clock + .seconds(budget))
                var search = RunMoves(
                    model: model, placement: placement, relaxation: relaxation, runs: runs, placed: placed)
                while !withinGap(plan), (ContinuousClock.now - clock).seconds < budget,
                    let move = search.next(
                        planner: self, relaxed: relaxed, plan: plan.objective ?? .infinity, until: searchEnd)
                {
                    guard
                        let s = rounded(
                            model, relaxed: relaxed, relaxation: relaxation, runs: move.runs, placed: move.placed,
                            until: deadline),
                        (s.objective ?? .infinity) < (plan.objective ?? .infinity) - 1e-6
                    else { continue }
                    plan = s
                    search.accept(move)
                    say(
                        "moved \(model.input.workloads[move.workload].id): \(s.objective.map(money) ?? "")",
                        since: clock)
                    record(.moved, model, objective: s.objective)
                }
                incumbent = plan
            }
        }
        let elapsed = (ContinuousClock.now - roundStart).seconds
        timing.roundingSeconds += elapsed - (given == nil ? relaxation.seconds : 0)
        // A constraint-generation round that may not be the last leaves this to the last one.
        if search, !withinGap(incumbent), let start = incumbent {
            incumbent = withRunsFixed(model, from: start, bound: bound, clock: clock, timing: &timing)
        }
        let elapsedBeforeSearch = (ContinuousClock.now - roundStart).seconds
        // Rounding often lands inside the requested gap already; then branch and cut has nothing
        // to prove and is skipped.
        func polished(_ plan: Solution) -> Solution {
            self.polished(model, plan, guide: relaxation.values, bound: bound, clock: clock, timing: &timing)
        }
        if var found = incumbent, let bound, withinGap(found) || !search {
            // Without search (a constraint-generation round that may not be the last), the
            // heuristic's plan stands with its honest status; `branchAndCut` can improve it later.
            found.status = withinGap(found) ? .optimal : .feasible
            found.bestBound = bound
            found.seconds = elapsedBeforeSearch
            found.basis = found.basis ?? relaxation.basis
            return search ? polished(found) : found
        }
        // Out of time before the relaxation was solved: say that it is the relaxation, and how
        // large (on the large benchmark, 397,412 variables, it took 173–207 s on 2026-12-01, by
        // column generation of the runs' start patterns).
        if incumbent == nil, relaxation.status != .optimal, limit - (ContinuousClock.now - clock).seconds < 1 {
            throw PlannerError.solver(
                "no plan found within \(options.timeLimitSeconds ?? 0) s: the model's LP relaxation "
                    + "(\(model.lp.variableCount) variables, \(model.lp.constraintCount) constraints) was not solved "
                    + "in that time; raise --time-limit")
        }
        return polished(
            try branchAndCut(
                model, from: incumbent, bound: bound, basis: relaxation.basis, clock: clock, timing: &timing))
    }

    /// A cheap improvement last: rounding up may overshoot, and branch and cut may stop early;
    /// lower each lease rounded up from the relaxation (`guide`) by a node where the plan stays
    /// feasible and gets cheaper (only while the plan is outside a tenth of the requested gap
    /// from `bound`, for at most 5% of the time limit). It only ever lowers the cost of the plan
    /// it is given.
    func polished(
        _ model: SourcingModel, _ plan: Solution, guide: [Double], bound: Double?, clock: ContinuousClock.Instant,
        timing: inout SolveTiming
    ) -> Solution {
        func withinGap(_ s: Solution, tenth: Bool = false) -> Bool {
            guard let objective = s.objective, let bound else { return false }
            return model.gap(objective: objective, bound: bound)! <= options.relativeGap * (tenth ? 0.1 : 1)
        }
        guard !withinGap(plan, tenth: true), let objective = plan.objective else { return plan }
        let limit = options.timeLimitSeconds ?? .infinity
        let budget = min(max(0.5, 0.05 * min(limit, 1e9)), limit - (ContinuousClock.now - clock).seconds)
        let started = ContinuousClock.now
        guard var better = improved(model, plan, guide: guide, seconds: budget) else { return plan }
        timing.roundingSeconds += (ContinuousClock.now - started).seconds
        say("improved: \(cost(better)) from \(money(objective))", since: clock)
        record(.improved, model, objective: better.objective)
        better.bestBound = plan.bestBound
        better.nodes = plan.nodes
        better.seconds = plan.seconds
        better.status = withinGap(better) ? .optimal : plan.status == .limitReached ? .limitReached : .feasible
        return better
    }

    /// The model's LP relaxation (Clp), with what is left of the whole plan's time (at least a
    /// second): the lower bound, and where rounding starts.
    func relax(_ model: SourcingModel, timing: inout SolveTiming, since clock: ContinuousClock.Instant) throws
        -> Solution
    {
        var relaxed = model.lp
        relaxed.relaxIntegrality()
        let lpOptions = SolveOptions(
            timeLimitSeconds: options.timeLimitSeconds.map { max(1, $0 - (ContinuousClock.now - clock).seconds) })
        let relaxation: Solution
        do {
            if model.runStart.count >= runColumnsFrom {
                relaxation = try RunColumns(model: model).solve(
                    relaxed, with: lpSolver,
                    timeLeft: { self.options.timeLimitSeconds.map { $0 - (ContinuousClock.now - clock).seconds } },
                    say: { self.say($0, since: clock) })
            } else {
                relaxation = try lpSolver.solve(relaxed, options: lpOptions)
            }
        } catch {
            throw PlannerError.solver("\(error)")
        }
        timing.relaxationSeconds += relaxation.seconds
        if relaxation.status == .optimal { record(.relaxation, model, bound: relaxation.objective) }
        say(
            "relaxation: \(relaxation.status.rawValue), bound "
                + "\(relaxation.status == .optimal ? relaxation.objective.map(money) ?? "none" : "none")",
            since: clock)
        return relaxation
    }

    /// The rounded plan searched further with the runs where it has them (at LP level they cost
    /// next to nothing over the relaxation): first branch and cut on everything else, for up to
    /// half the time left and a tenth of the limit (on the example: $1,229.5M from $1,261.0M in
    /// a second), then, while the plan is outside the gap, relax-and-fix and fix-and-optimise
    /// (`localSearch`) until two thirds of the time then left (on the small benchmark Cbc found
    /// $58.88M in 5 s, they $56.76M in 10). Bounds of these restrictions are not used. The
    /// cheapest plan of `start` and what they find.
    func withRunsFixed(
        _ model: SourcingModel, from start: Solution, bound: Double?, clock: ContinuousClock.Instant,
        timing: inout SolveTiming
    ) -> Solution {
        let limit = options.timeLimitSeconds ?? .infinity
        func left() -> Double { limit - (ContinuousClock.now - clock).seconds }
        var best = start
        if !model.runStart.isEmpty, left() >= 2 {
            var restricted = model.lp
            for v in model.runStart.values {
                let value = start.values[v.index].rounded()
                restricted.setBounds(v, lower: value, upper: value)
            }
            var restrictedOptions = options
            restrictedOptions.timeLimitSeconds = max(1, min(left() / 2, 0.1 * limit))
            restrictedOptions.initialSolution = start.values
            let searched = try? milpSolver.solve(restricted, options: restrictedOptions)
            timing.branchAndCutSeconds += searched?.seconds ?? 0
            if let s = searched, s.status.hasSolution,
                (s.objective ?? .infinity) < (start.objective ?? .infinity) - 1e-6
            {
                best = s
                best.bestBound = start.bestBound
                best.basis = best.basis ?? start.basis
            }
            say("branch and cut with the runs fixed: \(cost(best))", since: clock)
            record(.runsFixed, model, objective: best.objective)
        }
        // A third of the time is left to branch and cut on the whole model after this: its cuts
        // raise the bound (on `generate --seed 2` by 2.3% in 3 s), which nothing here does.
        let end = ContinuousClock.now + .seconds(min(1e9, max(0, 2 * left() / 3)))
        best = localSearch(model, from: best, bound: bound, until: end, clock: clock, timing: &timing)
        best.status =
            (model.gap(objective: best.objective, bound: bound) ?? .infinity) <= options.relativeGap
            ? .optimal : .feasible
        return best
    }

    /// Branch and cut from a plan (Cbc, with it as the MIP start) until the gap or the time
    /// limit, counted from `clock`; the better of the two comes back, with the better bound.
    func branchAndCut(
        _ model: SourcingModel, from incumbent: Solution?, bound: Double?, basis: Basis?,
        clock: ContinuousClock.Instant, timing: inout SolveTiming
    ) throws -> Solution {
        let limit = options.timeLimitSeconds ?? .infinity
        let left = limit - (ContinuousClock.now - clock).seconds
        guard left >= 1 else {
            // Out of time: Cbc would spend more than a second reading the model alone.
            guard var heuristic = incumbent else {
                throw PlannerError.solver("no plan found within \(options.timeLimitSeconds ?? 0) s; raise --time-limit")
            }
            heuristic.bestBound = bound.map { min($0, heuristic.objective ?? $0) }
            heuristic.status = (model.gap(heuristic) ?? .infinity) <= options.relativeGap ? .optimal : .feasible
            heuristic.basis = heuristic.basis ?? basis
            return heuristic
        }
        var milpOptions = options
        // What follows Cbc (reading its answer, the improvement step, the explanation) needs a
        // moment of the limit too: a twentieth, at most 3 s.
        milpOptions.timeLimitSeconds = max(1, left - min(3, 0.05 * limit))
        milpOptions.initialSolution = incumbent?.values
        // Cbc measures its gap on the whole objective; the requested one is on what the
        // decisions control (`SourcingModel.gap`).
        if let objective = incumbent?.objective ?? bound, objective > 0, model.unavoidableInModel > 0 {
            milpOptions.relativeGap = options.relativeGap * max(0, objective - model.unavoidableInModel) / objective
        }
        say("branch and cut from \(incumbent?.objective.map(money) ?? "no plan")", since: clock)
        let milp: Solution
        do {
            milp = try milpSolver.solve(model.lp, options: milpOptions)
        } catch {
            throw PlannerError.solver("\(error)")
        }
        say("branch and cut: \(milp.status.rawValue), \(milp.objective.map(money) ?? "no plan")", since: clock)
        record(.branchAndCut, model, objective: milp.status.hasSolution ? milp.objective : nil, bound: milp.bestBound)
        let seconds = (ContinuousClock.now - clock).seconds
        timing.branchAndCutSeconds += milp.seconds
        var best: Solution
        if milp.status.hasSolution, (milp.objective ?? .infinity) <= (incumbent?.objective ?? .infinity) + 1e-6 {
            best = milp
        } else if var heuristic = incumbent {
            heuristic.status = milp.status == .optimal ? .optimal : .feasible
            heuristic.nodes = milp.nodes
            best = heuristic
        } else {
            guard milp.status.hasSolution else {
                throw PlannerError.solver(
                    milp.status == .limitReached
                        ? "no plan found within \(options.timeLimitSeconds ?? 0) s; raise --time-limit"
                        : "the solver ended with status \(milp.status.rawValue)")
            }
            best = milp
        }
        // The proven bound is the better of the LP relaxation and Cbc's search.
        let bounds = [bound, milp.bestBound].compactMap { $0 }
        best.bestBound = bounds.max().map { min($0, best.objective ?? $0) }
        if best.status == .optimal, let gap = model.gap(best), gap > max(options.relativeGap, 1e-6) {
            best.status = .feasible
        }
        if best.status == .feasible, let gap = model.gap(best), gap <= options.relativeGap { best.status = .optimal }
        best.seconds = seconds
        best.basis = best.basis ?? incumbent?.basis ?? basis
        return best
    }
}

extension Planner {
    /// The rounding heuristic around one placement of the training runs: leases and backups
    /// rounded from `placed` (the relaxation again with the runs fixed, `placedRelaxation`; the
    /// relaxation itself when nil), and the LP with every integer fixed; the first candidate the
    /// LP accepts. With no run placed as the last resort.
    func rounded(
        _ model: SourcingModel, relaxed: LinearProgram, relaxation: Solution, runs: [Int: Double],
        placed: Solution?, until deadline: ContinuousClock.Instant?, detail: Bool = false,
        clock: ContinuousClock.Instant = .now
    ) -> Solution? {
        var warm = SolveOptions(timeLimitSeconds: options.timeLimitSeconds)
        warm.warmStart = relaxation.basis
        var guide = relaxation.values
        if let placed {
            guide = placed.values
            warm.warmStart = placed.basis
        }
        let rounding = RoundingHeuristic(model: model)
        var candidates = rounding.candidates(from: guide, runs: runs).map { $0.merging(runs) { _, run in run } }
        if !runs.isEmpty {
            let none = runs.mapValues { _ in 0.0 }
            candidates.append(rounding.candidates(from: relaxation.values, runs: none)[1].merging(none) { _, r in r })
        }
        // Progress lines keep the plan's clock (`clock`), not one of their own.
        func tell(_ line: String) { if detail { say("  " + line, since: clock) } }
        for (number, candidate) in candidates.enumerated() {
            var fixed = model.lp
            for (index, value) in candidate { fixed.setBounds(Variable(index: index), lower: value, upper: value) }
            fixed.relaxIntegrality()
            let s = solve(fixed, warm, until: deadline)
            tell("leases rounded (\(number + 1) of \(candidates.count)): \(s?.status.rawValue ?? "error") \(cost(s))")
            guard let s, s.status == .optimal else { continue }
            if model.lanes.isEmpty { return exactLosses(model, s, until: deadline) }
            // Then whole gangs for batch streams and services, on the leases just fixed.
            var gangOptions = warm
            gangOptions.warmStart = s.basis
            for (gangs, leases) in GangRounding(model: model).candidates(from: s.values, leases: candidate) {
                var whole = fixed
                for (index, value) in gangs.merging(leases, uniquingKeysWith: { a, _ in a }) {
                    whole.setBounds(Variable(index: index), lower: value, upper: value)
                }
                let s = solve(whole, gangOptions, until: deadline)
                tell("gangs rounded: \(s?.status.rawValue ?? "error") \(cost(s))")
                if s?.status == .infeasible {
                    // The leases fixed before the gangs may leave a share cap unmet once the gangs
                    // are whole (a month where one provider holds most of the gangs and the others
                    // have too little signed to stay under the cap): fit the leases to these gangs
                    // instead of giving the gangs up.
                    let none = Solution.empty(.feasible, seconds: 0, solver: "rounding")
                    if let refit = refitted(model, gangs: gangs, runs: runs, from: none, warm: warm, until: deadline) {
                        tell("leases fitted to the whole gangs: \(cost(refit))")
                        return exactLosses(model, refit, until: deadline)
                    }
                }
                if let s, s.status == .optimal {
                    let refit = refitted(model, gangs: gangs, runs: runs, from: s, warm: warm, until: deadline)
                    tell("leases refitted: \(refit == nil ? "not cheaper" : cost(refit))")
                    return exactLosses(model, refit ?? s, until: deadline)
                }
            }
        }
        return nil
    }

    /// The relaxation again with the training runs fixed where `runs` puts them: where rounding
    /// starts. Nil without runs, or when it is not solved to optimality (then rounding starts
    /// from the relaxation itself).
    func placedRelaxation(
        _ model: SourcingModel, relaxed: LinearProgram, relaxation: Solution, runs: [Int: Double],
        until deadline: ContinuousClock.Instant?, clock: ContinuousClock.Instant = .now
    ) -> Solution? {
        guard !runs.isEmpty else { return nil }
        var placed = relaxed
        for (index, value) in runs { placed.setBounds(Variable(index: index), lower: value, upper: value) }
        // A large LP from cold (Clp's presolve and its own choice of method), not from the
        // relaxation's basis: fixing the runs moves much of the solution (leases, gangs,
        // shares), and on the medium benchmark's last N-1 model dual simplex from that basis
        // took 78.9 s and 73,913 iterations where a cold solve took 18.9 s. Small ones solve
        // in milliseconds either way and keep the warm start, whose vertices the small
        // benchmark's rounding was measured from (from cold it ended at 5.0%, not 1.6%).
        // At most half the time left, so that a plan is rounded (from the relaxation if
        // need be) before the deadline.
        let started = ContinuousClock.now
        var options = SolveOptions(timeLimitSeconds: self.options.timeLimitSeconds)
        if relaxed.variableCount < ClpSolver.equilibriumFrom { options.warmStart = relaxation.basis }
        let again = solve(placed, options, until: deadline.map { started + ($0 - started) / 2 })
        say(
            "  runs placed, relaxation again: \(again?.status.rawValue ?? "error") \(cost(again)) "
                + "(\(again?.iterations ?? 0) iterations)", since: clock)
        return again?.status == .optimal ? again : nil
    }

    /// An LP solve that ends by `deadline` (nil: no deadline): nil, without solving, once it
    /// has passed; or on a solver error.
    func solve(_ program: LinearProgram, _ options: SolveOptions, until deadline: ContinuousClock.Instant?)
        -> Solution?
    {
        var options = options
        if let deadline {
            let left = (deadline - .now).seconds
            guard left > 0 else { return nil }
            options.timeLimitSeconds = min(options.timeLimitSeconds ?? .infinity, max(0.1, left))
        }
        return try? lpSolver.solve(program, options: options)
    }

    /// The improvement step after rounding: every lease rounded up from `guide` (the relaxation)
    /// is tried one node lower, dearest first, with every other integer decision held; the LP
    /// decides whether the plan stays feasible, and a cheaper one is kept. Nil when nothing
    /// improved within `seconds`.
    func improved(_ model: SourcingModel, _ solution: Solution, guide: [Double], seconds: Double) -> Solution? {
        guard seconds > 0 else { return nil }
        let clock = ContinuousClock.now
        var fixed = model.lp
        for index in 0..<fixed.variableCount where fixed.isInteger[index] {
            let value = solution.values[index].rounded()
            fixed.setBounds(Variable(index: index), lower: value, upper: value)
        }
        fixed.relaxIntegrality()
        let candidates = model.leases.map(\.variable).filter { v in
            let value = solution.values[v.index].rounded()
            return value >= 1 && value > guide[v.index] + 1e-6 && model.lp.lower[v.index] <= value - 1
        }.sorted { (model.lp.objective[$0.index], $1.index) > (model.lp.objective[$1.index], $0.index) }
        var best = solution
        var options = SolveOptions(timeLimitSeconds: seconds)
        options.warmStart = solution.basis
        for v in candidates {
            guard (ContinuousClock.now - clock).seconds < seconds else { break }
            let value = best.values[v.index].rounded()
            fixed.setBounds(v, lower: value - 1, upper: value - 1)
            options.timeLimitSeconds = max(0.1, seconds - (ContinuousClock.now - clock).seconds)
            if let s = try? lpSolver.solve(fixed, options: options), s.status == .optimal,
                (s.objective ?? .infinity) < (best.objective ?? .infinity) - 1e-6
            {
                best = s
                options.warmStart = s.basis ?? options.warmStart
            } else {
                fixed.setBounds(v, lower: value, upper: value)
            }
        }
        return (best.objective ?? .infinity) < (solution.objective ?? .infinity) - 1e-6 ? best : nil
    }

    /// With whole gangs placed, the leases rounded before them may no longer fit: the LP again
    /// with the gangs and runs fixed and the leases free, its leases rounded around them
    /// (`RoundingHeuristic.covering`) or every fractional lease rounded up, and the LP with all
    /// of it fixed. The cheapest, when it is cheaper than `solution`. Rounding every lease up
    /// overbuys where the LP spread a cluster's supply over many leases: on the small benchmark
    /// it cost 4.6% over the LP, covering 2.4%.
    func refitted(
        _ model: SourcingModel, gangs: [Int: Double], runs: [Int: Double], from solution: Solution, warm: SolveOptions,
        until deadline: ContinuousClock.Instant?
    ) -> Solution? {
        var free = model.lp
        free.relaxIntegrality()
        for (index, value) in gangs.merging(runs, uniquingKeysWith: { a, _ in a }) {
            free.setBounds(Variable(index: index), lower: value, upper: value)
        }
        guard let guide = solve(free, SolveOptions(timeLimitSeconds: options.timeLimitSeconds), until: deadline),
            guide.status == .optimal
        else { return nil }

        let heuristic = RoundingHeuristic(model: model)
        var best: Solution?
        for candidate in heuristic.covering(guide.values, runs: runs, gangs: gangs) + [heuristic.ceiling(guide.values)]
        {
            var fixed = free
            for (index, value) in candidate { fixed.setBounds(Variable(index: index), lower: value, upper: value) }
            var options = warm
            options.warmStart = guide.basis
            guard let refit = solve(fixed, options, until: deadline), refit.status == .optimal else { continue }
            if (refit.objective ?? .infinity) < (best?.objective ?? solution.objective ?? .infinity) - 1e-6 {
                best = refit
            }
        }
        return best
    }
}

extension Planner {
    /// Tells `progress` what the solve is doing, with the seconds since `since`.
    func say(_ message: @autoclosure () -> String, since: ContinuousClock.Instant) {
        guard let progress else { return }
        progress(String(format: "[%7.1f s] ", (ContinuousClock.now - since).seconds) + message())
    }

    func money(_ value: Double) -> String { String(format: "$%.0f", value) }

    func cost(_ solution: Solution?) -> String { solution?.objective.map(money) ?? "" }
}

/// Where the solve's time went.
struct SolveTiming {
    var relaxationSeconds = 0.0
    var roundingSeconds = 0.0
    var branchAndCutSeconds = 0.0
    var evaluationSeconds = 0.0
    var resilienceRounds = 0
}

/// Candidate integer decisions rounded from an LP relaxation, best first.
struct RoundingHeuristic {
    let model: SourcingModel

    /// Each candidate maps integer variable index to value; `runs` are the training runs' fixed
    /// variables, whose clusters must hold them.
    func candidates(from values: [Double], runs: [Int: Double] = [:]) -> [[Int: Double]] {
        [
            round(values, upward: true, runs: runs), round(values, upward: false, runs: runs),
            round(values.map { _ in 0 }, upward: false, runs: runs),
        ]
    }

    /// Leases around fixed runs and whole gangs: rounded from `values` (up where the fraction is
    /// large and there is room, or only down), then nodes added wherever a cluster would hold
    /// less than the runs and gangs placed in it.
    func covering(_ values: [Double], runs: [Int: Double], gangs: [Int: Double]) -> [[Int: Double]] {
        [round(values, upward: true, runs: runs, gangs: gangs), round(values, upward: false, runs: runs, gangs: gangs)]
    }

    /// Every lease, backup and signature rounded up from `values` (within what is on offer), so
    /// that every offer delivers at least what the LP had it deliver.
    func ceiling(_ values: [Double]) -> [Int: Double] {
        let lp = model.lp
        var fixed: [Int: Double] = [:]
        for index in model.leases.map(\.variable.index) + model.backup.values.map(\.index) {
            fixed[index] = min(lp.upper[index], max(lp.lower[index], (values[index] - 1e-6).rounded(.up)))
        }
        for (o, y) in model.signed {
            let any = model.leases.contains { $0.key.offer == o && fixed[$0.variable.index]! > 0 }
            fixed[y.index] = any || lp.lower[y.index] > 0 ? 1 : 0
        }
        return fixed
    }

    private func round(
        _ values: [Double], upward: Bool, runs: [Int: Double], gangs: [Int: Double] = [:]
    ) -> [Int: Double] {
        let lp = model.lp
        var fixed: [Int: Double] = [:]
        // Leases: floor, then (optionally) up where every period it covers has room.
        let input = model.input
        var activeCount = Array(repeating: Array(repeating: 0.0, count: input.periods), count: input.offers.count)
        for lease in model.leases {
            let v = max(lp.lower[lease.variable.index], (values[lease.variable.index] + 1e-6).rounded(.down))
            fixed[lease.variable.index] = v
            for t in lease.key.start..<min(input.periods, lease.key.start + lease.key.term.months) {
                activeCount[lease.key.offer][t] += v
            }
        }
        if upward {
            // The fraction is what lies above the floor just taken (with its tolerance): 49.9999999
            // nodes floor to 50 and have nothing left to round up, where measured from 49 they
            // became 51.
            func fraction(_ lease: SourcingModel.LeaseVar) -> Double {
                values[lease.variable.index] - fixed[lease.variable.index]!
            }
            let byFraction = model.leases.sorted {
                (fraction($0), $1.variable.index) > (fraction($1), $0.variable.index)
            }
            for lease in byFraction {
                guard fraction(lease) > 0.05 else { break }
                let index = lease.variable.index
                guard fixed[index]! + 1 <= lp.upper[index] else { continue }
                let range = lease.key.start..<min(input.periods, lease.key.start + lease.key.term.months)
                let room = range.allSatisfy { t in
                    guard let act = model.active[lease.key.offer][t] else { return false }
                    return activeCount[lease.key.offer][t] + 1 <= lp.upper[act.index]
                }
                guard room else { continue }
                fixed[index]! += 1
                for t in range { activeCount[lease.key.offer][t] += 1 }
            }
        }
        // Minimum commitments: an offer below its minimum is dropped (unless sunk).
        for (o, y) in model.signed {
            let offerLeases = model.leases.filter { $0.key.offer == o }
            let total = offerLeases.reduce(0.0) { $0 + fixed[$1.variable.index]! }
            if total >= Double(input.offers[o].minimumNodes) {
                fixed[y.index] = total > 0 ? 1 : max(0, lp.lower[y.index])
            } else if lp.lower[y.index] > 0 {
                fixed[y.index] = 1
            } else {
                // Dropped: the nodes leave the offer's count too, so that a run's cluster that
                // counted on them gets nodes added below (before, it did not, and the candidate
                // was infeasible: the medium benchmark's third N-1 round).
                for lease in offerLeases {
                    let dropped = fixed[lease.variable.index]! - lp.lower[lease.variable.index]
                    fixed[lease.variable.index] = lp.lower[lease.variable.index]
                    for t in lease.key.start..<min(input.periods, lease.key.start + lease.key.term.months) {
                        activeCount[o][t] -= dropped
                    }
                }
                fixed[y.index] = offerLeases.contains { lp.lower[$0.variable.index] > 0 } ? 1 : 0
            }
        }
        holdPlacements(runs, gangs: gangs, fixed: &fixed, activeCount: &activeCount)
        // Backups: up (more standby never hurts feasibility), within what is on offer, and at
        // least what the loss cases' restarts need.
        for r in model.backup.values {
            fixed[r.index] = min(lp.upper[r.index], max(lp.lower[r.index], (values[r.index] - 1e-6).rounded(.up)))
        }
        LossCover(model: model).hold(values, runs: runs, fixed: &fixed, activeCount: &activeCount)
        return fixed
    }

    /// Adds nodes where a cluster would hold less than the runs (and the fixed whole gangs of
    /// `gangs`) placed in it: the cheapest lease of the cluster that covers the month and has
    /// room, one node at a time.
    private func holdPlacements(
        _ runs: [Int: Double], gangs: [Int: Double] = [:], fixed: inout [Int: Double], activeCount: inout [[Double]]
    ) {
        let input = model.input
        let lp = model.lp
        var load: [PeriodKey: Double] = [:]
        for (key, s) in model.runStart where (runs[s.index] ?? lp.lower[s.index]) > 0.5 {
            for t in key.period..<(key.period + (model.runLengths[key] ?? 0)) {
                load[PeriodKey(key.cluster, t), default: 0] += Double(input.workloads[key.workload].gang)
            }
        }
        for (key, lane) in model.lanes {
            guard let count = gangs[lane.index], count > 0 else { continue }
            load[PeriodKey(key.cluster, key.period), default: 0] += count * Double(key.gang)
        }
        for (key, needed) in load.sorted(by: { ($0.key.index, $0.key.period) < ($1.key.index, $1.key.period) }) {
            let cluster = input.clusters[key.index]
            guard cluster.fleet == nil else { continue }
            let t = key.period
            let factor = model.overrides.provider(cluster.provider, t)
            guard factor > 0 else { continue }
            func supply() -> Double {
                cluster.offers.reduce(0.0) {
                    $0 + activeCount[$1][t] * Double(input.offers[$1].acceleratorsPerNode) * factor
                }
            }
            let covering = model.leases.filter { lease in
                cluster.offers.contains(lease.key.offer) && lease.key.start <= t
                    && t < lease.key.start + lease.key.term.months
            }
            .sorted {
                ($0.price * Double($0.key.term.months), $0.variable.index) < (
                    $1.price * Double($1.key.term.months), $1.variable.index
                )
            }
            while supply() + 1e-9 < needed {
                guard let lease = covering.first(where: { fits($0, fixed: fixed, activeCount: activeCount) })
                else { break }
                add(lease, fixed: &fixed, activeCount: &activeCount)
                // An offer signed for a run is signed for at least its minimum.
                let o = lease.key.offer
                if let y = model.signed[o] {
                    fixed[y.index] = 1
                    let signedLeases = model.leases.filter { $0.key.offer == o }.map(\.variable.index)
                    while signedLeases.reduce(0.0, { $0 + fixed[$1]! }) < Double(input.offers[o].minimumNodes),
                        fits(lease, fixed: fixed, activeCount: activeCount)
                    {
                        add(lease, fixed: &fixed, activeCount: &activeCount)
                    }
                }
            }
        }
    }

    func fits(_ lease: SourcingModel.LeaseVar, fixed: [Int: Double], activeCount: [[Double]]) -> Bool {
        let range = lease.key.start..<min(model.input.periods, lease.key.start + lease.key.term.months)
        return fixed[lease.variable.index]! + 1 <= model.lp.upper[lease.variable.index]
            && range.allSatisfy { s in
                guard let act = model.active[lease.key.offer][s] else { return false }
                return activeCount[lease.key.offer][s] + 1 <= model.lp.upper[act.index]
            }
    }

    func add(_ lease: SourcingModel.LeaseVar, fixed: inout [Int: Double], activeCount: inout [[Double]]) {
        fixed[lease.variable.index]! += 1
        for s in lease.key.start..<min(model.input.periods, lease.key.start + lease.key.term.months) {
            activeCount[lease.key.offer][s] += 1
        }
    }
}

extension Duration {
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}

/// A fingerprint of a scenario's content (64-bit FNV-1a over its canonical JSON), so a plan can
/// say which scenario it belongs to. Not a security measure: it catches mix-ups, not forgery.
/// The risk model is left out: it does not change the plan, and a plan stays the scenario's when
/// only its `risk` section is edited.
public func fingerprint(of scenario: Scenario) -> String {
    var planned = scenario
    planned.risk = nil
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in ScenarioFile.text(planned, format: .json).utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    return String(hash, radix: 16, uppercase: false).leftPadded(to: 16)
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
