import Foundation

/// What can go wrong with supply, as probabilities (docs/scenario.md, `risk`): per provider and
/// per failure group (a site developer, a grid region, a chip vendor's allocation: one draw hits
/// every member, so their failures correlate). A provider the model does not name gets the
/// defaults of `RiskModel.defaults(for:)`, derived from its `failureProbability`.
public struct RiskModel: Hashable, Sendable, Codable {
    /// Per-provider events, drawn independently for each provider.
    public var providers: [ProviderRisk]
    /// Failure groups: each event is drawn once and hits every member.
    public var groups: [FailureGroup]

    /// A risk model; see the properties.
    public init(providers: [ProviderRisk] = [], groups: [FailureGroup] = []) {
        self.providers = providers
        self.groups = groups
    }

    /// A provider's own events when the model names none: an outage with its
    /// `failureProbability` over the horizon, starting in a month drawn uniformly, lasting one,
    /// three or six months (probabilities 0.5, 0.3, 0.2), delivering nothing; no slip.
    public static func defaults(for provider: Provider) -> ProviderRisk {
        ProviderRisk(
            provider: provider.id,
            outage: RiskEvent(
                probability: provider.failureProbability,
                lengths: [
                    RiskLength(days: 30, probability: 0.5), RiskLength(days: 91, probability: 0.3),
                    RiskLength(days: 182, probability: 0.2),
                ]))
    }

    /// Every provider's own events: as stated, else the defaults.
    public func providerRisks(_ scenario: Scenario) -> [ProviderRisk] {
        scenario.providers.map { p in providers.first { $0.provider == p.id } ?? Self.defaults(for: p) }
    }
}

/// One provider's own events.
public struct ProviderRisk: Hashable, Sendable, Codable {
    /// The provider.
    public var provider: ProviderID
    /// A delivery slip: deliveries not yet started when it strikes arrive later.
    public var slip: RiskEvent?
    /// An outage: the provider delivers `RiskEvent.deliveredFraction` of its capacity for a while.
    public var outage: RiskEvent?

    /// A provider's events; nil: none of that kind.
    public init(provider: ProviderID, slip: RiskEvent? = nil, outage: RiskEvent? = nil) {
        self.provider = provider
        self.slip = slip
        self.outage = outage
    }
}

/// Providers that fail together: one draw of each event hits them all.
public struct FailureGroup: Hashable, Sendable, Codable {
    /// Its identifier (a site developer, a grid region, a vendor's allocation).
    public var id: String
    /// The providers it hits.
    public var members: [ProviderID]
    /// A slip of every member's deliveries.
    public var slip: RiskEvent?
    /// An outage of every member.
    public var outage: RiskEvent?

    /// A failure group; see the properties.
    public init(id: String, members: [ProviderID], slip: RiskEvent? = nil, outage: RiskEvent? = nil) {
        self.id = id
        self.members = members
        self.slip = slip
        self.outage = outage
    }
}

/// One kind of event: whether it happens over the horizon, when, how long, how much is left.
public struct RiskEvent: Hashable, Sendable, Codable {
    /// Probability it happens at all within the horizon.
    public var probability: Double
    /// Its length, as a discrete table of days and probabilities summing to 1. A re-plan works in
    /// whole months: days are rounded up to months of `hoursPerMonth / 24` days.
    public var lengths: [RiskLength]
    /// The month it strikes; nil: drawn uniformly over the horizon's months (a slip: the
    /// horizon's first month, as a site late from the start).
    public var from: YearMonth?
    /// Share of capacity still delivered while it lasts (outages; 0: nothing).
    public var deliveredFraction: Double

    /// An event; see the properties.
    public init(probability: Double, lengths: [RiskLength], from: YearMonth? = nil, deliveredFraction: Double = 0) {
        self.probability = probability
        self.lengths = lengths
        self.from = from
        self.deliveredFraction = deliveredFraction
    }
}

/// One row of a length table.
public struct RiskLength: Hashable, Sendable, Codable {
    /// Days.
    public var days: Int
    /// Its probability, given that the event happens.
    public var probability: Double

    /// A row; see the properties.
    public init(days: Int, probability: Double) {
        self.days = days
        self.probability = probability
    }
}
