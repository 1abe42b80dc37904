import Foundation
import SwitchyardModel
import Testing

@testable import Scheduler
@testable import Simulator

/// Gavel's measured isolated throughputs (steps/s on K80, P100, V100) for five job types, from
/// ../shared/data/gavel/simulation_throughputs.json; copied here as test data.
let gavelTypes: [(name: String, gang: Int, throughput: [Double])] = [
    ("ResNet-18 (batch size 16)", 1, [4.795, 35.869, 32.353]), ("ResNet-50 (batch size 64)", 1, [0.619, 2.619, 4.395]),
    ("Transformer (batch size 32)", 1, [3.507, 7.869, 10.621]),
    ("Recommendation (batch size 2048)", 1, [10.441, 16.597, 7.47]),
    ("LM (batch size 40)", 4, [22.986, 76.052, 96.031]),
]

/// A seeded Gavel-like trace: types uniform, durations on a V100 60·10^U(1.5, 2.5) s, Poisson arrivals.
func gavelLikeTrace(jobs: Int, seed: UInt64, jobsPerHour: Double) -> [SimulatedJob] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 7
    func uniform() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53)
    }
    var clock = 0.0
    return (0..<jobs).map { i in
        let type = gavelTypes[Int(uniform() * Double(gavelTypes.count))]
        let duration = 60 * pow(10, 1.5 + uniform())
        clock += -log(1 - uniform()) / jobsPerHour * 3600
        return SimulatedJob(
            id: "job-\(i)", arrivalSeconds: clock, work: duration * type.throughput[2], gang: type.gang,
            throughput: type.throughput)
    }
}

@Suite struct SimulatorTests {
    let pools = [
        Pool(model: "nvidia-k80", accelerators: 36, pricePerAcceleratorHour: 0.45),
        Pool(model: "nvidia-p100", accelerators: 36, pricePerAcceleratorHour: 1.46),
        Pool(model: "nvidia-v100", accelerators: 36, pricePerAcceleratorHour: 2.48),
    ]

    func simulate(
        _ policy: AllocationPolicy, jobs: [SimulatedJob], incidents: [SupplyIncident] = [],
        providers: [ProviderID?]? = nil
    )
        throws -> SimulationMetrics
    {
        var simulator = Simulator(pools: pools, providers: providers, policy: policy)
        simulator.checkInvariants = true
        simulator.incidents = incidents
        return try simulator.run(jobs)
    }

    /// On a seeded Gavel-like trace over a 3-model, 108-accelerator cluster, heterogeneity-aware
    /// max-min fairness finishes jobs clearly sooner than the agnostic baseline.
    @Test(arguments: [(UInt64(3), 40.0), (4, 60.0)])
    func heterogeneityAwareBeatsAgnosticOnJCT(seed: UInt64, jobsPerHour: Double) throws {
        let jobs = gavelLikeTrace(jobs: 300, seed: seed, jobsPerHour: jobsPerHour)
        let aware = try simulate(.maxMinFairness, jobs: jobs)
        let agnostic = try simulate(.maxMinFairnessAgnostic, jobs: jobs)
        #expect(aware.unfinished.isEmpty && agnostic.unfinished.isEmpty)
        #expect(
            aware.averageJCT < 0.85 * agnostic.averageJCT,
            "aware \(aware.averageJCT) s, agnostic \(agnostic.averageJCT) s")
    }

    /// Losing a provider's pool for a while raises JCT but every job still finishes; the jobs it
    /// stopped lose work and count as preempted.
    @Test func outageRaisesJCTButLosesNoJob() throws {
        let jobs = gavelLikeTrace(jobs: 200, seed: 9, jobsPerHour: 40)
        let providers: [ProviderID?] = ["neo-a", "neo-b", "neo-c"]
        let calm = try simulate(.maxMinFairness, jobs: jobs, providers: providers)
        let outage = SupplyIncident(provider: "neo-c", startSeconds: 3 * 3600 + 100, durationSeconds: 6 * 3600)
        let hit = try simulate(.maxMinFairness, jobs: jobs, incidents: [outage], providers: providers)
        #expect(calm.unfinished.isEmpty && hit.unfinished.isEmpty)
        #expect(hit.averageJCT > calm.averageJCT)
        #expect(hit.workLost > 0 && hit.preemptions > 0)
        #expect(calm.workLost == 0)
    }

    /// The same inputs give the same metrics.
    /// A job too big for any pool is reported unfinished; the rest run.
    @Test func unschedulableJobDoesNotStopTheRest() throws {
        var jobs = gavelLikeTrace(jobs: 20, seed: 2, jobsPerHour: 60)
        jobs.append(SimulatedJob(id: "giant", arrivalSeconds: 10, work: 100, gang: 64, throughput: [1, 1, 1]))
        let m = try simulate(.fifoFastest, jobs: jobs)
        #expect(m.unfinished == ["giant"])
        #expect(m.completionTimes.count == 20)
    }

    @Test func everyPolicyCompletesASmallTrace() throws {
        let jobs = gavelLikeTrace(jobs: 60, seed: 5, jobsPerHour: 30)
        for policy in AllocationPolicy.allCases where policy != .maxThroughputPerDollar {
            let m = try simulate(policy, jobs: jobs)
            #expect(m.unfinished.isEmpty, "\(policy)")
            #expect(m.utilization.allSatisfy { $0 >= 0 && $0 <= 1 + 1e-9 }, "\(policy)")
        }
    }
}

@Suite struct DomainPackerTests {
    @Test func gangsStayInsideADomainOrTakeWholeOnes() {
        var p = DomainPacker(accelerators: 16, domainSize: 8)
        let first = [4, 4, 8, 1].map { p.place(gang: $0) != nil }
        // Best fit puts the second 4 beside the first, keeping a node whole for the 8.
        #expect(first == [true, true, true, false])
        var q = DomainPacker(accelerators: 16, domainSize: 8)
        let second = [3, 16, 8, 6].map { q.place(gang: $0) != nil }
        // 16 needs two whole nodes (one is partly used); 6 does not fit in the 5 left on a node.
        #expect(second == [true, false, true, false])
        #expect(DomainPacker(accelerators: 12, domainSize: 8).free == [8, 4])
    }

    /// Two 6-GPU gangs on two 8-GPU nodes run at once; on one 16-GPU domain too; but two
    /// 5-GPU gangs and a 6-GPU gang do not all fit on two 8-GPU nodes.
    @Test func simulationRespectsDomains() throws {
        let jobs = [5, 5, 6].enumerated().map { i, gang in
            SimulatedJob(id: "g\(i)", arrivalSeconds: 0, work: 360, gang: gang, throughput: [1])
        }
        var nodes = Simulator(pools: [Pool(model: "nvidia-h100", accelerators: 16, domainSize: 8)], policy: .fifo)
        nodes.checkInvariants = true
        let packed = try nodes.run(jobs)
        var flat = Simulator(pools: [Pool(model: "nvidia-h100", accelerators: 16)], policy: .fifo)
        flat.checkInvariants = true
        let unpacked = try flat.run(jobs)
        // One round each: on nodes the third gang waits a round; in one 16-GPU domain 5+5+6 fit.
        #expect(packed.makespanSeconds > unpacked.makespanSeconds)
        #expect(unpacked.makespanSeconds == 360)
    }

    /// One 8-accelerator pool, three 8-gangs of 3 hours of work, 10-hour rounds; by hand: in
    /// Gavel's mechanism each waits for a round (finishing at 3, 13 and 23 h); backfilled, each
    /// starts when the one before finishes (3, 6 and 9 h).
    @Test func backfillStartsTheNextJobWhenAGangFrees() throws {
        let jobs = (0..<3).map {
            SimulatedJob(id: "j\($0)", arrivalSeconds: 0, work: 3 * 3600, gang: 8, throughput: [1])
        }
        func run(backfill: Bool) throws -> [Double?] {
            var simulator = Simulator(pools: [Pool(model: "nvidia-h100", accelerators: 8)], policy: .fifo)
            simulator.roundSeconds = 10 * 3600
            simulator.backfill = backfill
            simulator.checkInvariants = true
            return try simulator.run(jobs).finishSeconds
        }
        #expect(try run(backfill: false) == [3 * 3600, 13 * 3600, 23 * 3600])
        #expect(try run(backfill: true) == [3 * 3600, 6 * 3600, 9 * 3600])
    }
}

@Suite struct FleetChangeTests {
    /// A pool that only exists from hour 10 (a lease starting, a delivery) cannot run anything before.
    @Test func capacityStepsDelayWork() throws {
        var s = Simulator(pools: [Pool(model: "google-tpu-v7", accelerators: 8)], policy: .fifo)
        s.capacitySteps = [[(0, 0), (36_000, 8)]]
        s.checkInvariants = true
        let m = try s.run([SimulatedJob(id: "jax", arrivalSeconds: 0, work: 360, gang: 8, throughput: [1])])
        #expect(m.unfinished.isEmpty)
        #expect(m.completionTimes[0] >= 36_000 + 360 - 1e-6)
    }

    /// Backups held at one provider join its pool while another provider is out.
    @Test func backupsAreExercisedDuringAnIncident() throws {
        let pools = [Pool(model: "nvidia-h100", accelerators: 8), Pool(model: "nvidia-h100", accelerators: 8)]
        let jobs = (0..<3).map {
            SimulatedJob(id: "j\($0)", arrivalSeconds: 0, work: 3600, gang: 8, throughput: [1, 1])
        }
        func run(backup: Int) throws -> SimulationMetrics {
            var s = Simulator(pools: pools, providers: ["a", "b"], policy: .fifo)
            s.incidents = [SupplyIncident(provider: "a", startSeconds: 0, durationSeconds: 7200)]
            s.backupSteps = [[], [(0, backup)]]
            s.checkInvariants = true
            return try s.run(jobs)
        }
        let without = try run(backup: 0)
        let with = try run(backup: 8)
        // Without the backup only pool b runs (one job at a time); with it, two run at once.
        #expect(with.makespanSeconds < without.makespanSeconds)
        #expect(with.unfinished.isEmpty && without.unfinished.isEmpty)
    }
}
