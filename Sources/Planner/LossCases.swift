import Solver
import SwitchyardModel

extension PlanningInput {
    /// Whether model m can have any supply in period t (an offer past its lead time, or owned
    /// hardware delivered with a site to host it).
    func canSupply(_ m: Int, _ t: Int) -> Bool { supplyPossible[m][t] }
}

/// The base plan's variables that supply capacity, as the N-1 blocks read them.
struct BaseHandles {
    let input: PlanningInput
    let overrides: PlanningOverrides
    let active: [[Variable?]]
    let hosted: [SourcingModel.FleetSiteKey: Variable]
    let exercise: [PeriodKey: Variable]
    let backup: [PeriodKey: Variable]
    /// The base plan's training-run start patterns.
    var runStart: [SourcingModel.RunStartKey: Variable] = [:]

    /// Supply terms (negative) of model m in period t: all providers but `lost`, or only `only`.
    func supplySources(model m: Int, period t: Int, without lost: Int? = nil, only: Int? = nil) -> [(Variable, Double)]
    {
        var terms: [(Variable, Double)] = []
        for o in input.offers.indices where input.offerModel[o] == m && input.offerProvider[o] != lost {
            if let only, input.offerProvider[o] != only { continue }
            if let act = active[o][t] {
                let factor = overrides.provider(input.offerProvider[o], t)
                if factor > 0 { terms.append((act, -Double(input.offers[o].acceleratorsPerNode) * factor)) }
            }
            if lost == nil || only != nil, let e = exercise[PeriodKey(o, t)] {
                terms.append((e, -Double(input.offers[o].acceleratorsPerNode)))
            }
        }
        for f in input.fleets.indices where input.fleetModel[f] == m {
            for c in input.fleetSites[f]
            where input.siteProvider[c] != lost && (only == nil || input.siteProvider[c] == only) {
                if let h = hosted[.init(fleet: f, site: c, period: t)] { terms.append((h, -1)) }
            }
        }
        return terms
    }

    /// Supply terms (negative) of cluster c in period t from the base plan's own variables: its
    /// offers' active nodes as delivered, or the owned fleet hosted at its site. Backups
    /// exercised in a loss case are that case's, and added by it.
    func clusterSources(_ c: Int, period t: Int) -> [(Variable, Double)] {
        let cluster = input.clusters[c]
        if let f = cluster.fleet, let site = cluster.site {
            return hosted[SourcingModel.FleetSiteKey(fleet: f, site: site, period: t)].map { [($0, -1.0)] } ?? []
        }
        return cluster.offers.compactMap { o in
            let factor = overrides.provider(cluster.provider, t)
            guard let act = active[o][t], factor > 0 else { return nil }
            return (act, -Double(input.offers[o].acceleratorsPerNode) * factor)
        }
    }
}

/// A critical run's start pattern in the loss case of `provider`.
struct LossRunKey: Hashable {
    let provider: Int
    let start: SourcingModel.RunStartKey
}

/// The variables of provider-loss cases, in whichever LP holds them.
struct LossBlocks {
    var providers: [Int] = []
    var exercise: [SourcingModel.LossKey: Variable] = [:]
    var allocation: [SourcingModel.LossAllocationKey: Variable] = [:]
    var serviceShort: [SourcingModel.LossKey: Variable] = [:]
    var trainingShort: [PeriodKey: Variable] = [:]
    /// Training runs' start patterns in each case: where each critical run holds its gang
    /// without the provider (`LossCaseBuilder.addRuns`).
    var runStart: [LossRunKey: Variable] = [:]
    var runLengths: [LossRunKey: Int] = [:]
    /// N-1 supply rows by (lost provider, model, period).
    var supplyRows: [SourcingModel.LossKey: Constraint] = [:]

    /// Critical reference-hours short of the coverage target, per lost provider.
    func shortfalls(values: [Double], hours: Double) -> [Int: Double] {
        var short: [Int: Double] = [:]
        for (key, v) in serviceShort { short[key.provider, default: 0] += values[v.index] * hours }
        for (key, v) in trainingShort { short[key.index, default: 0] += values[v.index] }
        return short
    }
}

/// Builds one provider-loss case: critical work re-allocated without the provider, using
/// backups held elsewhere; each critical training run as one gang in one cluster of another
/// provider for the months its work needs, or short. Inside the plan's MILP (`fixed == nil`) the
/// base plan's supply and backups are variables; to check a case against a solved plan (`fixed`
/// = its values) they are constants, so the case is a small program of its own (integer where it
/// has runs to place). Backups are exercised in fractions of nodes, as in the plan's own model:
/// a held node is whole, so rounding an exercise up always fits.
struct LossCaseBuilder {
    typealias LossKey = SourcingModel.LossKey
    typealias LossAllocationKey = SourcingModel.LossAllocationKey

    let input: PlanningInput
    let handles: BaseHandles
    let penalty: Double
    let fixed: [Double]?

    /// Critical training runs: placed as gangs in every loss case.
    var criticalRuns: [Int] {
        input.critical.filter { w in
            if case .training = input.workloads[w].demand { return true }
            return false
        }
    }

    func add(provider p: Int, to lp: inout LinearProgram, blocks: inout LossBlocks) {
        blocks.providers.append(p)
        var supply = addExercise(provider: p, to: &lp, blocks: &blocks)
        addAllocation(provider: p, to: &lp, blocks: &blocks, supply: &supply)
        for (key, terms) in supply.sorted(by: { ($0.key.index, $0.key.period) < ($1.key.index, $1.key.period) }) {
            // Rows with no allocation only cap exercise at zero use; skip them.
            guard terms.contains(where: { $0.1 > 0 }) else { continue }
            let rest = handles.supplySources(model: key.index, period: key.period, without: p)
            let row = addRow(
                "n1-supply[\(input.providers[p]),\(input.models[key.index]),\(key.period)]", terms, rest, to: &lp)
            blocks.supplyRows[LossKey(provider: p, index: key.index, period: key.period)] = row
        }
        addRuns(provider: p, to: &lp, blocks: &blocks)
        addDemand(provider: p, to: &lp, blocks: &blocks)
    }

    /// `terms + base ≤ 0`, the base plan's terms as variables, or as a constant when fixed.
    @discardableResult
    private func addRow(
        _ name: String, _ terms: [(Variable, Double)], _ base: [(Variable, Double)], to lp: inout LinearProgram
    ) -> Constraint {
        guard let fixed else { return lp.addConstraint(name, terms + base, upper: 0) }
        let constant = base.reduce(0.0) { $0 + $1.1 * fixed[$1.0.index] }
        return lp.addConstraint(name, terms, upper: -constant)
    }

    /// Backups held at the other providers, exercised in the case: the supply terms they add.
    private func addExercise(provider p: Int, to lp: inout LinearProgram, blocks: inout LossBlocks)
        -> [PeriodKey: [(Variable, Double)]]
    {
        let hours = input.hours
        let probability = input.scenario.providers[p].failureProbability
        var supply: [PeriodKey: [(Variable, Double)]] = [:]
        for (o, offer) in input.offers.enumerated() where input.offerProvider[o] != p {
            guard let terms = offer.backup else { continue }
            let price = Double(offer.acceleratorsPerNode) * hours * terms.exercisePricePerAcceleratorHour.double
            for t in 0..<input.periods {
                guard let r = handles.backup[PeriodKey(o, t)] else { continue }
                let held = fixed.map { $0[r.index].rounded() }
                if let held, held <= 0 { continue }
                let e = lp.addVariable(
                    "n1-exercise[\(input.providers[p]),\(offer.id),\(t)]", upper: held ?? .infinity,
                    objective: probability * price)
                blocks.exercise[LossKey(provider: p, index: o, period: t)] = e
                if held == nil {
                    lp.addConstraint("n1-held[\(input.providers[p]),\(offer.id),\(t)]", [(e, 1), (r, -1)], upper: 0)
                }
                supply[PeriodKey(input.offerModel[o], t), default: []].append((e, -Double(offer.acceleratorsPerNode)))
            }
        }
        return supply
    }

    /// x^p[w,m,t], critical work's accelerators of each model without the provider. A run's are
    /// its gangs (`addRuns`), in the months a re-plan can still change.
    private func addAllocation(
        provider p: Int, to lp: inout LinearProgram, blocks: inout LossBlocks,
        supply: inout [PeriodKey: [(Variable, Double)]]
    ) {
        let runs = Set(criticalRuns)
        for w in input.critical {
            for m in input.models.indices where input.speeds[w][m] > 0 {
                for t in input.window(of: w) where input.canSupply(m, t) {
                    if runs.contains(w), t < handles.overrides.fromPeriod { continue }
                    let key = AllocationKey(workload: w, model: m, period: t)
                    let x = lp.addVariable(
                        "n1-x[\(input.providers[p]),\(input.workloads[w].id),\(input.models[m]),\(t)]")
                    blocks.allocation[LossAllocationKey(provider: p, allocation: key)] = x
                    supply[PeriodKey(m, t), default: []].append((x, 1))
                }
            }
        }
    }

    /// Each critical run takes at most one start pattern in a cluster of another provider
    /// (`RunPatterns`), its allocation exactly its gang in those months, and each cluster holds
    /// the runs' gangs in what the case has there: the base plan's leases or hosted fleet, and
    /// the backups the case exercises at its offers. Other critical work only needs the model's
    /// supply (the rows above), so it gives way where a run needs the cluster.
    private func addRuns(provider p: Int, to lp: inout LinearProgram, blocks: inout LossBlocks) {
        let patterns = RunPatterns(input: input, overrides: handles.overrides)
        let name = input.providers[p]
        var load: [PeriodKey: [(Variable, Double)]] = [:]
        for w in criticalRuns {
            let gang = Double(input.workloads[w].gang)
            var chosen: [(Variable, Double)] = []
            var gangsOfModel: [AllocationKey: [(Variable, Double)]] = [:]
            func allocation(_ m: Int, _ t: Int) -> Variable? {
                blocks.allocation[
                    LossAllocationKey(provider: p, allocation: AllocationKey(workload: w, model: m, period: t))]
            }
            for pattern in patterns.patterns(of: w, in: { input.clusters[$0].provider != p }) {
                let c = pattern.cluster
                let m = input.clusters[c].model
                guard pattern.months.allSatisfy({ allocation(m, $0) != nil }) else { continue }
                let key = LossRunKey(
                    provider: p, start: .init(workload: w, cluster: c, period: pattern.start))
                // Checked against a plan, a run that can keep its own pattern keeps it (of equal
                // patterns, the one it has), as the start-month tie-break of the plan prefers.
                let own =
                    fixed.flatMap { values in handles.runStart[key.start].map { values[$0.index] > 0.5 } } ?? false
                let v = lp.addVariable(
                    "n1-run[\(name),\(input.workloads[w].id),\(c),\(pattern.start)]", upper: 1,
                    objective: 0.01 * Double(pattern.start) - (own ? 1 : 0), integer: true)
                blocks.runStart[key] = v
                blocks.runLengths[key] = pattern.length
                chosen.append((v, 1))
                for t in pattern.months {
                    load[PeriodKey(c, t), default: []].append((v, gang))
                    gangsOfModel[AllocationKey(workload: w, model: m, period: t), default: []].append((v, -gang))
                }
            }
            if !chosen.isEmpty {
                lp.addConstraint("n1-run-once[\(name),\(input.workloads[w].id)]", chosen, upper: 1)
            }
            let own = blocks.allocation.filter { $0.key.provider == p && $0.key.allocation.workload == w }
            for (key, x) in own.sorted(by: {
                ($0.key.allocation.model, $0.key.allocation.period) < (
                    $1.key.allocation.model, $1.key.allocation.period
                )
            }) {
                lp.addConstraint(
                    "n1-gangs[\(name),\(input.workloads[w].id),\(input.models[key.allocation.model]),\(key.allocation.period)]",
                    [(x, 1)] + (gangsOfModel[key.allocation] ?? []), lower: 0, upper: 0)
            }
        }
        for (key, gangs) in load.sorted(by: { ($0.key.index, $0.key.period) < ($1.key.index, $1.key.period) }) {
            let (c, t) = (key.index, key.period)
            let exercised = input.clusters[c].offers.compactMap { o in
                blocks.exercise[LossKey(provider: p, index: o, period: t)].map {
                    ($0, -Double(input.offers[o].acceleratorsPerNode))
                }
            }
            addRow("n1-cluster[\(name),\(c),\(t)]", gangs + exercised, handles.clusterSources(c, period: t), to: &lp)
        }
    }

    /// Coverage: services month by month, runs and batch streams over their windows; what falls
    /// below the requirement is short, at the penalty. A run's work done before a re-plan counts.
    private func addDemand(provider p: Int, to lp: inout LinearProgram, blocks: inout LossBlocks) {
        let hours = input.hours
        let coverage = input.scenario.policy.criticalCoverage
        let name = input.providers[p]
        let patterns = RunPatterns(input: input, overrides: handles.overrides)
        for w in input.critical {
            let workload = input.workloads[w]
            func allocated(_ t: Int, _ weight: Double) -> [(Variable, Double)] {
                input.models.indices.compactMap { m in
                    blocks.allocation[
                        LossAllocationKey(provider: p, allocation: AllocationKey(workload: w, model: m, period: t))
                    ]
                    .map { ($0, input.speeds[w][m] * weight) }
                }
            }
            switch workload.demand {
            case .service(let capacity):
                for t in input.window(of: w) {
                    let required = capacity * coverage
                    let short = lp.addVariable(
                        "n1-short[\(name),\(workload.id),\(t)]", upper: required, objective: penalty * hours)
                    blocks.serviceShort[LossKey(provider: p, index: w, period: t)] = short
                    lp.addConstraint(
                        "n1-serve[\(name),\(workload.id),\(t)]", allocated(t, 1) + [(short, 1)], lower: required)
                }
            case .batch(let work):
                let required = work * coverage
                let short = lp.addVariable("n1-short[\(name),\(workload.id)]", upper: required, objective: penalty)
                blocks.trainingShort[PeriodKey(p, w)] = short
                let terms = input.window(of: w).flatMap { allocated($0, hours) }
                lp.addConstraint("n1-train[\(name),\(workload.id)]", terms + [(short, 1)], lower: required)
            case .training(let work):
                // A run finishes or it does not: a pattern covers all its work, and without one
                // the requirement is short whole. Counted per pattern (not per accelerator-hour),
                // the relaxation cannot meet a coverage below 1 with a fraction of a gang.
                let required = max(0, work * coverage - patterns.done(w))
                let short = lp.addVariable("n1-short[\(name),\(workload.id)]", upper: required, objective: penalty)
                blocks.trainingShort[PeriodKey(p, w)] = short
                let starts = blocks.runStart.filter { $0.key.provider == p && $0.key.start.workload == w }
                    .sorted {
                        ($0.key.start.cluster, $0.key.start.period) < ($1.key.start.cluster, $1.key.start.period)
                    }
                lp.addConstraint(
                    "n1-train[\(name),\(workload.id)]", starts.map { ($0.value, required) } + [(short, 1)],
                    lower: required)
            }
        }
    }
}
