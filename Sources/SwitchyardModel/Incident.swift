/// A supply event: what broke, where, from when. Read from YAML or JSON by `Incident.load` and
/// `Incident.decode` (SwitchyardCatalog; docs/planner.md).
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
}
