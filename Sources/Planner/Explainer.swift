import Foundation
import Solver
import SwitchyardModel

/// Explains a plan from LP duals: the MILP's commitments (leases of a year or more, backups,
/// minimum-commitment signatures) are fixed at their solved values, the rest (on-demand nodes,
/// colocation, allocation) is re-solved as an LP by Clp, and its duals price one more unit of
/// each scarce thing.
struct Explainer {
    let model: SourcingModel
    let values: [Double]
    let lpSolver: any LinearSolver
    /// The basis of the plan's last LP, a warm start for this one (same rows and columns).
    let warmStart: Basis?
    private var input: PlanningInput { model.input }

    /// The most the explanation's LP may take.
    let timeLimitSeconds: Double

    init(
        model: SourcingModel, values: [Double], lpSolver: any LinearSolver, warmStart: Basis? = nil,
        timeLimitSeconds: Double = 60
    ) {
        self.model = model
        self.values = values
        self.lpSolver = lpSolver
        self.warmStart = warmStart
        self.timeLimitSeconds = timeLimitSeconds
    }

    func explain(plan: Plan) -> Explanation {
        var lp = model.lp
        // Where runs and gangs are is decided too: with them free this LP is as large as the
        // relaxation (tens of seconds on a 100-workload scenario) and its duals would price
        // fractions of gangs no plan can use.
        for v in model.commitments + Array(model.runStart.values) + Array(model.gangCounts.values)
            + Array(model.lanes.values) + Array(model.loss.runStart.values)
        {
            lp.setBounds(v, lower: values[v.index], upper: values[v.index])
        }
        lp.relaxIntegrality()
        var options = SolveOptions(timeLimitSeconds: timeLimitSeconds)
        options.warmStart = warmStart
        options.lpAlgorithm = .primal  // on-demand bounds are loosened: the old basis stays primal feasible
        guard let solution = try? lpSolver.solve(lp, options: options),
            solution.status == .optimal, let duals = solution.rowDuals, let reduced = solution.reducedCosts
        else {
            return Explanation(
                marginalValues: [], binding: [], summary: ["The explanation LP did not solve; no duals."])
        }
        let tolerance = 1e-6
        var marginal: [MarginalValue] = []
        var marginalByKey: [PeriodKey: Double] = [:]
        // One more accelerator from a new supplier adds to the base supply and to the supply of
        // every provider-loss case, so its value is the sum of those rows' duals.
        var lossDuals: [PeriodKey: Double] = [:]
        // Summed in a fixed order: float sums in dictionary order differ between processes.
        for (key, row) in model.lossSupplyRows.sorted(by: {
            ($0.key.provider, $0.key.index, $0.key.period) < ($1.key.provider, $1.key.index, $1.key.period)
        }) {
            lossDuals[PeriodKey(key.index, key.period), default: 0] += duals[row.index]
        }
        for (key, row) in model.supplyRows.sorted(by: { ($0.key.index, $0.key.period) < ($1.key.index, $1.key.period) })
        {
            let value = max(0, -(duals[row.index] + (lossDuals[key] ?? 0)))
            marginalByKey[key] = value
            marginal.append(
                MarginalValue(
                    accelerator: input.models[key.index], month: input.month(key.period), usdPerAcceleratorMonth: value)
            )
        }

        var binding: [BindingConstraint] = []
        for (key, row) in model.shareRows.sorted(by: { ($0.key.period, $0.key.index) < ($1.key.period, $1.key.index) })
        {
            let dual = duals[row.index]
            guard dual < -tolerance else { continue }
            let total = input.providers.indices.reduce(0.0) {
                $0 + (model.providerCapacity[PeriodKey($1, key.period)].map { values[$0.index] } ?? 0)
            }
            binding.append(
                BindingConstraint(
                    kind: .shareCap, subject: input.providers[key.index].rawValue, month: input.month(key.period),
                    savingUSD: -dual * 0.01 * total, relaxation: "+1 percentage point of cap"))
        }
        if let row = model.budgetRow, duals[row.index] < -tolerance {
            binding.append(
                BindingConstraint(
                    kind: .budget, subject: "budget", month: nil, savingUSD: -duals[row.index] * 1e6,
                    relaxation: "+$1M budget"))
        }
        // What one more node of offer o in period t would save: its accelerators' marginal value
        // less what the node costs at the offer's lowest price.
        func nodeValue(_ o: Int, _ t: Int) -> Double {
            let g = Double(input.offers[o].acceleratorsPerNode)
            let cheapest = input.terms(of: o).map { $0.1 }.min() ?? 0
            let factor = model.overrides.provider(input.offerProvider[o], t)
            return (marginalByKey[PeriodKey(input.offerModel[o], t)] ?? 0) * g * factor - cheapest * g * input.hours
        }
        for (o, offer) in input.offers.enumerated() {
            for t in 0..<input.periods {
                guard let act = model.active[o][t] else { continue }
                let used = values[act.index]
                guard used >= Double(offer.availableNodes) - 1e-6 else { continue }
                let value = nodeValue(o, t)
                guard value > tolerance else { continue }
                binding.append(
                    BindingConstraint(
                        kind: .availability, subject: offer.id.rawValue, month: input.month(t), savingUSD: value,
                        relaxation: "+1 node at the lowest price offered"))
            }
        }
        // Lead times: an offer not yet deliverable in a month where one more of its accelerators
        // would be worth more than its lowest price (a bridge bought elsewhere meanwhile).
        for (o, offer) in input.offers.enumerated() where input.offerFirst[o] > model.overrides.fromPeriod {
            for t in model.overrides.fromPeriod..<min(input.offerFirst[o], input.periods) {
                let value = nodeValue(o, t)
                guard value > tolerance else { continue }
                binding.append(
                    BindingConstraint(
                        kind: .leadTime, subject: offer.id.rawValue, month: input.month(t), savingUSD: value,
                        relaxation: "+1 node deliverable that month (lead time \(offer.leadTimeDays) days)"))
            }
        }
        for (key, kw) in model.power.sorted(by: { ($0.key.index, $0.key.period) < ($1.key.index, $1.key.period) }) {
            let rc = reduced[kw.index]
            guard rc < -tolerance else { continue }
            binding.append(
                BindingConstraint(
                    kind: .colocationPower, subject: input.sites[key.index].id.rawValue,
                    month: input.month(key.period),
                    savingUSD: -rc * 100, relaxation: "+100 kW"))
        }
        for (key, row) in model.deliveryRows.sorted(by: {
            ($0.key.index, $0.key.period) < ($1.key.index, $1.key.period)
        }) {
            let dual = duals[row.index]
            guard dual < -tolerance else { continue }
            binding.append(
                BindingConstraint(
                    kind: .ownedDelivery, subject: input.fleets[key.index].id.rawValue,
                    month: input.month(key.period),
                    savingUSD: -dual * 100, relaxation: "+100 owned accelerators delivered"))
        }
        return Explanation(
            marginalValues: marginal, binding: binding,
            summary: summary(plan: plan, marginal: marginal, binding: binding))
    }

    private func summary(plan: Plan, marginal: [MarginalValue], binding: [BindingConstraint]) -> [String] {
        var lines: [String] = []
        let money = { (value: Double) in Formatted.money(usd(value)) }
        let perModel = Dictionary(grouping: marginal, by: \.accelerator).mapValues { rows in
            rows.map(\.usdPerAcceleratorMonth).reduce(0, +) / Double(max(1, rows.count))
        }
        // Scarce means sold out: a model is scarce only where an offer of it is at its availability
        // and more would be worth buying. Without that, a marginal value is only what a free
        // accelerator would save, and nothing is called scarce.
        let offerModel = Dictionary(uniqueKeysWithValues: input.offers.map { ($0.id.rawValue, $0.accelerator) })
        let scarce = Set(binding.filter { $0.kind == .availability }.compactMap { offerModel[$0.subject] })
        // Ties go to the first name: a dictionary's order differs between processes.
        if let top = perModel.filter({ scarce.contains($0.key) }).max(by: { ($0.value, $1.key) < ($1.value, $0.key) }),
            top.value > 1
        {
            lines.append(
                "The scarcest accelerator is \(top.key) (sold out in some months): one more is worth \(money(top.value)) a month on average over the horizon."
            )
        }
        let caps = Dictionary(grouping: binding.filter { $0.kind == .shareCap }, by: \.subject)
        for (provider, rows) in caps.sorted(by: { $0.key < $1.key }) {
            let saving = rows.map(\.savingUSD).reduce(0, +)
            // Months at the cap as the shares table counts them; the duals name the ones where
            // more cap would save money, which can be fewer.
            let cap = input.scenario.policy.maxProviderShare
            let atCap = plan.shares.filter {
                $0.provider.rawValue == provider && $0.cap < 1 && $0.share >= $0.cap - 1e-6
            }.count
            lines.append(
                "\(provider) is at the \(Formatted.percent(cap, digits: 0)) share cap in \(max(atCap, rows.count)) month(s); one more point of cap would save \(money(saving)) (in the \(rows.count) month(s) where it binds)."
            )
        }
        if let line = PlanReport.aboveCapLine(plan) { lines.append(line) }
        if let budget = binding.first(where: { $0.kind == .budget }) {
            lines.append(
                "The budget binds: each extra $1M would save \(money(budget.savingUSD)) of penalty and cost. The plan leaves short the reference-hours that cost most to serve; months that cost the same are interchangeable, and which of them is short is the solver's pick, not a priority."
            )
        }
        let lead = Set(binding.filter { $0.kind == .leadTime }.map(\.subject))
        if !lead.isEmpty {
            lines.append(
                "Lead times bind: \(lead.sorted().joined(separator: ", ")) cannot deliver early enough, so earlier months are bridged with dearer capacity (see What binds)."
            )
        }
        let sold = Set(binding.filter { $0.kind == .availability }.map(\.subject))
        if !sold.isEmpty { lines.append("Sold out and worth more: \(sold.sorted().joined(separator: ", ")).") }
        let lossShort = plan.resilience.contains { $0.shortfallReferenceHours > 0 }
        if plan.shortfalls.isEmpty {
            lines.append(
                lossShort
                    ? "All demand is met in the plan; what losing a provider would leave short is priced in its loss case (N-1)."
                    : "All demand is met.")
        } else {
            let hours = plan.shortfalls.reduce(0) { $0 + $1.referenceHours }
            lines.append(
                "Demand falls \(Formatted.grouped(hours)) reference-hours short across \(Set(plan.shortfalls.map(\.workload)).count) workload(s); see Shortfalls."
            )
        }
        return Self.lossLines(plan) + lines
    }

    /// The Overview leads with exposure: for each supplier whose loss moves or strands a critical
    /// run or leaves critical work short, what happens to each run (restarts where and when, or
    /// lost) and what falls short, with coverage rounded as the N-1 table rounds it.
    static func lossLines(_ plan: Plan) -> [String] {
        plan.resilience.compactMap { loss in
            var parts: [String] = loss.runRestarts.compactMap { r in
                switch r.fate {
                case .lost:
                    return
                        "\(r.workload) is lost (no cluster of another provider holds its gang long enough with what the plan holds)"
                case .restarts:
                    guard let cluster = r.cluster, let start = r.start, let finish = r.finish else { return nil }
                    let late = (r.delayMonths ?? 0) > 0 ? ", \(r.delayMonths!) month(s) later than planned" : ""
                    return "\(r.workload) restarts on \(cluster) from \(start), finishing \(finish)\(late)"
                        + (r.onTime ? "" : ", past its deadline")
                case .stays, nil: return nil
                }
            }
            if loss.shortfallReferenceHours > 0.5 {
                parts.append(
                    "critical work falls \(Formatted.grouped(loss.shortfallReferenceHours)) reference-hours short of the \(Int(loss.requiredCoverage * 100))% target (\(Formatted.coverage(loss.criticalCoverage)) covered over the horizon)"
                )
            }
            guard !parts.isEmpty else { return nil }
            return "If \(loss.provider) delivers nothing, " + parts.joined(separator: "; ") + "."
        }
    }
}
