import Foundation
import SwitchyardModel
import Testing

@testable import Scheduler
@testable import Simulator

/// Cases solved by hand: 8-accelerator pools, jobs of 10 hours at 1 step per second (36,000
/// steps), 6-minute rounds.
@Suite struct HandSolvedTests {
    static let tenHours = 36_000.0

    static func jobs(_ count: Int, pools: Int = 1) -> [SimulatedJob] {
        (0..<count).map {
            SimulatedJob(
                id: "j\($0)", arrivalSeconds: 0, work: tenHours, throughput: Array(repeating: 1, count: pools))
        }
    }

    static func simulator(_ pools: [Pool], policy: AllocationPolicy = .maxMinFairness) -> Simulator {
        var s = Simulator(pools: pools, policy: policy)
        s.checkInvariants = true
        return s
    }

    /// Two identical pools at two suppliers, 16 one-accelerator jobs: every job runs from start to
    /// finish where it started. Nothing moves, so a 36 s checkpoint costs nothing: 10.00 h each.
    @Test func identicalPoolsDoNotTradeJobs() throws {
        let pools = [
            Pool(model: "nvidia-h100", accelerators: 8, provider: "neo-a"),
            Pool(model: "nvidia-h100", accelerators: 8, provider: "neo-b"),
        ]
        var s = Self.simulator(pools)
        s.checkpointSeconds = 36
        let m = try s.run(Self.jobs(16, pools: 2))
        #expect(m.preemptions == 0)
        #expect(m.completionTimes.allSatisfy { abs($0 - Self.tenHours) < 1e-6 }, "\(m.completionTimes)")
        #expect(m.poolSeconds.allSatisfy { $0.count == 1 })
    }

    /// Half of an 8-accelerator pool is reclaimed 180 s into a round: the 4 jobs lowest in the
    /// round's order stop (4 preemptions, 4 × 180 = 720 steps lost); the other 4 run on. The
    /// pool comes back 3,600 s later, mid-round, and the stopped jobs restart at once.
    @Test func aPartialIncidentStopsOnlyTheJobsThatNoLongerFit() throws {
        var s = Self.simulator([Pool(model: "nvidia-h100", accelerators: 8, pricePerAcceleratorHour: 1, provider: "a")])
        s.policy = .fifo
        s.incidents = [
            SupplyIncident(provider: "a", startSeconds: 3_780, durationSeconds: 3_600, remainingFraction: 0.5)
        ]
        let m = try s.run(Self.jobs(8))
        #expect(m.preemptions == 4)
        #expect(abs(m.workLost - 720) < 1e-6)
        // FIFO keeps jobs j0–j3 running; j4–j7 lose 180 s and wait out the hour: they finish
        // 3,780 s late (3,600 s of outage, 180 s of lost work).
        let finish = m.finishSeconds.map { $0 ?? -1 }
        #expect(finish[0..<4].allSatisfy { abs($0 - Self.tenHours) < 1e-6 }, "\(finish)")
        #expect(finish[4..<8].allSatisfy { abs($0 - (Self.tenHours + 3_780)) < 1e-6 }, "\(finish)")
        // Billed to the second: 8 accelerators to the last finish, less 4 for the hour.
        let billed = (8 * (Self.tenHours + 3_780) - 4 * 3_600) / 3_600
        #expect(abs(m.costUSD - billed) < 1e-6, "cost \(m.costUSD), by hand \(billed)")
    }

    /// An outage that starts on a round boundary stops all 8 running jobs (8 preemptions, nothing
    /// lost: the boundary is their checkpoint); it ends mid-round and they resume at that second.
    @Test func anIncidentOnARoundBoundaryIsExact() throws {
        var s = Self.simulator([Pool(model: "nvidia-h100", accelerators: 8, pricePerAcceleratorHour: 1, provider: "a")])
        s.incidents = [SupplyIncident(provider: "a", startSeconds: 3_600, durationSeconds: 1_890)]
        let m = try s.run(Self.jobs(8))
        #expect(m.preemptions == 8)
        #expect(m.workLost == 0)
        #expect(m.finishSeconds.allSatisfy { abs(($0 ?? 0) - (Self.tenHours + 1_890)) < 1e-6 }, "\(m.finishSeconds)")
        // Nothing is billed for the outage: 8 × 36,000 accelerator-seconds at $1 an hour.
        #expect(abs(m.costUSD - 80) < 1e-6, "cost \(m.costUSD)")
    }

    /// A fleet billed through a set time (a plan's horizon: its leases are paid for their whole
    /// terms) costs its capacity to that time, however early the last job finishes: 8 jobs of
    /// 10 hours on 8 accelerators at $1, billed through 30 hours, cost 8 × 30 = $240, not $80.
    @Test func aFleetBilledThroughItsTermsCostsItsTermsNotItsUse() throws {
        var s = Self.simulator([Pool(model: "nvidia-h100", accelerators: 8, pricePerAcceleratorHour: 1, provider: "a")])
        let used = try s.run(Self.jobs(8))
        #expect(abs(used.costUSD - 80) < 1e-6, "cost \(used.costUSD)")
        s.billThroughSeconds = 30 * 3_600
        let billed = try s.run(Self.jobs(8))
        #expect(abs(billed.costUSD - 240) < 1e-6, "cost \(billed.costUSD)")
        #expect(billed.billedSeconds == 30 * 3_600 && billed.makespanSeconds == used.makespanSeconds)
        #expect(abs(billed.utilization[0] - 1.0 / 3) < 1e-9)
    }

    /// Start-up, resume and move costs are separate: a first start pays `startupSeconds` only; a
    /// resume on the same pool after a stop pays `resumeSeconds`; `checkpointSeconds` is paid by
    /// moves alone.
    @Test func startResumeAndMoveCostsAreSeparate() throws {
        var s = Self.simulator([Pool(model: "nvidia-h100", accelerators: 8, provider: "a")])
        s.checkpointSeconds = 36
        s.startupSeconds = 60
        s.resumeSeconds = 30
        s.incidents = [SupplyIncident(provider: "a", startSeconds: 3_600, durationSeconds: 1_890)]
        let m = try s.run(Self.jobs(8))
        // 10 h of work + 60 s start-up + 1,890 s outage + 30 s restore; no move, so no checkpoint.
        let byHand = Self.tenHours + 60 + 1_890 + 30
        #expect(m.finishSeconds.allSatisfy { abs(($0 ?? 0) - byHand) < 1e-6 }, "\(m.finishSeconds)")

        // Moving costs the checkpoint: the only pool a job started on goes away for good, the job
        // resumes on the other (2 pools, different providers).
        var t = Self.simulator([
            Pool(model: "nvidia-h100", accelerators: 1, provider: "a"),
            Pool(model: "nvidia-h100", accelerators: 1, provider: "b"),
        ])
        t.checkpointSeconds = 36
        t.incidents = [SupplyIncident(provider: "a", startSeconds: 3_600)]
        let one = [SimulatedJob(id: "solo", arrivalSeconds: 0, work: Self.tenHours, throughput: [1, 1])]
        let moved = try t.run(one)
        #expect(moved.preemptions == 2)  // stopped by the outage, then moved
        #expect(abs((moved.finishSeconds[0] ?? 0) - (Self.tenHours + 36)) < 1e-6, "\(moved.finishSeconds)")
    }

    /// A job larger than every pool is named, with why; it costs nothing and the averages over
    /// finished jobs have none to average.
    @Test func aJobThatCanNeverRunIsNamedAndCostsNothing() throws {
        var s = Self.simulator([Pool(model: "nvidia-h100", accelerators: 8, pricePerAcceleratorHour: 2)])
        let giant = SimulatedJob(id: "giant", arrivalSeconds: 0, work: 100, gang: 64, throughput: [1])
        let m = try s.run([giant])
        #expect(m.unfinished == ["giant"])
        #expect(m.unschedulable.map(\.id) == ["giant"])
        #expect(m.unschedulable.first?.reason.contains("gang of 64") == true)
        #expect(m.costUSD == 0 && m.completionTimes.isEmpty)
        s.policy = .fifo
        let beside = try s.run([giant] + Self.jobs(1))
        #expect(beside.unfinished == ["giant"] && beside.completionTimes == [Self.tenHours])
        #expect(abs(beside.costUSD - 8 * 2 * 10) < 1e-6, "cost \(beside.costUSD)")
    }

    /// The fleet's rows and the jobs' order do not change any metric, under every LP policy and
    /// FIFO; the agnostic baseline spreads a job over its pools by size.
    @Test(arguments: [AllocationPolicy.maxMinFairness, .maxMinFairnessAgnostic, .fifo])
    func rowOrderDoesNotMatter(policy: AllocationPolicy) throws {
        let pools = [
            Pool(model: "nvidia-k80", accelerators: 36, pricePerAcceleratorHour: 0.45),
            Pool(model: "nvidia-p100", accelerators: 36, pricePerAcceleratorHour: 1.46),
            Pool(model: "nvidia-v100", accelerators: 36, pricePerAcceleratorHour: 2.48),
        ]
        let jobs = gavelLikeTrace(jobs: 120, seed: 11, jobsPerHour: 30)
        func run(_ order: [Int], reversed: Bool) throws -> (Double, Double, Int, [String: Double]) {
            var s = Simulator(pools: order.map { pools[$0] }, policy: policy)
            s.checkInvariants = true
            var given = jobs.map { job in
                var job = job
                job.throughput = order.map { job.throughput[$0] }
                return job
            }
            if reversed { given.reverse() }
            let m = try s.run(given)
            let utilisation = Dictionary(
                uniqueKeysWithValues: order.enumerated().map { (pools[$1].label, m.utilization[$0]) })
            return (m.averageJCT, m.makespanSeconds, m.preemptions, utilisation)
        }
        let base = try run([0, 1, 2], reversed: false)
        for order in [[2, 1, 0], [1, 2, 0], [0, 2, 1]] {
            let other = try run(order, reversed: order == [2, 1, 0])
            #expect(abs(other.0 - base.0) < 1e-6 * base.0, "\(policy) \(order): JCT \(other.0) vs \(base.0)")
            #expect(abs(other.1 - base.1) < 1e-6 * base.1, "\(policy) \(order): makespan")
            #expect(other.2 == base.2, "\(policy) \(order): preemptions")
            for (label, u) in base.3 { #expect(abs(other.3[label]! - u) < 1e-9, "\(policy) \(order): \(label)") }
        }
    }
}
