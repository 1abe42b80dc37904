import Foundation
import Solver
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardTesting
import Synchronization
import Testing

@testable import Planner

/// Training runs are one gang of one model in one cluster: placed whole, never split, explained
/// when they cannot be placed, and checked independently.
@Suite struct TrainingRunTests {
    let planner = Planner(options: SolveOptions(timeLimitSeconds: 60, relativeGap: 1e-4))

    func scenario(offers: [Offer], workloads: [Workload], months: Int = 8) -> Scenario {
        Scenario(
            name: "runs", horizon: Fixtures.horizon(months),
            providers: ["a", "b", "c"].map { Provider(id: $0, kind: .neocloud, failureProbability: 0.05) },
            offers: offers, workloads: workloads, policy: Policy(maxProviderShare: 1))
    }

    /// Cheap H100s scattered over two providers (320 each) and dearer ones at a third (800): a
    /// 512-accelerator run goes whole to the only cluster that holds it, though splitting it
    /// over the cheap ones would cost less.
    var scattered: Scenario {
        scenario(
            offers: [
                Fixtures.offer("a-h100", provider: "a", nodes: 40, prices: [.onDemand: 2]),
                Fixtures.offer("b-h100", provider: "b", nodes: 40, prices: [.onDemand: 2]),
                Fixtures.offer("c-h100", provider: "c", nodes: 100, prices: [.onDemand: 4]),
            ],
            workloads: [
                Fixtures.training("run", work: 512 * 730 * 3, window: Fixtures.months(1, 6), gang: 512)
            ])
    }

    @Test func aRunGoesWholeToTheOnlyClusterBigEnough() throws {
        let s = scattered
        let plan = try planner.plan(s)
        #expect(PlanChecker(scenario: s).check(plan) == [])
        #expect(plan.shortfalls.isEmpty)
        #expect(plan.runs.count == 1)
        let run = try #require(plan.runs.first)
        #expect(run.provider == "c" && run.accelerators == 512 && run.cluster == "c nvidia-h100 us-east")
        // Three months of work at 512 H100s: exactly three months, started as early as possible.
        #expect(run.start == YearMonth(year: 2027, month: 1) && run.end == YearMonth(year: 2027, month: 3))
        #expect(run.finish == run.end && run.slackMonths == 3)
        #expect(plan.allocation.filter { $0.workload == "run" }.map(\.accelerators) == [512, 512, 512])
        // 64 nodes at c in each of the three months; nothing at a or b.
        #expect(plan.leases.allSatisfy { $0.offer == "c-h100" })
        #expect(plan.leases.reduce(0) { $0 + $1.nodes * $1.months } == 64 * 3)
    }

    @Test func aRunTooBigForEveryClusterIsAnExplainedShortfallNotASplit() throws {
        let s = scenario(
            offers: [
                Fixtures.offer("a-h100", provider: "a", nodes: 40, prices: [.onDemand: 2]),
                Fixtures.offer("b-h100", provider: "b", nodes: 40, prices: [.onDemand: 2]),
            ],
            workloads: [Fixtures.training("run", work: 600 * 730 * 2, window: Fixtures.months(1, 6), gang: 600)])
        let plan = try planner.plan(s)
        #expect(PlanChecker(scenario: s).check(plan) == [])
        #expect(plan.runs.isEmpty)
        #expect(plan.allocation.filter { $0.workload == "run" }.allSatisfy { $0.accelerators == 0 })
        let short = try #require(plan.shortfalls.first { $0.workload == "run" })
        #expect(short.fraction == 1)
        #expect(
            short.reason.hasPrefix("no cluster holds 600 accelerators of a model this run can use"), "\(short.reason)")
    }

    @Test func theCheckerRefusesARunSplitOverClusters() throws {
        let s = scattered
        var plan = try planner.plan(s)
        var split = plan.runs[0]
        split.provider = "a"
        plan.runs.append(split)
        let problems = PlanChecker(scenario: s).check(plan)
        #expect(problems.contains { $0.contains("runs in two places") })
        #expect(problems.contains { $0.contains("straddles 2 clusters") })
        #expect(problems.contains { $0.contains("but its runs hold") })
        // A run that holds less than its gang is refused too.
        var small = try planner.plan(s)
        small.runs[0].accelerators = 256
        #expect(PlanChecker(scenario: s).check(small).contains { $0.contains("its gang is 512") })
    }

    /// A batch stream of 256-accelerator jobs, with cheap H100s scattered over a and b (240
    /// each: neither holds one job) and dearer ones at c: by hand, its two gang-months of work
    /// go to c whole (32 nodes for two months, or 64 for one; the same cost), never 240 + 16.
    /// The checker refuses a placement that is not whole gangs.
    @Test func batchJobsGoWholeToAClusterThatHoldsThem() throws {
        let s = scenario(
            offers: [
                Fixtures.offer("a-h100", provider: "a", nodes: 30, prices: [.onDemand: 2]),
                Fixtures.offer("b-h100", provider: "b", nodes: 30, prices: [.onDemand: 2]),
                Fixtures.offer("c-h100", provider: "c", nodes: 100, prices: [.onDemand: 4]),
            ],
            workloads: [Fixtures.batch("stream", work: 256 * 730 * 2, window: Fixtures.months(1, 3), gang: 256)])
        let plan = try planner.plan(s)
        #expect(PlanChecker(scenario: s).check(plan) == [])
        #expect(plan.shortfalls.isEmpty)
        #expect(!plan.placements.isEmpty)
        #expect(
            plan.placements.allSatisfy { $0.cluster == "c nvidia-h100 us-east" && $0.accelerators == $0.gangs * 256 })
        #expect(plan.placements.reduce(0) { $0 + $1.gangs } == 2)
        #expect(plan.leases.allSatisfy { $0.offer == "c-h100" })
        #expect(plan.leases.reduce(0) { $0 + $1.nodes * $1.months } == 64)

        var split = plan
        split.placements[0].accelerators = 200
        #expect(PlanChecker(scenario: s).check(split).contains { $0.contains("its gang is 256") })
        var elsewhere = plan
        elsewhere.placements[0].provider = "a"
        #expect(
            PlanChecker(scenario: s).check(elsewhere).contains {
                $0.contains("a nvidia-h100 us-east holds 0.0 accelerators")
            })
    }

    /// Lanes of one gang size are shared by every workload of that gang on a model: whole gang
    /// counts and lanes split into whole gangs per cluster (the workloads, in order, filling the
    /// lanes, in order), and the split gives the same counts and lanes back. By hand: streams of
    /// 3 and 2 gangs of 8 in lanes 4 (provider a) and 1 (provider b): the first takes 3 of a's,
    /// the second a's last and b's. With lanes of their own (small models) the same placement
    /// is each workload's lanes as they are.
    @Test func wholeLanesGiveWholeGangsPerCluster() throws {
        let s = Scenario(
            name: "lanes", horizon: Fixtures.horizon(1),
            providers: [
                Provider(id: "a", kind: .neocloud, failureProbability: 0.05),
                Provider(id: "b", kind: .neocloud, failureProbability: 0.05),
            ],
            offers: [
                Fixtures.offer("a-h100", provider: "a", nodes: 4, prices: [.onDemand: 2]),
                Fixtures.offer("b-h100", provider: "b", nodes: 2, prices: [.onDemand: 2]),
            ],
            workloads: [
                Fixtures.batch("one", work: 8 * 730 * 3, window: Fixtures.months(1, 1), gang: 8),
                Fixtures.batch("two", work: 8 * 730 * 2, window: Fixtures.months(1, 1), gang: 8),
            ],
            policy: Policy(maxProviderShare: 1))
        let input = try PlanningInput(s)
        let model = SourcingModel(input, sharedLanes: true)
        #expect(model.laneGroups.count == 1)
        let group = try #require(model.laneGroups.first)
        #expect(group.members.map(\.workload) == [0, 1] && group.lanes.count == 2)
        let (a, b) = (group.lanes[0], group.lanes[1])
        #expect(model.input.clusters[a.cluster].provider == 0 && model.input.clusters[b.cluster].provider == 1)
        var values = Array(repeating: 0.0, count: model.lp.variableCount)
        values[group.members[0].count.index] = 3
        values[group.members[1].count.index] = 2
        values[a.lane.index] = 4
        values[b.lane.index] = 1
        let split = model.gangsByCluster { values[$0.index] }
        typealias Key = SourcingModel.GangKey
        #expect(
            split == [
                Key(workload: 0, cluster: a.cluster, period: 0): 3, Key(workload: 1, cluster: a.cluster, period: 0): 1,
                Key(workload: 1, cluster: b.cluster, period: 0): 1,
            ])
        #expect(
            model.gangFixings(split) == [
                group.members[0].count.index: 3, group.members[1].count.index: 2, a.lane.index: 4, b.lane.index: 1,
            ])
        // Own lanes (small models): a group per workload, each filling only its own lanes.
        let own = SourcingModel(input, sharedLanes: false)
        #expect(own.laneGroups.map { $0.members.map(\.workload) } == [[0], [1]])
        var ownValues = Array(repeating: 0.0, count: own.lp.variableCount)
        for (group, lanes) in zip(own.laneGroups, [[3.0, 0.0], [1.0, 1.0]]) {
            ownValues[group.members[0].count.index] = lanes.reduce(0, +)
            for (lane, value) in zip(group.lanes, lanes) { ownValues[lane.lane.index] = value }
        }
        #expect(
            own.gangsByCluster { ownValues[$0.index] } == [
                Key(workload: 0, cluster: a.cluster, period: 0): 3, Key(workload: 1, cluster: a.cluster, period: 0): 1,
                Key(workload: 1, cluster: b.cluster, period: 0): 1,
            ])
        // And the plan: both streams whole, in gangs of 8, checked.
        let plan = try planner.plan(s)
        #expect(PlanChecker(scenario: s).check(plan) == [])
        #expect(plan.shortfalls.isEmpty)
        #expect(plan.placements.reduce(0) { $0 + $1.gangs } == 5)
    }

    /// Rounding a gang up must find room in its model's supply, not only in its cluster: gang-1
    /// work shares that supply without sitting in a cluster. By hand: 16 H100s leased (2 nodes
    /// of 3 on offer), a gang-1 service of 12 and half a month of one 8-accelerator batch job.
    /// The LP fills the 16 exactly with half a gang; rounding that gang up on the 2 nodes would
    /// leave the service 4 short, so the first candidate buys the third node instead (and the
    /// last only rounds down). Before the fix, rounding up took the service's 4.
    @Test func roundingAGangUpTakesNothingGangOneWorkUses() throws {
        let s = Scenario(
            name: "room", horizon: Fixtures.horizon(1),
            providers: [Provider(id: "a", kind: .neocloud, failureProbability: 0.05)],
            offers: [Fixtures.offer("a-h100", provider: "a", nodes: 3, prices: [.onDemand: 2])],
            workloads: [
                Fixtures.service("svc", capacity: 12, months: Fixtures.months(1, 1)),
                Fixtures.batch("stream", work: 8 * 730 * 0.5, window: Fixtures.months(1, 1), gang: 8),
            ],
            policy: Policy(maxProviderShare: 1))
        let model = SourcingModel(try PlanningInput(s), overrides: PlanningOverrides(), lossSubset: nil)
        let lease = try #require(model.leases.first)
        let gang = try #require(model.gangCounts.values.first)
        var lp = model.lp
        lp.relaxIntegrality()
        lp.setBounds(lease.variable, lower: 2, upper: 2)
        let solution = try ClpSolver().solve(lp, options: SolveOptions())
        #expect(abs(solution.values[gang.index] - 0.5) < 1e-6)
        let candidates = GangRounding(model: model).candidates(
            from: solution.values, leases: [lease.variable.index: 2])
        let first = try #require(candidates.first)
        #expect(first.gangs[gang.index] == 1 && first.leases[lease.variable.index] == 3)
        for candidate in candidates {
            let load = 12 + 8 * candidate.gangs[gang.index]!
            #expect(load <= 8 * candidate.leases[lease.variable.index]!, "\(candidate)")
        }
        // And the plan: the service whole, the job on its own node.
        let plan = try planner.plan(s)
        #expect(PlanChecker(scenario: s).check(plan) == [])
        #expect(plan.shortfalls.isEmpty)
        #expect(plan.leases.reduce(0) { $0 + $1.nodes } == 3)
    }

    /// An offer the relaxation uses below its minimum is dropped by rounding; a run's cluster
    /// that counted on its nodes must then get them back (at least the minimum). By hand: a run
    /// of 416 H100s (52 nodes) for one month in the only cluster, 50 cheap nodes and a dearer
    /// offer of 10 with a minimum of 4 node-months. The relaxation takes the 50 and 2 of the
    /// dearer; rounding drops those 2 (under the minimum) and must sign 4 instead. Before the
    /// fix the count of active nodes kept the dropped 2, nothing was added, and every candidate
    /// with the run placed was infeasible (found on the medium benchmark's third N-1 round).
    @Test func roundingSignsTheMinimumARunsClusterNeedsAfterDroppingAnOffer() throws {
        let s = scenario(
            offers: [
                Fixtures.offer("c-cheap", provider: "c", nodes: 50, prices: [.onDemand: 2]),
                Fixtures.offer("c-dear", provider: "c", nodes: 10, prices: [.onDemand: 3], minimumNodes: 4),
            ],
            workloads: [Fixtures.training("run", work: 416 * 730, window: Fixtures.months(1, 1), gang: 416)],
            months: 1)
        let model = SourcingModel(try PlanningInput(s), overrides: PlanningOverrides(), lossSubset: nil)
        var relaxed = model.lp
        relaxed.relaxIntegrality()
        let relaxation = try ClpSolver().solve(relaxed, options: SolveOptions())
        let dear = model.leases.filter { s.offers[$0.key.offer].id == "c-dear" }.map(\.variable.index)
        #expect(abs(dear.reduce(0) { $0 + relaxation.values[$1] } - 2) < 1e-6)
        let runs = RunPlacement(model: model).fix(relaxation.values)
        #expect(runs.values.reduce(0, +) == 1)
        for candidate in RoundingHeuristic(model: model).candidates(from: relaxation.values, runs: runs) {
            var fixed = model.lp
            for (index, value) in candidate.merging(runs, uniquingKeysWith: { _, run in run }) {
                fixed.setBounds(Variable(index: index), lower: value, upper: value)
            }
            fixed.relaxIntegrality()
            #expect(dear.reduce(0) { $0 + candidate[$1]! } == 4)
            #expect(try ClpSolver().solve(fixed, options: SolveOptions()).status == .optimal)
        }
        let plan = try planner.plan(s)
        #expect(PlanChecker(scenario: s).check(plan) == [])
        #expect(plan.runs.count == 1 && plan.shortfalls.isEmpty)
    }

    /// Moves of runs after rounding, priced by the LP with the runs placed. By hand: one run of
    /// 512 H100s for two months in four, 80 nodes (640) at a for $2 and at b for $3. Started at
    /// b, the move to a saves 512 × 730 × 2 × $1 = $747,520. Every estimate of a move (its
    /// reduced costs) is at most what the move changes the LP by, and the search moves the run
    /// to a, no dearer by more than its start month's tie-break.
    @Test func movesPricedByReducedCostsTakeARunToTheCheaperCluster() throws {
        let s = scenario(
            offers: [
                Fixtures.offer("a-h100", provider: "a", nodes: 80, prices: [.onDemand: 2]),
                Fixtures.offer("b-h100", provider: "b", nodes: 80, prices: [.onDemand: 3]),
            ],
            workloads: [Fixtures.training("run", work: 512 * 730 * 2, window: Fixtures.months(1, 4), gang: 512)],
            months: 4)
        let model = SourcingModel(try PlanningInput(s), overrides: PlanningOverrides(), lossSubset: nil)
        var relaxed = model.lp
        relaxed.relaxIntegrality()
        let relaxation = try ClpSolver().solve(relaxed, options: SolveOptions())
        let placement = RunPlacement(model: model)
        let clusterB = try #require(model.input.clusters.indices.first { model.input.clusters[$0].provider == 1 })
        let atB = placement.fix(relaxation.values, preferring: [0: RunPlacement.Choice(cluster: clusterB, start: 0)])
        #expect(placement.placed(0, in: atB)?.cluster == clusterB)
        let placed = try #require(
            planner.placedRelaxation(model, relaxed: relaxed, relaxation: relaxation, runs: atB, until: nil))
        var search = RunMoves(model: model, placement: placement, relaxation: relaxation, runs: atB, placed: placed)
        // The estimates underestimate every move (the LP's cost is convex in the runs' bounds).
        var cheaper = 0
        for (key, v) in model.runStart where (atB[v.index] ?? 0) < 0.5 {
            let estimate = try #require(search.estimate(key))
            var lp = relaxed
            for (index, value) in atB { lp.setBounds(Variable(index: index), lower: value, upper: value) }
            lp.setBounds(model.runStart[placement.placed(0, in: atB)!]!, lower: 0, upper: 0)
            lp.setBounds(v, lower: 1, upper: 1)
            let moved = try ClpSolver().solve(lp, options: SolveOptions())
            let change = try #require(moved.objective) - placed.objective!
            #expect(estimate <= change + 1e-6 * abs(change) + 1e-3, "\(key)")
            if change < 0 { cheaper += 1 }
        }
        #expect(cheaper == 3)  // the three starts at a that finish in the window
        let next = search.next(planner: planner, relaxed: relaxed, plan: .infinity, until: nil)
        let move = try #require(next)
        let at = try #require(placement.placed(0, in: move.runs))
        #expect(model.input.clusters[at.cluster].provider == 0)
        #expect(abs(placed.objective! - move.placed.objective! - 747_520) < 1)
        search.accept(move)
        let none = search.next(planner: planner, relaxed: relaxed, plan: move.placed.objective!, until: nil)
        #expect(none == nil)
    }

    /// The relaxation by column generation of run patterns ends where the whole LP does. By
    /// hand: two runs of 512 H100s, each needing both months of a two-month window; provider a
    /// ($2) holds one gang, b ($3) the other. Starting from a's patterns alone, one run is short
    /// until pricing brings in b's patterns; then the cost is 512 × 730 × 2 × ($2 + $3).
    @Test func runPatternsPricedInReachTheWholeRelaxation() throws {
        let s = scenario(
            offers: [
                Fixtures.offer("a-h100", provider: "a", nodes: 64, prices: [.onDemand: 2]),
                Fixtures.offer("b-h100", provider: "b", nodes: 64, prices: [.onDemand: 3]),
            ],
            workloads: ["one", "two"].map {
                Fixtures.training($0, work: 512 * 730 * 2, window: Fixtures.months(1, 2), gang: 512)
            },
            months: 2)
        let model = SourcingModel(try PlanningInput(s), overrides: PlanningOverrides(), lossSubset: nil)
        var relaxed = model.lp
        relaxed.relaxIntegrality()
        let whole = try ClpSolver().solve(relaxed, options: SolveOptions())
        var rounds: [String] = []
        let generated = try RunColumns(model: model, firstClusters: 1).solve(
            relaxed, with: ClpSolver(), timeLeft: { nil }, say: { rounds.append($0) })
        #expect(generated.status == .optimal)
        let objective = try #require(generated.objective)
        #expect(abs(objective - whole.objective!) < 1e-6 * abs(objective), "\(rounds)")
        #expect(abs(objective - 512 * 730 * 2 * 5) < 1, "\(rounds)")
        #expect(rounds.count == 2, "\(rounds)")
        let clusterB = try #require(model.input.clusters.indices.first { model.input.clusters[$0].provider == 1 })
        let atB = model.runStart.filter { $0.key.cluster == clusterB }.map { generated.values[$0.value.index] }
        #expect(abs(atB.reduce(0, +) - 1) < 1e-6)
    }

    /// On generated scenarios, from each run's cheapest cluster alone and one pattern joining a
    /// round, column generation ends at the whole LP's cost.
    @Test(arguments: [UInt64(3), 11, 19])
    func columnGenerationAgreesWithTheWholeRelaxation(seed: UInt64) throws {
        let s = ScenarioGenerator(
            .init(seed: seed, providers: 5, offers: 24, workloads: 12, months: 12, resilience: false)
        ).generate()
        let model = SourcingModel(try PlanningInput(s), overrides: PlanningOverrides(), lossSubset: nil)
        try #require(!model.runStart.isEmpty)
        var relaxed = model.lp
        relaxed.relaxIntegrality()
        let whole = try #require(try ClpSolver().solve(relaxed, options: SolveOptions()).objective)
        var rounds: [String] = []
        let generated = try RunColumns(model: model, firstClusters: 1, perRound: 1).solve(
            relaxed, with: ClpSolver(), timeLeft: { nil }, say: { rounds.append($0) })
        let objective = try #require(generated.objective)
        #expect(abs(objective - whole) <= 1e-7 * abs(whole), "column generation \(objective), whole \(whole)")
        #expect(rounds.count > 1)
        // Every round's bound (the restricted LP's cost plus each run's most negative reduced
        // cost) is a lower bound of the whole LP's.
        for line in rounds {
            let bound = try #require(line.split(separator: "bound $").last.flatMap { Double($0) }, "\(line)")
            #expect(bound <= whole + 1e-7 * abs(whole), "\(line)")
        }
    }

    /// The planner with every relaxation by column generation (its N-1 rounds' too) plans what
    /// it plans from the whole LP: the same bound, and a plan that passes the checker.
    @Test(arguments: [UInt64(3), 8])
    func plansFromColumnGenerationPassTheChecker(seed: UInt64) async throws {
        try await heavy {
            let s = ScenarioGenerator(.init(seed: seed, providers: 5, offers: 20, workloads: 10, months: 12)).generate()
            func bounds(generating: Bool) throws -> [String] {
                let lines = Mutex<[String]>([])
                var planner = Planner(options: SolveOptions(timeLimitSeconds: 10, relativeGap: 0.05))
                if generating { planner.runColumnsFrom = 1 }
                planner.progress = { line in lines.withLock { $0.append(line) } }
                let plan = try planner.plan(s)
                #expect(PlanChecker(scenario: s).check(plan) == [])
                let said = lines.withLock { $0 }
                #expect(said.contains { $0.contains("relaxation round 1:") } == generating, "\(said)")
                return said.filter { $0.contains("relaxation: ") }.map { String($0.split(separator: "bound ").last!) }
            }
            let generated = try bounds(generating: true)
            let whole = try bounds(generating: false)
            #expect(!generated.isEmpty && generated.first == whole.first, "\(generated) against \(whole)")
        }
    }

    /// Plans `s`, whose run goes to provider a, and re-plans it after a's outage from `month`
    /// of 2027; the re-plan passes the checker.
    func replanAfterAFails(_ s: Scenario, from month: Int) throws -> Replan {
        let plan = try planner.plan(s)
        #expect(plan.runs.map(\.provider) == ["a"])
        let incident = Incident(provider: "a", kind: .outage, from: YearMonth(year: 2027, month: month))
        let replan = try planner.replan(s, plan: plan, incident: incident)
        #expect(PlanChecker(scenario: s, incident: incident).check(replan.after) == [])
        return replan
    }

    /// An outage of the run's provider after it started: the re-plan keeps the month it ran and
    /// continues it in a cluster that is still there, finishing by the deadline.
    @Test func aRunRestartsElsewhereAfterItsProviderFails() throws {
        let s = scenario(
            offers: [
                Fixtures.offer("a-h100", provider: "a", nodes: 80, prices: [.onDemand: 2]),
                Fixtures.offer("b-h100", provider: "b", nodes: 80, prices: [.onDemand: 3]),
            ],
            workloads: [Fixtures.training("run", work: 512 * 730 * 4, window: Fixtures.months(1, 6), gang: 512)])
        let replan = try replanAfterAFails(s, from: 2)
        #expect(replan.after.shortfalls.isEmpty)
        let runs = replan.after.runs
        #expect(runs.map(\.provider) == ["a", "b"])
        #expect(runs[0].start == YearMonth(year: 2027, month: 1) && runs[0].end == YearMonth(year: 2027, month: 1))
        // Three months of work left, and a day of progress redone after the restart: four months.
        #expect(runs[1].start == YearMonth(year: 2027, month: 2) && runs[1].end == YearMonth(year: 2027, month: 5))
        #expect(runs[1].finish == YearMonth(year: 2027, month: 5))
    }

    /// A re-plan that cannot restart a run says why in the months the incident leaves: b can
    /// hold the gang only once its lead time has passed, and the two months of work left (and a
    /// restart) no longer fit before the window ends; without b, no cluster still delivering
    /// holds the gang at all.
    @Test func aRunThatCannotRestartSaysWhyInTheMonthsLeft() throws {
        func replanned(withB: Bool) throws -> String {
            let b = Fixtures.offer("b-h100", provider: "b", nodes: 80, leadTimeDays: 120, prices: [.onDemand: 3])
            let s = scenario(
                offers: [Fixtures.offer("a-h100", provider: "a", nodes: 80, prices: [.onDemand: 2])]
                    + (withB ? [b] : []),
                workloads: [Fixtures.training("run", work: 512 * 730 * 4, window: Fixtures.months(1, 6), gang: 512)])
            let replan = try replanAfterAFails(s, from: 3)
            return try #require(replan.after.shortfalls.first { $0.workload == "run" }?.reason)
        }
        let late = try replanned(withB: true)
        #expect(late.contains("in the 4 month(s) left of its window (2027-03 to 2027-06)"), "\(late)")
        #expect(
            late.contains("b nvidia-h100 us-east, can first hold the gang in 2027-05 and needs 3 month(s)"), "\(late)")
        let none = try replanned(withB: false)
        #expect(none.hasPrefix("no cluster still delivering holds 512 accelerators"), "\(none)")
    }

    /// N-1 for a run: losing the run's provider means restarting it whole elsewhere. The share
    /// cap makes the plan lease a service's capacity at both providers, so the other one has room
    /// for the gang (the service gives way), and the N-1 row says where and when. Without such
    /// room the row says the run would miss its deadline.
    @Test func theN1TableSaysWhereARunRestarts() throws {
        var s = scenario(
            offers: [
                Fixtures.offer("a-h100", provider: "a", nodes: 80, prices: [.onDemand: 2]),
                Fixtures.offer(
                    "b-h100", provider: "b", nodes: 80, prices: [.onDemand: 3],
                    backup: BackupTerms(availableNodes: 80, feePerNodeMonth: 100, exercisePricePerAcceleratorHour: 4)),
            ],
            workloads: [
                Fixtures.training("run", work: 512 * 730 * 3, window: Fixtures.months(1, 8), critical: true, gang: 512),
                Fixtures.service("serve", capacity: 600, months: Fixtures.months(1, 8)),
            ])
        s.policy = Policy(maxProviderShare: 0.5, resilience: .nMinus1, criticalCoverage: 1)
        let plan = try planner.plan(s)
        #expect(PlanChecker(scenario: s).check(plan) == [])
        let run = try #require(plan.runs.first)
        let lost = try #require(plan.resilience.first { $0.provider == run.provider })
        let restart = try #require(lost.runRestarts.first)
        #expect(restart.workload == "run")
        #expect(restart.cluster != nil && restart.cluster != run.cluster)
        #expect(restart.onTime)
        #expect(PlanReport.render(plan, format: .text).contains("Without \(run.provider), run restarts on"))
    }

    @Test func theN1TableSaysWhenARunCannotRestart() throws {
        var s = scenario(
            offers: [Fixtures.offer("a-h100", provider: "a", nodes: 80, prices: [.onDemand: 2])],
            workloads: [
                Fixtures.training("run", work: 512 * 730 * 3, window: Fixtures.months(1, 8), critical: true, gang: 512)
            ])
        s.policy = Policy(maxProviderShare: 1, resilience: .nMinus1, criticalCoverage: 1)
        let plan = try planner.plan(s)
        let restart = try #require(plan.resilience.first { $0.provider == "a" }?.runRestarts.first)
        #expect(restart.cluster == nil && !restart.onTime)
        #expect(PlanReport.render(plan, format: .text).contains("Without a, run is lost"))
    }
}
