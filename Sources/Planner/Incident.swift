import Foundation
import SwitchyardCatalog
import SwitchyardModel

/// A supply event: what broke, where, from when. Read from YAML or JSON (docs/planner.md).
///
/// ```yaml
/// provider: coreweave
/// kind: outage              # outage | slip | site-power
/// from: 2027-06
/// months: 3                 # optional; default: to the end of the horizon
/// deliveredFraction: 0      # outage: share of its leased capacity still delivered (default 0)
/// ```
public struct Incident: Sendable, Equatable {
    /// What kind of event.
    public enum Kind: String, Sendable, CaseIterable {
        /// The provider delivers only `deliveredFraction` of its leased capacity (0: nothing).
        case outage
        /// Deliveries from the provider slip `months` months: leases starting from `from` start
        /// that much later, and new ones cannot start sooner.
        case slip
        /// A colocation site keeps only `deliveredFraction` of its power.
        case sitePower = "site-power"
    }

    /// The provider affected.
    public var provider: ProviderID
    /// The kind.
    public var kind: Kind
    /// The first month affected.
    public var from: YearMonth
    /// How many months (nil: to the end of the horizon). For a slip: by how many months.
    public var months: Int?
    /// Share still delivered (outage, site-power), 0…1.
    public var deliveredFraction: Double
    /// The site, for `site-power`.
    public var site: ColocationSiteID?

    /// An incident.
    public init(
        provider: ProviderID, kind: Kind, from: YearMonth, months: Int? = nil, deliveredFraction: Double = 0,
        site: ColocationSiteID? = nil
    ) {
        self.provider = provider
        self.kind = kind
        self.from = from
        self.months = months
        self.deliveredFraction = deliveredFraction
        self.site = site
    }

    /// Reads and checks an incident against its scenario: every problem with its path.
    public static func load(path: String, scenario: Scenario) throws -> Incident {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError([Diagnostic(path: "", message: ScenarioFile.readFailure(path))], source: path)
        }
        do {
            let root = try DocumentParser.parse(data, format: DocumentFormat(path: path) ?? .yaml)
            return try decode(root, scenario: scenario)
        } catch var error as InputError {
            error.source = path
            throw error
        }
    }

    /// Decodes and checks an incident document.
    public static func decode(_ root: DocumentNode, scenario: Scenario, strictText: Bool = false) throws -> Incident {
        var r = DocumentReader(strictText: strictText)
        guard
            let f = r.fields(
                root, at: "", allowed: ["provider", "kind", "from", "months", "deliveredFraction", "site"])
        else {
            throw InputError(r.diagnostics)
        }
        let provider: ProviderID? = r.required(f, "provider") { $0.identifier($1, $2) }
        let kind: Kind? = r.required(f, "kind") { $0.choice($1, $2) }
        let from = r.required(f, "from") { $0.yearMonth($1, $2) }
        let months = r.optional(f, "months") { $0.int($1, $2) }
        let fraction = r.optional(f, "deliveredFraction") { $0.double($1, $2) } ?? 0
        let site: ColocationSiteID? = r.optional(f, "site") { $0.identifier($1, $2) }
        var problems = r.diagnostics
        if let provider, !scenario.providers.contains(where: { $0.id == provider }) {
            var message = "no provider '\(provider)' in scenario \(scenario.name)"
            if let guess = closestMatch(to: provider.rawValue, in: scenario.providers.map(\.id.rawValue)) {
                message += " (did you mean '\(guess)'?)"
            }
            problems.append(Diagnostic(path: "provider", message: message, line: root.line(at: "provider")))
        }
        if let from, scenario.horizon.period(of: from) == nil {
            problems.append(
                Diagnostic(
                    path: "from",
                    message: "\(from) is outside the horizon \(scenario.horizon.start)…\(scenario.horizon.end)",
                    line: root.line(at: "from")))
        }
        if let months, months < 1 {
            problems.append(Diagnostic(path: "months", message: "must be >= 1", line: root.line(at: "months")))
        }
        if kind == .slip, months == nil {
            problems.append(
                Diagnostic(
                    path: "months", message: "a slip needs months: how many months late", line: root.line(at: "kind")))
        }
        if !(0...1).contains(fraction) {
            problems.append(
                Diagnostic(
                    path: "deliveredFraction", message: "must be between 0 and 1",
                    line: root.line(at: "deliveredFraction")))
        }
        if kind == .sitePower {
            if let site {
                if let known = scenario.colocation.first(where: { $0.id == site }) {
                    if let provider, known.provider != provider {
                        problems.append(
                            Diagnostic(
                                path: "site", message: "site '\(site)' belongs to \(known.provider), not \(provider)",
                                line: root.line(at: "site")))
                    }
                } else {
                    problems.append(
                        Diagnostic(path: "site", message: "no colocation site '\(site)'", line: root.line(at: "site")))
                }
            } else {
                problems.append(
                    Diagnostic(path: "site", message: "site-power needs the site", line: root.line(at: "kind")))
            }
        }
        guard problems.isEmpty, let provider, let kind, let from else { throw InputError(problems) }
        return Incident(
            provider: provider, kind: kind, from: from, months: months, deliveredFraction: fraction, site: site)
    }
}

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
    /// Leases a slip pushed past the horizon: still owed, delivering nothing within it.
    public var stranded: [Lease]

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
    public func replan(_ scenario: Scenario, plan: Plan, incident: Incident) throws -> Replan {
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
        let input = try PlanningInput(scenario)
        let horizon = scenario.horizon
        let from = horizon.period(of: incident.from)!
        let until = incident.months.map { min(input.periods, from + $0) } ?? input.periods
        var overrides = PlanningOverrides()
        var kept: [Lease] = []
        var stranded: [Lease] = []
        overrides.fromPeriod = from
        overrides.allowExercise = true
        let offerIndex = Dictionary(uniqueKeysWithValues: input.offers.enumerated().map { ($1.id, $0) })
        let p = input.providerIndex[incident.provider]!
        for lease in plan.leases {
            guard let o = offerIndex[lease.offer], var start = horizon.period(of: lease.start) else { continue }
            if incident.kind == .slip, lease.provider == incident.provider, start >= from {
                start += incident.months ?? 0
                if start >= input.periods {
                    var moved = lease
                    moved.start = horizon.start.adding(months: start)
                    stranded.append(moved)
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
        switch incident.kind {
        case .outage:
            // An outage takes the provider's leased capacity and the power of the sites it runs.
            for t in from..<until {
                overrides.providerFactor[PeriodKey(p, t)] = incident.deliveredFraction
                for (c, site) in input.sites.enumerated() where site.provider == incident.provider {
                    overrides.siteFactor[PeriodKey(c, t)] = incident.deliveredFraction
                }
            }
        case .slip:
            for (o, offer) in input.offers.enumerated() where offer.provider == incident.provider {
                overrides.earliestNewStart[o] = from + (incident.months ?? 0)
            }
        case .sitePower:
            if let c = input.sites.firstIndex(where: { $0.id == incident.site }) {
                for t in from..<until { overrides.siteFactor[PeriodKey(c, t)] = incident.deliveredFraction }
            }
        }
        var after = try solve(input, overrides: overrides)
        after.scenarioFingerprint = plan.scenarioFingerprint
        return Replan(incident: incident, before: plan, after: after, kept: kept, stranded: stranded)
    }
}
