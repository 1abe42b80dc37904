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
}

/// What a simulation measured.
public struct SimulationMetrics: Sendable {
    /// Completion minus arrival, per completed job.
    public var completionTimes: [Double]
    /// Jobs that never finished (unschedulable, or the horizon ended).
    public var unfinished: [String]
    /// When the last job finished.
    public var makespanSeconds: Double
    /// Busy accelerator-seconds over available accelerator-seconds, per pool.
    public var utilization: [Double]
    /// USD for the fleet's available accelerator-hours while the simulation ran.
    public var costUSD: Double
    /// Jobs with a deadline that met it, and how many had one.
    public var deadlinesMet: (met: Int, of: Int)
    /// Times a running job was stopped by an incident or moved between pools.
    public var preemptions: Int
    /// Work lost to incidents (progress since the last checkpoint, i.e. the round's start).
    public var workLost: Double
    /// When each job finished, seconds from time 0, in the order the jobs were given; nil where
    /// it did not.
    public var finishSeconds: [Double?] = []

    /// Mean job completion time.
    public var averageJCT: Double {
        completionTimes.isEmpty ? 0 : completionTimes.reduce(0, +) / Double(completionTimes.count)
    }
    /// A percentile (0–100) of job completion time.
    public func percentileJCT(_ p: Double) -> Double {
        let sorted = completionTimes.sorted()
        guard !sorted.isEmpty else { return 0 }
        let rank = min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))
        return sorted[rank]
    }
}

/// A round-based simulation of a fleet and a job stream (Gavel's mechanism): every round the
/// policy allocates time shares, jobs are run in order of priority = target share ÷ share received,
/// each gang whole on one pool, a running job stays where it is unless its pool no longer has it,
/// and a move costs `checkpointSeconds` of progress.
public struct Simulator: Sendable {
    /// The pools (with their providers).
    public var pools: [Pool]
    /// Provider of each pool, for incidents and utilisation by provider.
    public var providers: [ProviderID?]
    /// The policy.
    public var policy: AllocationPolicy
    /// Round length.
    public var roundSeconds: Double = 360
    /// Progress lost each time a job starts on a pool it was not on.
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

    /// A simulator.
    public init(pools: [Pool], providers: [ProviderID?]? = nil, policy: AllocationPolicy) {
        self.pools = pools
        self.providers = providers ?? pools.map { _ in nil }
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
            // Backups are exercised while some other provider is failing.
            let elsewhere = incidents.contains { $0.provider != providers[m] && $0.active(at: t) }
            return base + (elsewhere && fraction > 0 ? step(backupSteps, m, 0) : 0)
        }
    }

    /// Runs the jobs to completion (or the limit). Each round: admit arrivals, compute the
    /// policy's target shares, place jobs by priority, then play the round forward.
    public func run(_ jobs: [SimulatedJob]) throws -> SimulationMetrics {
        var state = SimulationState(simulator: self, jobs: jobs)
        while state.unfinishedCount > 0, state.t < limitSeconds {
            state.admitArrivals()
            let active = state.present.filter { !state.unschedulable.contains($0) }
            if active.isEmpty {
                guard state.next < state.order.count else { break }
                state.t = max(state.t, jobs[state.order[state.next]].arrivalSeconds)
                continue
            }
            let available = capacity(at: state.t)
            let (grouping, target) = try state.targetShares(active, available: available)
            state.markUnschedulable(active, grouping: grouping, target: target)
            let running = state.place(active, grouping: grouping, target: target, available: available)
            var busy = state.playRound(running, available: available)
            var started: Set<Int> = []
            if backfill {
                started = state.backfill(
                    active.filter { running[$0] == nil }, running: running, busy: &busy, available: available)
            }
            for j in active { state.roundsPresent[j] += 1 }
            for j in active where running[j] == nil && !started.contains(j) { state.placement[j] = nil }
            for m in pools.indices { state.availableSeconds[m] += Double(available[m]) * roundSeconds }
            onRound?(
                RoundReport(startSeconds: state.t, runningJobs: running.count, busy: busy, available: available))
            state.t += roundSeconds
        }
        return state.metrics()
    }
}

/// What a simulation carries from round to round.
private struct SimulationState {
    let simulator: Simulator
    let jobs: [SimulatedJob]
    /// Job indices in arrival order (ties by index).
    let order: [Int]
    var remaining: [Double]
    /// received[j][m]: rounds job j has run on pool m.
    var received: [[Double]]
    var roundsPresent: [Double]
    var placement: [Int?]
    var finished: [Double?]
    var busySeconds: [Double]
    var availableSeconds: [Double]
    var preemptions = 0
    var workLost = 0.0
    /// The next job in `order` to arrive.
    var next = 0
    var t = 0.0
    let allocator = Allocator()
    var unschedulable = Set<Int>()
    /// The most each pool ever has: its steps or size, plus its largest backup.
    let peak: [Int]
    /// Arrived, not finished, in arrival order.
    var present: [Int] = []
    var lastTarget: (key: [JobClass], capacity: [Int], result: AllocationResult)?
    var unfinishedCount: Int

    var pools: [Pool] { simulator.pools }

    init(simulator: Simulator, jobs: [SimulatedJob]) {
        self.simulator = simulator
        self.jobs = jobs
        order = jobs.indices.sorted { (jobs[$0].arrivalSeconds, $0) < (jobs[$1].arrivalSeconds, $1) }
        remaining = jobs.map(\.work)
        received = jobs.map { _ in Array(repeating: 0.0, count: simulator.pools.count) }
        roundsPresent = jobs.map { _ in 0.0 }
        placement = jobs.map { _ in nil }
        finished = jobs.map { _ in nil }
        busySeconds = Array(repeating: 0.0, count: simulator.pools.count)
        availableSeconds = Array(repeating: 0.0, count: simulator.pools.count)
        peak = simulator.pools.indices.map { m in
            let base =
                m < simulator.capacitySteps.count
                ? (simulator.capacitySteps[m].map(\.accelerators) + [0]).max()! : simulator.pools[m].accelerators
            let standby =
                m < simulator.backupSteps.count ? (simulator.backupSteps[m].map(\.accelerators) + [0]).max()! : 0
            return base + standby
        }
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
        let livePools = pools.indices.map {
            Pool(
                model: pools[$0].model, accelerators: available[$0],
                pricePerAcceleratorHour: pools[$0].pricePerAcceleratorHour)
        }
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

    /// A job the allocation cannot schedule even at the fleet's peak (not just now) never will be.
    mutating func markUnschedulable(_ active: [Int], grouping: JobGrouping, target: AllocationResult) {
        for (i, j) in active.enumerated() where target.unschedulable[grouping.classOfJob[i]] != nil {
            let fits = pools.indices.contains { m in
                m < jobs[j].throughput.count && jobs[j].throughput[m] > 0 && jobs[j].gang <= peak[m]
            }
            if !fits, unschedulable.insert(j).inserted { unfinishedCount -= 1 }
        }
    }

    /// Places jobs for the round, highest priority first: priority of job j on pool m is its
    /// target share ÷ the share it has received so far (Gavel), gangs packed into scale-up domains.
    func place(_ active: [Int], grouping: JobGrouping, target: AllocationResult, available: [Int]) -> [Int: Int] {
        var candidates: [(priority: Double, job: Int, pool: Int)] = []
        for (i, j) in active.enumerated() {
            let share = target.fractions[grouping.classOfJob[i]]
            for m in pools.indices where share[m] > 1e-9 {
                let got = roundsPresent[j] > 0 ? received[j][m] / roundsPresent[j] : 0
                let priority = got > 0 ? share[m] / got : .infinity
                // Staying put wins ties: moving costs a checkpoint restore.
                candidates.append((placement[j] == m ? priority * (1 + 1e-9) + 1e-12 : priority, j, m))
            }
        }
        candidates.sort { ($0.priority, -$0.job, -$0.pool) > ($1.priority, -$1.job, -$1.pool) }
        var domains = pools.indices.map {
            DomainPacker(accelerators: available[$0], domainSize: pools[$0].domainSize)
        }
        var running: [Int: Int] = [:]
        for c in candidates where running[c.job] == nil && domains[c.pool].place(gang: jobs[c.job].gang) {
            running[c.job] = c.pool
        }
        if simulator.checkInvariants {
            for m in pools.indices {
                let used = running.filter { $0.value == m }.reduce(0) { $0 + jobs[$1.key].gang }
                precondition(used <= available[m], "pool \(m) over-allocated")
            }
        }
        return running
    }

    /// Plays one round forward for the jobs placed; returns the busy accelerators per pool. An
    /// incident starting inside the round stops the jobs on its pools at once; they lose this
    /// round's progress (their last checkpoint is the round's start).
    mutating func playRound(_ running: [Int: Int], available: [Int]) -> [Int] {
        let roundSeconds = simulator.roundSeconds
        let roundEnd = t + roundSeconds
        var busy = Array(repeating: 0, count: pools.count)
        for (j, m) in running.sorted(by: { $0.key < $1.key }) {
            busy[m] += jobs[j].gang
            let moved = placement[j] != nil && placement[j] != m
            if moved { preemptions += 1 }
            let restore = (placement[j] == m) ? 0 : simulator.checkpointSeconds
            placement[j] = m
            let rate = jobs[j].throughput[m]
            let hitBy = simulator.incidents.first {
                $0.provider == simulator.providers[m] && $0.startSeconds > t && $0.startSeconds < roundEnd
            }
            let stopAt =
                hitBy != nil && simulator.capacity(at: hitBy!.startSeconds)[m] < available[m]
                ? hitBy!.startSeconds : roundEnd
            let usable = max(0, stopAt - t - restore)
            let needed = remaining[j] / rate
            if needed <= usable + 1e-6 {
                finished[j] = t + restore + needed
                unfinishedCount -= 1
                remaining[j] = 0
                busySeconds[m] += Double(jobs[j].gang) * (restore + needed)
            } else if stopAt < roundEnd {
                workLost += usable * rate
                preemptions += 1
                placement[j] = nil
                busySeconds[m] += Double(jobs[j].gang) * (stopAt - t)
            } else {
                remaining[j] -= usable * rate
                busySeconds[m] += Double(jobs[j].gang) * roundSeconds
            }
            if simulator.checkInvariants { precondition(remaining[j] >= -1e-6, "work not conserved") }
            received[j][m] += 1
        }
        return busy
    }

    /// `Simulator.backfill`: plays the rest of the round event by event. Each event frees
    /// accelerators on a pool (idle ones at the round's start, a job's gang when it finishes);
    /// the first waiting jobs, in arrival order, that fit there and run there start at once.
    /// Pools an incident hits inside the round are left as the round placed them. Returns the
    /// jobs started.
    mutating func backfill(_ waiting: [Int], running: [Int: Int], busy: inout [Int], available: [Int]) -> Set<Int> {
        let roundSeconds = simulator.roundSeconds
        let roundEnd = t + roundSeconds
        let hit = Set(
            pools.indices.filter { m in
                simulator.incidents.contains {
                    $0.provider == simulator.providers[m] && $0.startSeconds > t && $0.startSeconds < roundEnd
                }
            })
        var events: [(at: Double, pool: Int, accelerators: Int)] = pools.indices.map {
            (t, $0, available[$0] - busy[$0])
        }
        for (j, m) in running { if let f = finished[j], f < roundEnd { events.append((f, m, jobs[j].gang)) } }
        events.sort { ($0.at, $0.pool) < ($1.at, $1.pool) }
        var queue = waiting.sorted { (jobs[$0].arrivalSeconds, $0) < (jobs[$1].arrivalSeconds, $1) }
        var free = Array(repeating: 0, count: pools.count)
        var started: Set<Int> = []
        var next = 0
        while next < events.count, !queue.isEmpty {
            let event = events[next]
            next += 1
            let m = event.pool
            guard !hit.contains(m), event.accelerators > 0 else { continue }
            free[m] += event.accelerators
            var k = 0
            while k < queue.count, free[m] > 0 {
                let j = queue[k]
                guard jobs[j].gang <= free[m], m < jobs[j].throughput.count, jobs[j].throughput[m] > 0 else {
                    k += 1
                    continue
                }
                queue.remove(at: k)
                started.insert(j)
                free[m] -= jobs[j].gang
                busy[m] += jobs[j].gang
                if placement[j] != nil && placement[j] != m { preemptions += 1 }
                let restore = placement[j] == m ? 0 : simulator.checkpointSeconds
                placement[j] = m
                let rate = jobs[j].throughput[m]
                let usable = max(0, roundEnd - event.at - restore)
                let needed = remaining[j] / rate
                received[j][m] += (roundEnd - event.at) / roundSeconds
                if needed <= usable + 1e-6 {
                    let end = event.at + restore + needed
                    finished[j] = end
                    unfinishedCount -= 1
                    remaining[j] = 0
                    busySeconds[m] += Double(jobs[j].gang) * (restore + needed)
                    // Its gang frees again when it finishes: a later event, kept in time order.
                    let at = events[next...].firstIndex { ($0.at, $0.pool) > (end, m) } ?? events.count
                    events.insert((end, m, jobs[j].gang), at: at)
                } else {
                    remaining[j] -= usable * rate
                    busySeconds[m] += Double(jobs[j].gang) * (roundEnd - event.at)
                }
            }
        }
        return started
    }

    /// The metrics of the run so far.
    func metrics() -> SimulationMetrics {
        let done = jobs.indices.compactMap { j in finished[j].map { $0 - jobs[j].arrivalSeconds } }
        let makespan = finished.compactMap { $0 }.max() ?? 0
        // What the fleet costs while the simulation runs: every available accelerator-hour at its price.
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
            makespanSeconds: makespan,
            utilization: pools.indices.map { availableSeconds[$0] > 0 ? busySeconds[$0] / availableSeconds[$0] : 0 },
            costUSD: cost, deadlinesMet: (met, withDeadline), preemptions: preemptions, workLost: workLost,
            finishSeconds: finished)
    }
}

public struct RoundReport: Sendable {
    /// When the round started, seconds.
    public var startSeconds: Double
    /// Jobs running in it.
    public var runningJobs: Int
    /// Accelerators busy, per pool.
    public var busy: [Int]
    /// Accelerators available, per pool (after incidents, with fleet changes and backups).
    public var available: [Int]
}

/// Free accelerators per scale-up domain of one pool, for packing gangs: a gang that fits in a
/// domain goes to the fullest domain it fits in (best fit, to keep whole domains free for big
/// gangs); a larger gang takes whole free domains.
struct DomainPacker {
    private(set) var free: [Int]
    let size: Int

    init(accelerators: Int, domainSize: Int?) {
        let size = max(1, min(domainSize ?? max(1, accelerators), max(1, accelerators)))
        self.size = size
        free = Array(repeating: size, count: accelerators / size)
        if accelerators % size > 0 { free.append(accelerators % size) }
        if accelerators == 0 { free = [] }
    }

    /// Places a gang if it fits; returns whether it did.
    mutating func place(gang: Int) -> Bool {
        if gang <= size {
            guard let best = free.indices.filter({ free[$0] >= gang }).min(by: { free[$0] < free[$1] }) else {
                return false
            }
            free[best] -= gang
            return true
        }
        let needed = (gang + size - 1) / size
        let whole = free.indices.filter { free[$0] == size }
        guard whole.count >= needed else { return false }
        for d in whole.prefix(needed) { free[d] = 0 }
        return true
    }
}
