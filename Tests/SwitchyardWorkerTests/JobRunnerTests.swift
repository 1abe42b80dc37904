import Foundation
import Planner
import ServiceLifecycle
import SwitchyardModel
import SwitchyardServiceTesting
import SwitchyardStore
import SwitchyardTesting
import Testing

@testable import SwitchyardWorker

/// The job runner: plans from the queue through its executor, records failures with their
/// reason, and stops claiming when its service group shuts down.
@Suite struct JobRunnerTests {
    static let planner = Actor(id: "tok-planner", name: "alice", role: .planner)

    @Test func aJobThePlannerRefusesIsFailedWithItsReasonAndTheRunnerGoesOn() async throws {
        try await TestDatabases.with(.sqlite) { store, _ in
            try await store.importScenario(try Fixtures.frontierLab(), actor: Self.planner)
            let refused = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner)
            let runner = JobRunner(store: store) { _ in throw PlannerError.solver("no basis") }
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

    @Test(.timeLimit(.minutes(1))) func aGracefulShutdownStopsTheRunnerClaiming() async throws {
        try await TestDatabases.with(.sqlite) { store, _ in
            try await store.importScenario(try Fixtures.frontierLab(), actor: Self.planner)
            let runner = MemoisedPlans.runner(store)
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
}
