import Foundation
import Solver
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardServiceTesting
import SwitchyardTesting
import Synchronization
import Testing

@testable import Planner

/// Small scenarios whose optimum can be worked out by hand. Every plan also passes the
/// independent checker.
@Suite struct KnownAnswerTests {
    let planner = Planner(options: SolveOptions(timeLimitSeconds: 60, relativeGap: 1e-6))

    func plan(_ scenario: Scenario, sourceLocation: SourceLocation = #_sourceLocation) throws -> Plan {
        #expect(
            scenario.validate(accelerators: AcceleratorCatalog.merged(with: scenario.accelerators)).isEmpty,
            sourceLocation: sourceLocation)
        let plan = try planner.plan(scenario)
        #expect(PlanChecker(scenario: scenario).check(plan) == [], sourceLocation: sourceLocation)
        return plan
    }

    func nodes(_ plan: Plan, _ offer: OfferID) -> Int {
        plan.leases.filter { $0.offer == offer }.reduce(0) { $0 + $1.nodes }
    }

    func scenario(
        providers: [ProviderID], offers: [Offer], workloads: [Workload], months: Int = 6, policy: Policy = Policy(),
        colocation: [ColocationSite] = [], fleets: [OwnedFleet] = []
    ) -> Scenario {
        Scenario(
            name: "known", horizon: Fixtures.horizon(months),
            providers: providers.map { Provider(id: $0, kind: .neocloud, failureProbability: 0.1) }, offers: offers,
            colocation: colocation, ownedFleets: fleets, workloads: workloads, policy: policy)
    }

    /// 80 H100s every month, two identical offers but for price: all from the cheaper one.
    @Test func cheapestOfferWins() throws {
        let s = scenario(
            providers: ["a", "b"],
            offers: [
                Fixtures.offer("a-h100", provider: "a", prices: [.onDemand: 3]),
                Fixtures.offer("b-h100", provider: "b", prices: [.onDemand: 2.5]),
            ],
            workloads: [Fixtures.service("serve", capacity: 80, months: Fixtures.months(1, 6))])
        let p = try plan(s)
        #expect(nodes(p, "a-h100") == 0)
        #expect(nodes(p, "b-h100") == 60)  // 10 nodes × 6 months
        #expect(p.cost.total == Decimal(80 * 730 * 6) * Decimal(string: "2.5")!)
        #expect(p.shortfalls.isEmpty)
    }

    /// H100 or H200 at list prices: the planner buys the one the *measured* speeds say is cheaper
    /// per unit of work, and the answer changes with the kind of work exactly where the
    /// measurements say it should. Prices per GPU-hour: CoreWeave 6.155 / 6.305 (2026-09-20),
    /// Crusoe 3.90 / 4.29 (2026-09-20), Nebius 4.50 / 5.40 (from 2026-10-01). Measured H200 ÷ H100:
    /// fine-tuning 1.17, decode 1.45 (the catalog's calibration points); pre-training has no H200
    /// measurement, and the same GH100 compute (1.00).
    @Test(arguments: [
        (6.155, 6.305, WorkloadProfile.pretraining), (6.155, 6.305, .fineTuning), (6.155, 6.305, .decode),
        (3.90, 4.29, .pretraining), (3.90, 4.29, .fineTuning), (3.90, 4.29, .decode),
        (4.50, 5.40, .pretraining), (4.50, 5.40, .fineTuning), (4.50, 5.40, .decode),
    ])
    func h100OrH200FollowsTheMeasuredSpeeds(h100Price: Double, h200Price: Double, profile: WorkloadProfile) throws {
        let measured =
            AcceleratorCatalog.calibration.first {
                $0.model == "nvidia-h200" && $0.baseline == "nvidia-h100" && $0.profile == profile
            }?.measured ?? 1.0
        let expected: OfferID = measured > h200Price / h100Price ? "b-h200" : "a-h100"
        var work = Fixtures.batch("work", work: 800 * 730, window: Fixtures.months(1, 1), gang: 8)
        work.profile = profile
        let s = scenario(
            providers: ["a", "b"],
            offers: [
                Fixtures.offer("a-h100", provider: "a", prices: [.onDemand: Decimal(h100Price)]),
                Fixtures.offer(
                    "b-h200", provider: "b", accelerator: "nvidia-h200", prices: [.onDemand: Decimal(h200Price)]),
            ],
            workloads: [work], months: 1)
        // A gap of 0.5% is far inside the 2.4% price step between the closest pair.
        let p = try Planner(options: SolveOptions(timeLimitSeconds: 20, relativeGap: 0.005)).plan(s)
        #expect(PlanChecker(scenario: s).check(p) == [])
        #expect(p.shortfalls.isEmpty)
        let total: Int = p.leases.reduce(0) { $0 + $1.nodes * $1.months }
        let chosen: Int = p.leases.filter { $0.offer == expected }.reduce(0) { $0 + $1.nodes * $1.months }
        // Whole nodes may put a last node on the other model; the bulk goes to the cheaper one.
        #expect(Double(chosen) >= 0.9 * Double(total), "\(profile) at \(h100Price)/\(h200Price): \(p.leases)")
    }

    /// With a 50% cap, the cheap supplier can carry only half.
    @Test func shareCapForcesASplit() throws {
        var policy = Policy()
        policy.maxProviderShare = 0.5
        let s = scenario(
            providers: ["a", "b"],
            offers: [
                Fixtures.offer("a-h100", provider: "a", prices: [.onDemand: 3]),
                Fixtures.offer("b-h100", provider: "b", prices: [.onDemand: 2.5]),
            ],
            workloads: [Fixtures.service("serve", capacity: 80, months: Fixtures.months(1, 6))], policy: policy)
        let p = try plan(s)
        #expect(nodes(p, "a-h100") == 30)
        #expect(nodes(p, "b-h100") == 30)
        #expect(p.shares.allSatisfy { $0.share <= 0.5 + 1e-9 })
    }

    /// A cheap offer 90 days out: on-demand elsewhere covers the first three months.
    @Test func leadTimeForcesOnDemandFirst() throws {
        let s = scenario(
            providers: ["fast", "cheap"],
            offers: [
                Fixtures.offer("fast-h100", provider: "fast", prices: [.onDemand: 4]),
                Fixtures.offer("cheap-h100", provider: "cheap", leadTimeDays: 90, prices: [.onDemand: 2]),
            ],
            workloads: [Fixtures.service("serve", capacity: 16, months: Fixtures.months(1, 6))])
        let p = try plan(s)
        let fast = p.leases.filter { $0.offer == "fast-h100" }.map(\.start.month).sorted()
        let cheap = p.leases.filter { $0.offer == "cheap-h100" }.map(\.start.month).sorted()
        #expect(fast == [1, 2, 3])
        #expect(cheap == [4, 5, 6])
    }

    /// A CUDA-only run never lands on TPUs, however cheap they are; a JAX run does.
    @Test func cudaWorkloadNeverOnTPU() throws {
        let s = scenario(
            providers: ["gpu", "tpu"],
            offers: [
                Fixtures.offer("h100", provider: "gpu", prices: [.onDemand: 4]),
                Fixtures.offer("v6e", provider: "tpu", accelerator: "google-tpu-v6e", prices: [.onDemand: 0.5]),
            ],
            workloads: [
                Fixtures.training("cuda-run", work: 80_000, window: Fixtures.months(1, 6), stacks: [.cuda], gang: 32),
                // 40,000 H100-hours: about four months of 32 v6e chips (0.44 of an H100 each for
                // pre-training; docs/catalog.md), inside the six-month window.
                Fixtures.training(
                    "jax-run", work: 40_000, window: Fixtures.months(1, 6), stacks: [.xla, .cuda], gang: 32),
            ])
        let p = try plan(s)
        #expect(p.runs.filter { $0.workload == "cuda-run" }.map(\.accelerator) == ["nvidia-h100"])
        #expect(p.allocation.filter { $0.workload == "cuda-run" }.allSatisfy { $0.accelerator == "nvidia-h100" })
        // The JAX run goes to the far cheaper TPUs, whole.
        #expect(p.runs.filter { $0.workload == "jax-run" }.map(\.accelerator) == ["google-tpu-v6e"])
        #expect(p.allocation.filter { $0.workload == "jax-run" }.allSatisfy { $0.accelerator == "google-tpu-v6e" })
        #expect(p.shortfalls.isEmpty)
    }

    func colocationScenario(pricePerKWMonth: Decimal) -> Scenario {
        scenario(
            providers: ["neo"],
            offers: [Fixtures.offer("h100", provider: "neo", prices: [.onDemand: 2])],
            workloads: [
                Fixtures.service("serve", capacity: 200, months: Fixtures.months(1, 6), stacks: [.xla, .cuda])
            ],
            colocation: [
                ColocationSite(
                    id: "colo", provider: "neo", region: "us-east", powerKW: 1000, pricePerKWMonth: pricePerKWMonth)
            ],
            fleets: [
                OwnedFleet(
                    id: "tpus", accelerator: "google-tpu-v7", powerPerAcceleratorW: 1200,
                    arrivals: [Arrival(month: YearMonth(year: 2027, month: 1), count: 256)])
            ])
    }

    /// Owned TPUs cost only their power: at $184/kW-month they beat a $2 H100; at $5,000 they do not.
    @Test func colocatedOwnedTPUsBeatLeasingWhenPowerIsCheap() throws {
        let cheap = try plan(colocationScenario(pricePerKWMonth: 184))
        #expect(cheap.leases.isEmpty)
        #expect(cheap.colocation.count == 6)
        #expect(cheap.allocation.allSatisfy { $0.accelerator == "google-tpu-v7" })

        let dear = try plan(colocationScenario(pricePerKWMonth: 5000))
        #expect(dear.colocation.isEmpty)
        #expect(nodes(dear, "h100") == 25 * 6)
    }

    /// N-1 buys standby capacity that a plan without resilience does not.
    @Test func resilienceBuysABackup() throws {
        var policy = Policy()
        policy.resilience = .nMinus1
        policy.criticalCoverage = 1
        let offers = [
            Fixtures.offer("a-h100", provider: "a", prices: [.onDemand: 2]),
            Fixtures.offer(
                "b-h100", provider: "b", prices: [.onDemand: 6],
                backup: BackupTerms(availableNodes: 20, feePerNodeMonth: 500, exercisePricePerAcceleratorHour: 7)),
        ]
        let workloads = [Fixtures.service("serve", capacity: 80, months: Fixtures.months(1, 6), critical: true)]
        let resilient = try plan(scenario(providers: ["a", "b"], offers: offers, workloads: workloads, policy: policy))
        #expect(resilient.backups.map(\.nodes) == Array(repeating: 10, count: 6))
        let lossOfA = resilient.resilience.first { $0.provider == "a" }!
        #expect(abs(lossOfA.criticalCoverage - 1) < 1e-9)
        #expect(lossOfA.shortfallReferenceHours < 1e-6)

        policy.resilience = .none
        let bare = try plan(scenario(providers: ["a", "b"], offers: offers, workloads: workloads, policy: policy))
        #expect(bare.backups.isEmpty)
        #expect(bare.resilience.isEmpty)
        #expect(bare.cost.total < resilient.cost.total)
    }

    /// A budget below what the demand costs: the plan comes back short, and says the budget binds.
    @Test func budgetBelowDemandGivesAnExplainedShortfall() throws {
        var policy = Policy()
        policy.budgetUSD = 100_000
        let s = scenario(
            providers: ["a"], offers: [Fixtures.offer("a-h100", provider: "a", prices: [.onDemand: 3])],
            workloads: [Fixtures.service("serve", capacity: 80, months: Fixtures.months(1, 6))], policy: policy)
        let p = try plan(s)
        #expect(p.cost.total <= 100_000)
        #expect(!p.shortfalls.isEmpty)
        #expect(p.shortfalls.allSatisfy { $0.reason.contains("budget") })
        #expect(p.explanation.binding.contains { $0.kind == .budget && $0.savingUSD > 0 })
    }

    /// A 50% cap with a single supplier cannot be met. The service is served there anyway (a cap
    /// is a limit on exposure, not a reason to leave demand unmet) and the plan states and prices
    /// the excess: 4 of the 8 reference units each month, 4 × 730 h × $50 = $146,000 a month.
    @Test func unmeetableCapIsExceededStatedAndPriced() throws {
        var policy = Policy()
        policy.maxProviderShare = 0.5
        let s = scenario(
            providers: ["only"], offers: [Fixtures.offer("h100", provider: "only", prices: [.onDemand: 3])],
            workloads: [Fixtures.service("serve", capacity: 8, months: Fixtures.months(1, 2))], policy: policy)
        let p = try plan(s)
        #expect(p.leases.map(\.accelerators) == [8, 8])
        #expect(p.shortfalls.isEmpty)
        #expect(p.shares.count == 2 && p.shares.allSatisfy { abs(($0.aboveCap ?? 0) - 4) < 1e-9 })
        #expect(p.cost.capPenalty == 292_000)
        #expect(p.explanation.summary.contains { $0.hasPrefix("The plan runs above the 50% share cap") })
    }

    /// A minimum commitment: either nothing or at least the minimum.
    @Test func minimumCommitmentIsRespected() throws {
        let s = scenario(
            providers: ["a", "b"],
            offers: [
                Fixtures.offer("a-h100", provider: "a", prices: [.onDemand: 2], minimumNodes: 40),
                Fixtures.offer("b-h100", provider: "b", prices: [.onDemand: 2.2]),
            ],
            workloads: [Fixtures.service("serve", capacity: 16, months: Fixtures.months(1, 3))])
        let p = try plan(s)
        // 2 nodes × 3 months = 6 node-signatures are needed; 40 at $2 cost more than 6 at $2.20.
        #expect(nodes(p, "a-h100") == 0)
        #expect(nodes(p, "b-h100") == 6)
    }

    /// A long commitment is cheaper per hour but runs past a short horizon: the plan pays it all.
    @Test func commitmentPastTheHorizonIsCounted() throws {
        let s = scenario(
            providers: ["a"],
            offers: [Fixtures.offer("a-h100", provider: "a", prices: [.onDemand: 3, .oneYear: 2])],
            workloads: [Fixtures.service("serve", capacity: 8, months: Fixtures.months(1, 6))])
        let p = try plan(s)
        // Six months on-demand at $3 (6 × 3 = 18) beat a year at $2 (12 × 2 = 24).
        #expect(p.leases.allSatisfy { $0.term == .onDemand })
    }

    @Test func planJSONRoundTrips() async throws {
        let example = try await ExamplePlanned.plan()
        try await heavy {
            let scenario = try Fixtures.frontierLab()
            let p = example
            #expect(PlanChecker(scenario: scenario).check(p) == [])
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID()).json").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try PlanFile.encode(p).write(toFile: path, atomically: true, encoding: .utf8)
            // The file carries 15 significant digits (floating noise is written as what it stands
            // for): what is read back writes the same text, passes the checker, and keeps every
            // decision exactly.
            let back = try PlanFile.load(path: path)
            #expect(PlanFile.encode(back) == PlanFile.encode(p))
            #expect(PlanChecker(scenario: scenario).check(back) == [])
            #expect(back.leases == p.leases && back.runs == p.runs && back.placements == p.placements)
            #expect(back.backups == p.backups && back.shortfalls.count == p.shortfalls.count)
        }
    }
}

/// Issue 10's case, solved by hand: three suppliers of identical 8-GPU nodes (100 each, at $2,
/// $2.5 and $3), one critical service of 800 GPUs, N-1 with full coverage. Every pair must hold
/// 800 GPUs, so the optimum is 50 nodes from each. Rounding used to measure a lease's fraction
/// from below the floor it had just taken (49.9999999 floors to 50 but its "fraction" over 49 was
/// 0.9999999) and signed 51 at one of them.
@Suite struct RoundingTests {
    static let threeSuppliers = Scenario(
        name: "n-1 by hand", horizon: Fixtures.horizon(3),
        providers: ["a", "b", "c"].map { Provider(id: $0, kind: .neocloud, failureProbability: 0.05) },
        offers: [
            Fixtures.offer("a-h100", provider: "a", nodes: 100, prices: [.onDemand: 2]),
            Fixtures.offer("b-h100", provider: "b", nodes: 100, prices: [.onDemand: 2.5]),
            Fixtures.offer("c-h100", provider: "c", nodes: 100, prices: [.onDemand: 3]),
        ],
        workloads: [Fixtures.service("chat", capacity: 800, months: Fixtures.months(1, 3), critical: true)],
        policy: Policy(resilience: .nMinus1, criticalCoverage: 1))

    @Test func fiftyNodesFromEachOfThree() throws {
        let scenario = Self.threeSuppliers
        let plan = try Planner(options: SolveOptions(timeLimitSeconds: 30, relativeGap: 0.01)).plan(scenario)
        #expect(PlanChecker(scenario: scenario).check(plan) == [])
        #expect(plan.shortfalls.isEmpty)
        var nodes: [ProviderID: Int] = [:]
        for lease in plan.leases { nodes[lease.provider, default: 0] += lease.nodes * lease.months }
        #expect(nodes == ["a": 150, "b": 150, "c": 150], "\(plan.leases)")
        #expect(plan.solver.gap <= 1e-6 && plan.solver.status == .optimal)
    }

    /// The improvement step after rounding: given 51/50/50 (one node too many at the cheapest
    /// supplier, every month), it lowers each rounded-up lease while the plan stays feasible and
    /// gets cheaper, and lands on 50/50/50.
    @Test func theImprovementStepTakesBackANodeTooMany() throws {
        let input = try PlanningInput(Self.threeSuppliers)
        let model = SourcingModel(input)
        var relaxed = model.lp
        relaxed.relaxIntegrality()
        let relaxation = try ClpSolver().solve(relaxed)
        var fixed = relaxed
        for lease in model.leases {
            let nodes = input.offers[lease.key.offer].id == "a-h100" ? 51.0 : 50.0
            fixed.setBounds(lease.variable, lower: nodes, upper: nodes)
        }
        let overshoot = try ClpSolver().solve(fixed)
        #expect(overshoot.status == .optimal)
        let planner = Planner()
        let better = try #require(
            planner.improved(model, overshoot, guide: relaxation.values, seconds: 10))
        for lease in model.leases { #expect(abs(better.values[lease.variable.index] - 50) < 1e-6) }
        // Three months of one 8-GPU node at $2 an hour.
        #expect(abs((overshoot.objective ?? 0) - (better.objective ?? 0) - 3 * 8 * 2 * 730) < 1e-3)
    }

    /// The same plan's report tells the truth about it: 400 GPUs a month are N-1 standby, not
    /// demand served; nothing is sold out, so nothing is called scarce; the N-1 table says what its
    /// columns measure.
    @Test func theReportSeparatesStandbyAndCallsNothingScarce() throws {
        let plan = try Planner(options: SolveOptions(timeLimitSeconds: 30, relativeGap: 0.01)).plan(Self.threeSuppliers)
        let text = PlanReport.render(plan, format: .text)
        let chat = text.split(separator: "\n").first { $0.hasPrefix("chat ") }.map(String.init) ?? ""
        #expect(chat.hasSuffix("3,600       3,600   2,400    1,200"), "\(chat)")
        #expect(!text.contains("scarcest"))
        #expect(text.contains("covered (horizon)") && text.contains("short (ref-h)"))
        let standby = plan.allocation.compactMap(\.standbyReferenceAccelerators).reduce(0, +)
        #expect(abs(standby - 3 * 400) < 1e-6)
    }

    /// A cheap offer that cannot deliver in the first month (a 20-day lead time rounds up to one
    /// month) while a dear one can: the first month is bridged, and the lead time is named under
    /// what binds.
    @Test func aLeadTimeThatForcesABridgeIsNamed() throws {
        let scenario = Scenario(
            name: "bridge", horizon: Fixtures.horizon(4),
            providers: ["slow", "fast"].map { Provider(id: $0, kind: .neocloud, failureProbability: 0.05) },
            offers: [
                Fixtures.offer("slow-h100", provider: "slow", leadTimeDays: 20, prices: [.onDemand: 2]),
                Fixtures.offer("fast-h100", provider: "fast", prices: [.onDemand: 5]),
            ],
            workloads: [Fixtures.service("chat", capacity: 80, months: Fixtures.months(1, 4))])
        let plan = try Planner().plan(scenario)
        #expect(plan.leases.contains { $0.offer == "fast-h100" && $0.start == scenario.horizon.start })
        let lead = plan.explanation.binding.filter { $0.kind == .leadTime }
        #expect(lead.map(\.subject) == ["slow-h100"] && lead.first?.month == scenario.horizon.start, "\(lead)")
        // One more slow node in the first month saves (5 − 2) $/h × 8 accelerators × 730 h.
        #expect(abs((lead.first?.savingUSD ?? 0) - 3 * 8 * 730) < 1)
        #expect(PlanReport.render(plan, format: .text).contains("Lead times bind: slow-h100"))
    }

    /// "optimal" only when proven (gap ≤ 1e-6): a plan 0.24% above the bound, inside a 1%
    /// target, is "within 0.24% of the bound"; outside the target it is feasible, and says so.
    @Test func optimalIsSaidOnlyWhenProven() async throws {
        let example = try await ExamplePlanned.plan()
        try await heavy {
            #expect(SolverReport.status(.optimal, gap: 0, target: 0.01) == .optimal)
            #expect(SolverReport.status(.optimal, gap: 0.0024, target: 0.01) == .withinGap)
            #expect(SolverReport.status(.feasible, gap: 0.0024, target: 0.01) == .withinGap)
            #expect(SolverReport.status(.optimal, gap: 0.02, target: 0.01) == .feasible)
            #expect(SolverReport.status(.limitReached, gap: 0, target: 0.01) == .limitReached)
            var report = example.solver
            report.status = .withinGap
            report.gap = 0.0024
            report.unavoidablePenaltyUSD = 0
            #expect(report.statusSentence() == "within 0.24% of the bound")
            report.status = .feasible
            report.gap = 0.091
            #expect(report.statusSentence() == "feasible, 9.10% above the bound (outside the requested gap)")
            // The example's CoreWeave loss strands its pre-training run whatever the plan: the gap is
            // measured above that penalty, and the sentence says so.
            report.unavoidablePenaltyUSD = 1_040_000_000
            report.gapUSD = 1_646_080
            #expect(
                report.statusSentence()
                    == "feasible, 9.10% above the bound ($1,646,080, measured above the $1,040,000,000 of shortfall penalty no plan can avoid) (outside the requested gap)"
            )
        }
    }

    /// The example's pre-training run has no cluster outside CoreWeave that holds its gang: that
    /// loss's penalty is unavoidable, counted once per loss, and the gap is measured above it.
    @Test func theGapIsMeasuredAboveThePenaltyNoPlanAvoids() async throws {
        let example = try await ExamplePlanned.plan()
        try await heavy {
            let plan = example
            let unavoidable = try #require(plan.solver.unavoidablePenaltyUSD)
            let scenario = try Fixtures.frontierLab()
            let penalty = scenario.policy.shortfallPenaltyPerReferenceHour.double
            let coverage = scenario.policy.criticalCoverage
            let pretrain = try #require(scenario.workloads.first { $0.id == "frontier-pretrain" }?.demand.work)
            #expect(abs(unavoidable - penalty * coverage * pretrain) < 1)
            let objective = plan.cost.objective.double
            let gapUSD = try #require(plan.solver.gapUSD)
            #expect(abs(plan.solver.gap - gapUSD / (objective - unavoidable)) < 1e-9)
            #expect(plan.solver.gap <= 0.01 + 1e-9)
        }
    }
}

/// Generated scenarios of many shapes: every plan passes the independent checker.
@Suite struct GeneratedPlanTests {
    @Test(arguments: [
        (UInt64(1), 3, 8, 5, 6, true), (2, 5, 20, 10, 12, true), (3, 4, 12, 6, 9, false), (4, 2, 6, 4, 12, true),
        (5, 8, 30, 12, 6, true), (6, 1, 3, 3, 4, true), (7, 6, 25, 15, 12, false), (8, 5, 15, 8, 24, true),
    ])
    func plansPassTheChecker(seed: UInt64, providers: Int, offers: Int, workloads: Int, months: Int, resilience: Bool)
        async throws
    {
        try await heavy {
            let scenario = ScenarioGenerator(
                .init(
                    seed: seed, providers: providers, offers: offers, workloads: workloads, months: months,
                    resilience: resilience)
            ).generate()
            // 10 s: every stage runs (the gap asked is 1%), and what the checker sees is the plan the
            // limit leaves; at 30 s, four of the eight spent the whole limit closing the bound.
            let plan = try Planner(options: SolveOptions(timeLimitSeconds: 10, relativeGap: 0.01)).plan(scenario)
            #expect(PlanChecker(scenario: scenario).check(plan) == [])
            #expect(plan.solver.gap <= 0.01 + 1e-9 || plan.solver.status == .feasible)
            #expect(plan.resilience.isEmpty == !(resilience && scenario.workloads.contains(where: \.critical)))
        }
    }

    /// The time limit is the whole plan's: a 4 s limit on a scenario whose relaxation alone takes
    /// about 3 s (50 workloads, 24 months, N-1) ends within seconds of it, with a plan that
    /// passes the checker or the error that says to raise the limit. (Before, each N-1 round's
    /// relaxation had the whole limit afresh, and a generated 100-workload plan took 12 minutes
    /// against 120 s.) Alone it takes 4.2 s, beside six busy processes 9.0 s. (Before, the
    /// relaxation's losses were checked after the limit had passed: 6.8 s alone, and 27 s in a
    /// CI run beside the server tests' solves.) It runs as heavy work `alone`, holding both slots.
    @Test func theTimeLimitBoundsTheWholePlan() async throws {
        try await heavy(alone: true) { try Self.aFourSecondPlan() }
    }

    static func aFourSecondPlan() throws {
        let scenario = ScenarioGenerator(.init(seed: 4, providers: 12, offers: 100, workloads: 50, months: 24))
            .generate()
        let limit = 4.0
        let started = ContinuousClock.now
        do {
            let plan = try Planner(options: SolveOptions(timeLimitSeconds: limit, relativeGap: 0.01)).plan(scenario)
            #expect(PlanChecker(scenario: scenario).check(plan) == [])
            #expect([.optimal, .withinGap, .feasible].contains(plan.solver.status))
        } catch PlannerError.solver(let message) {
            #expect(message.contains("raise --time-limit"), "\(message)")
        }
        let seconds = (ContinuousClock.now - started).seconds
        #expect(seconds < limit + 10, "planning took \(seconds) s against a \(limit) s limit")
    }

    /// An N-1 round that finds no plan in the time left leaves the previous round's plan, not
    /// an error. Seams: an LP solver that runs out of time on any model larger than the first
    /// round's (so the second round's relaxation finds nothing), and a MILP solver that always
    /// fails. On the example the first round's relaxation falls short in some provider losses,
    /// so a second is tried and runs out of time: the plan is rounded from the first round's
    /// model (two rounds: that relaxation, and its plan). That plan falls short too, a third
    /// round finds nothing, and the answer is the rounded plan, checked, with its N-1 table.
    @Test func aRoundWithoutAPlanKeepsTheLastRoundsPlan() throws {
        struct Failing: LinearSolver {
            var name: String { "failing" }
            func solve(_ program: LinearProgram, options: SolveOptions) throws -> Solution {
                .empty(.failed, seconds: 0, solver: name)
            }
        }
        struct OutOfTimeAbove: LinearSolver {
            let variables: Int
            var name: String { "clp" }
            func solve(_ program: LinearProgram, options: SolveOptions) throws -> Solution {
                program.variableCount > variables
                    ? .empty(.limitReached, seconds: 0, solver: name) : try ClpSolver().solve(program, options: options)
            }
        }
        let scenario = try Fixtures.frontierLab()
        let first = SourcingModel(try PlanningInput(scenario), lossSubset: []).lp.variableCount
        let planner = Planner(
            options: SolveOptions(timeLimitSeconds: 60, relativeGap: 0.01), milpSolver: Failing(),
            lpSolver: OutOfTimeAbove(variables: first))
        let plan = try planner.plan(scenario)
        #expect(PlanChecker(scenario: scenario).check(plan) == [])
        #expect(plan.solver.resilienceRounds == 2 && plan.solver.lossCasesOptimised == 0)
        #expect(plan.solver.status == .feasible)
        #expect(plan.resilience.count == Set(plan.leases.map(\.provider)).count)
        #expect(plan.resilience.contains { $0.shortfallReferenceHours > 0 })
    }

    /// A round is not started with less than three times the last relaxation's seconds left:
    /// with relaxations that report 1,000 s each (and a 60 s limit), the first is not followed
    /// by a second, the rounded plan is checked, falls short in some losses, and stands (two
    /// rounds, no case optimised) instead of starting a round that cannot finish.
    @Test func noRoundIsStartedThatCannotFinish() throws {
        struct SlowClp: LinearSolver {
            var name: String { "clp" }
            func solve(_ program: LinearProgram, options: SolveOptions) throws -> Solution {
                var solution = try ClpSolver().solve(program, options: options)
                if program.integerCount == 0, options.warmStart == nil { solution.seconds = 1_000 }
                return solution
            }
        }
        let scenario = try Fixtures.frontierLab()
        let lines = Mutex<[String]>([])
        var planner = Planner(options: SolveOptions(timeLimitSeconds: 60, relativeGap: 0.01), lpSolver: SlowClp())
        planner.progress = { line in lines.withLock { $0.append(line) } }
        let plan = try planner.plan(scenario)
        #expect(PlanChecker(scenario: scenario).check(plan) == [])
        #expect(plan.solver.resilienceRounds == 2 && plan.solver.lossCasesOptimised == 0)
        #expect(plan.resilience.contains { $0.shortfallReferenceHours > 0 })
        let said = lines.withLock { $0 }
        #expect(said.contains { $0.contains("too little time left for another round") }, "\(said)")
    }

    /// A relaxation still unsolved when the time is up is named in the error, with the model's
    /// size, so that a user knows what to give more time to.
    @Test func aRelaxationOutOfTimeIsNamedInTheError() async throws {
        try await heavy {
            struct OutOfTime: LinearSolver {
                var name: String { "clp" }
                func solve(_ program: LinearProgram, options: SolveOptions) throws -> Solution {
                    Thread.sleep(forTimeInterval: options.timeLimitSeconds ?? 0)
                    return .empty(.limitReached, seconds: options.timeLimitSeconds ?? 0, solver: name)
                }
            }
            let scenario = try Fixtures.frontierLab()
            var planner = Planner(
                options: SolveOptions(timeLimitSeconds: 1.5, relativeGap: 0.01), lpSolver: OutOfTime())
            planner.generateLossCases = false
            let size = SourcingModel(try PlanningInput(scenario)).lp
            #expect {
                _ = try planner.plan(scenario)
            } throws: { error in
                "\(error)".contains(
                    "no plan found within 1.5 s: the model's LP relaxation (\(size.variableCount) variables, "
                        + "\(size.constraintCount) constraints) was not solved in that time")
            }
        }
    }

    /// Constraint generation finds the loss cases on the relaxation, then rounds one plan: on
    /// the example the first relaxation is short in all four providers' losses, the second
    /// (with them) has none left to check, and the plan is rounded once (three rounds). Its
    /// model is then the one with every case in it from the start, and the two plans agree
    /// within the requested gap.
    @Test func lossCasesAreFoundOnTheRelaxationBeforeAPlanIsRounded() async throws {
        let example = try await ExamplePlanned.plan()
        try await heavy {
            let scenario = try Fixtures.frontierLab()
            // The example's plan at 60 s and 1% is the one every test target shares.
            let generated = example
            var planner = Planner(options: SolveOptions(timeLimitSeconds: 60, relativeGap: 0.01))
            planner.generateLossCases = false
            let allCases = try planner.plan(scenario)
            for plan in [generated, allCases] { #expect(PlanChecker(scenario: scenario).check(plan) == []) }
            #expect(generated.solver.resilienceRounds == 3 && generated.solver.lossCasesOptimised == 4)
            #expect(generated.solver.variables == allCases.solver.variables)
            let (a, b) = (generated.cost.objective.double, allCases.cost.objective.double)
            #expect(abs(a - b) <= 0.01 * max(a, b), "\(a) against \(b)")
        }
    }

    @Test func checkerCatchesAViolation() async throws {
        let example = try await ExamplePlanned.plan()
        try await heavy {
            let scenario = try Fixtures.frontierLab()
            var plan = example
            var second = plan
            #expect(PlanChecker(scenario: scenario).check(plan) == [])
            // Give a workload more of a model than exists.
            plan.allocation[0].accelerators += 1_000_000
            #expect(!PlanChecker(scenario: scenario).check(plan).isEmpty)
            // A lease above availability.
            second.leases[0].nodes += 10_000
            #expect(
                PlanChecker(scenario: scenario).check(second).contains {
                    $0.contains("available") || $0.contains("inconsistent")
                })
        }
    }
}

@Suite struct ReplanTests {
    @Test func outageKeepsSunkLeasesAndAvoidsLostCapacity() async throws {
        let example = try await ExamplePlanned.plan()
        try await heavy {
            let scenario = try Fixtures.frontierLab()
            let planner = Planner()
            let plan = example
            let incident = Incident(provider: "crusoe", kind: .outage, from: YearMonth(year: 2027, month: 6), months: 4)
            let result = try planner.replan(scenario, plan: plan, incident: incident)
            #expect(PlanChecker(scenario: scenario, incident: incident).check(result.after) == [])
            // Every lease signed before stays, at least as large.
            for lease in plan.leases {
                let kept = result.after.leases.filter {
                    $0.offer == lease.offer && $0.term == lease.term && $0.start == lease.start
                }
                #expect(kept.reduce(0) { $0 + $1.nodes } >= lease.nodes, "\(lease.offer) \(lease.start)")
            }
            // Nothing before the incident moves.
            let before = plan.allocation.filter { $0.month < incident.from }
            let after = result.after.allocation.filter { $0.month < incident.from }
            #expect(before.count == after.count)
            #expect(result.costDelta >= 0)
            // The plan for the old scenario is checked against the outage: its crusoe allocations now fail.
            #expect(!PlanChecker(scenario: scenario, incident: incident).check(plan).isEmpty)
        }
    }

    /// The example's CoreWeave outage, replayed: the re-plan buys nothing from CoreWeave for the
    /// months it delivers nothing — no lease that would run then, no backup option held then
    /// beyond what the plan already held (it bought three to four GB200 racks of them before).
    @Test func anOutageBuysNothingFromTheFailedProviderWhileItIsDown() async throws {
        let example = try await ExamplePlanned.plan()
        try await heavy {
            let scenario = try Fixtures.frontierLab()
            let plan = example
            let incident = try Incident.load(
                path: Fixtures.path("examples/incident-coreweave-outage.yaml"), scenario: scenario)
            let result = try Planner().replan(scenario, plan: plan, incident: incident)
            let down = (0..<(incident.months ?? 0)).map { incident.from.adding(months: $0) }
            for lease in result.added where lease.provider == incident.provider {
                let months = (0..<lease.months).map { lease.start.adding(months: $0) }
                #expect(Set(months).isDisjoint(with: down), "new lease \(lease.offer) from \(lease.start)")
            }
            let held = Dictionary(plan.backups.map { ("\($0.offer)|\($0.month)", $0.nodes) }, uniquingKeysWith: +)
            for hold in result.after.backups where hold.provider == incident.provider && down.contains(hold.month) {
                #expect(hold.nodes <= held["\(hold.offer)|\(hold.month)"] ?? 0, "\(hold.offer) \(hold.month)")
            }
            #expect(PlanChecker(scenario: scenario, incident: incident).check(result.after) == [])
        }
    }

    @Test func slipMovesDeliveries() async throws {
        let example = try await ExamplePlanned.plan()
        try await heavy {
            let scenario = try Fixtures.frontierLab()
            // 10 s, as the generated re-plans: what a slip keeps, moves and releases holds for any
            // re-plan the stages make; how close it is to optimal is not asked.
            let planner = Planner(options: SolveOptions(timeLimitSeconds: 10, relativeGap: 0.01))
            let plan = example
            let incident = Incident(provider: "nebius", kind: .slip, from: YearMonth(year: 2027, month: 1), months: 2)
            let result = try planner.replan(scenario, plan: plan, incident: incident)
            #expect(PlanChecker(scenario: scenario, incident: incident).check(result.after) == [])
            let firstNebius = result.after.leases.filter { $0.provider == "nebius" }.map(\.start).min()
            let wasFirst = plan.leases.filter { $0.provider == "nebius" }.map(\.start).min()
            #expect(wasFirst! < incident.from.adding(months: 2))
            // Every signed lease is kept (moved if it was due after the slip began); what is new is
            // exactly what the new plan has beyond them. On-demand months pushed past the horizon are
            // released, not owed.
            #expect(result.kept.count + result.stranded.count + result.released.count == plan.leases.count)
            #expect(result.stranded.allSatisfy { $0.term != .onDemand })
            #expect(!result.released.isEmpty)
            let keptNodes = result.kept.reduce(0) { $0 + $1.nodes }
            let addedNodes = result.added.reduce(0) { $0 + $1.nodes }
            #expect(keptNodes + addedNodes == result.after.leases.reduce(0) { $0 + $1.nodes })
            #expect(firstNebius! >= incident.from.adding(months: 2))
        }
    }

    /// A slip that eats slack without missing the deadline is in the delta: a 64-GPU run of 3
    /// months' work in a 6-month window, only at a, planned for months 1 to 3 (3 months of
    /// slack); a slips 2 months from the start, so the run runs months 3 to 5: it loses 2
    /// months of slack and keeps 1, and nothing is at risk.
    @Test func aSlipThatEatsSlackSaysSo() throws {
        var scenario = Scenario(
            name: "slack", horizon: Fixtures.horizon(6),
            providers: [Provider(id: "a", kind: .neocloud, failureProbability: 0.05)],
            offers: [Fixtures.offer("a-h100", provider: "a", nodes: 8, prices: [.onDemand: 2])],
            workloads: [Fixtures.training("run", work: 64 * 730 * 3, window: Fixtures.months(1, 6), gang: 64)])
        scenario.policy = Policy()
        let plan = try Planner().plan(scenario)
        #expect(plan.runs.map(\.start) == [YearMonth(year: 2027, month: 1)])
        let incident = Incident(provider: "a", kind: .slip, from: YearMonth(year: 2027, month: 1), months: 2)
        let result = try Planner().replan(scenario, plan: plan, incident: incident)
        #expect(PlanChecker(scenario: scenario, incident: incident).check(result.after) == [])
        #expect(result.atRisk.isEmpty)
        let change = try #require(result.slackChanges.first)
        #expect(result.slackChanges.count == 1)
        #expect(change.slackBefore == 3 && change.slackAfter == 1 && change.slackLost == 2)
        let text = ReplanReport.render(result, format: .text).replacingOccurrences(of: "\n  ", with: " ")
        #expect(
            text.contains(
                "run loses 2 month(s) of slack, 1 left: finishes 2027-05 (before: 2027-03), deadline 2027-06."),
            "\(text)")
        #expect(text.contains("No deadline or service month is newly at risk."))
    }

    /// Re-plans of generated scenarios after outages and slips of every kind pass the checker
    /// with the incident's capacity removed, and keep every signed lease.
    @Test(arguments: [
        (UInt64(11), Incident.Kind.outage, 2, 0.0), (12, .outage, 5, 0.5), (13, .slip, 1, 0), (14, .slip, 3, 0),
        (15, .outage, 0, 0.2), (16, .slip, 4, 0),
    ])
    func generatedReplansPassTheChecker(seed: UInt64, kind: Incident.Kind, fromMonth: Int, fraction: Double)
        async throws
    {
        try await heavy {
            let scenario = ScenarioGenerator(.init(seed: seed, providers: 4, offers: 14, workloads: 6, months: 9))
                .generate()
            // 10 s, as the generated plans' checks: the re-plan's stages all run; the plan is what
            // the limit leaves. The plan re-planned is only its input: planned to 5%.
            let planner = Planner(options: SolveOptions(timeLimitSeconds: 10, relativeGap: 0.01))
            let plan = try Planner(options: SolveOptions(timeLimitSeconds: 10, relativeGap: 0.05)).plan(scenario)
            let incident = Incident(
                provider: scenario.providers[Int(seed) % scenario.providers.count].id, kind: kind,
                from: scenario.horizon.start.adding(months: fromMonth), months: 2, deliveredFraction: fraction)
            let result = try planner.replan(scenario, plan: plan, incident: incident)
            #expect(PlanChecker(scenario: scenario, incident: incident).check(result.after) == [])
            // Every signed lease is kept or, slipped past the horizon, still owed (committed) or
            // released (on-demand is month to month: nothing is owed for months never delivered).
            #expect(result.kept.count + result.stranded.count + result.released.count == plan.leases.count)
            #expect(result.stranded.allSatisfy { $0.start > scenario.horizon.end && $0.term != .onDemand })
            #expect(result.released.allSatisfy { $0.start > scenario.horizon.end && $0.term == .onDemand })
            #expect(result.costDelta == result.after.cost.total + result.strandedCost - plan.cost.total)
        }
    }

    @Test func refusesAPlanOfAnotherScenario() async throws {
        let example = try await ExamplePlanned.plan()
        try await heavy {
            var scenario = try Fixtures.frontierLab()
            let plan = example
            scenario.offers[0].availableNodes += 1
            #expect(throws: PlannerError.self) {
                try Planner().replan(
                    scenario, plan: plan,
                    incident: Incident(provider: "aws", kind: .outage, from: YearMonth(year: 2027, month: 3)))
            }
        }
    }

    @Test func incidentErrorsNameTheirPaths() throws {
        let scenario = try Fixtures.frontierLab()
        let text = "provider: corewave\nkind: outage\nfrom: 2031-01\ndeliveredFraction: 2\n"
        do {
            _ = try Incident.decode(try DocumentParser.parse(text, format: .yaml), scenario: scenario)
            Issue.record("expected errors")
        } catch let error as InputError {
            let paths = error.diagnostics.map(\.path)
            #expect(paths == ["provider", "from", "deliveredFraction"])
            #expect(error.diagnostics[0].message.contains("did you mean 'coreweave'"))
        }
    }
}

/// The example planned once per test process at the default options (planning it takes
/// seconds in a debug build), for the tests that only read or mutate a copy of it.
enum ExamplePlanned {
    /// The one plan of the example every test target shares (`MemoisedPlans`): solved once per
    /// test process, not once per target that needs it, and awaited before a test's heavy work
    /// begins, so waiting for it holds none of the cores' turns.
    static func plan() async throws -> Plan { try await MemoisedPlans.awaitExample() }
}
