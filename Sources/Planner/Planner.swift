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

    /// A planner; defaults: 1% gap, 120 s limit, Cbc and Clp.
    public init(
        options: SolveOptions = SolveOptions(timeLimitSeconds: 120, relativeGap: 0.01),
        milpSolver: any LinearSolver = CbcSolver(), lpSolver: any LinearSolver = ClpSolver()
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

    func solve(_ input: PlanningInput, overrides: PlanningOverrides) throws -> Plan {
        var timing = SolveTiming()
        var buildSeconds = 0.0
        func build(_ subset: Set<Int>?) -> SourcingModel {
            let start = ContinuousClock.now
            defer { buildSeconds += (ContinuousClock.now - start).seconds }
            return SourcingModel(input, overrides: overrides, lossSubset: subset)
        }
        let resilient = input.scenario.policy.resilience == .nMinus1 && !input.critical.isEmpty
        var model: SourcingModel
        var solution: Solution
        var evaluation: [(blocks: LossBlocks, values: [Double])] = []
        if resilient, generateLossCases {
            // N-1 by constraint generation: optimise for the losses that matter, check the rest
            // with the plan fixed, add those that fall short, and solve again.
            var subset = Set<Int>()
            var round = 0
            while true {
                model = build(subset)
                solution = try solveMILP(model, timing: &timing)
                round += 1
                timing.resilienceRounds = round
                let rest = Set(model.suppliers).subtracting(subset)
                guard !rest.isEmpty else {
                    evaluation = []
                    break
                }
                let checkStart = ContinuousClock.now
                evaluation = try evaluateLosses(rest.sorted(), model: model, base: solution.values)
                timing.evaluationSeconds += (ContinuousClock.now - checkStart).seconds
                var short: [Int: Double] = [:]
                for checked in evaluation {
                    short.merge(checked.blocks.shortfalls(values: checked.values, hours: input.hours)) { $0 + $1 }
                }
                let violators = rest.filter {
                    (short[$0] ?? 0) > 1e-6 * max(1, input.critical.reduce(0) { $0 + input.demandHours(of: $1) })
                }
                if violators.isEmpty || round >= maxResilienceRounds { break }
                subset.formUnion(violators)
            }
        } else {
            model = build(nil)
            solution = try solveMILP(model, timing: &timing)
        }
        var extractor = PlanExtractor(model: model, values: solution.values, evaluated: evaluation)
        var plan = extractor.plan()
        let explainStart = ContinuousClock.now
        plan.explanation = Explainer(
            model: model, values: solution.values, lpSolver: lpSolver, warmStart: solution.basis
        )
        .explain(plan: plan)
        extractor.attachReasons(to: &plan)
        // The bound of the last model is a bound for the full one: leaving out loss cases only
        // removes costs and constraints. The gap compares it with the full plan's objective.
        let objective = plan.cost.objective.double
        let bound = min(solution.bestBound ?? objective, objective)
        let gap = max(0, (objective - bound) / max(1e-9, abs(objective)))
        let status =
            solution.status == .optimal && gap > options.relativeGap + 1e-9 ? "feasible" : solution.status.rawValue
        plan.solver = SolverReport(
            status: status, variables: model.lp.variableCount, integerVariables: model.lp.integerCount,
            constraints: model.lp.constraintCount, nonzeros: model.lp.nonzeroCount, buildSeconds: buildSeconds,
            solveSeconds: timing.relaxationSeconds + timing.roundingSeconds + timing.branchAndCutSeconds
                + timing.evaluationSeconds,
            explainSeconds: (ContinuousClock.now - explainStart).seconds, gap: gap, nodes: solution.nodes,
            relaxationSeconds: timing.relaxationSeconds, roundingSeconds: timing.roundingSeconds,
            branchAndCutSeconds: timing.branchAndCutSeconds, resilienceRounds: timing.resilienceRounds,
            lossCasesOptimised: model.lossProviders.count, lossCheckSeconds: timing.evaluationSeconds)
        return plan
    }

    /// Most solves N-1 constraint generation makes before it reports the remaining loss cases
    /// as evaluated rather than optimised.
    var maxResilienceRounds: Int { 4 }

    /// A loss case that needs no LP: when the critical work's own allocation in the plan fits,
    /// month by month and model by model, in what the other providers supply, and already meets
    /// the coverage target, that allocation is an N-1 allocation with no shortfall and no backup
    /// exercised — the best the case can do. Returns it as the case's solution, or nil.
    func screenLoss(_ p: Int, model: SourcingModel, base: [Double]) -> (blocks: LossBlocks, values: [Double])? {
        let input = model.input
        let critical = Set(input.critical)
        var criticalUse: [PeriodKey: Double] = [:]
        for (key, x) in model.allocation where critical.contains(key.workload) {
            criticalUse[PeriodKey(key.model, key.period), default: 0] += base[x.index]
        }
        let handles = model.handles
        for (key, used) in criticalUse where used > 1e-9 {
            let outside = -handles.supplySources(model: key.index, period: key.period, without: p)
                .reduce(0.0) { $0 + $1.1 * base[$1.0.index] }
            if used > outside * (1 + 1e-9) + 1e-6 { return nil }
        }
        // Coverage: the plan's own shortfall on critical work must be within the N-1 allowance.
        let coverage = input.scenario.policy.criticalCoverage
        for w in critical {
            switch input.workloads[w].demand {
            case .service(let capacity):
                for t in input.window(of: w) {
                    let short = model.serviceShort[PeriodKey(w, t)].map { base[$0.index] } ?? capacity
                    if capacity - short < coverage * capacity - 1e-6 { return nil }
                }
            case .training(let work):
                let short = model.trainingShort[w].map { base[$0.index] } ?? work
                if work - short < coverage * work - 1e-6 * work { return nil }
            }
        }
        var blocks = LossBlocks()
        blocks.providers = [p]
        var values: [Double] = []
        for (key, x) in model.allocation where critical.contains(key.workload) && base[x.index] > 0 {
            blocks.allocation[.init(provider: p, allocation: key)] = Variable(index: values.count)
            values.append(base[x.index])
        }
        return (blocks, values)
    }

    /// Checks provider-loss cases against a solved plan: each is a small LP of its own, with the
    /// plan's supply and backups as constants, unless `screenLoss` settles it first.
    func evaluateLosses(_ providers: [Int], model: SourcingModel, base: [Double]) throws
        -> [(blocks: LossBlocks, values: [Double])]
    {
        let builder = LossCaseBuilder(
            input: model.input, handles: model.handles,
            penalty: model.input.scenario.policy.shortfallPenaltyPerReferenceHour.double, fixed: base)
        return try providers.map { p in
            if let witness = screenLoss(p, model: model, base: base) { return witness }
            var lp = LinearProgram()
            var blocks = LossBlocks()
            builder.add(provider: p, to: &lp, blocks: &blocks)
            let solution: Solution
            do {
                solution = try lpSolver.solve(lp, options: SolveOptions(timeLimitSeconds: options.timeLimitSeconds))
            } catch {
                throw PlannerError.solver("\(error)")
            }
            guard solution.status == .optimal else {
                throw PlannerError.solver(
                    "checking the loss of \(model.input.providers[p]) ended with status \(solution.status.rawValue)")
            }
            return (blocks, solution.values)
        }
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
    /// round the integer decisions (leases down, then up where availability allows; backups up),
    /// fix them and re-solve the LP. That gives a good plan within seconds and a proven lower
    /// bound. Then Cbc starts from that plan and improves it until the gap or time limit.
    /// Cbc alone often finds no incumbent at all on these models: shortfall slack makes every
    /// integer point feasible, but its heuristics do not look there.
    func solveMILP(_ model: SourcingModel, timing: inout SolveTiming) throws -> Solution {
        let clock = ContinuousClock.now
        let limit = options.timeLimitSeconds ?? .infinity
        var relaxed = model.lp
        relaxed.relaxIntegrality()
        let lpOptions = SolveOptions(timeLimitSeconds: options.timeLimitSeconds)
        let relaxation: Solution
        do {
            relaxation = try lpSolver.solve(relaxed, options: lpOptions)
        } catch {
            throw PlannerError.solver("\(error)")
        }
        var incumbent: Solution?
        if relaxation.status == .optimal {
            var warm = lpOptions
            warm.warmStart = relaxation.basis
            for candidate in RoundingHeuristic(model: model).candidates(from: relaxation.values) {
                var fixed = model.lp
                for (index, value) in candidate { fixed.setBounds(Variable(index: index), lower: value, upper: value) }
                fixed.relaxIntegrality()
                if let s = try? lpSolver.solve(fixed, options: warm), s.status == .optimal {
                    incumbent = s
                    break
                }
            }
        }
        let bound = relaxation.status == .optimal ? relaxation.objective : nil
        let elapsed = (ContinuousClock.now - clock).seconds
        timing.relaxationSeconds += relaxation.seconds
        timing.roundingSeconds += elapsed - relaxation.seconds
        // Rounding often lands inside the requested gap already; then branch and cut has nothing
        // to prove and is skipped.
        if var found = incumbent, let bound, let objective = found.objective,
            (objective - bound) / max(1e-9, abs(objective)) <= options.relativeGap
        {
            found.status = .optimal
            found.bestBound = bound
            found.seconds = elapsed
            return found
        }
        var milpOptions = options
        milpOptions.timeLimitSeconds = max(1, limit - elapsed)
        milpOptions.initialSolution = incumbent?.values
        let milp: Solution
        do {
            milp = try milpSolver.solve(model.lp, options: milpOptions)
        } catch {
            throw PlannerError.solver("\(error)")
        }
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
        if best.status == .optimal, let gap = best.relativeGap, gap > max(options.relativeGap, 1e-6) {
            best.status = .feasible
        }
        if best.status == .feasible, let gap = best.relativeGap, gap <= options.relativeGap { best.status = .optimal }
        best.seconds = seconds
        best.basis = best.basis ?? incumbent?.basis ?? relaxation.basis
        return best
    }
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

    /// Each candidate maps integer variable index to value.
    func candidates(from values: [Double]) -> [[Int: Double]] {
        [round(values, upward: true), round(values, upward: false), round(values.map { _ in 0 }, upward: false)]
    }

    private func round(_ values: [Double], upward: Bool) -> [Int: Double] {
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
            let byFraction = model.leases.sorted {
                let a = values[$0.variable.index] - values[$0.variable.index].rounded(.down)
                let b = values[$1.variable.index] - values[$1.variable.index].rounded(.down)
                return a > b
            }
            for lease in byFraction {
                let fraction = values[lease.variable.index] - values[lease.variable.index].rounded(.down)
                guard fraction > 0.05 else { break }
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
                for lease in offerLeases { fixed[lease.variable.index] = lp.lower[lease.variable.index] }
                fixed[y.index] = offerLeases.contains { lp.lower[$0.variable.index] > 0 } ? 1 : 0
            }
        }
        // Backups: up (more standby never hurts feasibility), within what is on offer.
        for r in model.backup.values {
            fixed[r.index] = min(lp.upper[r.index], max(lp.lower[r.index], (values[r.index] - 1e-6).rounded(.up)))
        }
        return fixed
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
public func fingerprint(of scenario: Scenario) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in ScenarioFile.text(scenario, format: .json).utf8 {
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
