import Solver
import SwitchyardModel
import Testing

@testable import Scheduler

@Suite struct AllocatorTests {
    let allocator = Allocator()
    /// Two pools of one accelerator: a fast one listed second.
    let k80AndV100 = [Pool(model: "nvidia-k80", accelerators: 1), Pool(model: "nvidia-v100", accelerators: 1)]

    /// No pool over-allocated, no job in two places at once, no time where a job cannot run.
    func expectFeasible(
        _ result: AllocationResult, _ classes: [JobClass], _ pools: [Pool],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for (k, row) in result.fractions.enumerated() {
            #expect(row.reduce(0, +) <= 1 + 1e-7, sourceLocation: sourceLocation)
            for (m, x) in row.enumerated() {
                #expect(x >= -1e-9, sourceLocation: sourceLocation)
                if m >= classes[k].throughput.count || classes[k].throughput[m] == 0
                    || classes[k].gang > pools[m].accelerators
                {
                    #expect(x == 0, "class \(k) given time on pool \(m) it cannot use", sourceLocation: sourceLocation)
                }
            }
        }
        for m in pools.indices {
            let used = classes.indices.reduce(0.0) {
                $0 + Double(classes[$1].count * classes[$1].gang) * result.fractions[$1][m]
            }
            #expect(used <= Double(pools[m].accelerators) + 1e-6, sourceLocation: sourceLocation)
        }
    }

    /// A is 4× faster on the V100, B only 2×: total normalised throughput puts A there.
    @Test func maxThroughputUsesComparativeAdvantage() throws {
        let classes = [JobClass(id: "A", throughput: [1, 4]), JobClass(id: "B", throughput: [1, 2])]
        let r = try allocator.allocate(classes, pools: k80AndV100, policy: .maxThroughput)
        expectFeasible(r, classes, k80AndV100)
        #expect(abs(r.fractions[0][1] - 1) < 1e-9 && abs(r.fractions[1][0] - 1) < 1e-9)
        // Equal shares: A 0.5·1 + 0.5·4, B 0.5·1 + 0.5·2.
        #expect(r.equalShareThroughput == [2.5, 1.5])
    }

    /// Two jobs on two accelerators: the long one gets a whole accelerator; makespan 300.
    @Test func minMakespan() throws {
        let pools = [Pool(model: "nvidia-h100", accelerators: 2)]
        let classes = [
            JobClass(id: "short", throughput: [1], remainingWork: 100),
            JobClass(id: "long", throughput: [1], remainingWork: 300),
        ]
        let r = try allocator.allocate(classes, pools: pools, policy: .minMakespan)
        expectFeasible(r, classes, pools)
        #expect(abs(r.fractions[1][0] - 1) < 1e-9)
        #expect(abs(classes[1].remainingWork / r.throughput[1] - 300) < 1e-6)
        #expect(classes[0].remainingWork / r.throughput[0] <= 300 + 1e-6)
    }

    /// Max-min fairness on a heterogeneous pair: equalise throughput relative to equal shares.
    @Test func maxMinFairnessEqualisesNormalisedThroughput() throws {
        // 4 jobs A (4× on V100), 4 jobs B (1.1×), four of each accelerator. By hand: A gives B
        // half of its V100 time, and both reach exactly their equal-share throughput.
        let pools = [Pool(model: "nvidia-k80", accelerators: 4), Pool(model: "nvidia-v100", accelerators: 4)]
        let classes = [
            JobClass(id: "A", count: 4, throughput: [1, 4]), JobClass(id: "B", count: 4, throughput: [1, 1.1]),
        ]
        let r = try allocator.allocate(classes, pools: pools, policy: .maxMinFairness)
        expectFeasible(r, classes, pools)
        #expect(abs(r.throughput[0] / r.equalShareThroughput[0] - 1) < 1e-6)
        #expect(abs(r.throughput[1] / r.equalShareThroughput[1] - 1) < 1e-6)
    }

    /// Identical jobs grouped in one class get what the same jobs get one class each.
    @Test func groupingDoesNotChangeTheAnswer() throws {
        let pools = [Pool(model: "nvidia-k80", accelerators: 3), Pool(model: "nvidia-v100", accelerators: 2)]
        let grouped = [
            JobClass(id: "A", count: 4, throughput: [1, 3]), JobClass(id: "B", count: 2, throughput: [2, 2.5]),
        ]
        let separate =
            (0..<4).map { JobClass(id: "A\($0)", throughput: [1, 3]) }
            + (0..<2).map { JobClass(id: "B\($0)", throughput: [2, 2.5]) }
        let a = try allocator.allocate(grouped, pools: pools, policy: .maxMinFairness)
        let b = try allocator.allocate(separate, pools: pools, policy: .maxMinFairness)
        let minGrouped = zip(a.throughput, a.equalShareThroughput).map { $0 / $1 }.min()!
        let minSeparate = zip(b.throughput, b.equalShareThroughput).map { $0 / $1 }.min()!
        #expect(abs(minGrouped - minSeparate) < 1e-6)
    }

    @Test func fifoTakesAnyFreePoolAndFifoFastestTheFastest() throws {
        let classes = [JobClass(id: "A", throughput: [1, 4])]
        let any = try allocator.allocate(classes, pools: k80AndV100, policy: .fifo)
        #expect(any.fractions[0] == [1, 0])
        let fastest = try allocator.allocate(classes, pools: k80AndV100, policy: .fifoFastest)
        #expect(fastest.fractions[0] == [0, 1])
    }

    @Test func jobsThatFitNothingAreListedNotScheduled() throws {
        let pools = [Pool(model: "nvidia-h100", accelerators: 8)]
        let classes = [
            JobClass(id: "tpu-only", throughput: [0]), JobClass(id: "huge-gang", gang: 16, throughput: [1]),
            JobClass(id: "fine", throughput: [1]),
        ]
        for policy in AllocationPolicy.allCases {
            let r = try allocator.allocate(classes, pools: pools, policy: policy)
            expectFeasible(r, classes, pools)
            #expect(r.unschedulable[0]?.contains("none of the pools") == true)
            #expect(r.unschedulable[1]?.contains("gang of 16") == true)
            #expect(r.unschedulable[2] == nil)
            #expect(r.throughput[2] > 0, "\(policy)")
        }
    }

    @Test func nothingSchedulableIsNotAnError() throws {
        let pools = [Pool(model: "nvidia-h100", accelerators: 1)]
        for policy in AllocationPolicy.allCases {
            let r = try allocator.allocate([JobClass(id: "x", throughput: [0])], pools: pools, policy: policy)
            #expect(r.fractions == [[0]] && r.unschedulable.count == 1)
        }
    }

    /// Throughput per dollar meets the deadline on the cheap pool when it can.
    @Test func throughputPerDollarMeetsDeadlines() throws {
        let pools = [
            Pool(model: "nvidia-k80", accelerators: 2, pricePerAcceleratorHour: 0.5),
            Pool(model: "nvidia-v100", accelerators: 2, pricePerAcceleratorHour: 3),
        ]
        // Needs 1 unit/s to finish 100 units in 100 s: the K80 (1/s) suffices and is cheaper per unit.
        let classes = [JobClass(id: "due", throughput: [1, 2], remainingWork: 100, deadlineSeconds: 100)]
        let r = try allocator.allocate(classes, pools: pools, policy: .maxThroughputPerDollar)
        expectFeasible(r, classes, pools)
        #expect(r.throughput[0] >= 1 - 1e-6)
        // An impossible deadline is an error that says so.
        let late = [JobClass(id: "late", throughput: [1, 2], remainingWork: 1000, deadlineSeconds: 100)]
        #expect(throws: AllocationError.self) {
            try allocator.allocate(late, pools: pools, policy: .maxThroughputPerDollar)
        }
    }

    /// Themis' ρ: finish time here over finish time with an equal share, both counting the time
    /// already spent. Finish-time fairness minimises the worst ρ, so no other policy beats it there.
    func worstRho(_ r: AllocationResult, _ classes: [JobClass]) -> Double {
        classes.indices.filter { r.unschedulable[$0] == nil }.map { k in
            let c = classes[k]
            return (c.elapsedSeconds + c.remainingWork / r.throughput[k])
                / (c.elapsedSeconds + c.remainingWork / r.equalShareThroughput[k])
        }.max() ?? 0
    }

    @Test func finishTimeFairnessHasTheBestWorstRatio() throws {
        let pools = [Pool(model: "nvidia-k80", accelerators: 2), Pool(model: "nvidia-v100", accelerators: 1)]
        let classes = [
            JobClass(id: "waited", throughput: [1, 3], remainingWork: 300, elapsedSeconds: 500),
            JobClass(id: "new", throughput: [1, 1.5], remainingWork: 100),
            JobClass(id: "v100-only", throughput: [0, 2], remainingWork: 200, elapsedSeconds: 50),
        ]
        let ftf = try allocator.allocate(classes, pools: pools, policy: .finishTimeFairness)
        expectFeasible(ftf, classes, pools)
        for other in [AllocationPolicy.maxMinFairness, .maxThroughput, .minMakespan, .fifo] {
            let r = try allocator.allocate(classes, pools: pools, policy: other)
            #expect(worstRho(ftf, classes) <= worstRho(r, classes) * (1 + 1e-3), "\(other)")
        }
    }

    /// Property: every policy respects the constraints on random instances, and the aware
    /// max-min policy never does worse than the agnostic one on its own objective.
    @Test(arguments: 0..<25)
    func randomInstances(seed: Int) throws {
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        let pools = (0..<3).map {
            Pool(
                model: AcceleratorModelID("m\($0)"), accelerators: 1 + Int(next() * 8),
                pricePerAcceleratorHour: 1 + next() * 4)
        }
        let classes = (0..<(2 + Int(next() * 6))).map { k in
            JobClass(
                id: "c\(k)", count: 1 + Int(next() * 4), gang: [1, 1, 2, 4][Int(next() * 4)],
                weight: 1 + Double(Int(next() * 2)),
                throughput: pools.indices.map { _ in next() < 0.2 ? 0 : 0.5 + next() * 4 },
                remainingWork: 10 + next() * 1000,
                elapsedSeconds: next() * 100)
        }
        for policy in AllocationPolicy.allCases where policy != .maxThroughputPerDollar {
            expectFeasible(try allocator.allocate(classes, pools: pools, policy: policy), classes, pools)
        }
        let aware = try allocator.allocate(classes, pools: pools, policy: .maxMinFairness)
        let agnostic = try allocator.allocate(classes, pools: pools, policy: .maxMinFairnessAgnostic)
        let ok = classes.indices.filter { aware.unschedulable[$0] == nil }
        let score = { (r: AllocationResult) in
            ok.map { r.throughput[$0] / (classes[$0].weight * r.equalShareThroughput[$0]) }.min() ?? 0
        }
        #expect(score(aware) >= score(agnostic) - 1e-6)
    }
}

@Suite struct GroupingTests {
    @Test func identicalJobsShareAType() {
        let jobs = (0..<1000).map { i in
            JobClass(id: "j\(i)", throughput: i % 2 == 0 ? [1, 2] : [1, 3], remainingWork: Double(i))
        }
        let fair = JobGrouping(jobs, policy: .maxMinFairness)
        #expect(fair.classes.count == 2)
        #expect(fair.classes.map(\.count).reduce(0, +) == 1000)
        #expect(fair.classOfJob[0] != fair.classOfJob[1] && fair.classOfJob[0] == fair.classOfJob[2])
        // Makespan cares about remaining work, which differs for every job here.
        #expect(JobGrouping(jobs, policy: .minMakespan).classes.count == 1000)
        // FIFO keeps the order: no grouping.
        #expect(JobGrouping(jobs, policy: .fifo).classes.count == 1000)
    }
}

@Suite struct FairShareTests {
    /// Max-min fairness is in accelerator-time: 8 one-accelerator jobs and 2 four-accelerator jobs
    /// on 8 V100s get 0.8 and 0.2 of the time (0.8 accelerators each), not 0.5 each.
    @Test func sharesAreEqualInAcceleratorTime() throws {
        let classes = [
            JobClass(id: "single", count: 8, gang: 1, throughput: [1]),
            JobClass(id: "gang-4", count: 2, gang: 4, throughput: [1]),
        ]
        let r = try Allocator().allocate(
            classes, pools: [Pool(model: "nvidia-v100", accelerators: 8)], policy: .maxMinFairness)
        #expect(abs(r.fractions[0][0] - 0.8) < 1e-6 && abs(r.fractions[1][0] - 0.2) < 1e-6, "\(r.fractions)")
    }

    /// The agnostic baseline spreads a job over the pools it runs on in proportion to their size,
    /// whatever the order of the fleet's rows.
    @Test func theAgnosticBaselineSpreadsBySize() throws {
        let pools = [
            Pool(model: "nvidia-k80", accelerators: 30), Pool(model: "nvidia-v100", accelerators: 10),
        ]
        let job = [JobClass(id: "a", count: 20, throughput: [1, 3])]
        let r = try Allocator().allocate(job, pools: pools, policy: .maxMinFairnessAgnostic)
        let swapped = try Allocator().allocate(
            [JobClass(id: "a", count: 20, throughput: [3, 1])], pools: pools.reversed(),
            policy: .maxMinFairnessAgnostic)
        #expect(abs(r.fractions[0][0] - 0.75) < 1e-6 && abs(r.fractions[0][1] - 0.25) < 1e-6, "\(r.fractions)")
        #expect(abs(swapped.fractions[0][1] - 0.75) < 1e-6 && abs(swapped.fractions[0][0] - 0.25) < 1e-6)
    }

    /// Two suppliers' H100s are two pools; the fleet file says whose and where, and a twin row
    /// (same provider, region and model) is an error naming it.
    @Test func aModelMayBeAPoolAtEachProvider() throws {
        let fleet = try ScheduleInput.fleet(
            csv: "model,accelerators,provider,region\nnvidia-h100,8,neo-a,us-east\nnvidia-h100,16,neo-b,us-east\n")
        #expect(fleet.pools.map(\.label) == ["nvidia-h100@neo-a/us-east", "nvidia-h100@neo-b/us-east"])
        let jobs = try ScheduleInput.classes(csv: "id,throughput:nvidia-h100\nx,2\n", pools: fleet.pools)
        #expect(jobs[0].throughput == [2, 2])
        #expect(throws: InputError.self) {
            try ScheduleInput.fleet(csv: "model,accelerators,provider\nnvidia-h100,8,neo-a\nnvidia-h100,8,neo-a\n")
        }
    }
}
