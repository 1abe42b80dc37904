import Foundation

/// Changes to a scenario that are planned without being made: another supplier cap, an offer's
/// prices scaled, an offer's availability. A plan of a what-if is for comparing with the plan of
/// the scenario as it is; it is never accepted (the leases it would sign rest on terms nobody
/// offered).
public struct WhatIf: Codable, Sendable, Equatable, Hashable {
    /// One offer's changed terms.
    public struct OfferChange: Codable, Sendable, Equatable, Hashable {
        /// The offer.
        public var offer: OfferID
        /// Every price of the offer (each term's, and its backup's) multiplied by this.
        public var priceFactor: Double?
        /// Nodes it makes available instead of its own.
        public var availableNodes: Int?

        /// An offer's change; see the properties.
        public init(offer: OfferID, priceFactor: Double? = nil, availableNodes: Int? = nil) {
            self.offer = offer
            self.priceFactor = priceFactor
            self.availableNodes = availableNodes
        }
    }

    /// The cap on any one provider's share instead of the policy's.
    public var maxProviderShare: Double?
    /// Offers' changed terms.
    public var offers: [OfferChange]

    /// A what-if; see the properties.
    public init(maxProviderShare: Double? = nil, offers: [OfferChange] = []) {
        self.maxProviderShare = maxProviderShare
        self.offers = offers
    }

    /// Whether it changes nothing.
    public var isEmpty: Bool {
        maxProviderShare == nil && offers.allSatisfy { $0.priceFactor == nil && $0.availableNodes == nil }
    }

    /// What is wrong with it against `scenario`, each with the field's path (`offers[0].offer`);
    /// empty when it applies.
    public func problems(in scenario: Scenario) -> [Diagnostic] {
        var found: [Diagnostic] = []
        func add(_ path: String, _ message: String) { found.append(Diagnostic(path: path, message: message)) }
        if isEmpty { add("", "changes nothing: give maxProviderShare or an offer's priceFactor or availableNodes") }
        if let cap = maxProviderShare, !(cap > 0 && cap <= 1) {
            add("maxProviderShare", "must be above 0 and at most 1")
        }
        var seen: Set<OfferID> = []
        for (i, change) in offers.enumerated() {
            if !scenario.offers.contains(where: { $0.id == change.offer }) {
                add("offers[\(i)].offer", "no offer '\(change.offer)' in scenario \(scenario.name)")
            } else if !seen.insert(change.offer).inserted {
                add("offers[\(i)].offer", "offer '\(change.offer)' is changed twice")
            }
            if let factor = change.priceFactor, !(factor > 0 && factor <= 100) {
                add("offers[\(i)].priceFactor", "must be above 0 and at most 100")
            }
            if let nodes = change.availableNodes, nodes < 0 {
                add("offers[\(i)].availableNodes", "must be 0 or more")
            }
        }
        return found
    }

    /// `scenario` with the changes made; `InputError` with `problems(in:)` when there are any.
    public func applied(to scenario: Scenario) throws(InputError) -> Scenario {
        let problems = problems(in: scenario)
        guard problems.isEmpty else { throw InputError(problems, source: "what-if") }
        var changed = scenario
        if let cap = maxProviderShare { changed.policy.maxProviderShare = cap }
        for change in offers {
            guard let i = changed.offers.firstIndex(where: { $0.id == change.offer }) else { continue }
            if let factor = change.priceFactor {
                let scale = Decimal(string: String(factor)) ?? Decimal(factor)
                changed.offers[i].pricePerAcceleratorHour = changed.offers[i].pricePerAcceleratorHour.mapValues {
                    $0 * scale
                }
                if var backup = changed.offers[i].backup {
                    backup.feePerNodeMonth *= scale
                    backup.exercisePricePerAcceleratorHour *= scale
                    changed.offers[i].backup = backup
                }
            }
            if let nodes = change.availableNodes {
                changed.offers[i].availableNodes = nodes
                changed.offers[i].minimumNodes = min(changed.offers[i].minimumNodes, nodes)
            }
        }
        return changed
    }

    /// Each change as a sentence against `scenario` as it is ("supplier cap 40% instead of 50%").
    public func sentences(for scenario: Scenario) -> [String] {
        var out: [String] = []
        if let cap = maxProviderShare {
            out.append(
                "supplier cap \(Formatted.percent(cap)) instead of \(Formatted.percent(scenario.policy.maxProviderShare))"
            )
        }
        for change in offers.sorted(by: { $0.offer.rawValue < $1.offer.rawValue }) {
            let offer = scenario.offers.first { $0.id == change.offer }
            if let factor = change.priceFactor {
                let sign = factor >= 1 ? "+" : "−"
                out.append("\(change.offer)'s prices \(sign)\(Formatted.percent(abs(factor - 1)))")
            }
            if let nodes = change.availableNodes {
                out.append("\(change.offer) offers \(nodes) nodes instead of \(offer?.availableNodes ?? 0)")
            }
        }
        return out
    }
}
