import Foundation
import SwitchyardCatalog
import SwitchyardModel

/// Verifies a plan against its scenario without the solver: capacity, lead times, availability,
/// minimum commitments, power, deliveries, windows, software stacks, shares, budget, costs and the
/// N-1 table (by re-checking each provider-loss allocation the plan carries as a witness: it must
/// use only supply outside the lost provider plus held backups, and deliver the coverage claimed).
///
/// It shares no code with the MILP: it reads the plan's decisions and recomputes everything.
public struct PlanChecker: Sendable {
    /// The scenario the plan claims to be for.
    public let scenario: Scenario
    /// Absolute tolerance for accelerator counts (LP solutions carry round-off).
    public var tolerance = 1e-4

    /// The incident a re-plan answered, whose lost capacity the plan must not use.
    public var incident: Incident?

    /// A checker for plans of `scenario` (after `incident`, for a re-plan).
    public init(scenario: Scenario, incident: Incident? = nil) {
        self.scenario = scenario
        self.incident = incident
    }

    /// Share of a provider's leased capacity delivered in period t.
    func deliveredShare(_ provider: ProviderID, _ t: Int) -> Double {
        guard let incident, incident.kind == .outage, incident.provider == provider,
            let from = scenario.horizon.period(of: incident.from)
        else { return 1 }
        let until = incident.months.map { from + $0 } ?? .max
        return (from..<until).contains(t) ? incident.deliveredFraction : 1
    }

    /// Share of a site's power available in period t: a site-power incident there, or an outage
    /// of the provider that operates it.
    func power(_ site: ColocationSiteID, _ t: Int) -> Double {
        guard let incident, let from = scenario.horizon.period(of: incident.from) else { return 1 }
        let operatorID = scenario.colocation.first { $0.id == site }?.provider
        let hit =
            (incident.kind == .sitePower && incident.site == site)
            || (incident.kind == .outage && incident.provider == operatorID)
        guard hit else { return 1 }
        let until = incident.months.map { from + $0 } ?? .max
        return (from..<until).contains(t) ? incident.deliveredFraction : 1
    }

    /// Every violation found, as sentences; empty when the plan is sound.
    public func check(_ plan: Plan) -> [String] {
        guard plan.scenarioFingerprint == fingerprint(of: scenario) else {
            return ["the plan was made for another scenario (fingerprint \(plan.scenarioFingerprint))"]
        }
        guard let speedModel = SpeedModel(scenario: scenario) else { return ["unknown reference accelerator"] }
        var run = CheckRun(checker: self, plan: plan, speedModel: speedModel)
        run.checkLeases()
        run.checkColocation()
        run.checkBackups()
        run.checkDemand()
        run.checkShares()
        run.checkBudget()
        run.checkResilience()
        run.checkRuns()
        run.checkPlacements()
        run.checkClusters()
        return run.problems
    }
}

/// One check of one plan: the scenario's lookups, what the plan's decisions add up to so far,
/// and the problems found. Each step reads the plan's decisions and recomputes.
private struct CheckRun {
    let checker: PlanChecker
    let plan: Plan
    let speedModel: SpeedModel
    let horizon: Horizon
    let hours: Double
    let offers: [OfferID: Offer]
    let sites: [ColocationSiteID: ColocationSite]
    let fleets: [OwnedFleetID: OwnedFleet]
    let workloads: [WorkloadID: Workload]
    let allowed: Set<RegionID>?
    let months: [YearMonth]
    var problems: [String] = []
    /// Accelerators placed in each cluster (by name) per period, by runs and gangs.
    var placedInCluster: [String: [Double]] = [:]
    /// What each cluster placed in supplies per period.
    var clusterSupply: [String: (Int) -> Double] = [:]
    /// Active nodes per offer and period.
    var activeNodes: [OfferID: [Double]] = [:]
    /// Spend of every decision, USD.
    var spend = 0.0
    /// Accelerators of each fleet hosted per period.
    var hostedBy: [OwnedFleetID: [Double]] = [:]
    /// Accelerators hosted, by "site|fleet|t".
    var hostedAt: [String: Double] = [:]
    /// Backup nodes held, by "offer|t".
    var held: [String: Int] = [:]
    /// Backup nodes exercised in the plan, by "offer|t".
    var exercisedNodes: [String: Double] = [:]

    var scenario: Scenario { checker.scenario }
    var tolerance: Double { checker.tolerance }

    init(checker: PlanChecker, plan: Plan, speedModel: SpeedModel) {
        self.checker = checker
        self.plan = plan
        self.speedModel = speedModel
        let scenario = checker.scenario
        horizon = scenario.horizon
        hours = scenario.hoursPerMonth
        offers = Dictionary(uniqueKeysWithValues: scenario.offers.map { ($0.id, $0) })
        sites = Dictionary(uniqueKeysWithValues: scenario.colocation.map { ($0.id, $0) })
        fleets = Dictionary(uniqueKeysWithValues: scenario.ownedFleets.map { ($0.id, $0) })
        workloads = Dictionary(uniqueKeysWithValues: scenario.workloads.map { ($0.id, $0) })
        allowed = scenario.policy.allowedRegions.map(Set.init)
        months = (0..<horizon.months).map(horizon.month(ofPeriod:))
    }

    mutating func fail(_ message: String) { problems.append(message) }

    func deliveredShare(_ provider: ProviderID, _ t: Int) -> Double { checker.deliveredShare(provider, t) }

    func power(_ site: ColocationSiteID, _ t: Int) -> Double { checker.power(site, t) }

    /// Leases: offered term and price, lead time, availability, minimum commitment.
    mutating func checkLeases() {
        for lease in plan.leases {
            guard let offer = offers[lease.offer] else {
                fail("lease of unknown offer \(lease.offer)")
                continue
            }
            if let allowed, !allowed.contains(offer.region) {
                fail("lease of \(offer.id) in disallowed region \(offer.region)")
            }
            guard let price = offer.pricePerAcceleratorHour[lease.term] else {
                fail("\(offer.id) does not sell term \(lease.term.rawValue)")
                continue
            }
            if price != lease.pricePerAcceleratorHour {
                fail("lease of \(offer.id) priced \(lease.pricePerAcceleratorHour), offer says \(price)")
            }
            guard let start = horizon.period(of: lease.start) else {
                fail("lease of \(offer.id) starts outside the horizon (\(lease.start))")
                continue
            }
            if start < horizon.firstPeriod(afterLeadTimeDays: offer.leadTimeDays) {
                fail("lease of \(offer.id) starts \(lease.start), before its \(offer.leadTimeDays)-day lead time")
            }
            if lease.nodes < 1 || lease.accelerators != lease.nodes * offer.acceleratorsPerNode
                || lease.months != lease.term.months
            {
                fail("lease of \(offer.id) at \(lease.start) has inconsistent nodes, accelerators or months")
            }
            var active = activeNodes[offer.id] ?? Array(repeating: 0, count: horizon.months)
            for t in start..<min(horizon.months, start + lease.term.months) { active[t] += Double(lease.nodes) }
            activeNodes[offer.id] = active
            let total = Double(lease.accelerators) * price.double * hours * Double(lease.term.months)
            spend += total
            if abs(lease.totalCost.double - total) > 0.01 * max(1, total) * 1e-4 + 1 {
                fail("lease of \(offer.id) at \(lease.start) costs \(total), plan says \(lease.totalCost)")
            }
        }
        for (id, active) in activeNodes {
            let offer = offers[id]!
            for (t, nodes) in active.enumerated() where nodes > Double(offer.availableNodes) + tolerance {
                fail("\(id) has \(Int(nodes)) nodes active in \(months[t]); only \(offer.availableNodes) are available")
            }
            let signed = plan.leases.filter { $0.offer == id }.reduce(0) { $0 + $1.nodes }
            if offer.minimumNodes > 0, signed > 0, signed < offer.minimumNodes {
                fail("\(id) is signed for \(signed) nodes, below its minimum of \(offer.minimumNodes)")
            }
        }
    }

    /// Colocation: site capacity, lead time, power for what is hosted, deliveries.
    mutating func checkColocation() {
        for use in plan.colocation {
            guard let site = sites[use.site], let t = horizon.period(of: use.month) else {
                fail("colocation at unknown site or month: \(use.site) \(use.month)")
                continue
            }
            if t < horizon.firstPeriod(afterLeadTimeDays: site.leadTimeDays) {
                fail("\(site.id) used in \(use.month), before its lead time")
            }
            if use.powerKW > site.powerKW * power(site.id, t) + tolerance {
                fail("\(site.id) rents \(use.powerKW) kW in \(use.month); the site has \(site.powerKW)")
            }
            var needed = 0.0
            for (fleetID, count) in use.hosted {
                guard let fleet = fleets[fleetID] else {
                    fail("\(site.id) hosts unknown fleet \(fleetID)")
                    continue
                }
                if let hostable = fleet.hostableAt, !hostable.contains(site.id) {
                    fail("\(fleetID) is not hostable at \(site.id)")
                }
                needed += count * fleet.powerPerAcceleratorW / 1000
                hostedBy[fleetID, default: Array(repeating: 0, count: horizon.months)][t] += count
                hostedAt["\(site.id)|\(fleetID)|\(t)"] = count
            }
            if needed > use.powerKW * (1 + 1e-9) + tolerance {
                fail("\(site.id) hosts \(needed) kW of hardware in \(use.month) on \(use.powerKW) kW rented")
            }
            spend += use.powerKW * site.pricePerKWMonth.double
        }
        for (fleetID, hosted) in hostedBy {
            let fleet = fleets[fleetID]!
            for (t, count) in hosted.enumerated() where count > Double(fleet.delivered(by: months[t])) + tolerance {
                fail(
                    "\(fleetID) hosts \(Int(count)) accelerators in \(months[t]); only \(fleet.delivered(by: months[t])) delivered"
                )
            }
        }
    }

    /// Backups held and exercised: on offer, held before exercised.
    mutating func checkBackups() {
        for hold in plan.backups {
            guard let offer = offers[hold.offer], let terms = offer.backup, let t = horizon.period(of: hold.month)
            else {
                fail("backup at \(hold.offer) in \(hold.month): no such backup offer")
                continue
            }
            if hold.nodes > terms.availableNodes {
                fail("\(hold.offer) holds \(hold.nodes) backup nodes; \(terms.availableNodes) on offer")
            }
            held["\(hold.offer)|\(t)"] = hold.nodes
            spend += Double(hold.nodes) * terms.feePerNodeMonth.double
        }
        for e in plan.exercisedBackups {
            guard let offer = offers[e.offer], let terms = offer.backup, let t = horizon.period(of: e.month) else {
                fail("exercise of \(e.offer): no such backup offer")
                continue
            }
            if e.nodes > Double(held["\(e.offer)|\(t)"] ?? 0) + tolerance {
                fail("\(e.offer) exercises \(e.nodes) nodes in \(e.month), holding fewer")
            }
            exercisedNodes["\(e.offer)|\(t)"] = e.nodes
            spend += e.nodes * Double(offer.acceleratorsPerNode) * hours * terms.exercisePricePerAcceleratorHour.double
        }
    }

    /// Accelerators of a model supplied in period t, without the `lost` provider, with the
    /// backups `exercised`.
    func supply(model: AcceleratorModelID, period t: Int, without lost: ProviderID?, exercised: [String: Double])
        -> Double
    {
        var total = 0.0
        for (id, active) in activeNodes where offers[id]!.accelerator == model && offers[id]!.provider != lost {
            total += active[t] * Double(offers[id]!.acceleratorsPerNode) * deliveredShare(offers[id]!.provider, t)
        }
        for site in scenario.colocation where site.provider != lost {
            for fleet in scenario.ownedFleets where fleet.accelerator == model {
                total += hostedAt["\(site.id)|\(fleet.id)|\(t)"] ?? 0
            }
        }
        for offer in scenario.offers where offer.accelerator == model && offer.provider != lost {
            total += (exercised["\(offer.id)|\(t)"] ?? 0) * Double(offer.acceleratorsPerNode)
        }
        return total
    }

    /// Allocation: stacks, windows, capacity; returns what each workload got per period.
    mutating func checkAllocation(
        _ allocation: [Allocation], lost: ProviderID?, exercised: [String: Double], label: String
    )
        -> [WorkloadID: [Int: Double]]
    {
        var used: [String: Double] = [:]
        var delivered: [WorkloadID: [Int: Double]] = [:]
        for a in allocation {
            guard let w = workloads[a.workload], let t = horizon.period(of: a.month) else {
                fail("\(label): allocation to unknown workload or month \(a.workload) \(a.month)")
                continue
            }
            let speed = speedModel.speed(of: w, on: a.accelerator)
            if speed <= 0 {
                fail(
                    "\(label): \(w.id) given \(a.accelerator), which runs none of its stacks \(w.stacks.map(\.rawValue))"
                )
            }
            if !w.window.contains(a.month) { fail("\(label): \(w.id) allocated in \(a.month), outside its window") }
            if lost != nil, !w.critical { fail("\(label): non-critical \(w.id) in a provider-loss allocation") }
            used["\(a.accelerator)|\(t)", default: 0] += a.accelerators
            delivered[w.id, default: [:]][t, default: 0] += a.accelerators * speed
        }
        for (key, amount) in used {
            let parts = key.split(separator: "|")
            let model = AcceleratorModelID(String(parts[0]))
            let t = Int(parts[1])!
            let available = supply(model: model, period: t, without: lost, exercised: exercised)
            if amount > available * (1 + 1e-6) + tolerance {
                fail("\(label): \(amount) \(model) allocated in \(months[t]); \(available) supplied")
            }
        }
        return delivered
    }

    /// Demand delivered by the plan's allocation against the shortfalls it reports.
    mutating func checkDemand() {
        let delivered = checkAllocation(plan.allocation, lost: nil, exercised: exercisedNodes, label: "plan")
        for w in scenario.workloads {
            let got = delivered[w.id] ?? [:]
            switch w.demand {
            case .service(let capacity):
                for (t, month) in months.enumerated() where w.window.contains(month) {
                    let missing = max(0, capacity - (got[t] ?? 0)) * hours
                    let reported =
                        plan.shortfalls.first { $0.workload == w.id && $0.month == month }?.referenceHours ?? 0
                    if missing > reported + 1e-3 * capacity * hours + 1 {
                        fail(
                            "\(w.id) gets \(got[t] ?? 0) of \(capacity) reference accelerators in \(month); shortfall reported \(reported / hours)"
                        )
                    }
                }
            case .training(let work), .batch(let work):
                let done = got.values.reduce(0, +) * hours
                let missing = max(0, work - done)
                let reported = plan.shortfalls.first { $0.workload == w.id && $0.month == nil }?.referenceHours ?? 0
                if missing > reported + 1e-6 * work + 1 {
                    fail("\(w.id) gets \(done) of \(work) reference-hours; shortfall reported \(reported)")
                }
            }
        }
    }

    /// Shares of capacity in use, per month, against the cap and against what each provider delivers.
    mutating func checkShares() {
        let cap = scenario.policy.maxProviderShare
        if cap < 1 {
            // A re-plan waives the cap in the months its incident takes a provider's capacity,
            // and holds no month before its start to it: that is history, fixed.
            let from = checker.incident.flatMap { horizon.period(of: $0.from) } ?? 0
            let waived = Set(
                (0..<horizon.months).filter { t in
                    t < from || scenario.providers.contains { checker.deliveredShare($0.id, t) < 1 }
                }.map { months[$0] })
            // Above the cap only as far as the plan states it, priced (whole gangs that no
            // placement balanced).
            for row in plan.shares where row.share > cap + 1e-6 && !waived.contains(row.month) {
                let total = row.referenceCapacity / row.share
                let above = row.referenceCapacity - cap * total
                if above > (row.aboveCap ?? 0) * (1 + 1e-6) + 1e-3 {
                    fail(
                        "\(row.provider) supplies \(String(format: "%.2f", row.share * 100))% in \(row.month), above the \(Int(cap * 100))% cap by \(String(format: "%.3f", above)) reference units; the plan states \(String(format: "%.3f", row.aboveCap ?? 0))"
                    )
                }
            }
        }
        // The shares are what runs: the allocation, each provider at least the gangs placed in
        // its clusters.
        for (t, month) in months.enumerated() {
            let inUse = plan.allocation.filter { $0.month == month }.reduce(0.0) {
                $0 + $1.accelerators * speedModel.capacityWeight(of: $1.accelerator)
            }
            let reported = plan.shares.filter { $0.month == month }.reduce(0.0) { $0 + $1.referenceCapacity }
            if abs(reported - inUse) > 1e-3 + inUse * 1e-6 {
                fail("shares in \(month) count \(reported) reference units; \(inUse) are in use")
            }
            // A provider's share holds at least the gangs placed in its clusters: runs and
            // placed gangs are where they are, whatever the fluid work's split.
            var placed: [ProviderID: Double] = [:]
            for run in plan.runs where run.start <= month && month <= run.end {
                placed[run.provider, default: 0] +=
                    Double(run.accelerators) * speedModel.capacityWeight(of: run.accelerator)
            }
            for gangs in plan.placements where gangs.month == month {
                placed[gangs.provider, default: 0] +=
                    Double(gangs.accelerators) * speedModel.capacityWeight(of: gangs.accelerator)
            }
            // What runs, where a plan states it: all of what is in use, each provider's at
            // least its clusters' gangs and at most what its share counts.
            let rows = plan.shares.filter { $0.month == month }
            if rows.allSatisfy({ $0.inUseReferenceCapacity != nil }), !rows.isEmpty {
                let stated = rows.reduce(0.0) { $0 + ($1.inUseReferenceCapacity ?? 0) }
                if abs(stated - inUse) > 1e-3 + inUse * 1e-6 {
                    fail("shares in \(month) say \(stated) reference units run; \(inUse) are in use")
                }
                for row in rows where (row.inUseReferenceCapacity ?? 0) > row.referenceCapacity * (1 + 1e-6) + 1e-3 {
                    fail(
                        "\(row.provider) runs \(row.inUseReferenceCapacity ?? 0) reference units in \(month); its share counts \(row.referenceCapacity)"
                    )
                }
            }
            for (provider, load) in placed.sorted(by: { $0.key < $1.key }) {
                let reported =
                    plan.shares.first { $0.month == month && $0.provider == provider }?.referenceCapacity ?? 0
                let running =
                    plan.shares.first { $0.month == month && $0.provider == provider }?.inUseReferenceCapacity
                    ?? reported
                if reported < load * (1 - 1e-6) - 1e-3 || running < load * (1 - 1e-6) - 1e-3 {
                    fail(
                        "\(provider)'s share in \(month) counts \(reported) reference units; its clusters hold \(load)")
                }
            }
            // No provider can be said to supply more than it delivers.
            for row in plan.shares.filter({ $0.month == month }) {
                let deliverable = Set(scenario.offers.map(\.accelerator) + scenario.ownedFleets.map(\.accelerator))
                    .reduce(0.0) { sum, model in
                        let own =
                            supply(model: model, period: t, without: nil, exercised: exercisedNodes)
                            - supply(model: model, period: t, without: row.provider, exercised: exercisedNodes)
                        return sum + own * speedModel.capacityWeight(of: model)
                    }
                if row.referenceCapacity > deliverable * (1 + 1e-6) + 1e-3 {
                    fail(
                        "\(row.provider) is said to supply \(row.referenceCapacity) reference units in \(month); it delivers \(deliverable)"
                    )
                }
            }
        }
    }

    /// Budget and cost: the decisions' spend is the plan's total and within the budget.
    mutating func checkBudget() {
        if let budget = scenario.policy.budgetUSD, spend > budget.double * (1 + 1e-9) + 1 {
            fail("spend \(spend) exceeds the budget \(budget)")
        }
        if abs(spend - plan.cost.total.double) > max(1, 1e-6 * spend) {
            fail("the plan's total \(plan.cost.total) does not match its decisions (\(spend))")
        }
    }

    /// N-1: each row's allocation must be feasible without the provider and cover what it claims.
    mutating func checkResilience() {
        if scenario.policy.resilience == .nMinus1 {
            let critical = scenario.workloads.filter(\.critical)
            let suppliers = Set(
                scenario.offers.filter { allowed?.contains($0.region) ?? true }.map(\.provider)
                    + scenario.colocation.filter { allowed?.contains($0.region) ?? true }.map(\.provider))
            if !critical.isEmpty {
                for provider in suppliers where !plan.resilience.contains(where: { $0.provider == provider }) {
                    fail("the N-1 table has no row for \(provider)")
                }
            }
            let demand = critical.reduce(0.0) { sum, w in
                switch w.demand {
                case .training(let work), .batch(let work): sum + work
                case .service(let capacity):
                    sum + capacity * hours * Double(months.filter { w.window.contains($0) }.count)
                }
            }
            for row in plan.resilience {
                var exercised: [String: Double] = [:]
                for e in row.exercised {
                    guard let t = horizon.period(of: e.month) else { continue }
                    if offers[e.offer]?.provider == row.provider {
                        fail("N-1 \(row.provider): exercises a backup of the lost provider")
                    }
                    if e.nodes > Double(held["\(e.offer)|\(t)"] ?? 0) + tolerance {
                        fail(
                            "N-1 \(row.provider): exercises \(e.nodes) nodes of \(e.offer) in \(e.month), holding \(held["\(e.offer)|\(t)"] ?? 0)"
                        )
                    }
                    exercised["\(e.offer)|\(t)"] = e.nodes
                }
                let got = checkAllocation(
                    row.allocation, lost: row.provider, exercised: exercised, label: "N-1 \(row.provider)")
                checkLossRuns(row, exercised: exercised)
                var covered = 0.0
                for w in critical {
                    let mine = got[w.id] ?? [:]
                    switch w.demand {
                    case .service(let capacity):
                        for (t, month) in months.enumerated() where w.window.contains(month) {
                            covered += min(capacity, mine[t] ?? 0) * hours
                        }
                    case .training(let work):
                        // A re-plan's history is done whoever is lost later; its loss stretch does the rest.
                        covered += min(work, historyDone(w) + mine.values.reduce(0, +) * hours)
                    case .batch(let work):
                        covered += min(work, mine.values.reduce(0, +) * hours)
                    }
                }
                let coverage = demand > 0 ? covered / demand : 1
                if coverage + 1e-6 < row.criticalCoverage {
                    fail(
                        "N-1 \(row.provider): the allocation covers \(coverage), the table claims \(row.criticalCoverage)"
                    )
                }
                if coverage + 1e-6 < row.requiredCoverage, row.shortfallReferenceHours <= 0 {
                    fail(
                        "N-1 \(row.provider): coverage \(coverage) is below the required \(row.requiredCoverage) but no shortfall is reported"
                    )
                }
            }
        }
    }

    /// N-1 for training runs: in a provider's loss each critical run is one gang of its size in
    /// one cluster of another provider, for consecutive months inside its window that do its
    /// work (what a re-plan's history left), every cluster holding the loss's runs month by month
    /// in its leases and the backups the loss exercises there; the row's allocation of the run
    /// is exactly those gangs; a run without a stretch is short in the row, and its fate says so.
    mutating func checkLossRuns(_ row: ProviderLoss, exercised: [String: Double]) {
        let label = "N-1 \(row.provider)"
        let coverage = scenario.policy.criticalCoverage
        let from = checker.incident.flatMap { horizon.period(of: $0.from) } ?? 0
        var load: [String: [Int: Double]] = [:]
        var supplies: [String: (Int) -> Double] = [:]
        for w in scenario.workloads where w.critical {
            guard case .training(let work) = w.demand else { continue }
            let stretches = row.runs.filter { $0.workload == w.id }
            let done = historyDone(w)
            let fate = row.runRestarts.first { $0.workload == w.id }?.fate
            guard stretches.count <= 1 else {
                fail("\(label): \(w.id) runs in \(stretches.count) places; a run is one gang in one cluster")
                continue
            }
            guard let run = stretches.first else {
                let required = max(0, coverage * work - done)
                if let fate, fate != .lost, done < work * (1 - 1e-9) {
                    fail("\(label): \(w.id) has no stretch but its fate is \(fate)")
                }
                if required > 0, row.shortfallReferenceHours + 1e-6 * work + 1 < required {
                    fail(
                        "\(label): \(w.id) is not placed but the row is short \(row.shortfallReferenceHours) of \(required)"
                    )
                }
                continue
            }
            if fate == .lost { fail("\(label): \(w.id) runs in \(run.cluster) but its fate is lost") }
            guard let first = horizon.period(of: run.start), let last = horizon.period(of: run.end), first <= last,
                first >= from
            else {
                fail("\(label): \(w.id) runs \(run.start)…\(run.end), not months the plan can still change")
                continue
            }
            if run.provider == row.provider { fail("\(label): \(w.id) runs on the lost provider's \(run.cluster)") }
            if run.accelerators != w.gang {
                fail("\(label): \(w.id) holds \(run.accelerators) accelerators; its gang is \(w.gang)")
            }
            if !w.window.contains(run.start) || !w.window.contains(run.end) {
                fail("\(label): \(w.id) runs \(run.start)…\(run.end), outside its window")
            }
            let speed = speedModel.speed(of: w, on: run.accelerator)
            let did = Double(w.gang) * speed * hours * Double(last - first + 1)
            if did + done < work * (1 - 1e-9) - 1e-6 {
                fail(
                    "\(label): \(w.id)'s stretch in \(run.cluster) does \(did) of the \(work - done) reference-hours left"
                )
            }
            guard let supply = clusterSupplyFunction(run, exercised: exercised) else { continue }
            supplies[run.cluster] = supply
            var gangs: [String: Double] = [:]
            for t in first...last {
                load[run.cluster, default: [:]][t, default: 0] += Double(w.gang)
                gangs["\(run.accelerator)|\(t)", default: 0] += Double(w.gang)
            }
            var allocated: [String: Double] = [:]
            for a in row.allocation where a.workload == w.id {
                guard let t = horizon.period(of: a.month), t >= from else { continue }
                allocated["\(a.accelerator)|\(t)", default: 0] += a.accelerators
            }
            for key in Set(allocated.keys).union(gangs.keys).sorted()
            where abs((allocated[key] ?? 0) - (gangs[key] ?? 0)) > tolerance * max(1, gangs[key] ?? 0) + 1e-3 {
                fail(
                    "\(label): \(w.id) is allocated \(allocated[key] ?? 0) of \(key) but its gang holds \(gangs[key] ?? 0)"
                )
            }
        }
        for (cluster, months) in load.sorted(by: { $0.key < $1.key }) {
            guard let supply = supplies[cluster] else { continue }
            for (t, gangs) in months.sorted(by: { $0.key < $1.key }) where gangs > supply(t) * (1 + 1e-6) + tolerance {
                fail(
                    "\(label): \(cluster) holds \(supply(t)) accelerators in \(self.months[t]); the runs there need \(gangs)"
                )
            }
        }
    }

    /// Reference-hours of run w done before a re-plan's incident (0 for a fresh plan): its
    /// stretches that end before the incident's month. The allocation a loss row carries starts
    /// there.
    func historyDone(_ w: Workload) -> Double {
        guard let from = checker.incident.flatMap({ horizon.period(of: $0.from) }) else { return 0 }
        return plan.runs.filter { $0.workload == w.id }.reduce(0.0) { sum, run in
            guard let last = horizon.period(of: run.end), last < from else { return sum }
            return sum + run.referenceHours
        }
    }

    /// Training runs: each run is one gang of one model inside one cluster (a provider's nodes of
    /// one model in one region, or an owned fleet at a site), unbroken stretches inside its window,
    /// never two places at once, one cluster (two after an incident); every cluster holds the
    /// gangs placed in it month by month; the allocation is exactly the gangs; the work is done
    /// or the shortfall says so.
    mutating func checkRuns() {
        for w in scenario.workloads {
            let stretches = plan.runs.filter { $0.workload == w.id }
            guard case .training(let work) = w.demand else {
                if !stretches.isEmpty { fail("\(w.id) is not a training run but has runs") }
                continue
            }
            var running = Set<Int>()
            var clusters = Set<String>()
            var done = 0.0
            var gangs: [String: Double] = [:]  // "model|t" → accelerators
            for run in stretches {
                guard let first = horizon.period(of: run.start), let last = horizon.period(of: run.end), first <= last
                else {
                    fail("run of \(w.id) has months outside the horizon (\(run.start)…\(run.end))")
                    continue
                }
                if run.accelerators != w.gang {
                    fail("run of \(w.id) holds \(run.accelerators) accelerators; its gang is \(w.gang)")
                }
                if !w.window.contains(run.start) || !w.window.contains(run.end) {
                    fail("run of \(w.id) in \(run.cluster) runs \(run.start)…\(run.end), outside its window")
                }
                let speed = speedModel.speed(of: w, on: run.accelerator)
                if speed <= 0 { fail("run of \(w.id) on \(run.accelerator), which runs none of its stacks") }
                guard let supply = clusterSupplyFunction(run) else { continue }
                clusterSupply[run.cluster] = supply
                clusters.insert(run.cluster)
                for t in first...last {
                    if !running.insert(t).inserted { fail("\(w.id) runs in two places in \(self.months[t])") }
                    placedInCluster[run.cluster, default: Array(repeating: 0, count: horizon.months)][t] +=
                        Double(run.accelerators)
                    gangs["\(run.accelerator)|\(t)", default: 0] += Double(run.accelerators)
                }
                done += Double(run.accelerators) * speed * hours * Double(last - first + 1)
            }
            if clusters.count > (checker.incident == nil ? 1 : 2) {
                fail("\(w.id) straddles \(clusters.count) clusters: \(clusters.sorted().joined(separator: ", "))")
            }
            checkAllocation(
                of: w, equals: gangs, held: "its runs hold", why: "a run is its gang, not a share of a model")
            let reported = plan.shortfalls.first { $0.workload == w.id && $0.month == nil }?.referenceHours ?? 0
            if max(0, work - done) > reported + 1e-6 * work + 1 {
                fail("\(w.id)'s runs do \(done) of \(work) reference-hours; shortfall reported \(reported)")
            }
        }
    }

    /// Batch streams' jobs and services' replicas: whole gangs of the workload's size, in a
    /// cluster of a model they run on, inside the window, and (for every workload whose gang
    /// is more than one accelerator) exactly its allocation, model by model and month by month.
    mutating func checkPlacements() {
        for w in scenario.workloads {
            let placed = plan.placements.filter { $0.workload == w.id }
            if case .training = w.demand {
                if !placed.isEmpty { fail("\(w.id) is a training run but has gang placements (its runs say where)") }
                continue
            }
            var gangs: [String: Double] = [:]  // "model|t" → accelerators
            for placement in placed {
                guard let t = horizon.period(of: placement.month), w.window.contains(placement.month) else {
                    fail("\(w.id) has gangs in \(placement.cluster) in \(placement.month), outside its window")
                    continue
                }
                if placement.gangs < 1 || placement.accelerators != placement.gangs * w.gang {
                    fail(
                        "\(w.id) has \(placement.gangs) gangs holding \(placement.accelerators) accelerators in \(placement.cluster) in \(placement.month); its gang is \(w.gang)"
                    )
                }
                if speedModel.speed(of: w, on: placement.accelerator) <= 0 {
                    fail("\(w.id) has gangs on \(placement.accelerator), which runs none of its stacks")
                }
                guard let supply = clusterSupplyFunction(placement) else { continue }
                clusterSupply[placement.cluster] = supply
                placedInCluster[placement.cluster, default: Array(repeating: 0, count: horizon.months)][t] +=
                    Double(placement.accelerators)
                gangs["\(placement.accelerator)|\(t)", default: 0] += Double(placement.accelerators)
            }
            guard w.gang > 1 else { continue }
            checkAllocation(
                of: w, equals: gangs, held: "its gangs hold", why: "jobs and replicas are whole gangs in one cluster")
        }
    }

    /// The plan's allocation of `w`, by "model|period", is what its gangs (runs or placements)
    /// hold there.
    mutating func checkAllocation(of w: Workload, equals gangs: [String: Double], held: String, why: String) {
        var allocated: [String: Double] = [:]
        for a in plan.allocation where a.workload == w.id {
            guard let t = horizon.period(of: a.month) else { continue }
            allocated["\(a.accelerator)|\(t)", default: 0] += a.accelerators
        }
        for key in Set(allocated.keys).union(gangs.keys).sorted()
        where abs((allocated[key] ?? 0) - (gangs[key] ?? 0)) > tolerance * max(1, gangs[key] ?? 0) + 1e-3 {
            fail("\(w.id) is allocated \(allocated[key] ?? 0) of \(key) but \(held) \(gangs[key] ?? 0): \(why)")
        }
    }

    /// Every cluster holds, month by month, the runs and gangs placed in it.
    mutating func checkClusters() {
        for (name, placed) in placedInCluster.sorted(by: { $0.key < $1.key }) {
            guard let supply = clusterSupply[name] else { continue }
            for (t, gangs) in placed.enumerated() where gangs > 0 && gangs > supply(t) * (1 + 1e-6) + tolerance {
                fail(
                    "\(name) holds \(supply(t)) accelerators in \(months[t]); runs and gangs placed there need \(gangs)"
                )
            }
        }
    }

    /// What the cluster of a run or of gangs supplies in each period, from the plan's leases (as
    /// delivered) and exercised backups (or those a provider's loss exercises, `exercised`), or the
    /// fleet hosted at the site; nil (after reporting) when the cluster does not exist.
    mutating func clusterSupplyFunction(_ run: some InCluster, exercised: [String: Double]? = nil)
        -> ((Int) -> Double)?
    {
        if let fleetID = run.fleet, let siteID = run.site {
            guard let fleet = fleets[fleetID], let site = sites[siteID], fleet.accelerator == run.accelerator,
                site.provider == run.provider, fleet.hostableAt?.contains(siteID) ?? true
            else {
                fail("\(run.workload) names no owned cluster \(run.cluster) of \(run.accelerator)")
                return nil
            }
            let hostedAt = self.hostedAt
            return { t in hostedAt["\(siteID)|\(fleetID)|\(t)"] ?? 0 }
        }
        let members = scenario.offers.filter {
            $0.provider == run.provider && $0.accelerator == run.accelerator && $0.region == run.region
                && (allowed?.contains($0.region) ?? true)
        }
        guard !members.isEmpty else {
            fail("\(run.workload) names no cluster \(run.cluster): no such offers")
            return nil
        }
        let activeNodes = self.activeNodes
        let exercisedNodes = exercised ?? self.exercisedNodes
        let checker = self.checker
        return { t in
            members.reduce(0.0) { sum, offer in
                let g = Double(offer.acceleratorsPerNode)
                return sum + (activeNodes[offer.id]?[t] ?? 0) * g * checker.deliveredShare(offer.provider, t)
                    + (exercisedNodes["\(offer.id)|\(t)"] ?? 0) * g
            }
        }
    }
}
