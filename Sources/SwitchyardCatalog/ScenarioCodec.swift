import Foundation
import SwitchyardModel

/// Turns scenario documents into `Scenario` values and back. The file schema is documented field
/// by field in docs/scenario.md; the key names here are that schema.
public enum ScenarioCodec {
    /// Reads a scenario from a parsed document, reporting every structural problem at once.
    ///
    /// - Throws: `InputError` when any field is missing, mistyped or unknown.
    public static func decode(_ root: DocumentNode) throws -> Scenario {
        let (scenario, problems) = decodeCollecting(root)
        guard let scenario, problems.isEmpty else {
            throw InputError(problems.isEmpty ? [Diagnostic(path: "", message: "not a scenario")] : problems)
        }
        return scenario
    }

    /// Reads what can be read: the scenario (nil when its skeleton is missing), with elements whose
    /// fields failed left out, and the problems found. `sourceIndex` maps a section's element
    /// position back to its position in the file, so later checks can name the right element.
    static func decodeCollecting(_ root: DocumentNode, strictText: Bool = false) -> (Scenario?, [Diagnostic]) {
        var r = DocumentReader(strictText: strictText)
        let scenario = readScenario(&r, root)
        return (scenario, r.diagnostics)
    }

    /// Writes a scenario as a document; `decode(encode(s)) == s` for every valid scenario.
    public static func encode(_ s: Scenario) -> DocumentNode {
        var root: [(String, DocumentNode)] = [
            ("name", .text(s.name)),
            ("horizon", .map([("start", .text(s.horizon.start.description)), ("months", .number(s.horizon.months))])),
            ("hoursPerMonth", .number(s.hoursPerMonth)),
            ("referenceAccelerator", .text(s.referenceAccelerator.rawValue)),
        ]
        if !s.accelerators.isEmpty { root.append(("accelerators", .list(s.accelerators.map(encodeSpec)))) }
        root.append(("providers", .list(s.providers.map(encodeProvider))))
        root.append(("offers", .list(s.offers.map(encodeOffer))))
        if !s.colocation.isEmpty { root.append(("colocation", .list(s.colocation.map(encodeSite)))) }
        if !s.ownedFleets.isEmpty { root.append(("ownedFleets", .list(s.ownedFleets.map(encodeFleet)))) }
        root.append(("workloads", .list(s.workloads.map(encodeWorkload))))
        root.append(("policy", encodePolicy(s.policy)))
        if let risk = s.risk { root.append(("risk", encodeRisk(risk))) }
        return .map(root)
    }

    // MARK: reading

    static let scenarioKeys = [
        "name", "horizon", "hoursPerMonth", "referenceAccelerator", "accelerators", "providers", "offers",
        "colocation", "ownedFleets", "workloads", "policy", "risk",
    ]

    static func readScenario(_ r: inout DocumentReader, _ root: DocumentNode) -> Scenario? {
        guard let f = r.fields(root, at: "", allowed: scenarioKeys) else { return nil }
        let name = r.required(f, "name", DocumentReader.string)
        let horizon = r.required(f, "horizon") { r, node, path -> Horizon? in
            guard let h = r.fields(node, at: path, allowed: ["start", "months"]) else { return nil }
            let start = r.required(h, "start", DocumentReader.yearMonth)
            let months = r.required(h, "months", DocumentReader.int)
            guard let start, let months else { return nil }
            return Horizon(start: start, months: months)
        }
        let hours = r.optional(f, "hoursPerMonth", DocumentReader.double) ?? 730
        let reference: AcceleratorModelID = r.optional(f, "referenceAccelerator", DocumentReader.id()) ?? "nvidia-h100"
        let accelerators = r.optional(f, "accelerators", DocumentReader.list(readSpec)) ?? []
        let providers = r.required(f, "providers", DocumentReader.list(readProvider))
        let offers = r.optional(f, "offers", DocumentReader.list(readOffer)) ?? []
        let colocation = r.optional(f, "colocation", DocumentReader.list(readSite)) ?? []
        let fleets = r.optional(f, "ownedFleets", DocumentReader.list(readFleet)) ?? []
        let workloads = r.required(f, "workloads", DocumentReader.list(readWorkload))
        let policy = r.optional(f, "policy", readPolicy) ?? Policy()
        let risk = r.optional(f, "risk", readRisk)
        guard let name, let horizon, let providers, let workloads else { return nil }
        return Scenario(
            name: name, horizon: horizon, hoursPerMonth: hours, referenceAccelerator: reference,
            accelerators: accelerators, providers: providers, offers: offers, colocation: colocation,
            ownedFleets: fleets, workloads: workloads, policy: policy, risk: risk)
    }

    static let readProvider: FieldRead<Provider> = { r, node, path in
        guard let f = r.fields(node, at: path, allowed: ["id", "kind", "failureProbability"]) else { return nil }
        let id: ProviderID? = r.required(f, "id", DocumentReader.id())
        let kind: ProviderKind? = r.required(f, "kind", DocumentReader.choice())
        let failure = r.optional(f, "failureProbability", DocumentReader.double) ?? Provider.defaultFailureProbability
        guard let id, let kind else { return nil }
        return Provider(id: id, kind: kind, failureProbability: failure)
    }

    static let readOffer: FieldRead<Offer> = { r, node, path in
        let keys = [
            "id", "provider", "accelerator", "acceleratorsPerNode", "region", "availableNodes", "leadTimeDays",
            "minimumNodes", "prices", "backup",
        ]
        guard let f = r.fields(node, at: path, allowed: keys) else { return nil }
        let id: OfferID? = r.required(f, "id", DocumentReader.id())
        let provider: ProviderID? = r.required(f, "provider", DocumentReader.id())
        let accelerator: AcceleratorModelID? = r.required(f, "accelerator", DocumentReader.id())
        let perNode = r.required(f, "acceleratorsPerNode", DocumentReader.int)
        let region: RegionID? = r.required(f, "region", DocumentReader.id())
        let available = r.required(f, "availableNodes", DocumentReader.int)
        let lead = r.optional(f, "leadTimeDays", DocumentReader.int) ?? 0
        let minimum = r.optional(f, "minimumNodes", DocumentReader.int) ?? 0
        let prices = r.required(f, "prices") { r, node, path -> [CommitmentTerm: Decimal]? in
            guard let p = r.fields(node, at: path, allowed: CommitmentTerm.allCases.map(\.rawValue)) else { return nil }
            var prices: [CommitmentTerm: Decimal] = [:]
            for term in CommitmentTerm.allCases {
                if let price = r.optional(p, term.rawValue, DocumentReader.decimal) { prices[term] = price }
            }
            return prices
        }
        let backup = r.optional(f, "backup") { r, node, path -> BackupTerms? in
            guard let b = r.fields(node, at: path, allowed: ["availableNodes", "feePerNodeMonth", "exercisePrice"])
            else { return nil }
            let nodes = r.required(b, "availableNodes", DocumentReader.int)
            let fee = r.required(b, "feePerNodeMonth", DocumentReader.decimal)
            let exercise = r.required(b, "exercisePrice", DocumentReader.decimal)
            guard let nodes, let fee, let exercise else { return nil }
            return BackupTerms(availableNodes: nodes, feePerNodeMonth: fee, exercisePricePerAcceleratorHour: exercise)
        }
        guard let id, let provider, let accelerator, let perNode, let region, let available, let prices else {
            return nil
        }
        return Offer(
            id: id, provider: provider, accelerator: accelerator, acceleratorsPerNode: perNode, region: region,
            availableNodes: available, leadTimeDays: lead, minimumNodes: minimum, pricePerAcceleratorHour: prices,
            backup: backup)
    }

    static let readSite: FieldRead<ColocationSite> = { r, node, path in
        let keys = ["id", "provider", "region", "powerKW", "pricePerKWMonth", "leadTimeDays"]
        guard let f = r.fields(node, at: path, allowed: keys) else { return nil }
        let id: ColocationSiteID? = r.required(f, "id", DocumentReader.id())
        let provider: ProviderID? = r.required(f, "provider", DocumentReader.id())
        let region: RegionID? = r.required(f, "region", DocumentReader.id())
        let power = r.required(f, "powerKW", DocumentReader.double)
        let price = r.required(f, "pricePerKWMonth", DocumentReader.decimal)
        let lead = r.optional(f, "leadTimeDays", DocumentReader.int) ?? 0
        guard let id, let provider, let region, let power, let price else { return nil }
        return ColocationSite(
            id: id, provider: provider, region: region, powerKW: power, pricePerKWMonth: price, leadTimeDays: lead)
    }

    static let readFleet: FieldRead<OwnedFleet> = { r, node, path in
        let keys = ["id", "accelerator", "powerPerAcceleratorW", "arrivals", "hostableAt"]
        guard let f = r.fields(node, at: path, allowed: keys) else { return nil }
        let id: OwnedFleetID? = r.required(f, "id", DocumentReader.id())
        let accelerator: AcceleratorModelID? = r.required(f, "accelerator", DocumentReader.id())
        let power = r.required(f, "powerPerAcceleratorW", DocumentReader.double)
        let arrivals = r.required(
            f, "arrivals",
            DocumentReader.list { r, node, path -> Arrival? in
                guard let a = r.fields(node, at: path, allowed: ["month", "count"]) else { return nil }
                let month = r.required(a, "month", DocumentReader.yearMonth)
                let count = r.required(a, "count", DocumentReader.int)
                guard let month, let count else { return nil }
                return Arrival(month: month, count: count)
            })
        let hostable: [ColocationSiteID]? = r.optional(f, "hostableAt", DocumentReader.list(DocumentReader.id()))
        guard let id, let accelerator, let power, let arrivals else { return nil }
        return OwnedFleet(
            id: id, accelerator: accelerator, powerPerAcceleratorW: power, arrivals: arrivals, hostableAt: hostable)
    }

    enum ProfileName: String, CaseIterable {
        case pretraining, fineTuning = "fine-tuning", prefill, decode
        var profile: WorkloadProfile { WorkloadProfile(name: rawValue)! }
    }

    static let readWorkload: FieldRead<Workload> = { r, node, path in
        let keys = [
            "id", "kind", "stacks", "work", "capacity", "window", "gang", "critical", "speed", "profile",
            "computeFraction",
        ]
        guard let f = r.fields(node, at: path, allowed: keys) else { return nil }
        let id: WorkloadID? = r.required(f, "id", DocumentReader.id())
        let kind: WorkloadKind? = r.required(f, "kind", DocumentReader.choice())
        var demand: Demand?
        switch kind {
        case .training, .batch:
            if f.has("capacity") {
                r.fail(f.path("capacity"), "a \(kind!.rawValue) workload has work, not capacity", line: f.line)
            }
            demand = r.required(f, "work", DocumentReader.double).map(
                kind == .training ? Demand.training : Demand.batch)
        case .service:
            if f.has("work") { r.fail(f.path("work"), "a service workload has capacity, not work", line: f.line) }
            demand = r.required(f, "capacity", DocumentReader.double).map(Demand.service)
        case nil: break
        }
        let stacks = r.required(
            f, "stacks", DocumentReader.list { r, n, p in r.string(n, p).map(SoftwareStack.init(rawValue:)) })
        let window = r.required(f, "window") { r, node, path -> MonthWindow? in
            guard let w = r.fields(node, at: path, allowed: ["start", "end"]) else { return nil }
            let start = r.required(w, "start", DocumentReader.yearMonth)
            let end = r.required(w, "end", DocumentReader.yearMonth)
            guard let start, let end else { return nil }
            return MonthWindow(start: start, end: end)
        }
        let gang = r.optional(f, "gang", DocumentReader.int) ?? 1
        let critical = r.optional(f, "critical", DocumentReader.bool) ?? false
        let speed = r.optional(f, "speed") { r, node, path in r.dictionary(node, path, DocumentReader.double) } ?? []
        var profile = r.optional(f, "profile", DocumentReader.choice()).map { (name: ProfileName) in name.profile }
        if let fraction = r.optional(f, "computeFraction", DocumentReader.double) {
            if profile != nil {
                r.fail(
                    f.path("computeFraction"), "give a profile or a computeFraction, not both", line: f.line)
            }
            profile = .mix(computeFraction: fraction)
        }
        guard let id, let demand, let stacks, let window else { return nil }
        var speeds: [AcceleratorModelID: Double] = [:]
        for (model, value) in speed { speeds[AcceleratorModelID(model)] = value }
        return Workload(
            id: id, demand: demand, window: window, stacks: stacks, gang: gang, critical: critical, speed: speeds,
            profile: profile)
    }

    static let readPolicy: FieldRead<Policy> = { r, node, path in
        let keys = [
            "objective", "maxProviderShare", "resilience", "budgetUSD", "allowedRegions",
            "shortfallPenaltyPerReferenceHour",
        ]
        guard let f = r.fields(node, at: path, allowed: keys) else { return nil }
        var policy = Policy()
        if let objective: PlanningObjective = r.optional(f, "objective", DocumentReader.choice()) {
            policy.objective = objective
        }
        if let share = r.optional(f, "maxProviderShare", DocumentReader.double) { policy.maxProviderShare = share }
        if let resilience = r.optional(
            f, "resilience",
            { r, node, path -> (ResilienceMode?, Double?)? in
                guard let res = r.fields(node, at: path, allowed: ["mode", "criticalCoverage"]) else { return nil }
                let mode: ResilienceMode? = r.required(res, "mode", DocumentReader.choice())
                return (mode, r.optional(res, "criticalCoverage", DocumentReader.double))
            })
        {
            if let mode = resilience.0 { policy.resilience = mode }
            if let coverage = resilience.1 { policy.criticalCoverage = coverage }
        }
        policy.budgetUSD = r.optional(f, "budgetUSD", DocumentReader.decimal)
        policy.allowedRegions = r.optional(f, "allowedRegions", DocumentReader.list(DocumentReader.id()))
        if let penalty = r.optional(f, "shortfallPenaltyPerReferenceHour", DocumentReader.decimal) {
            policy.shortfallPenaltyPerReferenceHour = penalty
        }
        return policy
    }

    static let specKeys = [
        "id", "name", "vendor", "bf16DenseTFLOPS", "fp8DenseTFLOPS", "hbmGB", "hbmTBps", "powerW", "scaleUpDomain",
        "stacks", "matmulEfficiency", "notes", "source",
    ]

    static let readSpec: FieldRead<AcceleratorSpec> = { r, node, path in
        guard let f = r.fields(node, at: path, allowed: specKeys) else { return nil }
        let id: AcceleratorModelID? = r.required(f, "id", DocumentReader.id())
        let bf16 = r.required(f, "bf16DenseTFLOPS", DocumentReader.double)
        let hbm = r.required(f, "hbmGB", DocumentReader.double)
        let bw = r.required(f, "hbmTBps", DocumentReader.double)
        let stacks = r.required(
            f, "stacks", DocumentReader.list { r, n, p in r.string(n, p).map(SoftwareStack.init(rawValue:)) })
        guard let id, let bf16, let hbm, let bw, let stacks else { return nil }
        return AcceleratorSpec(
            id: id, name: r.optional(f, "name", DocumentReader.string) ?? id.rawValue,
            vendor: r.optional(f, "vendor", DocumentReader.string) ?? "",
            bf16DenseTFLOPS: bf16, fp8DenseTFLOPS: r.optional(f, "fp8DenseTFLOPS", DocumentReader.double),
            hbmGB: hbm, hbmTBps: bw, powerW: r.optional(f, "powerW", DocumentReader.double),
            scaleUpDomain: r.optional(f, "scaleUpDomain", DocumentReader.int) ?? 8, stacks: stacks,
            matmulEfficiency: r.optional(f, "matmulEfficiency", DocumentReader.double)
                ?? SpeedModel.defaultEfficiency(for: stacks),
            notes: r.optional(f, "notes", DocumentReader.string) ?? "",
            source: r.optional(f, "source", DocumentReader.string) ?? "scenario")
    }

    // MARK: writing

    static func encodeProvider(_ p: Provider) -> DocumentNode {
        .map([
            ("id", .text(p.id.rawValue)), ("kind", .text(p.kind.rawValue)),
            ("failureProbability", .number(p.failureProbability)),
        ])
    }

    static func encodeOffer(_ o: Offer) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [
            ("id", .text(o.id.rawValue)), ("provider", .text(o.provider.rawValue)),
            ("accelerator", .text(o.accelerator.rawValue)), ("acceleratorsPerNode", .number(o.acceleratorsPerNode)),
            ("region", .text(o.region.rawValue)), ("availableNodes", .number(o.availableNodes)),
            ("leadTimeDays", .number(o.leadTimeDays)), ("minimumNodes", .number(o.minimumNodes)),
            (
                "prices",
                .map(
                    CommitmentTerm.allCases.compactMap { term in
                        o.pricePerAcceleratorHour[term].map { (term.rawValue, .number($0)) }
                    })
            ),
        ]
        if let b = o.backup {
            fields.append(
                (
                    "backup",
                    .map([
                        ("availableNodes", .number(b.availableNodes)), ("feePerNodeMonth", .number(b.feePerNodeMonth)),
                        ("exercisePrice", .number(b.exercisePricePerAcceleratorHour)),
                    ])
                ))
        }
        return .map(fields)
    }

    static func encodeSite(_ c: ColocationSite) -> DocumentNode {
        .map([
            ("id", .text(c.id.rawValue)), ("provider", .text(c.provider.rawValue)),
            ("region", .text(c.region.rawValue)),
            ("powerKW", .number(c.powerKW)), ("pricePerKWMonth", .number(c.pricePerKWMonth)),
            ("leadTimeDays", .number(c.leadTimeDays)),
        ])
    }

    static func encodeFleet(_ f: OwnedFleet) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [
            ("id", .text(f.id.rawValue)), ("accelerator", .text(f.accelerator.rawValue)),
            ("powerPerAcceleratorW", .number(f.powerPerAcceleratorW)),
            (
                "arrivals",
                .list(f.arrivals.map { .map([("month", .text($0.month.description)), ("count", .number($0.count))]) })
            ),
        ]
        if let hostable = f.hostableAt { fields.append(("hostableAt", .list(hostable.map { .text($0.rawValue) }))) }
        return .map(fields)
    }

    static func encodeWorkload(_ w: Workload) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [("id", .text(w.id.rawValue))]
        fields.append(("kind", .text(w.demand.kind.rawValue)))
        switch w.demand {
        case .training(let work), .batch(let work): fields.append(("work", .number(work)))
        case .service(let capacity): fields.append(("capacity", .number(capacity)))
        }
        fields += [
            ("stacks", .list(w.stacks.map { .text($0.rawValue) })),
            ("window", .map([("start", .text(w.window.start.description)), ("end", .text(w.window.end.description))])),
            ("gang", .number(w.gang)), ("critical", .bool(w.critical)),
        ]
        switch w.profile {
        case .mix(let fraction): fields.append(("computeFraction", .number(fraction)))
        case let profile?: fields.append(("profile", .text(profile.name!)))
        case nil: break
        }
        if !w.speed.isEmpty {
            fields.append(
                ("speed", .map(w.speed.sorted { $0.key < $1.key }.map { ($0.key.rawValue, .number($0.value)) })))
        }
        return .map(fields)
    }

    static func encodePolicy(_ p: Policy) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [
            ("objective", .text(p.objective.rawValue)), ("maxProviderShare", .number(p.maxProviderShare)),
            (
                "resilience",
                .map([("mode", .text(p.resilience.rawValue)), ("criticalCoverage", .number(p.criticalCoverage))])
            ),
        ]
        if let budget = p.budgetUSD { fields.append(("budgetUSD", .number(budget))) }
        if let regions = p.allowedRegions {
            fields.append(("allowedRegions", .list(regions.map { .text($0.rawValue) })))
        }
        fields.append(("shortfallPenaltyPerReferenceHour", .number(p.shortfallPenaltyPerReferenceHour)))
        return .map(fields)
    }

    static func encodeSpec(_ s: AcceleratorSpec) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [
            ("id", .text(s.id.rawValue)), ("name", .text(s.name)), ("vendor", .text(s.vendor)),
            ("bf16DenseTFLOPS", .number(s.bf16DenseTFLOPS)),
        ]
        if let fp8 = s.fp8DenseTFLOPS { fields.append(("fp8DenseTFLOPS", .number(fp8))) }
        fields += [("hbmGB", .number(s.hbmGB)), ("hbmTBps", .number(s.hbmTBps))]
        if let power = s.powerW { fields.append(("powerW", .number(power))) }
        fields += [
            ("scaleUpDomain", .number(s.scaleUpDomain)), ("stacks", .list(s.stacks.map { .text($0.rawValue) })),
            ("matmulEfficiency", .number(s.matmulEfficiency)), ("notes", .text(s.notes)), ("source", .text(s.source)),
        ]
        return .map(fields)
    }
}

extension DocumentNode {
    /// A text scalar (always quoted when written, so it never reads back as a number).
    public static func text(_ s: String) -> DocumentNode { .scalar(s, quoted: true, line: nil) }
    /// A number scalar.
    public static func number(_ d: Double) -> DocumentNode { .scalar(formatNumber(d), quoted: false, line: nil) }
    /// A whole-number scalar.
    public static func number(_ i: Int) -> DocumentNode { .scalar(String(i), quoted: false, line: nil) }
    /// A money scalar, exact.
    public static func number(_ d: Decimal) -> DocumentNode { .scalar(d.description, quoted: false, line: nil) }
    /// A boolean scalar.
    public static func bool(_ b: Bool) -> DocumentNode { .scalar(b ? "true" : "false", quoted: false, line: nil) }
    /// A null.
    public static var null: DocumentNode { .scalar("null", quoted: false, line: nil) }
    /// A list.
    public static func list(_ items: [DocumentNode]) -> DocumentNode { .sequence(items, line: nil) }
    /// A mapping in the given order.
    public static func map(_ pairs: [(String, DocumentNode)]) -> DocumentNode {
        .mapping(pairs.map { (key: $0.0, value: $0.1) }, line: nil)
    }
}

/// Shortest text that reads back as the same Double (`3e7` → `30000000`, `0.1` → `0.1`).
func formatNumber(_ d: Double) -> String {
    if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
    return "\(d)"
}
