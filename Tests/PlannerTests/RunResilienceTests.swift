import Foundation
import Solver
import SwitchyardModel
import SwitchyardTesting
import Testing

@testable import Planner

/// N-1 for training runs, solved by hand: a critical run lost with its provider restarts as one
/// gang in one cluster of another provider for the months its work needs, on capacity the plan
/// holds there, or it is lost and short in that loss. Cover that cannot hold the gang is never
/// bought and never counted.
@Suite struct RunResilienceTests {
    let planner = Planner(options: SolveOptions(timeLimitSeconds: 60, relativeGap: 1e-6))

    /// A 512-accelerator critical run of 3 months' work in a 6-month window at a ($2), with b
    /// offering backup options (fee $100 a node-month) on `backupNodes` nodes of 8.
    func scenario(backupNodes: Int, coverage: Double = 1) -> Scenario {
        var s = Scenario(
            name: "cover", horizon: Fixtures.horizon(6),
            providers: ["a", "b"].map { Provider(id: $0, kind: .neocloud, failureProbability: 0.05) },
            offers: [
                Fixtures.offer("a-h100", provider: "a", nodes: 80, prices: [.onDemand: 2]),
                Fixtures.offer(
                    "b-h100", provider: "b", nodes: backupNodes, prices: [.onDemand: 3],
                    backup: BackupTerms(
                        availableNodes: backupNodes, feePerNodeMonth: 100, exercisePricePerAcceleratorHour: 4)),
            ],
            workloads: [
                Fixtures.training("run", work: 512 * 730 * 3, window: Fixtures.months(1, 6), critical: true, gang: 512)
            ])
        s.policy = Policy(maxProviderShare: 1, resilience: .nMinus1, criticalCoverage: coverage)
        return s
    }

    /// b holds 320 accelerators at most: no backup there can restart a 512 gang, so none is
    /// bought (under accelerator-hours, 40 nodes for 4.8 months "covered" it), and losing a
    /// loses the run: short its whole work, at the penalty, and said so.
    @Test func coverThatCannotHoldTheGangIsNeitherBoughtNorCounted() throws {
        for coverage in [1.0, 0.8] {
            let s = scenario(backupNodes: 40, coverage: coverage)
            let plan = try planner.plan(s)
            #expect(PlanChecker(scenario: s).check(plan) == [])
            #expect(plan.backups.isEmpty, "\(plan.backups)")
            #expect(plan.leases.allSatisfy { $0.provider == "a" })
            let lost = try #require(plan.resilience.first { $0.provider == "a" })
            #expect(lost.runs.isEmpty)
            #expect(lost.runRestarts.map(\.fate) == [.lost])
            #expect(abs(lost.shortfallReferenceHours - coverage * 512 * 730 * 3) < 1)
            #expect(lost.criticalCoverage == 0)
            #expect(PlanReport.render(plan, format: .text).contains("Without a, run is lost"))
            // The loss is short only by what no plan avoids: its case has nothing to optimise and
            // stays out of the model, and the bound counts its penalty as the plan's cost does.
            #expect(plan.solver.lossCasesOptimised == 0)
            #expect(plan.solver.gap <= 1e-4, "\(plan.solver)")
        }
    }

    /// b can hold the gang with 64 backup nodes: the plan holds exactly 64, for exactly the three
    /// consecutive months a restart there needs (fees 64 × 3 × $100), and the loss row says the
    /// run restarts there on time, with nothing short. Losing b, it stays.
    @Test func coverIsWholeGangsForConsecutiveMonths() throws {
        let s = scenario(backupNodes: 80)
        let plan = try planner.plan(s)
        #expect(PlanChecker(scenario: s).check(plan) == [])
        #expect(plan.backups.map(\.nodes) == [64, 64, 64], "\(plan.backups)")
        let months = plan.backups.compactMap { s.horizon.period(of: $0.month) }
        #expect(months.count == 3 && months.last! - months.first! == 2)
        #expect(plan.cost.backupFees == 19_200)
        let lost = try #require(plan.resilience.first { $0.provider == "a" })
        #expect(lost.shortfallReferenceHours == 0)
        let restart = try #require(lost.runRestarts.first)
        #expect(restart.fate == .restarts && restart.onTime)
        #expect(restart.cluster == "b nvidia-h100 us-east")
        #expect(lost.runs.map(\.accelerators) == [512])
        #expect(lost.runs.first.map { s.horizon.period(of: $0.start) } == months.first)
        #expect(plan.resilience.first { $0.provider == "b" }?.runRestarts.map(\.fate) == [.stays])
    }

    /// The claim replayed: a's outage from the first month, re-planned, puts the run where the
    /// loss row said, and it finishes on time.
    @Test func theReplanAfterTheOutageRestartsTheRunWhereThePlanSaid() throws {
        let s = scenario(backupNodes: 80)
        let plan = try planner.plan(s)
        let claim = try #require(plan.resilience.first { $0.provider == "a" }?.runs.first)
        let incident = Incident(provider: "a", kind: .outage, from: YearMonth(year: 2027, month: 1))
        let replan = try planner.replan(s, plan: plan, incident: incident)
        #expect(PlanChecker(scenario: s, incident: incident).check(replan.after) == [])
        #expect(replan.after.shortfalls.isEmpty)
        let run = try #require(replan.after.runs.first)
        #expect(replan.after.runs.count == 1)
        #expect(run.cluster == claim.cluster)
        #expect(run.finish.map { $0 <= run.deadline } == true)
    }

    /// A run the budget cannot pay for says so, with the figures: $1M left against the cheapest
    /// way to hold its gang (512 × 730 h × 3 months × $2 = $2,242,560 at a), not "no cluster has
    /// room … at a cost below the shortfall penalty".
    @Test func aRunLeftOutByTheBudgetSaysTheBudgetBinds() throws {
        var s = scenario(backupNodes: 80)
        s.policy = Policy(maxProviderShare: 1, budgetUSD: 1_000_000)
        let plan = try planner.plan(s)
        #expect(PlanChecker(scenario: s).check(plan) == [])
        #expect(plan.runs.isEmpty)
        let reason = try #require(plan.shortfalls.first { $0.workload == "run" }?.reason)
        #expect(
            reason
                == "the budget binds: $1,000,000 of it is left after the plan's spend, and the cheapest way to hold its gang for the months its work needs, on a nvidia-h100 us-east, costs at least $2,242,560",
            "\(reason)")
        // With the budget raised past that, the same run is placed.
        s.policy = Policy(maxProviderShare: 1, budgetUSD: 2_300_000)
        #expect(try planner.plan(s).runs.count == 1)
    }

    /// A plan whose loss row claims a restart the cluster cannot hold is refused by the checker:
    /// the backups it exercises there are too few for the gang.
    @Test func theCheckerRefusesARestartWithoutRoomForTheGang() throws {
        let s = scenario(backupNodes: 80)
        var plan = try planner.plan(s)
        let i = try #require(plan.resilience.firstIndex { $0.provider == "a" })
        plan.resilience[i].exercised = plan.resilience[i].exercised.map {
            var e = $0
            e.nodes = 40
            return e
        }
        let problems = PlanChecker(scenario: s).check(plan)
        #expect(problems.contains { $0.contains("N-1 a: b nvidia-h100 us-east holds 320") }, "\(problems)")
        var moved = try planner.plan(s)
        moved.resilience[i].runs[0].provider = "a"
        #expect(PlanChecker(scenario: s).check(moved).contains { $0.contains("runs on the lost provider's") })
    }
}
