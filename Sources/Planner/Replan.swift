import Foundation
import SwitchyardModel

/// A re-plan and how it differs from the plan it replaces.
public struct Replan: Sendable {
    /// The incident.
    public var incident: Incident
    /// The plan before.
    public var before: Plan
    /// The plan after.
    public var after: Plan
    /// The leases signed before, as they stand after the incident (a slip moves their start).
    public var kept: [Lease]
    /// Committed leases a slip pushed past the horizon: still owed, delivering nothing within it.
    public var stranded: [Lease]
    /// On-demand leases a slip pushed past the horizon: month to month, so nothing is owed.
    public var released: [Lease] = []

    /// Leases the re-plan adds: nodes beyond what was already signed, per offer, term and start.
    public var added: [Lease] {
        var signed: [String: Int] = [:]
        for lease in kept { signed["\(lease.offer)|\(lease.term)|\(lease.start)", default: 0] += lease.nodes }
        return after.leases.compactMap { lease in
            let extra = lease.nodes - (signed["\(lease.offer)|\(lease.term)|\(lease.start)"] ?? 0)
            guard extra > 0 else { return nil }
            var added = lease
            added.nodes = extra
            added.accelerators = extra * lease.accelerators / lease.nodes
            added.totalCost = lease.totalCost * Decimal(extra) / Decimal(lease.nodes)
            return added
        }
    }

    /// Spend after (including stranded leases, still owed) minus spend before.
    public var costDelta: Decimal { after.cost.total + strandedCost - before.cost.total }
    /// What the stranded leases still cost.
    public var strandedCost: Decimal { stranded.reduce(0) { $0 + $1.totalCost } }
    /// Unmet reference-hours after minus before.
    public var shortfallDelta: Double {
        after.shortfalls.reduce(0) { $0 + $1.referenceHours } - before.shortfalls.reduce(0) { $0 + $1.referenceHours }
    }
    /// A training run whose finish or slack the incident changed.
    public struct SlackChange: Sendable, Equatable, Encodable {
        /// The run.
        public var workload: WorkloadID
        /// Its deadline.
        public var deadline: YearMonth
        /// When it finished before and after (nil: it does not finish its work).
        public var finishBefore: YearMonth?
        public var finishAfter: YearMonth?
        /// Whole months from the finish to the deadline, before and after.
        public var slackBefore: Int?
        public var slackAfter: Int?
        /// Months of slack lost (negative: gained); nil where either side does not finish.
        public var slackLost: Int? { slackBefore.flatMap { b in slackAfter.map { b - $0 } } }
    }

    /// Every training run whose finish or slack moved, in workload order: a run that still makes
    /// its deadline can have lost all its margin, which `atRisk` (work short by the deadline) does
    /// not show.
    public var slackChanges: [SlackChange] {
        func last(_ plan: Plan, _ w: WorkloadID) -> TrainingRun? {
            plan.runs.filter { $0.workload == w }.max { ($0.end, $0.start) < ($1.end, $1.start) }
        }
        let runs = Set(before.runs.map(\.workload)).union(after.runs.map(\.workload)).sorted()
        return runs.compactMap { w in
            let b = last(before, w)
            let a = last(after, w)
            guard let deadline = (b ?? a)?.deadline, b?.finish != a?.finish || b?.slackMonths != a?.slackMonths
            else { return nil }
            return SlackChange(
                workload: w, deadline: deadline, finishBefore: b?.finish, finishAfter: a?.finish,
                slackBefore: b?.slackMonths, slackAfter: a?.slackMonths)
        }
    }

    /// Training runs that now miss work by their deadline, and services short in some month.
    public var atRisk: [Shortfall] {
        after.shortfalls.filter { s in
            !before.shortfalls.contains {
                $0.workload == s.workload && $0.month == s.month && $0.referenceHours >= s.referenceHours - 1
            }
        }
    }
}

extension Planner {
    /// Re-plans after an incident. Signed leases and held backups stay (sunk), months before the
    /// incident keep their allocation, the lost capacity is gone, and the planner may exercise
    /// backups, sign new leases and move work for the months that are left.
    ///
    /// - Throws: `PlannerError.input` when the plan is not this scenario's.
    ///
    /// `earlier` are incidents that struck before this one and were already re-planned for (the
    /// plan is that re-plan's): their leases were moved then, and what they still take from
    /// this incident's month on is taken again (risk analysis chains re-plans this way).
    public func replan(_ scenario: Scenario, plan: Plan, incident: Incident, earlier: [Incident] = []) throws
        -> Replan
    {
        try Self.requireMade(plan, for: scenario)
        let input = try PlanningInput(scenario)
        let horizon = scenario.horizon
        let from = horizon.period(of: incident.from)!
        var overrides = PlanningOverrides()
        var kept: [Lease] = []
        var stranded: [Lease] = []
        var released: [Lease] = []
        overrides.fromPeriod = from
        overrides.allowExercise = true
        // Critical work first: its shortfall at ten times the penalty, so other work gives way
        // to it, as the plan's N-1 cases assumed when they claimed where runs restart.
        overrides.criticalWeight = 10
        let offerIndex = Dictionary(uniqueKeysWithValues: input.offers.enumerated().map { ($1.id, $0) })
        for lease in plan.leases {
            guard let o = offerIndex[lease.offer], var start = horizon.period(of: lease.start) else { continue }
            if incident.kind == .slip, lease.provider == incident.provider, start >= from {
                start += incident.months ?? 0
                if start >= input.periods {
                    var moved = lease
                    moved.start = horizon.start.adding(months: start)
                    if lease.term == .onDemand { released.append(moved) } else { stranded.append(moved) }
                    continue
                }
            }
            var moved = lease
            moved.start = horizon.month(ofPeriod: start)
            kept.append(moved)
            overrides.sunkLeases[LeaseKey(offer: o, term: lease.term, start: start), default: 0] += lease.nodes
        }
        for hold in plan.backups {
            guard let o = offerIndex[hold.offer], let t = horizon.period(of: hold.month) else { continue }
            overrides.heldBackups[PeriodKey(o, t)] = hold.nodes
        }
        // Backups an earlier re-plan exercised before this one's month stay exercised: what ran
        // then ran on them.
        for used in plan.exercisedBackups {
            guard let o = offerIndex[used.offer], let t = horizon.period(of: used.month), t < from else { continue }
            overrides.pastExercise[PeriodKey(o, t), default: 0] += used.nodes
        }
        let modelIndex = input.modelIndex
        let workloadIndex = Dictionary(uniqueKeysWithValues: input.workloads.enumerated().map { ($1.id, $0) })
        for a in plan.allocation {
            guard let t = horizon.period(of: a.month), t < from, let w = workloadIndex[a.workload],
                let m = modelIndex[a.accelerator]
            else {
                continue
            }
            overrides.pastAllocation[AllocationKey(workload: w, model: m, period: t)] = a.accelerators
        }
        // Training runs keep the months they already ran, in the cluster they ran in.
        for run in plan.runs {
            guard let w = workloadIndex[run.workload], let first = horizon.period(of: run.start),
                let last = horizon.period(of: run.end), first <= last, let c = input.cluster(of: run)
            else { continue }
            for t in first...last where t < from { overrides.pastRuns[w, default: [:]][c, default: []].insert(t) }
        }
        // Batch jobs and replicas placed before the re-plan ran where they were.
        overrides.pastPlacements = plan.placements.filter { horizon.period(of: $0.month).map { $0 < from } ?? false }
        Self.take(incident, from: from, input: input, into: &overrides)
        for past in earlier { Self.take(past, from: from, input: input, into: &overrides) }
        var after = try solve(input, overrides: overrides)
        after.scenarioFingerprint = plan.scenarioFingerprint
        var replan = Replan(incident: incident, before: plan, after: after, kept: kept, stranded: stranded)
        replan.released = released
        return replan
    }
}

extension Planner {
    /// - Throws: `PlannerError.input` when `plan` was not made for `scenario` (its fingerprint).
    public static func requireMade(_ plan: Plan, for scenario: Scenario) throws {
        guard plan.scenarioFingerprint == fingerprint(of: scenario) else {
            throw PlannerError.input(
                InputError([
                    Diagnostic(
                        path: "scenarioFingerprint",
                        message:
                            "the plan was made for another scenario (or this one changed since); re-run `switchyard plan` first"
                    )
                ]))
        }
    }

    /// What `incident` takes from period `lower` on (and from its own month): an outage the
    /// provider's leased capacity and its sites' power, and no new lease of its until it is over;
    /// a slip no new lease before its deliveries resume; a site's power loss that site's power.
    /// Where two incidents take the same thing, the deeper cut holds.
    static func take(
        _ incident: Incident, from lower: Int, input: PlanningInput, into overrides: inout PlanningOverrides
    ) {
        let horizon = input.scenario.horizon
        guard let start = horizon.period(of: incident.from), let p = input.providerIndex[incident.provider] else {
            return
        }
        let from = max(lower, start)
        let until = incident.months.map { min(input.periods, start + $0) } ?? input.periods
        func cut(_ factors: inout [PeriodKey: Double], _ key: PeriodKey) {
            factors[key] = min(factors[key] ?? 1, incident.deliveredFraction)
        }
        switch incident.kind {
        case .outage:
            // An outage takes the provider's leased capacity and the power of the sites it runs.
            for t in from..<max(from, until) {
                cut(&overrides.providerFactor, PeriodKey(p, t))
                for (c, site) in input.sites.enumerated() where site.provider == incident.provider {
                    cut(&overrides.siteFactor, PeriodKey(c, t))
                }
            }
            // Nothing new is bought from the failing party while it fails: no lease that would
            // run in its outage (new ones start once it is over), no backup option held there in
            // those months (`buildBackups` reads the provider's factor), no power at its sites
            // beyond what they deliver.
            guard until > lower else { return }
            for (o, offer) in input.offers.enumerated() where offer.provider == incident.provider {
                overrides.earliestNewStart[o] = max(overrides.earliestNewStart[o] ?? 0, until)
            }
        case .slip:
            for (o, offer) in input.offers.enumerated() where offer.provider == incident.provider {
                overrides.earliestNewStart[o] = max(overrides.earliestNewStart[o] ?? 0, start + (incident.months ?? 0))
            }
        case .sitePower:
            if let c = input.sites.firstIndex(where: { $0.id == incident.site }) {
                for t in from..<max(from, until) { cut(&overrides.siteFactor, PeriodKey(c, t)) }
            }
        }
    }
}
