import Foundation
import Solver
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardTesting
import Synchronization
import Testing

@testable import Planner

/// The bound search: the row per training run that says a run is whole or short, and branch
/// and cut on it beside the planner's own search.
@Suite struct BoundSearchTests {
    /// One 512-accelerator run with 2.5 months of work on the only cluster that holds it, H100s
    /// at $4 an hour: its pattern is 3 whole months, so the plan pays for 3 (512 × 730 × 3 × $4 =
    /// $4,485,120), where the relaxation runs 5/6 of the pattern and pays for 2.5 ($3,737,600).
    var halfMonthRun: Scenario {
        Scenario(
            name: "half-month run", horizon: Fixtures.horizon(6),
            providers: [Provider(id: "c", kind: .neocloud, failureProbability: 0.05)],
            offers: [Fixtures.offer("c-h100", provider: "c", nodes: 64, prices: [.onDemand: 4])],
            workloads: [Fixtures.training("run", work: 512 * 730 * 2.5, window: Fixtures.months(1, 6), gang: 512)],
            policy: Policy(maxProviderShare: 1))
    }
    let whole = 512.0 * 730 * 3 * 4
    let fraction = 512.0 * 730 * 2.5 * 4

    func relaxed(_ program: LinearProgram) throws -> Double {
        var lp = program
        lp.relaxIntegrality()
        return try #require(try ClpSolver().solve(lp, options: SolveOptions()).objective)
    }

    @Test func theWholeRunRowLiftsTheRelaxationToTheWholePattern() throws {
        let model = SourcingModel(try PlanningInput(halfMonthRun), overrides: PlanningOverrides(), lossSubset: nil)
        #expect(abs(try relaxed(model.lp) - fraction) < 1)
        let strengthened = model.withWholeRuns()
        #expect(strengthened.constraintCount == model.lp.constraintCount + 1)
        #expect(abs(try relaxed(strengthened) - whole) < 1)
        // Every plan meets it: both MILPs have the same optimum.
        let options = SolveOptions(timeLimitSeconds: 30, relativeGap: 0)
        let plain = try #require(try CbcSolver().solve(model.lp, options: options).objective)
        let rows = try #require(try CbcSolver().solve(strengthened, options: options).objective)
        #expect(abs(plain - whole) < 1 && abs(rows - whole) < 1)
    }

    /// In a re-plan the row counts only the work left: a run that already ran a month needs a
    /// pattern for what is left, and none leaves that (not its whole work) short.
    @Test func theRowAsksOnlyForTheWorkARePlanLeaves() throws {
        let input = try PlanningInput(halfMonthRun)
        var overrides = PlanningOverrides()
        overrides.fromPeriod = 1
        let h100 = try #require(input.modelIndex["nvidia-h100"])
        overrides.pastAllocation[AllocationKey(workload: 0, model: h100, period: 0)] = 512
        overrides.pastRuns[0] = [0: [0]]
        let strengthened = SourcingModel(input, overrides: overrides, lossSubset: nil).withWholeRuns()
        let row = try #require(strengthened.constraintNames.firstIndex(of: "run-whole[run]"))
        // 2.5 months of work, one of them done in the first month.
        #expect(abs(strengthened.rowLower[row] - 512 * 730 * 1.5) < 1e-3)
    }

    @Test func theBoundSearchAnswersWithTheOptimumOfTheStrengthenedModel() throws {
        let solver = try #require(IsolatedCbcSolver.besideThisProgram(), "needs the switchyard program built")
        let model = SourcingModel(try PlanningInput(halfMonthRun), overrides: PlanningOverrides(), lossSubset: nil)
        let recorded = Recorded()
        let search = try #require(
            BoundSearch(model: model, solver: solver, seconds: 30, start: nil) { bound, _ in recorded.set(bound) })
        let bound = try #require(search.bound(waitingUpTo: 60))
        #expect(abs(bound - whole) < 1)
        #expect(recorded.value.map { abs($0 - whole) < 1 } == true)
        // Not in this process: Cbc here is serialised, so a second solve would wait.
        #expect(BoundSearch(model: model, solver: CbcSolver(), seconds: 30, start: nil) { _, _ in } == nil)
    }

    @Test func aCancelledBoundSearchLeavesNoChildRunning() throws {
        let solver = try #require(IsolatedCbcSolver.besideThisProgram(), "needs the switchyard program built")
        let s = ScenarioGenerator(
            .init(seed: 2, providers: 3, offers: 8, workloads: 6, months: 6, resilience: false)
        ).generate()
        let model = SourcingModel(try PlanningInput(s), overrides: PlanningOverrides(), lossSubset: nil)
        let search = try #require(BoundSearch(model: model, solver: solver, seconds: 120, start: nil) { _, _ in })
        Thread.sleep(forTimeInterval: 0.5)
        let clock = ContinuousClock.now
        #expect(!search.isDone)
        search.cancel()
        // Its child was killed and waited for, not left to run out its 120 s.
        #expect(search.isDone)
        #expect(clock.duration(to: .now) < .seconds(3))
        #expect(search.bound(waitingUpTo: 0) == nil)
    }

    /// Through the planner: a plan outside the gap after rounding starts the search, and its
    /// bound is on the plan's curve and in its gap.
    @Test func thePlannerTakesTheBoundSearchsBound() throws {
        var planner = Planner(options: SolveOptions(timeLimitSeconds: 30, relativeGap: 1e-4))
        planner.searchesBound = true
        let plan = try planner.plan(halfMonthRun)
        let progress = try #require(plan.solver.progress)
        let point = try #require(progress.first { $0.step == .boundSearch }, "\(progress.map(\.step))")
        #expect(abs((point.boundUSD ?? 0) - whole) < 1)
        #expect(plan.solver.status == .optimal)
        #expect(abs(NSDecimalNumber(decimal: plan.cost.total).doubleValue - whole) < 1)
    }
}

/// A value a bound search's callback sets from its thread.
final class Recorded: Sendable {
    private let state = Mutex<Double?>(nil)
    func set(_ value: Double?) { state.withLock { $0 = value } }
    var value: Double? { state.withLock { $0 } }
}
