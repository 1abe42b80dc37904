import Foundation

/// What one round has under way: the pools' capacity and packing, the jobs running and when
/// each will finish, in the order they were started.
struct RoundState {
    let start: Double
    let end: Double
    /// The jobs waiting at the round's start, in arrival order.
    let active: [Int]
    /// The round's claims, highest priority first (decided again when a pool grows).
    var candidates: [Candidate]
    var capacity: [Int]
    var packers: [DomainPacker]
    var runs: [Int: Running] = [:]
    /// Accelerators started per pool in the round.
    var busy: [Int]
    /// Finishes due inside the round, earliest first (ties by job).
    var finishes: [(at: Double, job: Int)] = []
    /// Jobs started in the round so far (each one's rank).
    var started = 0
    /// The pools' capacity is charged up to here.
    var segmentStart: Double

    init(
        start: Double, end: Double, active: [Int], candidates: [Candidate], capacity: [Int],
        packers: [DomainPacker], busy: [Int]
    ) {
        (self.start, self.end, self.active, self.candidates) = (start, end, active, candidates)
        (self.capacity, self.packers, self.busy, segmentStart) = (capacity, packers, busy, start)
    }
}

extension SimulationState {
    /// Plays one round: starts the candidates in order, then goes event by event — a job
    /// finishing (its gang freed; backfilled when `backfill`), a pool shrinking (the jobs that no
    /// longer fit stop, lowest in the round's order first, losing their progress since they
    /// started in the round), a pool growing (the policy decides again and waiting jobs start at
    /// once) — and closes the round.
    mutating func playRound(_ candidates: [Candidate], active: [Int]) throws -> RoundReport {
        let capacity = simulator.capacity(at: t)
        var round = RoundState(
            start: t, end: t + simulator.roundSeconds, active: active, candidates: candidates, capacity: capacity,
            packers: pools.indices.map { DomainPacker(accelerators: capacity[$0], domainSize: pools[$0].domainSize) },
            busy: Array(repeating: 0, count: pools.count))
        let costBefore = availableSeconds
        startClaims(&round)
        let end = try playEvents(&round)
        chargeSegment(until: end, in: &round)
        let stopped = stoppedAtEnd(round, end: end)
        close(&round, stopped: stopped)
        let cost = pools.indices.map {
            (availableSeconds[$0] - costBefore[$0]) / 3600 * pools[$0].pricePerAcceleratorHour
        }
        return RoundReport(
            startSeconds: round.start, runningJobs: round.started, busy: round.busy, available: capacity, cost: cost)
    }

    /// The round's claims, highest priority first; then, when backfilling, the first waiting
    /// jobs that fit anywhere.
    mutating func startClaims(_ round: inout RoundState) {
        for c in round.candidates where round.runs[c.job] == nil && finished[c.job] == nil {
            if let slots = round.packers[c.pool].place(gang: jobs[c.job].gang) {
                start(c.job, on: c.pool, at: round.start, slots: slots, in: &round)
            }
        }
        if simulator.backfill { for m in pools.indices { fill(m, at: round.start, in: &round) } }
        if simulator.checkInvariants {
            for m in pools.indices {
                let used = round.runs.values.filter { $0.pool == m }.reduce(0) {
                    $0 + $1.slots.reduce(0) { $0 + $1.count }
                }
                precondition(used <= round.capacity[m], "pool \(m) over-allocated")
            }
        }
        for j in round.active { continuing[j] = false }
    }

    /// Goes through the round's events in time order — finishes and capacity changes — and
    /// returns when the round ends: at its end, or when the last unfinished job finishes.
    mutating func playEvents(_ round: inout RoundState) throws -> Double {
        var changes = changeTimes.filter { $0 > round.start && $0 < round.end }[...]
        while true {
            let finish = round.finishes.first
            let change = changes.first
            if let finish, change == nil || finish.at <= change! {
                round.finishes.removeFirst()
                let j = finish.job
                guard round.runs[j] != nil else { continue }
                let run = account(j, until: finish.at, in: &round)
                finished[j] = finish.at
                remaining[j] = 0
                unfinishedCount -= 1
                if unfinishedCount == 0 { return finish.at }
                if simulator.backfill { fill(run.pool, at: finish.at, in: &round) }
            } else if let change {
                changes.removeFirst()
                try changeCapacity(at: change, in: &round)
            } else {
                return round.end
            }
        }
    }

    /// Pools change size at `change`: the time before is charged; the policy decides again for a
    /// pool that grows (the round's claims were made for less); a pool that shrinks stops the
    /// jobs that no longer fit, which lose their progress since they started in the round.
    mutating func changeCapacity(at change: Double, in round: inout RoundState) throws {
        chargeSegment(until: change, in: &round)
        let now = simulator.capacity(at: change)
        if pools.indices.contains(where: { now[$0] > round.capacity[$0] }), !simulator.backfill {
            let waiting = round.active.filter { finished[$0] == nil }
            let (grouping, target) = try targetShares(waiting, available: now)
            round.candidates = rank(waiting, grouping: grouping, target: target)
        }
        for m in pools.indices where now[m] != round.capacity[m] {
            if now[m] < round.capacity[m] {
                for j in repack(m, into: now[m], in: &round) {
                    let run = account(j, until: change, in: &round)
                    workLost += jobs[j].throughput[m] * max(0, change - run.since - run.overhead)
                    preemptions += 1
                    round.finishes.removeAll { $0.job == j }
                }
            } else {
                round.packers[m].grow(to: now[m])
            }
            round.capacity[m] = now[m]
            fill(m, at: change, in: &round)
        }
    }

    /// A pool that shrinks exactly at the round's end stops the jobs that no longer fit there,
    /// lowest in the round's order first (nothing is lost: the round's end is their checkpoint).
    mutating func stoppedAtEnd(_ round: RoundState, end: Double) -> Set<Int> {
        var stopped: Set<Int> = []
        guard end == round.end else { return stopped }
        let next = simulator.capacity(at: round.end)
        for m in pools.indices where next[m] < round.capacity[m] {
            var packer = DomainPacker(accelerators: next[m], domainSize: pools[m].domainSize)
            for (j, _) in round.runs.filter({ $0.value.pool == m }).sorted(by: { $0.value.rank < $1.value.rank })
            where packer.place(gang: jobs[j].gang) == nil {
                stopped.insert(j)
                preemptions += 1
            }
        }
        return stopped
    }

    /// Closes the round: the jobs still running keep their progress and continue next round,
    /// unless stopped at its end.
    mutating func close(_ round: inout RoundState, stopped: Set<Int>) {
        for j in round.runs.keys.sorted() {
            let run = account(j, until: round.end, in: &round)
            let m = run.pool
            let useful = max(0, round.end - run.since - run.overhead)
            remaining[j] = max(0, remaining[j] - useful * jobs[j].throughput[m])
            owedOverhead[j] = max(0, run.since + run.overhead - round.end)
            continuing[j] = !stopped.contains(j)
            if simulator.checkInvariants { precondition(remaining[j] > 0, "a job ran past its finish") }
        }
    }

    /// Starts job j on pool m at `time` in `slots`, paying its start, move or resume overhead,
    /// and notes its finish if it falls inside the round.
    mutating func start(_ j: Int, on m: Int, at time: Double, slots: [DomainPacker.Slot], in round: inout RoundState) {
        let overhead: Double
        if lastPool[j] == nil {
            overhead = simulator.startupSeconds
        } else if lastPool[j] != m {
            overhead = simulator.checkpointSeconds
            preemptions += 1
        } else if continuing[j] && time == round.start {
            overhead = owedOverhead[j]
        } else {
            overhead = simulator.resumeSeconds
        }
        round.runs[j] = Running(pool: m, since: time, overhead: overhead, slots: slots, rank: round.started)
        round.started += 1
        round.busy[m] += jobs[j].gang
        if started[j] == nil { started[j] = time }
        let end = time + overhead + remaining[j] / jobs[j].throughput[m]
        if end <= round.end + 1e-6 {
            let at = round.finishes.firstIndex { ($0.at, $0.job) > (end, j) } ?? round.finishes.count
            round.finishes.insert((end, j), at: at)
        }
    }

    /// Ends job j's stretch at `time`: its accelerator-time counted, its share received.
    mutating func account(_ j: Int, until time: Double, in round: inout RoundState) -> Running {
        let run = round.runs.removeValue(forKey: j)!
        let elapsed = time - run.since
        busySeconds[run.pool] += Double(jobs[j].gang) * elapsed
        poolSeconds[j][run.pool, default: 0] += elapsed
        received[j][run.pool] += elapsed / simulator.roundSeconds
        round.packers[run.pool].release(run.slots)
        lastPool[j] = run.pool
        return run
    }

    /// Starts waiting jobs on pool m at `time`: in a backfilled round the first waiting jobs in
    /// arrival order that fit and run there; otherwise the round's claims on m, in order.
    mutating func fill(_ m: Int, at time: Double, in round: inout RoundState) {
        let queue: [Int] =
            simulator.backfill
            ? round.active.filter { round.runs[$0] == nil && finished[$0] == nil && m < jobs[$0].throughput.count }
            : round.candidates.filter { $0.pool == m }.map(\.job)
        for j in queue where round.runs[j] == nil && finished[j] == nil && jobs[j].throughput[m] > 0 {
            if let slots = round.packers[m].place(gang: jobs[j].gang) {
                start(j, on: m, at: time, slots: slots, in: &round)
            }
            if round.packers[m].freeAccelerators == 0 { break }
        }
    }

    /// Re-packs the jobs running on pool m into `accelerators`, in the round's order; returns
    /// the jobs that no longer fit (holding no slot in the new packing).
    mutating func repack(_ m: Int, into accelerators: Int, in round: inout RoundState) -> [Int] {
        var packer = DomainPacker(accelerators: accelerators, domainSize: pools[m].domainSize)
        var evicted: [Int] = []
        for (j, run) in round.runs.filter({ $0.value.pool == m }).sorted(by: { $0.value.rank < $1.value.rank }) {
            let slots = packer.place(gang: jobs[j].gang)
            if slots == nil { evicted.append(j) }
            round.runs[j] = Running(
                pool: m, since: run.since, overhead: run.overhead, slots: slots ?? [], rank: run.rank)
        }
        round.packers[m] = packer
        return evicted
    }

    /// Charges the pools' capacity from where the round last charged it to `end`.
    mutating func chargeSegment(until end: Double, in round: inout RoundState) {
        charge(from: round.segmentStart, to: end)
        round.segmentStart = end
    }
}
