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
}

/// The variables of provider-loss cases, in whichever LP holds them.
struct LossBlocks {
    var providers: [Int] = []
    var exercise: [SourcingModel.LossKey: Variable] = [:]
    var allocation: [SourcingModel.LossAllocationKey: Variable] = [:]
    var serviceShort: [SourcingModel.LossKey: Variable] = [:]
    var trainingShort: [PeriodKey: Variable] = [:]
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
/// backups held elsewhere. Inside the plan's MILP (`fixed == nil`) the base plan's supply and
/// backups are variables; to check a case against a solved plan (`fixed` = its values) they are
/// constants, so the case is a small LP of its own.
struct LossCaseBuilder {
    let input: PlanningInput
    let handles: BaseHandles
    let penalty: Double
    let fixed: [Double]?

    func add(provider p: Int, to lp: inout LinearProgram, blocks: inout LossBlocks) {
        typealias LossKey = SourcingModel.LossKey
        typealias LossAllocationKey = SourcingModel.LossAllocationKey
        let hours = input.hours
        let critical = input.critical
        let coverage = input.scenario.policy.criticalCoverage
        let probability = input.scenario.providers[p].failureProbability
        let name = input.providers[p]
        blocks.providers.append(p)
        var supply: [PeriodKey: [(Variable, Double)]] = [:]
        for (o, offer) in input.offers.enumerated() where input.offerProvider[o] != p {
            guard let terms = offer.backup else { continue }
            let price = Double(offer.acceleratorsPerNode) * hours * terms.exercisePricePerAcceleratorHour.double
            for t in 0..<input.periods {
                guard let r = handles.backup[PeriodKey(o, t)] else { continue }
                let held = fixed.map { $0[r.index] }
                if let held, held <= 0 { continue }
                let e = lp.addVariable(
                    "n1-exercise[\(name),\(offer.id),\(t)]", upper: held ?? .infinity, objective: probability * price)
                blocks.exercise[LossKey(provider: p, index: o, period: t)] = e
                if held == nil { lp.addConstraint("n1-held[\(name),\(offer.id),\(t)]", [(e, 1), (r, -1)], upper: 0) }
                supply[PeriodKey(input.offerModel[o], t), default: []].append((e, -Double(offer.acceleratorsPerNode)))
            }
        }
        for w in critical {
            for m in input.models.indices where input.speeds[w][m] > 0 {
                for t in input.window(of: w) where input.canSupply(m, t) {
                    let key = AllocationKey(workload: w, model: m, period: t)
                    let x = lp.addVariable("n1-x[\(name),\(input.workloads[w].id),\(input.models[m]),\(t)]")
                    blocks.allocation[LossAllocationKey(provider: p, allocation: key)] = x
                    supply[PeriodKey(m, t), default: []].append((x, 1))
                }
            }
        }
        for (key, terms) in supply.sorted(by: { ($0.key.index, $0.key.period) < ($1.key.index, $1.key.period) }) {
            // Rows with no allocation only cap exercise at zero use; skip them.
            guard terms.contains(where: { $0.1 > 0 }) else { continue }
            let rest = handles.supplySources(model: key.index, period: key.period, without: p)
            let rowName = "n1-supply[\(name),\(input.models[key.index]),\(key.period)]"
            let row: Constraint
            if let fixed {
                let constant = rest.reduce(0.0) { $0 + $1.1 * fixed[$1.0.index] }
                row = lp.addConstraint(rowName, terms, upper: -constant)
            } else {
                row = lp.addConstraint(rowName, terms + rest, upper: 0)
            }
            blocks.supplyRows[LossKey(provider: p, index: key.index, period: key.period)] = row
        }
        for w in critical {
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
            case .training(let work), .batch(let work):
                let required = work * coverage
                let short = lp.addVariable("n1-short[\(name),\(workload.id)]", upper: required, objective: penalty)
                blocks.trainingShort[PeriodKey(p, w)] = short
                let terms = input.window(of: w).flatMap { allocated($0, hours) }
                lp.addConstraint("n1-train[\(name),\(workload.id)]", terms + [(short, 1)], lower: required)
            }
        }
    }
}
