import Foundation
import Scheduler
import SwitchyardModel

/// A job in a simulation: when it arrives and what it needs.
public struct SimulatedJob: Sendable, Equatable {
    /// A name for reports.
    public var id: String
    /// Seconds from the start.
    public var arrivalSeconds: Double
    /// Work to do (steps).
    public var work: Double
    /// Accelerators of one pool it needs at once.
    public var gang: Int
    /// Priority weight.
    public var weight: Double
    /// Work per second on each pool (0: cannot run there).
    public var throughput: [Double]
    /// Seconds after arrival by which it should finish, if any.
    public var deadlineSeconds: Double?

    /// A job.
    public init(
        id: String, arrivalSeconds: Double, work: Double, gang: Int = 1, weight: Double = 1, throughput: [Double],
        deadlineSeconds: Double? = nil
    ) {
        self.id = id
        self.arrivalSeconds = arrivalSeconds
        self.work = work
        self.gang = gang
        self.weight = weight
        self.throughput = throughput
        self.deadlineSeconds = deadlineSeconds
    }
}

extension SimulatedJob {
    /// Job indices in arrival order; jobs arriving at the same second queue in the order given.
    /// The simulator admits jobs in this order, and job windows (`--measure-jobs`) count in it.
    public static func arrivalOrder(_ jobs: [SimulatedJob]) -> [Int] {
        jobs.indices.sorted { (jobs[$0].arrivalSeconds, $0) < (jobs[$1].arrivalSeconds, $1) }
    }
}

/// A supply incident during a simulation: a provider's pools keep only part of their accelerators.
public struct SupplyIncident: Sendable, Equatable {
    /// Whose pools.
    public var provider: ProviderID
    /// Seconds from the start.
    public var startSeconds: Double
    /// How long (nil: to the end).
    public var durationSeconds: Double?
    /// Share of the accelerators still there (0: an outage; 0.7: 30% reclaimed).
    public var remainingFraction: Double

    /// An incident.
    public init(
        provider: ProviderID, startSeconds: Double, durationSeconds: Double? = nil, remainingFraction: Double = 0
    ) {
        self.provider = provider
        self.startSeconds = startSeconds
        self.durationSeconds = durationSeconds
        self.remainingFraction = remainingFraction
    }

    func active(at t: Double) -> Bool { t >= startSeconds && t < startSeconds + (durationSeconds ?? .infinity) }

    /// An outage of the planning kind (`Incident`, months of the scenario's horizon) on the
    /// simulator's clock, which starts at the horizon's first month: from its month's first
    /// hour, for its months (or to the end). Nil for a slip or a site's power, which change what
    /// a plan can sign rather than what its fleet delivers (re-plan them first), and for a month
    /// outside the horizon.
    public init?(_ incident: Incident, scenario: Scenario) {
        guard incident.kind == .outage, let from = scenario.horizon.period(of: incident.from) else { return nil }
        let month = scenario.hoursPerMonth * 3600
        self.init(
            provider: incident.provider, startSeconds: Double(from) * month,
            durationSeconds: incident.months.map { Double($0) * month }, remainingFraction: incident.deliveredFraction)
    }
}

/// What a simulation measured.
public struct SimulationMetrics: Sendable {
    /// Completion minus arrival, per completed job.
    public var completionTimes: [Double]
    /// Jobs that never finished: those that can never run, and those the limit cut off.
    public var unfinished: [String]
    /// Jobs that can never run on this fleet, with why (they are in `unfinished` too).
    public var unschedulable: [(id: String, reason: String)] = []
    /// When the last job finished.
    public var makespanSeconds: Double
    /// Busy accelerator-seconds over available accelerator-seconds, per pool, from time 0 to the
    /// end (`billedSeconds`).
    public var utilization: [Double]
    /// USD for the fleet's available accelerator-time from time 0 to the end, to the second.
    public var costUSD: Double
    /// Jobs with a deadline that met it, and how many had one.
    public var deadlinesMet: (met: Int, of: Int)
    /// Times a running job was stopped because its pool shrank (an incident, a lease ending), or
    /// resumed on another pool than the one it last ran on (a move).
    public var preemptions: Int
    /// Work lost to stops: the progress each stopped job made since its last checkpoint (the
    /// round's start, or its start inside the round).
    public var workLost: Double
    /// When each job finished, seconds from time 0, in the order the jobs were given; nil where
    /// it did not.
    public var finishSeconds: [Double?] = []
    /// When each job first started, in the order given; nil where it never did.
    public var startSeconds: [Double?] = []
    /// Seconds each job ran on each pool (pool index → seconds), in the order given.
    public var poolSeconds: [[Int: Double]] = []
    /// How long the fleet was billed: from time 0 to the last finish, or to the limit.
    public var billedSeconds: Double = 0

    /// Mean job completion time (0 when no job finished: check `completionTimes` first).
    public var averageJCT: Double {
        completionTimes.isEmpty ? 0 : completionTimes.reduce(0, +) / Double(completionTimes.count)
    }
    /// A percentile (0–100) of job completion time.
    public func percentileJCT(_ p: Double) -> Double { Self.percentile(p, ofSorted: completionTimes.sorted()) ?? 0 }

    /// The p-th percentile (0–100, nearest rank) of ascending `sorted`; nil when it is empty.
    public static func percentile(_ p: Double, ofSorted sorted: [Double]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        return sorted[min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))]
    }
}

/// A round-based simulation of a fleet and a job stream (Gavel's mechanism): every round the
/// policy allocates time shares, and jobs are started in order of priority = target share ÷
/// share received, each gang whole on one pool. Inside a round, time is exact: a pool that
/// shrinks (an incident, a lease ending) stops only the jobs that no longer fit, lowest priority
/// first; a pool that grows starts waiting jobs at once; the fleet is billed to the second.
///
/// Moves: pools on which a job runs equally fast are one resource to it (its priority there is
/// its share of the group ÷ what it received in the group), and a job stays on the pool it last
/// ran on when the group has it. A move to another pool is taken only when the job's priority
/// there, discounted by the share of a round its checkpoint restore costs ((round −
/// `checkpointSeconds`) ÷ round), still beats its priority where it is.
public struct Simulator: Sendable {
    /// The pools.
    public var pools: [Pool]
    /// Provider of each pool, for incidents and utilisation by provider.
    public var providers: [ProviderID?]
    /// The policy.
    public var policy: AllocationPolicy
    /// Round length.
    public var roundSeconds: Double = 360
    /// Progress lost when a job first starts (loading, compiling).
    public var startupSeconds: Double = 0
    /// Progress lost when a job resumes on the pool it last ran on after time without it (a
    /// round it was not given, or a stop): restoring its checkpoint there.
    public var resumeSeconds: Double = 0
    /// Progress lost when a job resumes on another pool than the one it last ran on (a move):
    /// restoring its checkpoint elsewhere. It replaces `resumeSeconds` for that start.
    public var checkpointSeconds: Double = 0
    /// Supply incidents.
    public var incidents: [SupplyIncident] = []
    /// Fleet changes: for each pool, (time, accelerators) steps — leases starting and ending,
    /// deliveries. Before its first step, or without steps, a pool has `accelerators`.
    public var capacitySteps: [[(atSeconds: Double, accelerators: Int)]] = []
    /// Standby accelerators per pool (backup options), for each pool as steps like
    /// `capacitySteps`; they join the pool while an incident at another provider is active.
    public var backupSteps: [[(atSeconds: Double, accelerators: Int)]] = []
    /// Stop after this long even if jobs remain.
    public var limitSeconds: Double = 365 * 86_400
    /// The fleet is billed up to here even when the last job finishes sooner (a plan's leases
    /// are paid for their whole terms, used or not); nil bills to the last finish.
    public var billThroughSeconds: Double?
    /// Work-conserving inside a round: when a job finishes before the round ends, its
    /// accelerators (and any left idle at the round's start) go at once to the first waiting
    /// job, in arrival order, that fits and runs there, as a batch queue starts jobs when a
    /// gang frees. Off by default, as in Gavel's round-based mechanism; plan simulations use it
    /// (a plan sizes capacity to the work, so a round idle after every finish would count as
    /// missed work what is only the simulator's granularity).
    public var backfill = false
    /// Check the invariants at every round (tests turn it on).
    public var checkInvariants = false
    /// Called after every round.
    public var onRound: (@Sendable (RoundReport) -> Void)?

    /// A simulator; `providers` defaults to the pools' own.
    public init(pools: [Pool], providers: [ProviderID?]? = nil, policy: AllocationPolicy) {
        self.pools = pools
        self.providers = providers ?? pools.map(\.provider)
        self.policy = policy
    }

    /// Accelerators of each pool available at time t.
    func capacity(at t: Double) -> [Int] {
        func step(_ steps: [[(atSeconds: Double, accelerators: Int)]], _ m: Int, _ fallback: Int) -> Int {
            guard m < steps.count else { return fallback }
            return steps[m].last { $0.atSeconds <= t }?.accelerators ?? fallback
        }
        return pools.indices.map { m in
            var fraction = 1.0
            for incident in incidents where incident.provider == providers[m] && incident.active(at: t) {
                fraction = min(fraction, incident.remainingFraction)
            }
            // Never a negative pool: the allocator's LP would get an upper bound below its lower.
            let base = max(0, Int((Double(step(capacitySteps, m, pools[m].accelerators)) * fraction).rounded(.down)))
            return base + exercised(m, at: t)
        }
    }

    /// Backup accelerators pool m exercises at time t: all it holds while some other provider
    /// is failing and its own still delivers, else none.
    func exercised(_ m: Int, at t: Double) -> Int {
        guard m < backupSteps.count, let held = backupSteps[m].last(where: { $0.atSeconds <= t })?.accelerators
        else { return 0 }
        let elsewhere = incidents.contains { $0.provider != providers[m] && $0.active(at: t) }
        let down = incidents.contains {
            $0.provider == providers[m] && $0.active(at: t) && $0.remainingFraction <= 0
        }
        return elsewhere && !down ? held : 0
    }

    /// Accelerator-seconds of each pool's backups exercised from 0 to `end` (`exercised`),
    /// whatever the jobs do: an option exercised is paid for while it is.
    public func exercisedBackupSeconds(until end: Double) -> [Double] {
        let times = [0] + changeTimes().filter { $0 > 0 && $0 < end } + [end]
        var seconds = Array(repeating: 0.0, count: pools.count)
        for (a, b) in zip(times, times.dropFirst()) where b > a {
            for m in pools.indices { seconds[m] += Double(exercised(m, at: a)) * (b - a) }
        }
        return seconds
    }

    /// Every time at which some pool's capacity may change, ascending.
    func changeTimes() -> [Double] {
        var times: Set<Double> = []
        for incident in incidents {
            times.insert(incident.startSeconds)
            if let d = incident.durationSeconds { times.insert(incident.startSeconds + d) }
        }
        for steps in capacitySteps + backupSteps { for step in steps { times.insert(step.atSeconds) } }
        return times.sorted()
    }

    /// Runs the jobs to completion (or the limit). Each round: admit arrivals, compute the
    /// policy's target shares, start jobs by priority, then play the round forward event by event.
    public func run(_ jobs: [SimulatedJob]) throws -> SimulationMetrics {
        var state = SimulationState(simulator: self, jobs: jobs)
        while state.unfinishedCount > 0, state.t < limitSeconds {
            state.admitArrivals()
            var active = state.present.filter { !state.unschedulable.contains($0) }
            var shares: (JobGrouping, AllocationResult)?
            if !active.isEmpty {
                let available = capacity(at: state.t)
                let (grouping, target) = try state.targetShares(active, available: available)
                if state.markUnschedulable(active, grouping: grouping, target: target) {
                    active.removeAll { state.unschedulable.contains($0) }
                    shares = active.isEmpty ? nil : try state.targetShares(active, available: available)
                } else {
                    shares = (grouping, target)
                }
            }
            guard let (grouping, target) = shares else {
                // Nothing can run: the fleet waits (and is billed) until the next arrival.
                guard state.next < state.order.count, state.unfinishedCount > 0 else { break }
                let arrival = min(limitSeconds, max(state.t, jobs[state.order[state.next]].arrivalSeconds))
                state.charge(from: state.t, to: arrival)
                state.t = arrival
                continue
            }
            let candidates = state.rank(active, grouping: grouping, target: target)
            let report = try state.playRound(candidates, active: active)
            for j in active { state.roundsPresent[j] += 1 }
            onRound?(report)
            state.t += roundSeconds
        }
        if let end = billThroughSeconds, end > state.billedUntil { state.charge(from: state.billedUntil, to: end) }
        return state.metrics()
    }
}

/// A job's claim to a pool in one round: placed in priority order.
struct Candidate {
    let priority: Double
    let job: Int
    let pool: Int
}

/// A job running in the current round.
struct Running {
    let pool: Int
    /// When it started in this round (the round's start, or later).
    let since: Double
    /// Seconds of restore before progress counts.
    let overhead: Double
    /// Where its gang sits in the pool's domains.
    let slots: [DomainPacker.Slot]
    /// Its place in the round's order (lower first): who keeps a shrinking pool.
    let rank: Int
}

/// What a simulation carries from round to round.
struct SimulationState {
    let simulator: Simulator
    let jobs: [SimulatedJob]
    /// Job indices in arrival order (`SimulatedJob.arrivalOrder`).
    let order: [Int]
    var remaining: [Double]
    /// received[j][m]: rounds (and fractions of rounds) job j has run on pool m.
    var received: [[Double]]
    var roundsPresent: [Double]
    /// The pool each job last ran on (nil: it never started).
    var lastPool: [Int?]
    /// Whether each job ran to the end of the last round and was not stopped there.
    var continuing: [Bool]
    /// Restore time a job has still to pay when it continues (a restore longer than its round).
    var owedOverhead: [Double]
    var finished: [Double?]
    var started: [Double?]
    var poolSeconds: [[Int: Double]]
    var busySeconds: [Double]
    var availableSeconds: [Double]
    var preemptions = 0
    var workLost = 0.0
    /// The next job in `order` to arrive.
    var next = 0
    var t = 0.0
    /// Billed up to here.
    var billedUntil = 0.0
    let allocator = Allocator()
    var unschedulable = Set<Int>()
    var unschedulableReasons: [Int: String] = [:]
    /// The most each pool ever has: its steps or size, plus its largest backup.
    let peak: [Int]
    /// For each job, the pools it runs on grouped by its speed there (identical pools to it).
    let groups: [[[Int]]]
    /// Pools in a canonical order (model, provider, region, size, price, domain): tie-breaks
    /// never depend on the order the fleet was listed in.
    let poolRank: [Int]
    /// When some pool's capacity may change, ascending.
    let changeTimes: [Double]
    /// Arrived, not finished, in arrival order.
    var present: [Int] = []
    var lastTarget: (key: [JobClass], capacity: [Int], result: AllocationResult)?
    var unfinishedCount: Int

    var pools: [Pool] { simulator.pools }

    init(simulator: Simulator, jobs: [SimulatedJob]) {
        self.simulator = simulator
        self.jobs = jobs
        order = SimulatedJob.arrivalOrder(jobs)
        let poolCount = simulator.pools.count
        remaining = jobs.map(\.work)
        received = jobs.map { _ in Array(repeating: 0.0, count: poolCount) }
        roundsPresent = jobs.map { _ in 0.0 }
        lastPool = jobs.map { _ in nil }
        continuing = jobs.map { _ in false }
        owedOverhead = jobs.map { _ in 0 }
        finished = jobs.map { _ in nil }
        started = jobs.map { _ in nil }
        poolSeconds = jobs.map { _ in [:] }
        busySeconds = Array(repeating: 0.0, count: poolCount)
        availableSeconds = Array(repeating: 0.0, count: poolCount)
        peak = simulator.pools.indices.map { m in
            let base =
                m < simulator.capacitySteps.count
                ? (simulator.capacitySteps[m].map(\.accelerators) + [0]).max()! : simulator.pools[m].accelerators
            let standby =
                m < simulator.backupSteps.count ? (simulator.backupSteps[m].map(\.accelerators) + [0]).max()! : 0
            return base + standby
        }
        let pools = simulator.pools
        let canonical = pools.indices.sorted { Pool.canonicallyPrecedes(pools[$0], pools[$1]) }
        var rank = Array(repeating: 0, count: poolCount)
        for (position, m) in canonical.enumerated() { rank[m] = position }
        poolRank = rank
        groups = jobs.map { job in
            var bySpeed: [Double: [Int]] = [:]
            for m in 0..<min(poolCount, job.throughput.count) where job.throughput[m] > 0 {
                bySpeed[job.throughput[m], default: []].append(m)
            }
            return bySpeed.keys.sorted(by: >).map { speed in bySpeed[speed]!.sorted { rank[$0] < rank[$1] } }
        }
        changeTimes = simulator.changeTimes()
        unfinishedCount = jobs.count
    }

    /// Jobs whose arrival time has come join the present ones; finished ones leave.
    mutating func admitArrivals() {
        while next < order.count, jobs[order[next]].arrivalSeconds <= t {
            present.append(order[next])
            next += 1
        }
        present.removeAll { finished[$0] != nil }
    }

    /// The policy's target shares for the jobs present, grouped by type. They change only when
    /// the job types present or the capacity do (arrivals, completions, incidents), so most
    /// rounds reuse the last allocation.
    mutating func targetShares(_ active: [Int], available: [Int]) throws -> (JobGrouping, AllocationResult) {
        var livePools = pools
        for m in livePools.indices { livePools[m].accelerators = available[m] }
        let classes = active.map { j in
            JobClass(
                id: jobs[j].id, gang: jobs[j].gang, weight: jobs[j].weight, throughput: jobs[j].throughput,
                remainingWork: remaining[j], elapsedSeconds: t - jobs[j].arrivalSeconds,
                deadlineSeconds: jobs[j].deadlineSeconds.map { max(1, jobs[j].arrivalSeconds + $0 - t) })
        }
        let grouping = JobGrouping(classes, policy: simulator.policy)
        if let last = lastTarget, last.capacity == available, last.key == grouping.classes {
            return (grouping, last.result)
        }
        let target = try allocator.allocate(grouping.classes, pools: livePools, policy: simulator.policy)
        lastTarget = (grouping.classes, available, target)
        return (grouping, target)
    }

    /// A job the allocation cannot schedule even at the fleet's peak (not just now) never will
    /// be; returns whether any job was newly found so.
    mutating func markUnschedulable(_ active: [Int], grouping: JobGrouping, target: AllocationResult) -> Bool {
        var found = false
        for (i, j) in active.enumerated() where target.unschedulable[grouping.classOfJob[i]] != nil {
            let runnable = pools.indices.filter { m in m < jobs[j].throughput.count && jobs[j].throughput[m] > 0 }
            guard !runnable.contains(where: { jobs[j].gang <= peak[$0] }) else { continue }
            if unschedulable.insert(j).inserted {
                unfinishedCount -= 1
                found = true
                unschedulableReasons[j] =
                    runnable.isEmpty
                    ? "it runs on none of the pools' models"
                    : "its gang of \(jobs[j].gang) is larger than every pool it runs on (the largest holds \(runnable.map { peak[$0] }.max()!))"
            }
        }
        return found
    }

    /// The round's claims, highest priority first. A job's priority on pool m is its target share
    /// of m's group (the pools where it runs at m's speed) ÷ the share of rounds it has received
    /// there (Gavel's, with identical pools as one). Its last pool is a claim whenever the group
    /// holding it has a share, and wins ties; a claim on another pool is discounted by the share
    /// of the round a checkpoint restore costs. Ties go to the earlier arrival, then the faster
    /// pool, then the canonical pool order.
    func rank(_ active: [Int], grouping: JobGrouping, target: AllocationResult) -> [Candidate] {
        let round = simulator.roundSeconds
        let moveFactor = max(0, round - simulator.checkpointSeconds) / round
        var candidates: [Candidate] = []
        for (i, j) in active.enumerated() {
            let share = target.fractions[grouping.classOfJob[i]]
            for group in groups[j] {
                let want = group.reduce(0.0) { $0 + share[$1] }
                guard want > 1e-9 else { continue }
                let got = roundsPresent[j] > 0 ? group.reduce(0.0) { $0 + received[j][$1] } / roundsPresent[j] : 0
                let priority = got > 0 ? want / got : .infinity
                for m in group where share[m] > 1e-9 || lastPool[j] == m {
                    let p: Double
                    if lastPool[j] == m {
                        p = priority == .infinity ? priority : priority * (1 + 1e-9) + 1e-12
                    } else if lastPool[j] != nil {
                        p = priority * moveFactor
                    } else {
                        p = priority
                    }
                    candidates.append(Candidate(priority: p, job: j, pool: m))
                }
            }
        }
        return candidates.sorted { a, b in
            if a.priority != b.priority { return a.priority > b.priority }
            if a.job != b.job {
                return (jobs[a.job].arrivalSeconds, a.job) < (jobs[b.job].arrivalSeconds, b.job)
            }
            // Staying put beats an equally urgent move (infinite priorities tie).
            if (lastPool[a.job] == a.pool) != (lastPool[b.job] == b.pool) { return lastPool[a.job] == a.pool }
            let (ra, rb) = (jobs[a.job].throughput[a.pool], jobs[b.job].throughput[b.pool])
            return ra != rb ? ra > rb : poolRank[a.pool] < poolRank[b.pool]
        }
    }

    /// Bills the fleet's available accelerators from `a` to `b`, to the second.
    mutating func charge(from a: Double, to b: Double) {
        guard b > a else { return }
        var start = a
        let inside = changeTimes.filter { $0 > a && $0 < b }
        for end in inside + [b] {
            let capacity = simulator.capacity(at: start)
            for m in pools.indices { availableSeconds[m] += Double(capacity[m]) * (end - start) }
            start = end
        }
        billedUntil = max(billedUntil, b)
    }

    /// The metrics of the run so far.
    func metrics() -> SimulationMetrics {
        let done = jobs.indices.compactMap { j in finished[j].map { $0 - jobs[j].arrivalSeconds } }
        let makespan = finished.compactMap { $0 }.max() ?? 0
        // What the fleet costs: every available accelerator-second billed, at its price.
        let cost = pools.indices.reduce(0.0) { $0 + availableSeconds[$1] / 3600 * pools[$1].pricePerAcceleratorHour }
        var met = 0
        var withDeadline = 0
        for (j, job) in jobs.enumerated() {
            guard let deadline = job.deadlineSeconds else { continue }
            withDeadline += 1
            if let f = finished[j], f <= job.arrivalSeconds + deadline { met += 1 }
        }
        return SimulationMetrics(
            completionTimes: done, unfinished: jobs.indices.filter { finished[$0] == nil }.map { jobs[$0].id },
            unschedulable: unschedulable.sorted().map { (jobs[$0].id, unschedulableReasons[$0] ?? "") },
            makespanSeconds: makespan,
            utilization: pools.indices.map { availableSeconds[$0] > 0 ? busySeconds[$0] / availableSeconds[$0] : 0 },
            costUSD: cost, deadlinesMet: (met, withDeadline), preemptions: preemptions, workLost: workLost,
            finishSeconds: finished, startSeconds: started, poolSeconds: poolSeconds, billedSeconds: billedUntil)
    }
}

public struct RoundReport: Sendable {
    /// When the round started, seconds.
    public var startSeconds: Double
    /// Jobs running in it.
    public var runningJobs: Int
    /// Accelerators busy, per pool.
    public var busy: [Int]
    /// Accelerators available, per pool, at the round's start (after incidents, with fleet
    /// changes and backups).
    public var available: [Int]
    /// USD billed for each pool's available accelerator-time in the round, to the second.
    public var cost: [Double] = []
}

/// Free accelerators per scale-up domain of one pool, for packing gangs: a gang that fits in a
/// domain goes to the fullest domain it fits in (best fit, to keep whole domains free for big
/// gangs); a larger gang takes whole free domains, largest first.
struct DomainPacker {
    /// Accelerators a gang holds in one domain.
    struct Slot: Equatable {
        let domain: Int
        let count: Int
    }

    private(set) var free: [Int]
    /// Each domain's size.
    private(set) var sizes: [Int]
    let domainSize: Int?

    /// A pool of `accelerators` in domains of `domainSize` (nil: one domain).
    init(accelerators: Int, domainSize: Int?) {
        self.domainSize = domainSize
        sizes = Self.domains(accelerators, domainSize)
        free = sizes
    }

    static func domains(_ accelerators: Int, _ domainSize: Int?) -> [Int] {
        guard accelerators > 0 else { return [] }
        guard let size = domainSize, size < accelerators else { return [accelerators] }
        return Array(repeating: size, count: accelerators / size)
            + (accelerators % size > 0 ? [accelerators % size] : [])
    }

    /// Accelerators not held by any gang.
    var freeAccelerators: Int { free.reduce(0, +) }

    /// Places a gang if it fits; returns where, or nil.
    mutating func place(gang: Int) -> [Slot]? {
        if gang <= (domainSize ?? Int.max) {
            guard let best = free.indices.filter({ free[$0] >= gang }).min(by: { (free[$0], $0) < (free[$1], $1) })
            else { return nil }
            free[best] -= gang
            return [Slot(domain: best, count: gang)]
        }
        let whole = free.indices.filter { free[$0] == sizes[$0] && sizes[$0] > 0 }.sorted {
            (sizes[$0], -$0) > (sizes[$1], -$1)
        }
        var slots: [Slot] = []
        var held = 0
        for d in whole where held < gang {
            slots.append(Slot(domain: d, count: sizes[d]))
            held += sizes[d]
        }
        guard held >= gang else { return nil }
        for slot in slots { free[slot.domain] = 0 }
        return slots
    }

    /// Gives a gang's accelerators back.
    mutating func release(_ slots: [Slot]) {
        for slot in slots { free[slot.domain] += slot.count }
    }

    /// The pool grows to `accelerators`: the new ones come as new domains (one domain grows).
    mutating func grow(to accelerators: Int) {
        let added = accelerators - sizes.reduce(0, +)
        guard added > 0 else { return }
        if domainSize == nil, !sizes.isEmpty {
            sizes[0] += added
            free[0] += added
        } else {
            let more = Self.domains(added, domainSize)
            sizes += more
            free += more
        }
    }
}
