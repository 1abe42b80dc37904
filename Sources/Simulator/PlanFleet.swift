import Foundation
import Scheduler
import SwitchyardCatalog
import SwitchyardModel

/// A sourcing plan as the simulator's fleet and jobs, from the same definition of demand the
/// planner uses:
///
/// - pools are clusters: a provider's leased nodes of one model in one region, or an owned fleet
///   at its site, each sized month by month as leases start and end and hardware is hosted, with
///   the backups held there beside it;
/// - each training run holds its gang in its cluster for the months the plan gives it: that gang
///   is a pool of its own (a reservation carved out of the cluster), and the run is one job that
///   can run only there;
/// - each batch stream is a seeded set of jobs of its gang, arriving month by month as the plan
///   allocates the stream's work (job lengths: 40% 6 h, 40% 24 h, 20% 72 h of reference work per
///   gang, the whole mix stretched where a month would otherwise have more than 16 jobs per gang
///   running at once, or 100; the last job of a month trimmed to what is left), queued longest
///   first within the month (the short ones fill the month's end), each due by the window's end; they run only on the
///   stream's own pools, carved out of the clusters where the plan placed its gangs (a stream of
///   one-accelerator jobs: out of its models' clusters, largest remainder first);
/// - each service's replicas hold the accelerators the plan gives it, carved out of the clusters
///   the plan places them in (one-accelerator replicas: out of its models' clusters month by
///   month, largest remainder first), so other work cannot use them.
///
/// Time 0 is the horizon's start; a month is `hoursPerMonth` hours.
public struct PlanFleet: Sendable {
    /// The pools: clusters (what is left of them), then one reservation per training run
    /// stretch, then each batch stream's pool in each cluster it uses.
    public var pools: [Pool] = []
    /// Each pool's name: `coreweave nvidia-gb200 us-east`, `tpu-v7-phase1 at cw-colo-nj`, `run frontier-pretrain`.
    public var names: [String] = []
    /// The provider of each pool.
    public var providers: [ProviderID?] = []
    /// Each pool's size from each month's start.
    public var steps: [[(atSeconds: Double, accelerators: Int)]] = []
    /// Backup accelerators held beside each pool from each month's start.
    public var backups: [[(atSeconds: Double, accelerators: Int)]] = []
    /// The horizon's length, seconds.
    public var horizonSeconds: Double
    /// The jobs: one per training run, then the batch streams' jobs.
    public var jobs: [SimulatedJob] = []
    /// The workload each job belongs to.
    public var jobWorkloads: [WorkloadID] = []
    /// Each service's accelerators month by month: what the plan gives it, and what its
    /// providers' clusters hold of that, by provider.
    public var serviceNeed: [WorkloadID: [Double]] = [:]
    public var serviceHeldBy: [WorkloadID: [ProviderID: [Double]]] = [:]
    /// Whether the jobs are the plan's own (runs and batch streams) rather than a trace's.
    public let ownJobs: Bool
    /// What the plan pays whatever happens: its spend (leases for their whole terms, colocation,
    /// backup fees, and exercise it planned itself).
    public var planSpendUSD: Double = 0
    /// USD per accelerator-hour of exercising each pool's backups (0 where it holds none).
    public var exercisePrices: [Double] = []

    /// The fleet and jobs `plan` buys for `scenario`; `seed` draws the batch jobs' lengths.
    /// With `ownJobs` false the fleet is the clusters as bought, whole, for a trace of other jobs:
    /// no reservations, nothing carved for services, no jobs.
    public init(scenario: Scenario, plan: Plan, seed: UInt64 = 1, ownJobs: Bool = true) {
        self.ownJobs = ownJobs
        let months = scenario.horizon.months
        let monthSeconds = scenario.hoursPerMonth * 3600
        horizonSeconds = Double(months) * monthSeconds
        let catalog = AcceleratorCatalog.merged(with: scenario.accelerators)
        var clusters = ClusterTable(months: months)
        clusters.addLeases(plan.leases, scenario: scenario)
        clusters.addHosted(plan.colocation, scenario: scenario)
        clusters.addBackups(plan.backups, scenario: scenario)
        // Runs: their gangs are carved out of their clusters into reservations of their own.
        var reservations:
            [(name: String, provider: ProviderID, model: AcceleratorModelID, price: Double, sizes: [Double])] = []
        var runPools: [WorkloadID: [Int]] = [:]
        for run in plan.runs where ownJobs {
            // A stretch that ends before it starts (a hand-edited plan) holds nothing.
            guard let first = scenario.horizon.period(of: run.start), let last = scenario.horizon.period(of: run.end),
                first <= last
            else { continue }
            let key = ClusterTable.Key(run)
            var sizes = Array(repeating: 0.0, count: months)
            for t in first...last {
                let taken = min(Double(run.accelerators), clusters.size[key]?[t] ?? 0)
                clusters.size[key]?[t] -= taken
                sizes[t] = taken
            }
            runPools[run.workload, default: []].append(reservations.count)
            reservations.append(
                ("run \(run.workload) on \(run.cluster)", run.provider, run.accelerator, clusters.price(key), sizes))
        }
        // Services, then batch streams: what the plan gives each is carved out of its clusters
        // (placed gangs where the plan placed them, first), so no workload runs on another's.
        var streamPools: [WorkloadID: [Int]] = [:]
        if ownJobs {
            let carved = clusters.carveWorkloads(plan: plan, scenario: scenario)
            (serviceNeed, serviceHeldBy) = (carved.needs, carved.heldBy)
            for (workload, key, sizes) in carved.streams {
                streamPools[workload, default: []].append(reservations.count)
                reservations.append(
                    ("batch \(workload) on \(key.name)", key.provider, key.model, clusters.price(key), sizes))
            }
        }

        planSpendUSD = NSDecimalNumber(decimal: plan.cost.total).doubleValue
        let keys = clusters.keys
        for key in keys {
            exercisePrices.append(clusters.exercisePrice(key))
            let monthly = clusters.size[key] ?? Array(repeating: 0, count: months)
            let reserve = clusters.standby[key] ?? Array(repeating: 0, count: months)
            pools.append(
                Pool(
                    model: key.model, accelerators: Int(max(0, (monthly.max() ?? 0) + 1e-6).rounded(.down)),
                    pricePerAcceleratorHour: clusters.price(key), domainSize: catalog[key.model]?.scaleUpDomain,
                    provider: key.provider, region: key.place))
            names.append(key.name)
            providers.append(key.provider)
            // Whole accelerators; what carving leaves is never below zero (a float remainder of
            // -1e-10 would otherwise round down to a pool of -1).
            steps.append(
                monthly.enumerated().map { (Double($0) * monthSeconds, Int(max(0, $1 + 1e-6).rounded(.down))) })
            backups.append(
                reserve.enumerated().map { (Double($0) * monthSeconds, Int(max(0, $1 + 1e-6).rounded(.down))) })
        }
        let reservationBase = pools.count
        for reservation in reservations {
            // A run's reservation is its own: its gang is placed in it whatever the racks.
            pools.append(
                Pool(
                    model: reservation.model, accelerators: Int(reservation.sizes.max() ?? 0),
                    pricePerAcceleratorHour: reservation.price, domainSize: nil, provider: reservation.provider,
                    region: reservation.name))
            names.append(reservation.name)
            providers.append(reservation.provider)
            exercisePrices.append(0)
            steps.append(
                reservation.sizes.enumerated().map {
                    (Double($0) * monthSeconds, Int(max(0, $1 + 1e-6).rounded(.down)))
                })
            backups.append([])
        }
        guard ownJobs, let speed = SpeedModel(scenario: scenario) else { return }
        let poolModels = pools.map(\.model)
        for w in scenario.workloads {
            let due = Double(scenario.horizon.start.months(to: w.window.end) + 1) * monthSeconds
            let arrival = Double(max(0, scenario.horizon.start.months(to: w.window.start))) * monthSeconds
            switch w.demand {
            case .training(let work):
                let mine = Set((runPools[w.id] ?? []).map { reservationBase + $0 })
                jobs.append(
                    SimulatedJob(
                        id: w.id.rawValue, arrivalSeconds: arrival, work: work, gang: w.gang,
                        throughput: poolModels.indices.map {
                            mine.contains($0) ? speed.speed(of: w, on: poolModels[$0]) * Double(w.gang) / 3600 : 0
                        },
                        deadlineSeconds: max(1, due - arrival)))
                jobWorkloads.append(w.id)
            case .batch:
                // A stream's jobs run on its own pools: the capacity the plan gives it.
                let own = Set((streamPools[w.id] ?? []).map { reservationBase + $0 })
                let throughput = poolModels.indices.map { m -> Double in
                    own.contains(m) ? speed.speed(of: w, on: poolModels[m]) * Double(w.gang) / 3600 : 0
                }
                for job in Self.batchJobs(w, plan: plan, scenario: scenario, seed: seed) {
                    jobs.append(
                        SimulatedJob(
                            id: job.id, arrivalSeconds: job.arrival, work: job.work, gang: w.gang,
                            throughput: throughput, deadlineSeconds: max(1, due - job.arrival)))
                    jobWorkloads.append(w.id)
                }
            case .service:
                continue
            }
        }
    }

    /// A simulator of this fleet under `policy`: its pools sized month by month, backups beside
    /// them, the horizon as the limit and billed to its end (the plan's leases are paid for
    /// their whole terms, whenever the last job finishes); for the plan's own jobs, rounds
    /// backfilled (a batch queue starts a job when a gang frees, and the plan sized capacity to
    /// the work).
    public func simulator(policy: AllocationPolicy) -> Simulator {
        var simulator = Simulator(pools: pools, providers: providers, policy: policy)
        simulator.capacitySteps = steps
        simulator.backupSteps = backups
        simulator.limitSeconds = horizonSeconds
        simulator.billThroughSeconds = horizonSeconds
        simulator.backfill = ownJobs
        return simulator
    }

    /// What a simulation of this plan costs: the plan's spend, which is owed whatever happens
    /// (a lease is paid through an outage; one that ends before the last job is paid all the
    /// same), plus the backups the simulator exercised during its incidents at their exercise
    /// prices. Per-second billing of the pools (`SimulationMetrics.costUSD`) prices capacity at
    /// one blended rate per cluster and skips colocation and fees, so it is not the plan's cost.
    public func cost(incidents: [SupplyIncident]) -> (spend: Double, exercised: Double) {
        var simulator = simulator(policy: .fifo)
        simulator.incidents = incidents
        let seconds = simulator.exercisedBackupSeconds(until: horizonSeconds)
        let exercised = pools.indices.reduce(0.0) { $0 + seconds[$1] / 3600 * exercisePrices[$1] }
        return (planSpendUSD, exercised)
    }

    /// A batch stream's jobs: the stream's work, spread over the months as the plan spreads its
    /// capacity, each month's share split into jobs of the stream's gang. The plan holds whole
    /// gangs, so its capacity is a little more than the work: the jobs carry the work itself (a
    /// plan short of the work carries only what it planned, and the shortfall shows).
    static func batchJobs(_ w: Workload, plan: Plan, scenario: Scenario, seed: UInt64)
        -> [(id: String, arrival: Double, work: Double)]
    {
        let monthSeconds = scenario.hoursPerMonth * 3600
        var perMonth: [Int: (work: Double, accelerators: Double)] = [:]
        for a in plan.allocation where a.workload == w.id {
            guard let t = scenario.horizon.period(of: a.month) else { continue }
            perMonth[t, default: (0, 0)].work += a.referenceAccelerators * scenario.hoursPerMonth
            perMonth[t, default: (0, 0)].accelerators += a.accelerators
        }
        let planned = perMonth.keys.sorted().reduce(0.0) { $0 + perMonth[$1]!.work }
        if case .batch(let work) = w.demand, planned > work, planned > 0 {
            let share = work / planned
            for t in perMonth.keys { perMonth[t]!.work *= share }
        }
        var seedBytes = seed
        for byte in w.id.rawValue.utf8 { seedBytes = seedBytes &* 31 &+ UInt64(byte) }
        var rng = SplitMix64(seed: seedBytes)
        var jobs: [(String, Double, Double)] = []
        let monthHours = scenario.hoursPerMonth
        for t in perMonth.keys.sorted() {
            var left = perMonth[t]!.work
            // At most 16 jobs per gang running at once (and at least 100 a month allowed): a big
            // stream's jobs are the same mix stretched, rather than tens of thousands of jobs.
            let lanes = perMonth[t]!.accelerators / Double(w.gang)
            let meanHours = 0.4 * 6 + 0.4 * 24 + 0.2 * 72
            let stretch = max(1, left / (Double(w.gang) * max(100, 16 * lanes)) / meanHours)
            var month: [Double] = []
            while left > 1e-6 {
                let draw = rng.uniform()
                let hours = min(0.8 * monthHours, stretch * (draw < 0.4 ? 6.0 : draw < 0.8 ? 24.0 : 72.0))
                let work = min(left, Double(w.gang) * hours)
                month.append(work)
                left -= work
            }
            // Longest first: a queue that starts the long jobs early ends the month with short
            // ones filling the gaps.
            for work in month.sorted(by: >) {
                jobs.append(("\(w.id)#\(jobs.count + 1)", Double(t) * monthSeconds, work))
            }
        }
        return jobs
    }
}

/// The plan's clusters month by month, as `PlanFleet` builds them.
struct ClusterTable {
    struct Key: Hashable, Comparable {
        let provider: ProviderID
        let model: AcceleratorModelID
        let place: String
        let name: String

        init(provider: ProviderID, model: AcceleratorModelID, region: RegionID) {
            self.provider = provider
            self.model = model
            place = region.rawValue
            name = TrainingRun.clusterName(provider: provider, accelerator: model, region: region)
        }

        init(fleet: OwnedFleetID, site: ColocationSiteID, provider: ProviderID, model: AcceleratorModelID) {
            self.provider = provider
            self.model = model
            place = "\(fleet)@\(site)"
            name = TrainingRun.clusterName(
                provider: provider, accelerator: model, region: "", fleet: fleet, site: site)
        }

        /// The cluster of a training run's stretch or of a workload's gangs.
        init(_ item: some InCluster) {
            if let fleet = item.fleet, let site = item.site {
                self.init(fleet: fleet, site: site, provider: item.provider, model: item.accelerator)
            } else {
                self.init(provider: item.provider, model: item.accelerator, region: item.region)
            }
        }

        static func < (a: Key, b: Key) -> Bool { (a.model, a.provider, a.place) < (b.model, b.provider, b.place) }
    }

    let months: Int
    var size: [Key: [Double]] = [:]
    var standby: [Key: [Double]] = [:]
    var spend: [Key: (usd: Double, hours: Double)] = [:]
    /// What exercising the backups held in each cluster would cost, summed over holds.
    var exerciseSpend: [Key: (usd: Double, accelerators: Double)] = [:]

    init(months: Int) { self.months = months }

    /// USD per accelerator-hour of exercising a cluster's backups: its holds' exercise prices,
    /// weighted by their accelerator-months.
    func exercisePrice(_ key: Key) -> Double {
        exerciseSpend[key].map { $0.accelerators > 0 ? $0.usd / $0.accelerators : 0 } ?? 0
    }

    var keys: [Key] { Set(size.keys).union(standby.keys).sorted() }

    func price(_ key: Key) -> Double { spend[key].map { $0.hours > 0 ? $0.usd / $0.hours : 0 } ?? 0 }

    mutating func add(_ table: WritableKeyPath<ClusterTable, [Key: [Double]]>, _ key: Key, _ t: Int, _ count: Double) {
        guard (0..<months).contains(t) else { return }
        let empty = Array(repeating: 0.0, count: months)
        self[keyPath: table][key, default: empty][t] += count
    }

    mutating func addLeases(_ leases: [Lease], scenario: Scenario) {
        let offers = Dictionary(uniqueKeysWithValues: scenario.offers.map { ($0.id, $0) })
        for lease in leases {
            guard let start = scenario.horizon.period(of: lease.start), let offer = offers[lease.offer] else {
                continue
            }
            let key = Key(provider: lease.provider, model: lease.accelerator, region: offer.region)
            for t in start..<min(months, start + lease.months) { add(\.size, key, t, Double(lease.accelerators)) }
            let hours = Double(lease.accelerators) * scenario.hoursPerMonth * Double(lease.months)
            spend[key, default: (0, 0)].usd +=
                NSDecimalNumber(decimal: lease.pricePerAcceleratorHour).doubleValue * hours
            spend[key, default: (0, 0)].hours += hours
        }
    }

    mutating func addHosted(_ colocation: [ColocationUse], scenario: Scenario) {
        let fleets = Dictionary(uniqueKeysWithValues: scenario.ownedFleets.map { ($0.id, $0) })
        for use in colocation {
            guard let t = scenario.horizon.period(of: use.month) else { continue }
            for (fleet, count) in use.hosted.sorted(by: { $0.key < $1.key }) {
                guard let model = fleets[fleet]?.accelerator else { continue }
                let key = Key(fleet: fleet, site: use.site, provider: use.provider, model: model)
                add(\.size, key, t, (count + 1e-6).rounded(.down))
            }
        }
    }

    mutating func addBackups(_ holds: [BackupHold], scenario: Scenario) {
        let offers = Dictionary(uniqueKeysWithValues: scenario.offers.map { ($0.id, $0) })
        for hold in holds {
            guard let t = scenario.horizon.period(of: hold.month), let offer = offers[hold.offer] else { continue }
            let key = Key(provider: hold.provider, model: hold.accelerator, region: offer.region)
            let accelerators = Double(hold.nodes * offer.acceleratorsPerNode)
            add(\.standby, key, t, accelerators)
            let price = NSDecimalNumber(decimal: offer.backup?.exercisePricePerAcceleratorHour ?? 0).doubleValue
            exerciseSpend[key, default: (0, 0)].usd += price * accelerators
            exerciseSpend[key, default: (0, 0)].accelerators += accelerators
        }
    }

    /// Takes up to `amount` accelerators of `model` in period t out of its clusters, the
    /// cluster with the most left first (ties by name); returns what each cluster gave.
    mutating func carve(_ amount: Double, model: AcceleratorModelID, period t: Int) -> [(key: Key, taken: Double)] {
        var left = amount
        var given: [(key: Key, taken: Double)] = []
        let candidates = size.keys.filter { $0.model == model }.sorted { (size[$0]![t], $1) > (size[$1]![t], $0) }
        for key in candidates where left > 1e-6 {
            let taken = take(left, from: key, period: t)
            if taken > 0 { given.append((key, taken)) }
            left -= taken
        }
        return given
    }

    /// Takes up to `amount` accelerators out of one cluster in period t; returns what it gave.
    mutating func take(_ amount: Double, from key: Key, period t: Int) -> Double {
        let taken = max(0, min(amount, size[key]?[t] ?? 0))
        size[key]?[t] -= taken
        return taken
    }

    /// What services and batch streams hold, carved out of the clusters: each service's
    /// accelerators per month in `needs` and what each provider holds of them in `heldBy`, and
    /// each batch stream's pools (stream, cluster, size per month) in `streams`.
    struct Carved {
        var needs: [WorkloadID: [Double]] = [:]
        var heldBy: [WorkloadID: [ProviderID: [Double]]] = [:]
        var streams: [(workload: WorkloadID, key: Key, sizes: [Double])] = []
    }

    /// Carves services and batch streams out of the clusters: first the gangs the plan placed
    /// (replicas and jobs where it put them), then what it gives one-accelerator services and
    /// streams, out of their models' clusters month by month, the cluster with the most left first.
    mutating func carveWorkloads(plan: Plan, scenario: Scenario) -> Carved {
        var carved = Carved()
        let empty = Array(repeating: 0.0, count: months)
        let placements = Dictionary(grouping: plan.placements, by: \.workload)
        var streamSizes: [WorkloadID: [Key: [Double]]] = [:]
        let services = scenario.workloads.filter { if case .service = $0.demand { true } else { false } }
        let streams = scenario.workloads.filter(\.demand.isBatch)
        for w in services {
            carved.needs[w.id] = empty
            carved.heldBy[w.id] = [:]
        }
        for w in services + streams {
            for placement in placements[w.id] ?? [] {
                guard let t = scenario.horizon.period(of: placement.month) else { continue }
                let key = Key(placement)
                let taken = take(Double(placement.accelerators), from: key, period: t)
                if w.demand.isBatch {
                    streamSizes[w.id, default: [:]][key, default: empty][t] += taken
                } else {
                    carved.needs[w.id]![t] += Double(placement.accelerators)
                    carved.heldBy[w.id]![key.provider, default: empty][t] += taken
                }
            }
        }
        for w in services + streams where placements[w.id] == nil {
            for a in plan.allocation where a.workload == w.id {
                guard let t = scenario.horizon.period(of: a.month) else { continue }
                if !w.demand.isBatch { carved.needs[w.id]![t] += a.accelerators }
                for (key, taken) in carve(a.accelerators, model: a.accelerator, period: t) {
                    if w.demand.isBatch {
                        streamSizes[w.id, default: [:]][key, default: empty][t] += taken
                    } else {
                        carved.heldBy[w.id]![key.provider, default: empty][t] += taken
                    }
                }
            }
        }
        carved.streams = streams.flatMap { w in
            (streamSizes[w.id] ?? [:]).sorted { $0.key < $1.key }.map { (w.id, $0.key, $0.value) }
        }
        return carved
    }
}

/// How each workload of a plan fared in a simulation.
public struct WorkloadOutcome: Sendable, Equatable {
    /// The workload.
    public var workload: WorkloadID
    /// Its kind of demand, as the scenario says it.
    public var kind: WorkloadKind
    /// Training: whether the run finished by its deadline.
    public var onTime: Bool?
    /// Training: seconds past the deadline it finished (nil when on time or unfinished).
    public var lateSeconds: Double?
    /// Batch: the fraction of the stream's work finished inside its window.
    public var workDoneInWindow: Double?
    /// Service: the lowest fraction of its capacity held in any month of its window.
    public var capacityHeld: Double?

    /// One line for people: `on time`, `late by 3.2 days`, `99.5% of its work done inside its window`.
    public var summary: String {
        switch kind {
        case .training:
            if onTime == true { return "on time" }
            if let lateSeconds { return String(format: "late by %.1f days", lateSeconds / 86_400) }
            return "did not finish"
        case .batch: return String(format: "%.1f%% of its work done inside its window", (workDoneInWindow ?? 0) * 100)
        case .service:
            return String(format: "%.1f%% of its capacity held in its worst month", (capacityHeld ?? 0) * 100)
        }
    }
}

extension PlanFleet {
    /// Each workload's outcome in `metrics`, a run of this fleet's jobs; services are held as far
    /// as the plan's pools, after `incidents`, cover them.
    public func outcomes(
        _ metrics: SimulationMetrics, scenario: Scenario, incidents: [SupplyIncident] = []
    ) -> [WorkloadOutcome] {
        let monthSeconds = scenario.hoursPerMonth * 3600
        var result: [WorkloadOutcome] = []
        for w in scenario.workloads {
            let due = Double(scenario.horizon.start.months(to: w.window.end) + 1) * monthSeconds
            let mine = jobWorkloads.indices.filter { jobWorkloads[$0] == w.id }
            switch w.demand {
            case .training:
                let finish = mine.first.flatMap { $0 < metrics.finishSeconds.count ? metrics.finishSeconds[$0] : nil }
                result.append(
                    WorkloadOutcome(
                        workload: w.id, kind: .training, onTime: finish.map { $0 <= due + 1e-6 } ?? false,
                        lateSeconds: finish.flatMap { $0 > due + 1e-6 ? $0 - due : nil }))
            case .batch(let work):
                let done = mine.reduce(0.0) { sum, j in
                    guard j < metrics.finishSeconds.count, let f = metrics.finishSeconds[j], f <= due + 1e-6 else {
                        return sum
                    }
                    return sum + jobs[j].work
                }
                result.append(
                    WorkloadOutcome(workload: w.id, kind: .batch, workDoneInWindow: work > 0 ? min(1, done / work) : 1))
            case .service:
                // Held: what its providers' clusters deliver of the plan's accelerators for it, in
                // the middle of each month, after the incidents then.
                let need = serviceNeed[w.id] ?? []
                var worst = 1.0
                for (t, needed) in need.enumerated() where needed > 1e-6 {
                    let middle = (Double(t) + 0.5) * monthSeconds
                    var delivered = 0.0
                    for (provider, held) in serviceHeldBy[w.id] ?? [:] {
                        let remaining =
                            incidents.filter {
                                $0.provider == provider && $0.startSeconds <= middle
                                    && middle < $0.startSeconds + ($0.durationSeconds ?? .infinity)
                            }.map(\.remainingFraction).min() ?? 1
                        delivered += held[t] * remaining
                    }
                    worst = min(worst, delivered / needed)
                }
                result.append(WorkloadOutcome(workload: w.id, kind: .service, capacityHeld: worst))
            }
        }
        return result
    }
}
