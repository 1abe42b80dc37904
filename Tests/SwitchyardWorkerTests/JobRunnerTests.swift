import Foundation
import Planner
import ServiceLifecycle
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardServiceTesting
import SwitchyardStore
import SwitchyardTesting
import Synchronization
import Testing

@testable import SwitchyardWorker

/// The job runner: plans from the queue through its executor, records failures with their
/// reason, and stops claiming when its service group shuts down.
@Suite struct JobRunnerTests {
    static let planner = Actor(id: "tok-planner", name: "alice", role: .planner)
    /// A scenario planned within its gap in well under a second (3 providers, 6 offers, 3
    /// workloads, 4 months, no N-1), for tests about jobs rather than solves: the example would
    /// wait on the memo behind whatever other tests are solving.
    static let quickScenario = ScenarioGenerator(
        .init(seed: 1, providers: 3, offers: 6, workloads: 3, months: 4, resilience: false)
    ).generate()

    @Test func aJobThePlannerRefusesIsFailedWithItsReasonAndTheRunnerGoesOn() async throws {
        try await TestDatabases.with(.sqlite) { store, _ in
            try await store.importScenario(try Fixtures.frontierLab(), actor: Self.planner)
            let refused = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner)
            let runner = JobRunner(store: store) { _, _ in throw PlannerError.solver("no basis") }
            #expect(try await runner.runOnce())
            let failed = try await store.job(refused.id)
            #expect(failed.state == .failed)
            #expect(failed.error == "solver: no basis")
            // The next job is planned by a runner that can.
            let next = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner)
            #expect(try await MemoisedPlans.runner(store).runOnce())
            #expect(try await store.job(next.id).state == .succeeded)
            #expect(try await runner.runOnce() == false)
        }
    }

    /// A solving job's record carries the solve's progress while it runs (the best plan and bound
    /// so far), and once it is done the last progress told, beside the plan.
    @Test(.timeLimit(.minutes(1))) func aSolvingJobsProgressIsOnItsRecord() async throws {
        try await TestDatabases.with(.sqlite) { store, _ in
            try await store.importScenario(Self.quickScenario, actor: Self.planner)
            let job = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner)
            let first = SolveProgress(
                points: [SolverProgressPoint(seconds: 0.5, step: .relaxation, objectiveUSD: nil, boundUSD: 90)],
                unavoidablePenaltyUSD: 0)
            let second = SolveProgress(
                points: first.points + [
                    SolverProgressPoint(seconds: 2, step: .rounded, objectiveUSD: 100, boundUSD: 90)
                ],
                unavoidablePenaltyUSD: 0)
            let older = SolveProgress(
                points: [SolverProgressPoint(seconds: 0.2, step: .relaxation, objectiveUSD: nil, boundUSD: 80)],
                unavoidablePenaltyUSD: 0)
            let seen = Mutex(false)
            // Tells the first progress, waits until the test has seen it on the record, tells the
            // second, then an older one (dropped: threads may tell out of order), and plans.
            let executor: PlanExecutor = { request, progress in
                progress(first)
                while !seen.withLock({ $0 }) { usleep(10_000) }
                progress(second)
                progress(older)
                return try plannerExecutor(request) { _ in }
            }
            let runner = JobRunner(store: store, executor: executor, progressSeconds: 0.05)
            async let ran = runner.runOnce()
            var record = try await store.job(job.id)
            for _ in 0..<400 where record.progress == nil {
                try await Task.sleep(for: .milliseconds(25))
                record = try await store.job(job.id)
            }
            #expect(record.state == .running)
            #expect(record.progress == first)
            seen.withLock { $0 = true }
            #expect(try await ran)
            let done = try await store.job(job.id)
            #expect(done.state == .succeeded && done.planId != nil)
            #expect(done.progress == second)
            #expect(done.progress?.gap == 0.1)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aGracefulShutdownStopsTheRunnerClaiming() async throws {
        try await TestDatabases.with(.sqlite) { store, _ in
            try await store.importScenario(Self.quickScenario, actor: Self.planner)
            let runner = JobRunner(store: store)
            let group = ServiceGroup(
                configuration: .init(services: [runner], logger: .init(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                // Running, it plans what is queued (so the last check below is not vacuous).
                let first = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner)
                var state = JobState.queued
                for _ in 0..<600 where state != .succeeded {
                    try await Task.sleep(for: .milliseconds(50))
                    state = try await store.job(first.id).state
                }
                #expect(state == .succeeded)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            // Stopped (run() returned): a job queued now stays queued.
            let job = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner)
            try await Task.sleep(for: .milliseconds(600))
            #expect(try await store.job(job.id).state == .queued)
        }
    }

    /// A risk analysis with more distinct futures than a part takes is split into parts on the
    /// queue, which two runners share, and joined when the last part is done: the summary is the
    /// one a runner evaluating every future itself writes.
    @Test func aRiskAnalysisSplitIntoPartsGivesTheSummaryOfOneJob() async throws {
        try await TestDatabases.with(.sqlite) { store, _ in
            // One 64-GPU run at a, whose deliveries slip 60 days with probability 0.3; b can
            // take it. Two distinct futures: none, or a's slip (re-planned onto b).
            let scenario = Fixtures.runAtRisk(backup: true, risk: Fixtures.slipOfA)
            try await store.importScenario(scenario, actor: Self.planner)
            let planned = try await store.submitPlan(timeLimitSeconds: 30, relativeGap: 1e-4, actor: Self.planner)
            let whole = JobRunner(store: store, riskFuturesPerPart: 8)
            #expect(try await whole.runOnce())
            let plan = try #require(try await store.job(planned.id).planId)

            let inOne = try await store.submitRisk(
                plan: plan, samples: 40, seed: 9, timeLimitSeconds: 30, actor: Self.planner)
            #expect(try await whole.runOnce())
            #expect(try await store.job(inOne.id).state == .succeeded)
            #expect(try await store.riskParts(of: inOne.id).isEmpty)

            let split = try await store.submitRisk(
                plan: plan, samples: 40, seed: 9, timeLimitSeconds: 30, actor: Self.planner)
            let runners = (0..<2).map { _ in JobRunner(store: store, riskFuturesPerPart: 1) }
            #expect(try await runners[0].runOnce())  // splits it
            #expect(try await store.job(split.id).state == .waiting)
            let parts = try await store.riskParts(of: split.id)
            #expect(parts.count == 2 && parts.allSatisfy { $0.part.payload.futures?.count == 1 })
            async let a = runners[0].runOnce()
            async let b = runners[1].runOnce()
            #expect(try await (a, b) == (true, true))
            #expect(try await store.job(split.id).state == .queued)
            #expect(try await runners[1].runOnce())  // joins them
            #expect(try await store.job(split.id).state == .succeeded)
            let kept = try await store.riskAnalyses(plan: plan)
            let bodies = Dictionary(uniqueKeysWithValues: kept.map { ($0.jobId, $0.body) })
            #expect(bodies.count == 2)
            #expect(bodies[split.id] == bodies[inOne.id])
            #expect(bodies[split.id]?.contains("\"samples\":40") == true)
        }
    }
}
