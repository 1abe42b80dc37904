import Foundation

/// A sourcing plan: what to sign, how it is used, what it costs, how it survives a supplier's
/// loss, and why. Its JSON form (`PlanFile`) is stable and documented in docs/planner.md.
public struct Plan: Codable, Sendable, Equatable {
    /// The scenario's name.
    public var scenario: String
    /// Fingerprint of the scenario the plan was made for; `replan` refuses a plan of another scenario.
    public var scenarioFingerprint: String
    /// The months planned.
    public var horizon: Horizon
    /// Hours per month used for every cost.
    public var hoursPerMonth: Double
    /// Leases to sign.
    public var leases: [Lease]
    /// Colocation power rented, per site and month.
    public var colocation: [ColocationUse]
    /// Backup options held, per offer and month.
    public var backups: [BackupHold]
    /// Backups exercised in the plan itself (only after an incident, by `replan`).
    public var exercisedBackups: [BackupExercise]
    /// Accelerators given to each workload, per model and month.
    public var allocation: [Allocation]
    /// Where each training run lives and when: one entry per stretch in one cluster (a re-plan
    /// may restart a run elsewhere: then two).
    public var runs: [TrainingRun]
    /// Where batch streams' jobs and services' replicas run: whole gangs per cluster and month
    /// (a workload whose gang is one accelerator is not listed: it fits anywhere).
    public var placements: [GangPlacement]
    /// Demand left unmet, with the month (services) or window (training).
    public var shortfalls: [Shortfall]
    /// Costs, by kind, provider, model and month.
    public var cost: CostBreakdown
    /// Each provider's share of each month's capacity.
    public var shares: [ProviderShare]
    /// The N-1 table: each provider's loss, one row each (empty when resilience is off).
    public var resilience: [ProviderLoss]
    /// Why the plan is what it is.
    public var explanation: Explanation
    /// How the solve went.
    public var solver: SolverReport
    /// For a plan of a what-if (`WhatIf`): its changes to the scenario, one sentence each; nil
    /// for a plan of the scenario as it is. Such a plan is compared, never accepted.
    public var whatIf: [String]?

    /// A Plan from its fields.
    public init(
        scenario: String, scenarioFingerprint: String, horizon: Horizon, hoursPerMonth: Double, leases: [Lease],
        colocation: [ColocationUse], backups: [BackupHold], exercisedBackups: [BackupExercise],
        allocation: [Allocation], runs: [TrainingRun] = [], placements: [GangPlacement] = [],
        shortfalls: [Shortfall], cost: CostBreakdown, shares: [ProviderShare], resilience: [ProviderLoss],
        explanation: Explanation, solver: SolverReport
    ) {
        self.runs = runs
        self.placements = placements
        self.scenario = scenario
        self.scenarioFingerprint = scenarioFingerprint
        self.horizon = horizon
        self.hoursPerMonth = hoursPerMonth
        self.leases = leases
        self.colocation = colocation
        self.backups = backups
        self.exercisedBackups = exercisedBackups
        self.allocation = allocation
        self.shortfalls = shortfalls
        self.cost = cost
        self.shares = shares
        self.resilience = resilience
        self.explanation = explanation
        self.solver = solver
    }
}

extension Plan {
    /// Decodes a plan; `runs` and `placements` may be absent (plans written before they
    /// existed, still kept in a record): then there are none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            scenario: try c.decode(String.self, forKey: .scenario),
            scenarioFingerprint: try c.decode(String.self, forKey: .scenarioFingerprint),
            horizon: try c.decode(Horizon.self, forKey: .horizon),
            hoursPerMonth: try c.decode(Double.self, forKey: .hoursPerMonth),
            leases: try c.decode([Lease].self, forKey: .leases),
            colocation: try c.decode([ColocationUse].self, forKey: .colocation),
            backups: try c.decode([BackupHold].self, forKey: .backups),
            exercisedBackups: try c.decode([BackupExercise].self, forKey: .exercisedBackups),
            allocation: try c.decode([Allocation].self, forKey: .allocation),
            runs: try c.decodeIfPresent([TrainingRun].self, forKey: .runs) ?? [],
            placements: try c.decodeIfPresent([GangPlacement].self, forKey: .placements) ?? [],
            shortfalls: try c.decode([Shortfall].self, forKey: .shortfalls),
            cost: try c.decode(CostBreakdown.self, forKey: .cost),
            shares: try c.decode([ProviderShare].self, forKey: .shares),
            resilience: try c.decode([ProviderLoss].self, forKey: .resilience),
            explanation: try c.decode(Explanation.self, forKey: .explanation),
            solver: try c.decode(SolverReport.self, forKey: .solver))
        whatIf = try c.decodeIfPresent([String].self, forKey: .whatIf)
    }
}

/// Something placed in one cluster: a training run's stretch or a workload's gangs.
public protocol InCluster {
    var workload: WorkloadID { get }
    var provider: ProviderID { get }
    var accelerator: AcceleratorModelID { get }
    var region: RegionID { get }
    var fleet: OwnedFleetID? { get }
    var site: ColocationSiteID? { get }
    /// The cluster's name, as `TrainingRun.clusterName` gives it.
    var cluster: String { get }
}

/// Whole gangs of one batch stream (jobs running at once) or one service (replicas) in one
/// cluster in one month.
public struct GangPlacement: Codable, Sendable, Equatable, InCluster {
    /// The batch stream or service.
    public var workload: WorkloadID
    /// The provider of the cluster (for an owned fleet: the site's operator).
    public var provider: ProviderID
    /// The accelerator model.
    public var accelerator: AcceleratorModelID
    /// The cluster's region.
    public var region: RegionID
    /// The owned fleet, when the cluster is the lab's own hardware.
    public var fleet: OwnedFleetID?
    /// The colocation site hosting that fleet.
    public var site: ColocationSiteID?
    /// The month.
    public var month: YearMonth
    /// Whole gangs (jobs or replicas) held there that month.
    public var gangs: Int
    /// Accelerators they hold: gangs × the workload's gang.
    public var accelerators: Int

    /// A placement from its fields.
    public init(
        workload: WorkloadID, provider: ProviderID, accelerator: AcceleratorModelID, region: RegionID,
        fleet: OwnedFleetID? = nil, site: ColocationSiteID? = nil, month: YearMonth, gangs: Int, accelerators: Int
    ) {
        self.workload = workload
        self.provider = provider
        self.accelerator = accelerator
        self.region = region
        self.fleet = fleet
        self.site = site
        self.month = month
        self.gangs = gangs
        self.accelerators = accelerators
    }

    /// The cluster's name, as `TrainingRun.clusterName` gives it.
    public var cluster: String {
        TrainingRun.clusterName(provider: provider, accelerator: accelerator, region: region, fleet: fleet, site: site)
    }
}

/// A workload's gangs in one cluster over the plan: the months it is used and the most held
/// at once (one row of the report's and the dashboard's placement tables).
public struct PlacementSummary: Sendable, Equatable {
    public var workload: WorkloadID
    public var cluster: String
    /// Accelerators per gang.
    public var gang: Int
    public var from: YearMonth
    public var to: YearMonth
    /// Months with gangs there.
    public var months: Int
    public var mostGangs: Int
    /// Gangs summed over the months.
    public var gangMonths: Int
}

extension Plan {
    /// The placements grouped by workload and cluster, sorted by both.
    public var placementSummary: [PlacementSummary] {
        Dictionary(grouping: placements) { "\($0.workload)\u{1F}\($0.cluster)" }.values.map { placed in
            let months = placed.map(\.month).sorted()
            let first = placed[0]
            return PlacementSummary(
                workload: first.workload, cluster: first.cluster, gang: first.accelerators / max(1, first.gangs),
                from: months.first!, to: months.last!, months: Set(months).count,
                mostGangs: placed.map(\.gangs).max()!, gangMonths: placed.reduce(0) { $0 + $1.gangs })
        }
        .sorted { ($0.workload, $0.cluster) < ($1.workload, $1.cluster) }
    }
}

/// A training run's stretch in one cluster: a provider's nodes of one model in one region, or
/// an owned fleet at one colocation site.
public struct TrainingRun: Codable, Sendable, Equatable, InCluster {
    /// The run.
    public var workload: WorkloadID
    /// The provider of the cluster (for an owned fleet: the site's operator).
    public var provider: ProviderID
    /// The accelerator model.
    public var accelerator: AcceleratorModelID
    /// The cluster's region.
    public var region: RegionID
    /// The owned fleet, when the cluster is the lab's own hardware.
    public var fleet: OwnedFleetID?
    /// The colocation site hosting that fleet.
    public var site: ColocationSiteID?
    /// The gang: accelerators it holds in every month of the stretch.
    public var accelerators: Int
    /// The first month of the stretch.
    public var start: YearMonth
    /// The last month of the stretch.
    public var end: YearMonth
    /// Reference accelerator-hours the stretch does.
    public var referenceHours: Double
    /// The month its work is complete (the run's last stretch only); nil when it falls short.
    public var finish: YearMonth?
    /// The run's deadline: its window's last month.
    public var deadline: YearMonth
    /// Whole months from `finish` to the deadline (0: finishes in its last month).
    public var slackMonths: Int?

    /// A run's stretch from its fields.
    public init(
        workload: WorkloadID, provider: ProviderID, accelerator: AcceleratorModelID, region: RegionID,
        fleet: OwnedFleetID? = nil, site: ColocationSiteID? = nil, accelerators: Int, start: YearMonth,
        end: YearMonth, referenceHours: Double, finish: YearMonth?, deadline: YearMonth, slackMonths: Int?
    ) {
        self.workload = workload
        self.provider = provider
        self.accelerator = accelerator
        self.region = region
        self.fleet = fleet
        self.site = site
        self.accelerators = accelerators
        self.start = start
        self.end = end
        self.referenceHours = referenceHours
        self.finish = finish
        self.deadline = deadline
        self.slackMonths = slackMonths
    }

    /// The cluster's name: `coreweave nvidia-gb200 us-east`, or `tpu-v7-phase1 at cw-colo-nj`.
    public var cluster: String {
        Self.clusterName(provider: provider, accelerator: accelerator, region: region, fleet: fleet, site: site)
    }

    /// How every output names a cluster: `coreweave nvidia-gb200 us-east` for a provider's nodes
    /// of one model in one region, `tpu-v7-phase1 at cw-colo-nj` for an owned fleet at a site.
    public static func clusterName(
        provider: ProviderID, accelerator: AcceleratorModelID, region: RegionID, fleet: OwnedFleetID? = nil,
        site: ColocationSiteID? = nil
    ) -> String {
        if let fleet, let site { return "\(fleet) at \(site)" }
        return "\(provider) \(accelerator) \(region)"
    }
}

/// What becomes of a critical training run when one provider delivers nothing (N-1).
public enum RunFate: String, Codable, Sendable, Equatable {
    /// It keeps its cluster and months: the lost provider was not where it runs.
    case stays
    /// It runs in a cluster of another provider, as one gang for the months its work needs, on
    /// capacity the plan holds there (leases, backups exercised, owned hardware).
    case restarts
    /// No cluster of another provider holds its gang long enough with what the plan holds: its
    /// work is short in that loss, priced at the shortfall penalty.
    case lost
}

/// What the plan's N-1 case for one provider's loss does with a critical training run, as the
/// planner's model decided it (the same numbers as the N-1 row's coverage and shortfall).
public struct RunRestart: Codable, Sendable, Equatable {
    /// The run.
    public var workload: WorkloadID
    /// The cluster it runs in without the provider; nil when it is lost.
    public var cluster: String?
    /// The first month there.
    public var start: YearMonth?
    /// The month its work would be done there.
    public var finish: YearMonth?
    /// Months after the plan's own finish (0: none).
    public var delayMonths: Int?
    /// Whether it would still meet its deadline.
    public var onTime: Bool
    /// Whether it stays, restarts or is lost (nil in plans written before the model decided it).
    public var fate: RunFate?
    /// Whole months from its finish there to its deadline.
    public var slackMonths: Int?

    /// A restart from its fields.
    public init(
        workload: WorkloadID, cluster: String?, start: YearMonth?, finish: YearMonth?, delayMonths: Int?, onTime: Bool,
        fate: RunFate? = nil, slackMonths: Int? = nil
    ) {
        self.workload = workload
        self.cluster = cluster
        self.start = start
        self.finish = finish
        self.delayMonths = delayMonths
        self.onTime = onTime
        self.fate = fate
        self.slackMonths = slackMonths
    }
}

/// One signature: nodes of an offer on a term from a month.
public struct Lease: Codable, Sendable, Equatable, Hashable {
    /// The offer.
    public var offer: OfferID
    /// Its provider.
    public var provider: ProviderID
    /// The chip.
    public var accelerator: AcceleratorModelID
    /// Nodes signed.
    public var nodes: Int
    /// Accelerators signed (nodes × node size).
    public var accelerators: Int
    /// The term.
    public var term: CommitmentTerm
    /// The first month.
    public var start: YearMonth
    /// Months committed (the term's length; may run past the horizon).
    public var months: Int
    /// USD per accelerator-hour.
    public var pricePerAcceleratorHour: Decimal
    /// USD per month while it runs.
    public var monthlyCost: Decimal
    /// USD over the whole commitment.
    public var totalCost: Decimal
    /// USD committed for months after the horizon.
    public var costBeyondHorizon: Decimal

    /// A Lease from its fields.
    public init(
        offer: OfferID, provider: ProviderID, accelerator: AcceleratorModelID, nodes: Int, accelerators: Int,
        term: CommitmentTerm, start: YearMonth, months: Int, pricePerAcceleratorHour: Decimal, monthlyCost: Decimal,
        totalCost: Decimal, costBeyondHorizon: Decimal
    ) {
        self.offer = offer
        self.provider = provider
        self.accelerator = accelerator
        self.nodes = nodes
        self.accelerators = accelerators
        self.term = term
        self.start = start
        self.months = months
        self.pricePerAcceleratorHour = pricePerAcceleratorHour
        self.monthlyCost = monthlyCost
        self.totalCost = totalCost
        self.costBeyondHorizon = costBeyondHorizon
    }
}

/// Power rented at a colocation site in one month, and what it hosts.
public struct ColocationUse: Codable, Sendable, Equatable {
    /// The site.
    public var site: ColocationSiteID
    /// Its operator.
    public var provider: ProviderID
    /// The month.
    public var month: YearMonth
    /// kW rented.
    public var powerKW: Double
    /// Owned accelerators hosted, by fleet (a month's average, like allocations).
    public var hosted: [OwnedFleetID: Double]
    /// USD for the month.
    public var cost: Decimal

    /// A ColocationUse from its fields.
    public init(
        site: ColocationSiteID, provider: ProviderID, month: YearMonth, powerKW: Double, hosted: [OwnedFleetID: Double],
        cost: Decimal
    ) {
        self.site = site
        self.provider = provider
        self.month = month
        self.powerKW = powerKW
        self.hosted = hosted
        self.cost = cost
    }
}

/// Backup nodes held at an offer in one month.
public struct BackupHold: Codable, Sendable, Equatable {
    /// The offer.
    public var offer: OfferID
    /// Its provider.
    public var provider: ProviderID
    /// The chip.
    public var accelerator: AcceleratorModelID
    /// The month.
    public var month: YearMonth
    /// Nodes held.
    public var nodes: Int
    /// USD reservation fee for the month.
    public var fee: Decimal

    /// A BackupHold from its fields.
    public init(
        offer: OfferID, provider: ProviderID, accelerator: AcceleratorModelID, month: YearMonth, nodes: Int,
        fee: Decimal
    ) {
        self.offer = offer
        self.provider = provider
        self.accelerator = accelerator
        self.month = month
        self.nodes = nodes
        self.fee = fee
    }
}

/// Backup nodes exercised in one month.
public struct BackupExercise: Codable, Sendable, Equatable {
    /// The offer.
    public var offer: OfferID
    /// The month.
    public var month: YearMonth
    /// Nodes exercised (may be fractional: part of the month).
    public var nodes: Double
    /// USD at the exercise price.
    public var cost: Decimal

    /// A BackupExercise from its fields.
    public init(offer: OfferID, month: YearMonth, nodes: Double, cost: Decimal) {
        self.offer = offer
        self.month = month
        self.nodes = nodes
        self.cost = cost
    }
}

/// Accelerators of one model given to one workload in one month.
public struct Allocation: Codable, Sendable, Equatable {
    /// The workload.
    public var workload: WorkloadID
    /// The model.
    public var accelerator: AcceleratorModelID
    /// The month.
    public var month: YearMonth
    /// Accelerators (average over the month).
    public var accelerators: Double
    /// Reference accelerators this delivers (accelerators × speed).
    public var referenceAccelerators: Double
    /// Of `referenceAccelerators`, what a service holds beyond its capacity that month (standby
    /// for N-1: it serves once a provider is lost); nil when none.
    public var standbyReferenceAccelerators: Double?

    /// A Allocation from its fields.
    public init(
        workload: WorkloadID, accelerator: AcceleratorModelID, month: YearMonth, accelerators: Double,
        referenceAccelerators: Double, standbyReferenceAccelerators: Double? = nil
    ) {
        self.workload = workload
        self.accelerator = accelerator
        self.month = month
        self.accelerators = accelerators
        self.referenceAccelerators = referenceAccelerators
        self.standbyReferenceAccelerators = standbyReferenceAccelerators
    }
}

/// Demand left unmet.
public struct Shortfall: Codable, Sendable, Equatable {
    /// The workload.
    public var workload: WorkloadID
    /// The month (a service), or nil for a training run's whole window.
    public var month: YearMonth?
    /// Reference accelerator-hours not delivered.
    public var referenceHours: Double
    /// Fraction of the demand not delivered.
    public var fraction: Double
    /// What held it back, from the explanation: `no supply of a model it runs on before 2027-05`…
    public var reason: String

    /// A Shortfall from its fields.
    public init(workload: WorkloadID, month: YearMonth?, referenceHours: Double, fraction: Double, reason: String) {
        self.workload = workload
        self.month = month
        self.referenceHours = referenceHours
        self.fraction = fraction
        self.reason = reason
    }
}

/// Costs of the plan, USD.
public struct CostBreakdown: Codable, Sendable, Equatable {
    /// Spending: leases (whole commitments), colocation, backup fees, exercised backups.
    public var total: Decimal
    /// Leases, whole commitments.
    public var leases: Decimal
    /// The part of `leases` committed past the horizon.
    public var leasesBeyondHorizon: Decimal
    /// Colocation rent.
    public var colocation: Decimal
    /// Backup reservation fees.
    public var backupFees: Decimal
    /// Backups exercised in the plan (re-plans after an incident).
    public var backupExercise: Decimal
    /// Expected cost of exercising backups: Σ over providers of failure probability × exercise cost.
    public var expectedExercise: Decimal
    /// The shortfall penalty (not money spent: the policy's price of unmet demand).
    public var shortfallPenalty: Decimal
    /// The price of running above the share cap (not money spent): the reference-hours a
    /// provider runs beyond the cap's share of each month (`ProviderShare.aboveCap`), at the
    /// shortfall penalty's rate. Nil in plans written before the cap counted what runs.
    public var capPenalty: Decimal?
    /// The solver's objective: spending + expected exercise + penalties.
    public var objective: Decimal
    /// Spending by provider.
    public var byProvider: [ProviderID: Decimal]
    /// Spending by accelerator model (colocation rent attributed to the models it hosts).
    public var byModel: [AcceleratorModelID: Decimal]
    /// Spending by month inside the horizon (commitments spread over the months they run).
    public var byMonth: [YearMonth: Decimal]

    /// A CostBreakdown from its fields.
    public init(
        total: Decimal, leases: Decimal, leasesBeyondHorizon: Decimal, colocation: Decimal, backupFees: Decimal,
        backupExercise: Decimal, expectedExercise: Decimal, shortfallPenalty: Decimal, objective: Decimal,
        byProvider: [ProviderID: Decimal], byModel: [AcceleratorModelID: Decimal], byMonth: [YearMonth: Decimal],
        capPenalty: Decimal? = nil
    ) {
        self.total = total
        self.capPenalty = capPenalty
        self.leases = leases
        self.leasesBeyondHorizon = leasesBeyondHorizon
        self.colocation = colocation
        self.backupFees = backupFees
        self.backupExercise = backupExercise
        self.expectedExercise = expectedExercise
        self.shortfallPenalty = shortfallPenalty
        self.objective = objective
        self.byProvider = byProvider
        self.byModel = byModel
        self.byMonth = byMonth
    }
}

/// One provider's share of one month's capacity, in reference units.
public struct ProviderShare: Codable, Sendable, Equatable {
    /// The provider.
    public var provider: ProviderID
    /// The month.
    public var month: YearMonth
    /// Reference accelerators of its supply (leases and owned hardware hosted at its sites)
    /// that workloads run on: capacity held idle (N-1 standby, a lease's unused nodes) does not
    /// count toward a share. Plans written before the cap counted what runs counted capacity held.
    public var referenceCapacity: Double
    /// Its share of all capacity that month.
    public var share: Double
    /// The cap that applied that month: the policy's, or 1 where a re-plan waived it (while an
    /// incident took a provider's capacity, and in the history before its start).
    public var cap: Double
    /// What workloads run on, read from the placement: the runs and gangs in its clusters, and
    /// its part of the work of one accelerator at a time (split in proportion to what each
    /// provider holds beyond its gangs). Equal to `referenceCapacity` since the cap counts what
    /// runs; in older plans the rest was held idle. Nil in plans written before it was kept.
    public var inUseReferenceCapacity: Double?
    /// Its share of what runs that month (`inUseReferenceCapacity` over all providers').
    public var shareInUse: Double?
    /// Reference units it runs above the cap's share of the month (`referenceCapacity − cap ×
    /// total`): whole gangs that no placement balanced at less than the shortfall penalty, which
    /// prices them (`CostBreakdown.capPenalty`). Nil or 0 within the cap.
    public var aboveCap: Double?

    /// A ProviderShare from its fields.
    public init(
        provider: ProviderID, month: YearMonth, referenceCapacity: Double, share: Double, cap: Double,
        inUseReferenceCapacity: Double? = nil, shareInUse: Double? = nil, aboveCap: Double? = nil
    ) {
        self.aboveCap = aboveCap
        self.provider = provider
        self.month = month
        self.referenceCapacity = referenceCapacity
        self.share = share
        self.cap = cap
        self.inUseReferenceCapacity = inUseReferenceCapacity
        self.shareInUse = shareInUse
    }
}

/// What the loss of one provider does to the plan.
public struct ProviderLoss: Codable, Sendable, Equatable {
    /// The provider lost for the whole horizon (the worst case).
    public var provider: ProviderID
    /// Fraction of critical demand still covered.
    public var criticalCoverage: Double
    /// The policy's required coverage.
    public var requiredCoverage: Double
    /// Critical reference accelerator-hours short of the required coverage.
    public var shortfallReferenceHours: Double
    /// USD to exercise the backups it would need.
    public var exerciseCost: Decimal
    /// Backups exercised in that case.
    public var exercised: [BackupExercise]
    /// The allocation of critical work without the provider: the witness the checker verifies.
    public var allocation: [Allocation]
    /// Each critical training run's fate without the provider: stays, restarts where and when, or
    /// is lost.
    public var runRestarts: [RunRestart]
    /// The critical runs' stretches without the provider (the witness the checker verifies: one
    /// gang in one cluster of another provider, for consecutive months).
    public var runs: [TrainingRun]

    /// A ProviderLoss from its fields.
    public init(
        provider: ProviderID, criticalCoverage: Double, requiredCoverage: Double, shortfallReferenceHours: Double,
        exerciseCost: Decimal, exercised: [BackupExercise], allocation: [Allocation], runRestarts: [RunRestart] = [],
        runs: [TrainingRun] = []
    ) {
        self.runRestarts = runRestarts
        self.runs = runs
        self.provider = provider
        self.criticalCoverage = criticalCoverage
        self.requiredCoverage = requiredCoverage
        self.shortfallReferenceHours = shortfallReferenceHours
        self.exerciseCost = exerciseCost
        self.exercised = exercised
        self.allocation = allocation
    }

    private enum CodingKeys: String, CodingKey {
        case provider, criticalCoverage, requiredCoverage, shortfallReferenceHours, exerciseCost, exercised
        case allocation, runRestarts, runs
    }

    /// Plans written before loss cases placed runs carry no `runs`: they read as none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            provider: try c.decode(ProviderID.self, forKey: .provider),
            criticalCoverage: try c.decode(Double.self, forKey: .criticalCoverage),
            requiredCoverage: try c.decode(Double.self, forKey: .requiredCoverage),
            shortfallReferenceHours: try c.decode(Double.self, forKey: .shortfallReferenceHours),
            exerciseCost: try c.decode(Decimal.self, forKey: .exerciseCost),
            exercised: try c.decode([BackupExercise].self, forKey: .exercised),
            allocation: try c.decode([Allocation].self, forKey: .allocation),
            runRestarts: try c.decodeIfPresent([RunRestart].self, forKey: .runRestarts) ?? [],
            runs: try c.decodeIfPresent([TrainingRun].self, forKey: .runs) ?? [])
    }
}

/// Why the plan is what it is: from the LP duals of the problem with its integer decisions fixed.
public struct Explanation: Codable, Sendable, Equatable {
    /// USD saved per month by one more accelerator of each model (0 where supply is not scarce).
    public var marginalValues: [MarginalValue]
    /// Constraints that bind, with what relaxing them would save.
    public var binding: [BindingConstraint]
    /// Sentences a person reads first.
    public var summary: [String]

    /// A Explanation from its fields.
    public init(marginalValues: [MarginalValue], binding: [BindingConstraint], summary: [String]) {
        self.marginalValues = marginalValues
        self.binding = binding
        self.summary = summary
    }
}

/// The value of one more accelerator of a model in a month.
public struct MarginalValue: Codable, Sendable, Equatable {
    /// The model.
    public var accelerator: AcceleratorModelID
    /// The month.
    public var month: YearMonth
    /// USD the objective would fall by, per accelerator for the month.
    public var usdPerAcceleratorMonth: Double

    /// A MarginalValue from its fields.
    public init(accelerator: AcceleratorModelID, month: YearMonth, usdPerAcceleratorMonth: Double) {
        self.accelerator = accelerator
        self.month = month
        self.usdPerAcceleratorMonth = usdPerAcceleratorMonth
    }
}

/// A constraint that binds.
public struct BindingConstraint: Codable, Sendable, Equatable {
    /// The kinds of constraint that bind, as the plan's JSON writes them.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A provider's share cap in a month (`share-cap`).
        case shareCap = "share-cap"
        /// The budget.
        case budget
        /// An offer's nodes for sale in a month.
        case availability
        /// An offer's lead time: nothing of it can arrive sooner (`lead-time`).
        case leadTime = "lead-time"
        /// A colocation site's power (`colocation-power`).
        case colocationPower = "colocation-power"
        /// An owned fleet's deliveries (`owned-delivery`).
        case ownedDelivery = "owned-delivery"
    }

    /// Which kind of constraint binds: a share cap, the budget, an offer's availability or lead
    /// time, a site's power or an owned fleet's deliveries.
    public var kind: Kind
    /// What binds: `coreweave`, `nb-h200`, `budget`…
    public var subject: String
    /// The month, when the constraint is monthly.
    public var month: YearMonth?
    /// What relaxing it saves, USD, for the unit in `relaxation`.
    public var savingUSD: Double
    /// The unit relaxed: `+1 percentage point of cap`, `+1 node`, `+$1M budget`.
    public var relaxation: String

    /// A BindingConstraint from its fields.
    public init(kind: Kind, subject: String, month: YearMonth?, savingUSD: Double, relaxation: String) {
        self.kind = kind
        self.subject = subject
        self.month = month
        self.savingUSD = savingUSD
        self.relaxation = relaxation
    }
}

/// The step of a solve that found a plan or a bound (docs/planner.md, Solving).
public enum SolverStep: String, Codable, Sendable, CaseIterable {
    /// The LP relaxation: the first bound.
    case relaxation
    /// The relaxation rounded to a plan.
    case rounded
    /// A training run moved to another cluster or start.
    case moved
    /// Branch and cut with the training runs fixed.
    case runsFixed = "runs-fixed"
    /// Relax-and-fix over windows of months.
    case relaxAndFix = "relax-and-fix"
    /// Fix-and-optimise over one model's or two months' decisions.
    case fixAndOptimise = "fix-and-optimise"
    /// Branch and cut on the whole model: a plan, a higher bound, or both.
    case branchAndCut = "branch-and-cut"
    /// The last step: leases lowered by a node where the plan stays feasible.
    case improved
    /// Branch and cut beside the search, on the other core, for a bound only (on the model
    /// with a row per training run that a run is whole or short).
    case boundSearch = "bound-search"
}

/// One point of a solve's progress: the best plan and the best bound so far, at `seconds` from
/// the start of the plan, and the step that moved either.
public struct SolverProgressPoint: Codable, Sendable, Equatable {
    /// Seconds since the plan began.
    public var seconds: Double
    /// The step that found the plan or the bound.
    public var step: SolverStep
    /// The best plan's objective so far, USD (nil before the first plan).
    public var objectiveUSD: Double?
    /// The best lower bound so far, USD (nil before the relaxation is solved).
    public var boundUSD: Double?

    /// A point from its fields.
    public init(seconds: Double, step: SolverStep, objectiveUSD: Double?, boundUSD: Double?) {
        self.seconds = seconds
        self.step = step
        self.objectiveUSD = objectiveUSD
        self.boundUSD = boundUSD
    }
}

extension SolverProgressPoint {
    /// The gap at this point, measured above `unavoidablePenaltyUSD` (the shortfall penalty no
    /// plan can avoid) as a plan's gap is; nil before there is both a plan and a bound.
    public func gap(unavoidablePenaltyUSD: Double) -> Double? {
        guard let objective = objectiveUSD, let bound = boundUSD else { return nil }
        return max(0, objective - bound) / max(1e-9, abs(objective - unavoidablePenaltyUSD))
    }
}

/// A solve's progress while it runs: the best plan and bound so far over time, on the model
/// being solved now (a new round of N-1 loss cases starts its own curve), on the plan's clock.
/// A finished plan records its last model's curve as `SolverReport.progress`; a plan job shows
/// this one while it solves.
public struct SolveProgress: Codable, Sendable, Equatable {
    /// The points so far: one wherever the plan or the bound moved.
    public var points: [SolverProgressPoint]
    /// The shortfall penalty no plan of this model can avoid; gaps are measured above it.
    public var unavoidablePenaltyUSD: Double

    /// Progress from its fields.
    public init(points: [SolverProgressPoint], unavoidablePenaltyUSD: Double) {
        self.points = points
        self.unavoidablePenaltyUSD = unavoidablePenaltyUSD
    }

    /// The latest point (nil before the first).
    public var latest: SolverProgressPoint? { points.last }

    /// The gap at the latest point; nil before there is both a plan and a bound.
    public var gap: Double? { latest?.gap(unavoidablePenaltyUSD: unavoidablePenaltyUSD) }
}

/// How a solve ended, as the plan's JSON writes it: a plan `optimal`, `within-gap` or `feasible`,
/// else the solver's own status when it found none.
public enum PlanStatus: String, Codable, Sendable, CaseIterable {
    /// Proven optimal: the gap is at most 1e-6.
    case optimal
    /// Proven within the requested gap, not to optimality.
    case withinGap = "within-gap"
    /// Stopped (by the time limit) outside the requested gap.
    case feasible
    /// No plan exists.
    case infeasible
    /// The objective falls without bound.
    case unbounded
    /// A limit came before any plan.
    case limitReached
    /// The solver gave up.
    case failed
}

/// Solve statistics.
public struct SolverReport: Codable, Sendable, Equatable {
    /// The status to report for a solver status (`optimal` or `feasible` when it found a plan)
    /// and the proven gap: "optimal" only when the gap is at most 1e-6 — a plan 0.24% above the
    /// bound is not known to be optimal — else `within-gap` or `feasible` against `target`.
    public static func status(_ solver: PlanStatus, gap: Double, target: Double) -> PlanStatus {
        guard solver == .optimal || solver == .feasible else { return solver }
        if gap <= 1e-6 { return .optimal }
        return gap <= target + 1e-9 ? .withinGap : .feasible
    }

    /// The gap at a point of `progress`, measured as `gap` is (above the shortfall penalty no
    /// plan can avoid); nil where the point has no plan or no bound yet.
    public func gap(at point: SolverProgressPoint) -> Double? {
        point.gap(unavoidablePenaltyUSD: unavoidablePenaltyUSD ?? 0)
    }

    /// The status in words, with the gap: "optimal", "within 0.24% of the bound", "feasible,
    /// 9.10% above the bound (outside the requested gap)".
    public func statusSentence() -> String {
        let percent = String(format: "%.2f%%", gap * 100)
        // Where a penalty no plan avoids is in the objective, the gap is on the rest: say so.
        var measured = ""
        if let unavoidable = unavoidablePenaltyUSD, unavoidable > 0, let gapUSD {
            measured =
                " (\(Formatted.money(gapUSD)), measured above the \(Formatted.money(unavoidable)) of shortfall "
                + "penalty no plan can avoid)"
        }
        switch status {
        case .optimal: return "optimal"
        case .withinGap: return "within \(percent) of the bound\(measured)"
        case .feasible: return "feasible, \(percent) above the bound\(measured) (outside the requested gap)"
        case .infeasible, .unbounded, .limitReached, .failed: return status.rawValue
        }
    }

    /// `optimal` (proven: the gap is at most 1e-6), `within-gap` (proven within the requested
    /// gap, not to optimality), `feasible` (stopped, by the time limit, outside the requested
    /// gap), or the solver's own status when it found no plan.
    public var status: PlanStatus
    /// Variables in the MILP.
    public var variables: Int
    /// Integer variables.
    public var integerVariables: Int
    /// Constraints.
    public var constraints: Int
    /// Nonzeros.
    public var nonzeros: Int
    /// Seconds building the model.
    public var buildSeconds: Double
    /// Seconds in Cbc.
    public var solveSeconds: Double
    /// Seconds in the explanation LP (Clp).
    public var explainSeconds: Double
    /// Relative gap at the end.
    public var gap: Double
    /// Branch-and-bound nodes.
    public var nodes: Int
    /// Of `solveSeconds`: the LP relaxation (Clp), which also gives the lower bound.
    public var relaxationSeconds: Double
    /// Of `solveSeconds`: rounding the relaxation and re-solving with the integers fixed, moves
    /// of training runs, relax-and-fix and fix-and-optimise.
    public var roundingSeconds: Double
    /// Of `solveSeconds`: Cbc's branch and cut from the rounded plan (0 when rounding was already within the gap).
    public var branchAndCutSeconds: Double
    /// N-1 constraint generation: how many rounds it made, on the relaxation and then on
    /// rounded plans (0 without resilience).
    public var resilienceRounds: Int
    /// Provider-loss cases optimised jointly with the plan (the rest were checked with it fixed).
    public var lossCasesOptimised: Int
    /// Of `solveSeconds`: checking the loss cases not in the model.
    public var lossCheckSeconds: Double
    /// USD between the plan's objective and the bound (nil in plans written before it).
    public var gapUSD: Double?
    /// Shortfall penalty in the objective that no plan can avoid (a run no cluster can ever
    /// hold, or none outside a lost supplier): `gap` is relative to the objective less this.
    public var unavoidablePenaltyUSD: Double?
    /// The plan and the bound over time, on the model the plan comes from (the last round of
    /// N-1 loss cases): a point wherever either moved. Nil in plans written before it.
    public var progress: [SolverProgressPoint]?

    /// A SolverReport from its fields.
    public init(
        status: PlanStatus, variables: Int, integerVariables: Int, constraints: Int, nonzeros: Int,
        buildSeconds: Double,
        solveSeconds: Double, explainSeconds: Double, gap: Double, nodes: Int, relaxationSeconds: Double,
        roundingSeconds: Double, branchAndCutSeconds: Double, resilienceRounds: Int, lossCasesOptimised: Int,
        lossCheckSeconds: Double, gapUSD: Double? = nil, unavoidablePenaltyUSD: Double? = nil,
        progress: [SolverProgressPoint]? = nil
    ) {
        self.progress = progress
        self.gapUSD = gapUSD
        self.unavoidablePenaltyUSD = unavoidablePenaltyUSD
        self.status = status
        self.variables = variables
        self.integerVariables = integerVariables
        self.constraints = constraints
        self.nonzeros = nonzeros
        self.buildSeconds = buildSeconds
        self.solveSeconds = solveSeconds
        self.explainSeconds = explainSeconds
        self.gap = gap
        self.nodes = nodes
        self.relaxationSeconds = relaxationSeconds
        self.roundingSeconds = roundingSeconds
        self.branchAndCutSeconds = branchAndCutSeconds
        self.resilienceRounds = resilienceRounds
        self.lossCasesOptimised = lossCasesOptimised
        self.lossCheckSeconds = lossCheckSeconds
    }
}
