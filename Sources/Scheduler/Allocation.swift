import Foundation
import Solver
import SwitchyardModel

/// Identical jobs, grouped so the allocation LP grows with job types, not jobs.
public struct JobClass: Sendable, Hashable {
    /// A name for reports.
    public var id: String
    /// How many identical jobs.
    public var count: Int
    /// Accelerators of one model each job needs at once.
    public var gang: Int
    /// Priority weight (higher gets more under the fairness policies).
    public var weight: Double
    /// Work per second of one job on each pool's model (any unit, the same for every pool); 0 where
    /// it cannot run (its software stack, or no measurement).
    public var throughput: [Double]
    /// Work each job has left.
    public var remainingWork: Double
    /// Seconds each job has already been in the system (for finish-time fairness).
    public var elapsedSeconds: Double
    /// Seconds from now by which each job must finish, if it has a deadline.
    public var deadlineSeconds: Double?

    /// A class of `count` identical jobs.
    public init(
        id: String, count: Int = 1, gang: Int = 1, weight: Double = 1, throughput: [Double], remainingWork: Double = 1,
        elapsedSeconds: Double = 0, deadlineSeconds: Double? = nil
    ) {
        self.id = id
        self.count = count
        self.gang = gang
        self.weight = weight
        self.throughput = throughput
        self.remainingWork = remainingWork
        self.elapsedSeconds = elapsedSeconds
        self.deadlineSeconds = deadlineSeconds
    }
}

/// Accelerators of one model in one place (a provider's cluster in a region, an owned fleet at
/// its site) available to the scheduler. The same model may be several pools: H100s at two
/// suppliers are two pools.
public struct Pool: Sendable, Hashable {
    /// The model.
    public var model: AcceleratorModelID
    /// Whose accelerators (nil: not said).
    public var provider: ProviderID?
    /// Where they are: a region or site (nil: not said).
    public var region: String?
    /// How many accelerators.
    public var accelerators: Int
    /// USD per accelerator-hour (for throughput per dollar).
    public var pricePerAcceleratorHour: Double
    /// Accelerators per scale-up domain (8-GPU node, NVL72 rack, TPU slice); nil: the whole pool
    /// is one domain. A gang that fits in a domain is placed inside one; a larger gang takes
    /// whole domains.
    public var domainSize: Int?

    /// A pool.
    public init(
        model: AcceleratorModelID, accelerators: Int, pricePerAcceleratorHour: Double = 0, domainSize: Int? = nil,
        provider: ProviderID? = nil, region: String? = nil
    ) {
        self.model = model
        self.provider = provider
        self.region = region
        self.accelerators = accelerators
        self.pricePerAcceleratorHour = pricePerAcceleratorHour
        self.domainSize = domainSize
    }

    /// The canonical order of pools — model, provider, region, size, price, domain — in which
    /// the allocator builds its LP and the simulator breaks ties, so that no answer depends on the
    /// order a fleet was listed in.
    public static func canonicallyPrecedes(_ a: Pool, _ b: Pool) -> Bool {
        (
            a.model.rawValue, a.provider?.rawValue ?? "", a.region ?? "", a.accelerators, a.pricePerAcceleratorHour,
            a.domainSize ?? 0
        )
            < (
                b.model.rawValue, b.provider?.rawValue ?? "", b.region ?? "", b.accelerators, b.pricePerAcceleratorHour,
                b.domainSize ?? 0
            )
    }

    /// The pool's name in reports: `nvidia-h100`, `nvidia-h100@neo-a`, `nvidia-h100@neo-a/us-east`.
    public var label: String {
        model.rawValue + (provider.map { "@\($0)" } ?? "") + (region.map { "/\($0)" } ?? "")
    }
}

/// How the cluster's time is divided among jobs.
public enum AllocationPolicy: String, CaseIterable, Sendable {
    /// Maximise the smallest weighted throughput relative to an equal share of the cluster (Gavel's LAS).
    case maxMinFairness = "max-min-fairness"
    /// The same, blind to which model is faster: every model is treated as the job's average.
    case maxMinFairnessAgnostic = "max-min-fairness-agnostic"
    /// Finish every job as early as possible: maximise the smallest throughput ÷ remaining work.
    case minMakespan = "min-makespan"
    /// Minimise the worst ratio of finish time here to finish time with an equal share (Themis).
    case finishTimeFairness = "finish-time-fairness"
    /// Maximise the sum of throughputs, each relative to its equal-share throughput.
    case maxThroughput = "max-throughput"
    /// Maximise normalised throughput per dollar, meeting every deadline.
    case maxThroughputPerDollar = "max-throughput-per-dollar"
    /// Jobs in order, each on any model with room for its gang.
    case fifo
    /// Jobs in order, each on the fastest model with room for its gang.
    case fifoFastest = "fifo-fastest"
}

/// What each job of each class gets.
public struct AllocationResult: Sendable {
    /// fractions[k][m]: share of time each job of class k spends on pool m.
    public var fractions: [[Double]]
    /// Effective throughput of each job of class k: Σ_m throughput × fraction.
    public var throughput: [Double]
    /// Throughput each job of class k would get from an equal share of the cluster.
    public var equalShareThroughput: [Double]
    /// Classes that cannot run at all, with the reason.
    public var unschedulable: [Int: String]
    /// Seconds spent deciding.
    public var seconds: Double
}

/// The Allocator's one error type.
public struct AllocationError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    public var description: String { message }
}
