import Foundation

extension Scenario {
    /// Every semantic problem in the scenario at once: ranges, duplicate ids, unknown references.
    ///
    /// - Parameter accelerators: the accelerator models known to this scenario (the bundled catalog
    ///   merged with the scenario's own `accelerators`).
    /// - Returns: the problems, each with its path; empty when the scenario can be planned.
    public func validate(accelerators: [AcceleratorModelID: AcceleratorSpec]) -> [Diagnostic] {
        var v = Validator(accelerators: accelerators)
        v.check(self)
        return v.diagnostics
    }
}

private struct Validator {
    let accelerators: [AcceleratorModelID: AcceleratorSpec]
    var diagnostics: [Diagnostic] = []

    mutating func fail(_ path: String, _ message: String) {
        diagnostics.append(Diagnostic(path: path, message: message))
    }

    mutating func positive(_ value: Double, _ path: String) {
        if !(value > 0) || !value.isFinite { fail(path, "must be > 0") }
    }
    mutating func positive(_ value: Decimal, _ path: String) {
        if !(value > 0) { fail(path, "must be > 0") }
    }
    mutating func nonNegative(_ value: Decimal, _ path: String) {
        if value < 0 { fail(path, "must be >= 0") }
    }
    mutating func nonNegative(_ value: Int, _ path: String) {
        if value < 0 { fail(path, "must be >= 0") }
    }
    mutating func nonNegative(_ value: Double, _ path: String) {
        if !(value >= 0) || !value.isFinite { fail(path, "must be >= 0") }
    }
    mutating func fraction(_ value: Double, _ path: String, allowZero: Bool) {
        let ok = allowZero ? (0...1).contains(value) : (value > 0 && value <= 1)
        if !ok { fail(path, allowZero ? "must be between 0 and 1" : "must be > 0 and <= 1") }
    }

    mutating func reference<ID>(
        _ id: Identifier<ID>, in known: Set<Identifier<ID>>, _ path: String, noun: String
    ) {
        guard !known.contains(id) else { return }
        var message = "no \(noun) '\(id.rawValue)'"
        if let guess = closestMatch(to: id.rawValue, in: known.map(\.rawValue).sorted()) {
            message += " (did you mean '\(guess)'?)"
        }
        fail(path, message)
    }

    /// RFC 3986's unreserved characters: a URL path carries them without encoding.
    static func urlSafe(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "~": true
        default: false
        }
    }

    mutating func unique<ID>(_ ids: [Identifier<ID>], _ section: String) -> Set<Identifier<ID>> {
        var seen: [Identifier<ID>: Int] = [:]
        for (index, id) in ids.enumerated() {
            if id.rawValue.isEmpty {
                fail("\(section)[\(index)].id", "must not be empty")
            } else if id.rawValue == "." || id.rawValue == ".." {
                fail("\(section)[\(index)].id", "'\(id.rawValue)' is a path step in a URL; choose a name")
            } else if let bad = id.rawValue.unicodeScalars.first(where: { !Self.urlSafe($0) }) {
                // Ids name things in URLs (/v1/providers/{id}): only characters a URL path carries
                // as they are, so nothing created can become unreachable.
                fail(
                    "\(section)[\(index)].id",
                    "'\(id.rawValue)' has '\(bad.escaped(asASCII: true))'; ids may use letters a-z and A-Z, digits, '-', '_', '.' and '~' only"
                )
            } else if let first = seen[id] {
                fail("\(section)[\(index)].id", "duplicate id '\(id.rawValue)' (first at \(section)[\(first)])")
            } else {
                seen[id] = index
            }
        }
        return Set(ids)
    }

    mutating func accelerator(_ id: AcceleratorModelID, _ path: String) {
        guard let spec = accelerators[id] else {
            reference(id, in: Set(accelerators.keys), path, noun: "accelerator model")
            return
        }
        if let system = spec.system {
            fail(path, "'\(id)' is a \(system.count)-chip system; name the chip '\(system.chip)' and set the node size")
        }
    }

    /// Every problem of the scenario, section by section, in the file's order.
    mutating func check(_ s: Scenario) {
        checkTop(s)
        checkAccelerators(s)
        let providers = checkProviders(s)
        checkOffers(s, providers: providers)
        let sites = checkColocation(s, providers: providers)
        checkOwnedFleets(s, sites: sites)
        checkWorkloads(s)
        checkPolicy(s)
        if let risk = s.risk { checkRisk(risk, s, providers: Set(s.providers.map(\.id))) }
    }

    /// The risk model: known providers, probabilities, length tables that sum to 1, months inside
    /// the horizon, no provider named twice, groups of at least one member.
    mutating func checkRisk(_ risk: RiskModel, _ s: Scenario, providers: Set<ProviderID>) {
        var seen: Set<ProviderID> = []
        for (i, entry) in risk.providers.enumerated() {
            let p = "risk.providers[\(i)]"
            reference(entry.provider, in: providers, "\(p).provider", noun: "provider")
            if !seen.insert(entry.provider).inserted { fail("\(p).provider", "'\(entry.provider)' is named twice") }
            if let slip = entry.slip { checkRiskEvent(slip, "\(p).slip", s) }
            if let outage = entry.outage { checkRiskEvent(outage, "\(p).outage", s) }
        }
        var groups: Set<String> = []
        for (i, group) in risk.groups.enumerated() {
            let p = "risk.groups[\(i)]"
            if group.id.isEmpty { fail("\(p).id", "must not be empty") }
            if !groups.insert(group.id).inserted { fail("\(p).id", "'\(group.id)' is used twice") }
            if group.members.isEmpty { fail("\(p).members", "must name at least one provider") }
            for (j, member) in group.members.enumerated() {
                reference(member, in: providers, "\(p).members[\(j)]", noun: "provider")
            }
            if let slip = group.slip { checkRiskEvent(slip, "\(p).slip", s) }
            if let outage = group.outage { checkRiskEvent(outage, "\(p).outage", s) }
        }
    }

    mutating func checkRiskEvent(_ event: RiskEvent, _ p: String, _ s: Scenario) {
        fraction(event.probability, "\(p).probability", allowZero: true)
        fraction(event.deliveredFraction, "\(p).deliveredFraction", allowZero: true)
        if event.lengths.isEmpty { fail("\(p).lengths", "must have at least one row") }
        for (i, row) in event.lengths.enumerated() {
            if row.days < 1 { fail("\(p).lengths[\(i)].days", "must be >= 1") }
            fraction(row.probability, "\(p).lengths[\(i)].probability", allowZero: true)
        }
        let total = event.lengths.reduce(0) { $0 + $1.probability }
        if !event.lengths.isEmpty, abs(total - 1) > 1e-6 {
            fail("\(p).lengths", "probabilities must sum to 1 (they sum to \(total))")
        }
        if let from = event.from, !(s.horizon.start...s.horizon.end).contains(from) {
            fail("\(p).from", "\(from) is outside the horizon \(s.horizon.start)…\(s.horizon.end)")
        }
    }

    /// The name, the horizon, the hours in a month and the reference accelerator.
    mutating func checkTop(_ s: Scenario) {
        if s.name.trimmingCharacters(in: .whitespaces).isEmpty { fail("name", "must not be empty") }
        if s.horizon.months < 1 { fail("horizon.months", "must be >= 1") }
        if s.horizon.months > 120 { fail("horizon.months", "must be <= 120 (ten years of monthly periods)") }
        if !(s.hoursPerMonth > 0 && s.hoursPerMonth <= 744) { fail("hoursPerMonth", "must be > 0 and <= 744") }
        accelerator(s.referenceAccelerator, "referenceAccelerator")
    }

    /// The accelerator specs the scenario adds to the catalog.
    mutating func checkAccelerators(_ s: Scenario) {
        for (i, spec) in s.accelerators.enumerated() {
            let p = "accelerators[\(i)]"
            positive(spec.bf16DenseTFLOPS, "\(p).bf16DenseTFLOPS")
            positive(spec.hbmGB, "\(p).hbmGB")
            positive(spec.hbmTBps, "\(p).hbmTBps")
            if spec.scaleUpDomain < 1 { fail("\(p).scaleUpDomain", "must be >= 1") }
            if spec.stacks.isEmpty { fail("\(p).stacks", "must name at least one software stack") }
            fraction(spec.matmulEfficiency, "\(p).matmulEfficiency", allowZero: false)
        }
        _ = unique(s.accelerators.map(\.id), "accelerators")
    }

    /// The providers; their ids.
    mutating func checkProviders(_ s: Scenario) -> Set<ProviderID> {
        let providers = unique(s.providers.map(\.id), "providers")
        for (i, provider) in s.providers.enumerated() {
            fraction(provider.failureProbability, "providers[\(i)].failureProbability", allowZero: true)
        }
        return providers
    }

    /// The offers: their providers, accelerators, quantities, prices and regions.
    mutating func checkOffers(_ s: Scenario, providers: Set<ProviderID>) {
        _ = unique(s.offers.map(\.id), "offers")
        let allowedRegions = s.policy.allowedRegions.map(Set.init)
        for (i, offer) in s.offers.enumerated() {
            let p = "offers[\(i)]"
            reference(offer.provider, in: providers, "\(p).provider", noun: "provider")
            accelerator(offer.accelerator, "\(p).accelerator")
            if offer.acceleratorsPerNode < 1 { fail("\(p).acceleratorsPerNode", "must be >= 1") }
            if offer.availableNodes < 1 { fail("\(p).availableNodes", "must be >= 1") }
            nonNegative(offer.leadTimeDays, "\(p).leadTimeDays")
            nonNegative(offer.minimumNodes, "\(p).minimumNodes")
            if offer.minimumNodes > offer.availableNodes, offer.availableNodes >= 1 {
                fail("\(p).minimumNodes", "must be <= availableNodes (\(offer.availableNodes))")
            }
            if offer.pricePerAcceleratorHour.isEmpty {
                fail("\(p).prices", "must give a price for at least one term (onDemand, oneYear, threeYear)")
            }
            for term in CommitmentTerm.allCases {
                if let price = offer.pricePerAcceleratorHour[term] { positive(price, "\(p).prices.\(term.rawValue)") }
            }
            if offer.region.rawValue.isEmpty { fail("\(p).region", "must not be empty") }
            if let backup = offer.backup {
                if backup.availableNodes < 1 { fail("\(p).backup.availableNodes", "must be >= 1") }
                nonNegative(backup.feePerNodeMonth, "\(p).backup.feePerNodeMonth")
                positive(backup.exercisePricePerAcceleratorHour, "\(p).backup.exercisePrice")
            }
            if let allowed = allowedRegions, !allowed.contains(offer.region), !offer.region.rawValue.isEmpty {
                // Not an error: the planner ignores the offer. Said here so a typo in a region shows.
                if let guess = closestMatch(to: offer.region.rawValue, in: allowed.map(\.rawValue).sorted()),
                    guess != offer.region.rawValue
                {
                    fail("\(p).region", "'\(offer.region)' is not in policy.allowedRegions (did you mean '\(guess)'?)")
                }
            }
        }
    }

    /// The colocation sites; their ids.
    mutating func checkColocation(_ s: Scenario, providers: Set<ProviderID>) -> Set<ColocationSiteID> {
        let sites = unique(s.colocation.map(\.id), "colocation")
        for (i, site) in s.colocation.enumerated() {
            let p = "colocation[\(i)]"
            reference(site.provider, in: providers, "\(p).provider", noun: "provider")
            positive(site.powerKW, "\(p).powerKW")
            nonNegative(site.pricePerKWMonth, "\(p).pricePerKWMonth")
            nonNegative(site.leadTimeDays, "\(p).leadTimeDays")
        }
        return sites
    }

    /// The owned fleets: their accelerators, arrivals and the sites that may host them.
    mutating func checkOwnedFleets(_ s: Scenario, sites: Set<ColocationSiteID>) {
        _ = unique(s.ownedFleets.map(\.id), "ownedFleets")
        for (i, fleet) in s.ownedFleets.enumerated() {
            let p = "ownedFleets[\(i)]"
            accelerator(fleet.accelerator, "\(p).accelerator")
            positive(fleet.powerPerAcceleratorW, "\(p).powerPerAcceleratorW")
            if fleet.arrivals.isEmpty { fail("\(p).arrivals", "must list at least one arrival") }
            for (j, arrival) in fleet.arrivals.enumerated() where arrival.count < 1 {
                fail("\(p).arrivals[\(j)].count", "must be >= 1")
            }
            for (j, site) in (fleet.hostableAt ?? []).enumerated() {
                reference(site, in: sites, "\(p).hostableAt[\(j)]", noun: "colocation site")
            }
            if s.colocation.isEmpty {
                fail("\(p)", "owned hardware needs a colocation site to be hosted at; the scenario has none")
            }
        }
    }

    /// The workloads: demand, window, stacks, gang and speeds.
    mutating func checkWorkloads(_ s: Scenario) {
        _ = unique(s.workloads.map(\.id), "workloads")
        for (i, w) in s.workloads.enumerated() {
            let p = "workloads[\(i)]"
            switch w.demand {
            case .training(let work), .batch(let work): positive(work, "\(p).work")
            case .service(let capacity): positive(capacity, "\(p).capacity")
            }
            if w.window.end < w.window.start {
                fail("\(p).window.end", "must not be before window.start (\(w.window.start))")
            }
            if w.window.start <= w.window.end, w.window.end < s.horizon.start || w.window.start > s.horizon.end {
                fail("\(p).window", "lies outside the horizon \(s.horizon.start)…\(s.horizon.end)")
            }
            if w.stacks.isEmpty { fail("\(p).stacks", "must name at least one software stack") }
            if w.gang < 1 { fail("\(p).gang", "must be >= 1") }
            if case .mix(let fraction) = w.profile, !(0...1).contains(fraction) {
                fail("\(p).computeFraction", "must be between 0 and 1 (the share of its time bound by compute)")
            }
            for (model, speed) in w.speed.sorted(by: { $0.key < $1.key }) {
                accelerator(model, "\(p).speed.\(model)")
                positive(speed, "\(p).speed.\(model)")
                if let spec = accelerators[model], !spec.runs(anyOf: w.stacks) {
                    fail(
                        "\(p).speed.\(model)",
                        "'\(model)' runs none of the workload's stacks \(w.stacks.map(\.rawValue))")
                }
            }
            if !w.stacks.isEmpty,
                !accelerators.values.contains(where: { $0.system == nil && $0.runs(anyOf: w.stacks) })
            {
                fail("\(p).stacks", "no known accelerator runs \(w.stacks.map(\.rawValue))")
            }
        }
    }

    /// The policy: caps, coverage, budget, penalty and regions.
    mutating func checkPolicy(_ s: Scenario) {
        let policy = s.policy
        fraction(policy.maxProviderShare, "policy.maxProviderShare", allowZero: false)
        fraction(policy.criticalCoverage, "policy.resilience.criticalCoverage", allowZero: false)
        if let budget = policy.budgetUSD { positive(budget, "policy.budgetUSD") }
        nonNegative(policy.shortfallPenaltyPerReferenceHour, "policy.shortfallPenaltyPerReferenceHour")
        if let regions = policy.allowedRegions, regions.isEmpty {
            fail("policy.allowedRegions", "must list at least one region, or be left out to allow any")
        }
    }
}
