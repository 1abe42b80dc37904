import Foundation

/// What kind of company a provider is.
public enum ProviderKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A GPU cloud such as CoreWeave, Nebius, Crusoe, Lambda.
    case neocloud
    /// AWS, Google Cloud, Azure, Oracle.
    case hyperscaler
    /// A data-centre operator that rents power and space.
    case colocation
    /// The lab itself (owned hardware).
    case `self`
}

/// A company that supplies capacity.
public struct Provider: Hashable, Sendable, Codable {
    /// Its identifier.
    public var id: ProviderID
    /// Its kind.
    public var kind: ProviderKind
    /// Chance it fails to deliver over the horizon, 0...1; prices the expected exercise of backups.
    public var failureProbability: Double

    /// A provider; `failureProbability` defaults to 0.05.
    public init(id: ProviderID, kind: ProviderKind, failureProbability: Double = Provider.defaultFailureProbability) {
        self.id = id
        self.kind = kind
        self.failureProbability = failureProbability
    }

    /// The failure probability assumed when a scenario gives none.
    public static let defaultFailureProbability = 0.05
}

/// A commitment term for leased capacity.
public enum CommitmentTerm: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
    /// Month to month: no commitment beyond the month.
    case onDemand
    /// A 12-month commitment.
    case oneYear
    /// A 36-month commitment.
    case threeYear

    /// How many months one signature commits to.
    public var months: Int {
        switch self {
        case .onDemand: 1
        case .oneYear: 12
        case .threeYear: 36
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.months < rhs.months }
}

/// Standby capacity a provider holds for a fee, used only when another supplier fails.
public struct BackupTerms: Hashable, Sendable, Codable {
    /// Nodes the provider will hold.
    public var availableNodes: Int
    /// USD per node per month while held.
    public var feePerNodeMonth: Decimal
    /// USD per accelerator-hour while exercised.
    public var exercisePricePerAcceleratorHour: Decimal

    /// Backup terms; see the properties for units.
    public init(availableNodes: Int, feePerNodeMonth: Decimal, exercisePricePerAcceleratorHour: Decimal) {
        self.availableNodes = availableNodes
        self.feePerNodeMonth = feePerNodeMonth
        self.exercisePricePerAcceleratorHour = exercisePricePerAcceleratorHour
    }
}

/// Something a provider will sell: nodes of one accelerator model in one region.
public struct Offer: Hashable, Sendable, Codable {
    /// Its identifier.
    public var id: OfferID
    /// Who sells it.
    public var provider: ProviderID
    /// The chip, e.g. `nvidia-gb200` (an NVL72 rack is 72 of them in one node).
    public var accelerator: AcceleratorModelID
    /// Accelerators in the unit sold.
    public var acceleratorsPerNode: Int
    /// Where the capacity is.
    public var region: RegionID
    /// Most nodes active at once.
    public var availableNodes: Int
    /// Days from the horizon's start before the first node can be active.
    public var leadTimeDays: Int
    /// If anything is signed, at least this many nodes (0: no minimum).
    public var minimumNodes: Int
    /// USD per accelerator-hour by term; a missing term is not offered.
    public var pricePerAcceleratorHour: [CommitmentTerm: Decimal]
    /// Standby capacity, if the provider sells it.
    public var backup: BackupTerms?

    /// An offer; see the properties for units.
    public init(
        id: OfferID, provider: ProviderID, accelerator: AcceleratorModelID, acceleratorsPerNode: Int,
        region: RegionID, availableNodes: Int, leadTimeDays: Int = 0, minimumNodes: Int = 0,
        pricePerAcceleratorHour: [CommitmentTerm: Decimal], backup: BackupTerms? = nil
    ) {
        self.id = id
        self.provider = provider
        self.accelerator = accelerator
        self.acceleratorsPerNode = acceleratorsPerNode
        self.region = region
        self.availableNodes = availableNodes
        self.leadTimeDays = leadTimeDays
        self.minimumNodes = minimumNodes
        self.pricePerAcceleratorHour = pricePerAcceleratorHour
        self.backup = backup
    }
}

/// Rentable power and space at a provider's data centre, for owned hardware.
public struct ColocationSite: Hashable, Sendable, Codable {
    /// Its identifier.
    public var id: ColocationSiteID
    /// The operator.
    public var provider: ProviderID
    /// Where it is.
    public var region: RegionID
    /// Power that can be rented, kW.
    public var powerKW: Double
    /// USD per kW per month.
    public var pricePerKWMonth: Decimal
    /// Days from the horizon's start before power is available.
    public var leadTimeDays: Int

    /// A site; see the properties for units.
    public init(
        id: ColocationSiteID, provider: ProviderID, region: RegionID, powerKW: Double,
        pricePerKWMonth: Decimal, leadTimeDays: Int = 0
    ) {
        self.id = id
        self.provider = provider
        self.region = region
        self.powerKW = powerKW
        self.pricePerKWMonth = pricePerKWMonth
        self.leadTimeDays = leadTimeDays
    }
}

/// Accelerators arriving in one month.
public struct Arrival: Hashable, Sendable, Codable {
    /// The month they arrive (usable from that month).
    public var month: YearMonth
    /// How many accelerators.
    public var count: Int
    /// `count` accelerators in `month`.
    public init(month: YearMonth, count: Int) {
        self.month = month
        self.count = count
    }
}

/// Hardware the lab owns, which needs hosted power at a colocation site.
public struct OwnedFleet: Hashable, Sendable, Codable {
    /// Its identifier.
    public var id: OwnedFleetID
    /// The chip.
    public var accelerator: AcceleratorModelID
    /// W per accelerator including its share of host, network and cooling.
    public var powerPerAcceleratorW: Double
    /// Deliveries.
    public var arrivals: [Arrival]
    /// Sites that can host it; nil means any.
    public var hostableAt: [ColocationSiteID]?

    /// A fleet; see the properties for units.
    public init(
        id: OwnedFleetID, accelerator: AcceleratorModelID, powerPerAcceleratorW: Double, arrivals: [Arrival],
        hostableAt: [ColocationSiteID]? = nil
    ) {
        self.id = id
        self.accelerator = accelerator
        self.powerPerAcceleratorW = powerPerAcceleratorW
        self.arrivals = arrivals
        self.hostableAt = hostableAt
    }

    /// Accelerators delivered by the end of `month`.
    public func delivered(by month: YearMonth) -> Int {
        arrivals.filter { $0.month <= month }.reduce(0) { $0 + $1.count }
    }
}

/// A span of whole months, both ends included.
public struct MonthWindow: Hashable, Sendable, Codable {
    /// The first month.
    public var start: YearMonth
    /// The last month (a training run's deadline).
    public var end: YearMonth
    /// From `start` to `end`, inclusive.
    public init(start: YearMonth, end: YearMonth) {
        self.start = start
        self.end = end
    }
    /// Whether `month` lies inside.
    public func contains(_ month: YearMonth) -> Bool { start <= month && month <= end }
}

/// The kinds of workload, as scenario files and reports name them.
public enum WorkloadKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// One training run (`Demand.training`).
    case training
    /// A batch stream (`Demand.batch`).
    case batch
    /// A service (`Demand.service`).
    case service
}

/// What a workload demands. Every kind comes in gangs of `Workload.gang` accelerators of one
/// model; they differ in where a gang may run and for how long.
public enum Demand: Hashable, Sendable, Codable {
    /// One training run: a single job of `gang` accelerators of one model inside one cluster (one
    /// provider's nodes of one model in one region, or an owned fleet at one site), in every month
    /// it runs, doing `work` reference accelerator-hours inside the window; the window's end is the
    /// deadline. It never straddles two clusters; only a re-plan moves it.
    case training(work: Double)
    /// A batch stream: many independent jobs of `gang` accelerators whose `work` (reference
    /// accelerator-hours in all) must be done inside the window; they may run on any cluster.
    case batch(work: Double)
    /// A service: `capacity` reference accelerators in every month of the window, as replicas of
    /// `gang` accelerators, each replica inside one cluster; replicas may spread.
    case service(capacity: Double)

    /// Its kind.
    public var kind: WorkloadKind {
        switch self {
        case .training: .training
        case .batch: .batch
        case .service: .service
        }
    }

    /// The work of a training run or a batch stream, reference accelerator-hours; nil for a service.
    public var work: Double? {
        switch self {
        case .training(let work), .batch(let work): work
        case .service: nil
        }
    }

    /// Whether this is a batch stream.
    public var isBatch: Bool { if case .batch = self { true } else { false } }
}

/// What bounds a workload's speed, for the catalog's estimate: how much of its time on the
/// calibration accelerator (an H100) goes to compute, the rest to moving weights and activations
/// through HBM. See docs/catalog.md for the model and its calibration.
public enum WorkloadProfile: Hashable, Sendable, Codable {
    /// Large-model pre-training: compute bound (the default for a training run).
    case pretraining
    /// Fine-tuning (LoRA or full): compute and memory bandwidth (the default for a batch stream).
    case fineTuning
    /// Inference prefill: compute bound, by the roofline.
    case prefill
    /// Inference decode, serving tokens: memory-bandwidth bound (the default for a service).
    case decode
    /// A mix the workload states: the fraction of its H100 time that is compute bound, in [0, 1].
    case mix(computeFraction: Double)

    /// The profile's name in scenario files; nil for a stated mix.
    public var name: String? {
        switch self {
        case .pretraining: "pretraining"
        case .fineTuning: "fine-tuning"
        case .prefill: "prefill"
        case .decode: "decode"
        case .mix: nil
        }
    }

    /// The named profiles, in the order docs list them.
    public static let named: [WorkloadProfile] = [.pretraining, .fineTuning, .prefill, .decode]

    /// A named profile by its scenario-file name.
    public init?(name: String) {
        guard let profile = Self.named.first(where: { $0.name == name }) else { return nil }
        self = profile
    }

    /// The profile a workload of this demand has when it states none.
    public static func defaultProfile(for demand: Demand) -> WorkloadProfile {
        switch demand {
        case .training: .pretraining
        case .batch: .fineTuning
        case .service: .decode
        }
    }
}

/// Demand for compute: a training run, a batch stream or a service.
public struct Workload: Hashable, Sendable, Codable {
    /// Its identifier.
    public var id: WorkloadID
    /// Training work or service capacity.
    public var demand: Demand
    /// When it may run (training) or must be served (service).
    public var window: MonthWindow
    /// Software it runs on; accelerator models with none of these are excluded.
    public var stacks: [SoftwareStack]
    /// Accelerators of one model it needs at once (1: no gang).
    public var gang: Int
    /// Whether N-1 resilience protects it.
    public var critical: Bool
    /// Measured speed per model, reference units per accelerator-hour; overrides the estimate.
    public var speed: [AcceleratorModelID: Double]
    /// What bounds its speed, for the estimate; nil: the default for its kind of demand.
    public var profile: WorkloadProfile?

    /// The profile the estimate uses: the stated one, else the default for its demand.
    public var effectiveProfile: WorkloadProfile { profile ?? .defaultProfile(for: demand) }

    /// A workload; see the properties for units.
    public init(
        id: WorkloadID, demand: Demand, window: MonthWindow, stacks: [SoftwareStack], gang: Int = 1,
        critical: Bool = false, speed: [AcceleratorModelID: Double] = [:], profile: WorkloadProfile? = nil
    ) {
        self.profile = profile
        self.id = id
        self.demand = demand
        self.window = window
        self.stacks = stacks
        self.gang = gang
        self.critical = critical
        self.speed = speed
    }
}

/// How much resilience the plan must buy.
public enum ResilienceMode: String, Hashable, Sendable, Codable, CaseIterable {
    /// No protection against a supplier's loss.
    case none
    /// Critical work stays covered if any one provider fails.
    case nMinus1 = "n-1"
}

/// What the planner optimises.
public enum PlanningObjective: String, Hashable, Sendable, Codable, CaseIterable {
    /// Least total cost, shortfall priced by the policy's penalty.
    case minimizeCost = "minimize-cost"
}

/// The rules a plan must follow.
public struct Policy: Hashable, Sendable, Codable {
    /// What to optimise.
    public var objective: PlanningObjective
    /// Most any one provider may supply of a month's capacity, in reference units (0...1].
    public var maxProviderShare: Double
    /// Resilience level.
    public var resilience: ResilienceMode
    /// Fraction of critical demand that must survive a provider's loss (0...1].
    public var criticalCoverage: Double
    /// Most the plan may spend over the horizon, USD; nil: no budget.
    public var budgetUSD: Decimal?
    /// Regions capacity may come from; nil: any.
    public var allowedRegions: [RegionID]?
    /// USD per reference accelerator-hour of demand left unmet.
    public var shortfallPenaltyPerReferenceHour: Decimal

    /// A policy; defaults: share cap 1, no resilience, coverage 1, no budget, any region, $50/reference-hour.
    public init(
        objective: PlanningObjective = .minimizeCost, maxProviderShare: Double = 1,
        resilience: ResilienceMode = .none, criticalCoverage: Double = 1, budgetUSD: Decimal? = nil,
        allowedRegions: [RegionID]? = nil, shortfallPenaltyPerReferenceHour: Decimal = 50
    ) {
        self.objective = objective
        self.maxProviderShare = maxProviderShare
        self.resilience = resilience
        self.criticalCoverage = criticalCoverage
        self.budgetUSD = budgetUSD
        self.allowedRegions = allowedRegions
        self.shortfallPenaltyPerReferenceHour = shortfallPenaltyPerReferenceHour
    }
}

/// Everything the planner needs: supply, demand and the rules.
public struct Scenario: Hashable, Sendable, Codable {
    /// A short name.
    public var name: String
    /// The months planned.
    public var horizon: Horizon
    /// Hours in a month, for every cost and unit of work (730 by default).
    public var hoursPerMonth: Double
    /// The accelerator whose hour is one reference unit.
    public var referenceAccelerator: AcceleratorModelID
    /// Accelerator models the scenario adds to, or overrides in, the bundled catalog.
    public var accelerators: [AcceleratorSpec]
    /// Suppliers.
    public var providers: [Provider]
    /// What they sell.
    public var offers: [Offer]
    /// Power and space for owned hardware.
    public var colocation: [ColocationSite]
    /// Hardware the lab owns.
    public var ownedFleets: [OwnedFleet]
    /// Demand.
    public var workloads: [Workload]
    /// The rules.
    public var policy: Policy
    /// What can go wrong with supply, for `switchyard risk` (nil: each provider's defaults). It
    /// does not change the plan, so a plan's scenario fingerprint leaves it out.
    public var risk: RiskModel?

    /// A scenario; see the properties for units.
    public init(
        name: String, horizon: Horizon, hoursPerMonth: Double = 730,
        referenceAccelerator: AcceleratorModelID = "nvidia-h100", accelerators: [AcceleratorSpec] = [],
        providers: [Provider], offers: [Offer], colocation: [ColocationSite] = [],
        ownedFleets: [OwnedFleet] = [], workloads: [Workload], policy: Policy = Policy(), risk: RiskModel? = nil
    ) {
        self.risk = risk
        self.name = name
        self.horizon = horizon
        self.hoursPerMonth = hoursPerMonth
        self.referenceAccelerator = referenceAccelerator
        self.accelerators = accelerators
        self.providers = providers
        self.offers = offers
        self.colocation = colocation
        self.ownedFleets = ownedFleets
        self.workloads = workloads
        self.policy = policy
    }
}
