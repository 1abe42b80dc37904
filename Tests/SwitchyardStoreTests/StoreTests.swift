import Foundation
import Planner
import SQLKit
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardServiceTesting
import SwitchyardTesting
import SwitchyardWorker
import Synchronization
import Testing

@testable import SwitchyardStore

/// The store's contract, run against every database this machine has: SQLite always, and
/// PostgreSQL when SWITCHYARD_TEST_POSTGRES_URL names a server (CI starts one). Each test gets a
/// database of its own.
@Suite struct StoreContractTests {
    static let planner = Actor(id: "tok-planner", name: "alice", role: .planner)

    /// The example imported and planned once; the runner, for the jobs a test queues next.
    static func plannedExample(_ store: Store) async throws -> (JobRunner, PlanRecord) {
        try await store.importScenario(try Fixtures.frontierLab(), actor: planner)
        _ = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: planner)
        let runner = MemoisedPlans.runner(store)
        try await runner.runOnce()
        return (runner, try #require(try await store.currentPlan()))
    }

    /// A second server's store: its own connections to the same PostgreSQL database. A SQLite
    /// file has one server (one connection, its writes serialised), so there it is the same store.
    static func secondServer(_ backend: TestDatabases.Backend, _ store: Store, _ url: String) async throws -> Store {
        backend == .postgres ? try await TestDatabases.open(url) : store
    }

    /// A transaction whose caller is cancelled halfway still ends, in COMMIT or ROLLBACK: the next
    /// one starts. (A job runner cancels its progress writer when the plan is done; SQLite has one
    /// connection, which a transaction left open would keep from every later one.)
    @Test(arguments: TestDatabases.available)
    func aCancelledCallerLeavesNoTransactionOpen(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, _ in
            let caller = Task {
                try await store.database.transaction { sql in
                    try await Task.sleep(for: .milliseconds(300))
                    try await sql.raw("SELECT 1 AS one").run()
                }
            }
            try await Task.sleep(for: .milliseconds(50))
            caller.cancel()
            _ = await caller.result
            let one = try await store.database.transaction { sql in
                try await sql.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int.self)
            }
            #expect(one == 1)
        }
    }

    @Test(arguments: TestDatabases.available)
    func migrationsRunOnceAndRecordTheirVersion(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, url in
            #expect(try await store.schemaVersion() == Migrations.all.last!.version)
            // A second server opening the same database finds nothing to do.
            let again = try await TestDatabases.open(url)
            #expect(try await Migrations.run(on: again.database) == [])
            await again.close()
        }
    }

    @Test(arguments: TestDatabases.available)
    func importKeepsTheScenarioAndASnapshot(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, _ in
            let scenario = try Fixtures.frontierLab()
            let first = try await store.importScenario(scenario, actor: Self.planner)
            #expect(try await store.workspace() == scenario)
            #expect(first.version == 1)
            #expect(first.sha256 == sha256Hex(ScenarioFile.text(scenario, format: .json)))
            // The same scenario again is the same snapshot; a changed one is a new version.
            #expect(try await store.importScenario(scenario, actor: Self.planner).version == 1)
            var changed = scenario
            changed.name += " (revised)"
            #expect(try await store.importScenario(changed, actor: Self.planner).version == 2)
            let (_, kept) = try await store.snapshot(version: 1)
            #expect(kept == scenario)
            // Pages cover every entity once, in id order.
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await store.entities(.offers, after: cursor, limit: 3)
                seen += page.items.map(\.id)
                cursor = page.next
            } while cursor != nil
            #expect(seen == scenario.offers.map(\.id.rawValue).sorted())
        }
    }

    @Test(arguments: TestDatabases.available)
    func entityEditsAreValidatedAsAWholeScenarioAndVersioned(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, _ in
            let scenario = try Fixtures.frontierLab()
            try await store.importScenario(scenario, actor: Self.planner)
            let provider = try DocumentParser.parse(
                #"{"id": "lambda", "kind": "neocloud", "failureProbability": 0.04}"#, format: .json)
            let created = try await store.putEntity(
                .providers, id: nil, body: provider, ifMatch: nil, actor: Self.planner)
            #expect(created.version == 1)
            #expect(try await store.workspace()?.providers.contains { $0.id == "lambda" } == true)
            await #expect(throws: StoreError.self) {
                try await store.putEntity(.providers, id: nil, body: provider, ifMatch: nil, actor: Self.planner)
            }

            // Replacing needs the version read; a stale one is refused and nothing changes.
            let edited = try DocumentParser.parse(
                #"{"id": "lambda", "kind": "neocloud", "failureProbability": 0.1}"#, format: .json)
            let error = await #expect(throws: StoreError.self) {
                try await store.putEntity(
                    .providers, id: "lambda", body: edited, ifMatch: .version(7), actor: Self.planner)
            }
            guard case .preconditionFailed(current: 1) = error else {
                Issue.record("expected a stale-version error, got \(String(describing: error))")
                return
            }
            let required = await #expect(throws: StoreError.self) {
                try await store.putEntity(.providers, id: "lambda", body: edited, ifMatch: nil, actor: Self.planner)
            }
            guard case .preconditionRequired = required else {
                Issue.record("expected If-Match to be required, got \(String(describing: required))")
                return
            }
            let replaced = try await store.putEntity(
                .providers, id: "lambda", body: edited, ifMatch: .version(1), actor: Self.planner)
            #expect(replaced.version == 2)
            #expect(try await store.entity(.providers, id: "lambda").body.contains("0.1"))

            // Problems in the body are named inside the body; references are checked too.
            let offer = try DocumentParser.parse(
                """
                {"id": "lambda-h100", "provider": "lambdaa", "accelerator": "nvidia-h100", "acceleratorsPerNode": 8,
                 "region": "us-east", "availableNodes": -4, "leadTimeDays": 0, "prices": {"onDemand": 2.5}}
                """, format: .json)
            let invalid = await #expect(throws: StoreError.self) {
                try await store.putEntity(.offers, id: nil, body: offer, ifMatch: nil, actor: Self.planner)
            }
            guard case .invalid(let problems) = invalid else {
                Issue.record("expected invalid input, got \(String(describing: invalid))")
                return
            }
            let paths = Set(problems.diagnostics.map(\.path))
            #expect(paths.contains("provider"))
            #expect(paths.contains("availableNodes"))
            #expect(problems.diagnostics.first { $0.path == "provider" }?.message.contains("lambda") == true)

            // A provider that offers still name cannot go; one that nothing names can.
            let referenced = await #expect(throws: StoreError.self) {
                try await store.deleteEntity(.providers, id: "coreweave", ifMatch: .version(1), actor: Self.planner)
            }
            guard case .conflict(_, let why) = referenced else {
                Issue.record("expected a conflict, got \(String(describing: referenced))")
                return
            }
            #expect(why.contains { $0.message.contains("coreweave") })
            try await store.deleteEntity(.providers, id: "lambda", ifMatch: .version(2), actor: Self.planner)
            #expect(try await store.workspace() == scenario)
        }
    }

    @Test(arguments: TestDatabases.available)
    func offerPricesAreKeptWhenTheyChange(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, _ in
            let scenario = try Fixtures.frontierLab()
            try await store.importScenario(scenario, actor: Self.planner)
            let offer = scenario.offers[0].id.rawValue
            let before = try await store.entity(.offers, id: offer)
            #expect(try await store.priceHistory(offer: offer).count == 1)
            // Same prices: no new entry. New on-demand price: one more.
            var node = try DocumentParser.parse(before.body, format: .json)
            let same = try await store.putEntity(
                .offers, id: offer, body: node, ifMatch: .version(before.version), actor: Self.planner)
            #expect(try await store.priceHistory(offer: offer).count == 1)
            // A PUT that changes nothing keeps the version.
            #expect(same.version == before.version)
            let prices = node.value("prices")!.setting("onDemand", .scalar("9.99", quoted: false, line: nil))
            node = node.setting("prices", prices)
            _ = try await store.putEntity(
                .offers, id: offer, body: node, ifMatch: .version(before.version), actor: Self.planner)
            let history = try await store.priceHistory(offer: offer)
            #expect(history.count == 2)
            #expect(history.last!.prices.contains("9.99"))
            #expect(history.last!.actor == "alice (tok-planner)")
        }
    }

    @Test(arguments: TestDatabases.available)
    func aPlanJobRunsAcceptsAndItsLeasesMoveThroughTheirLifecycle(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, _ in
            let scenario = try Fixtures.frontierLab()
            let snapshot = try await store.importScenario(scenario, actor: Self.planner)
            let job = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner)
            #expect(job.state == .queued)
            #expect(try await MemoisedPlans.runner(store).runOnce())
            let done = try await store.job(job.id)
            #expect(done.state == .succeeded)
            let plan = try await store.plan(try #require(done.planId))
            #expect(plan.inputSha256 == snapshot.sha256)
            let decoded = try PlanFile.decode(Data(plan.body.utf8))
            #expect(decoded.scenarioFingerprint == fingerprint(of: scenario))
            #expect(plan.totalCost == decoded.cost.total.description)

            let leases = try await store.acceptPlan(plan.id, ifMatch: .version(plan.version), actor: Self.planner)
                .proposed
            #expect(leases.count == decoded.leases.count)
            #expect(leases.allSatisfy { $0.state == .proposed })
            await #expect(throws: StoreError.self) {
                try await store.acceptPlan(plan.id, ifMatch: nil, actor: Self.planner)
            }

            let id = leases[0].id
            var version: Int64 = 1
            for state in [LeaseState.signed, .provisioning, .active, .ended] {
                let (lease, _) = try await store.transitionLease(
                    id, to: state, ifMatch: .version(version), note: "step", actor: Self.planner)
                #expect(lease.state == state)
                version = lease.version
            }
            let (_, history) = try await store.lease(id)
            #expect(history.map(\.to) == [.proposed, .signed, .provisioning, .active, .ended])
            #expect(history.allSatisfy { $0.actor == "alice (tok-planner)" && $0.at > 0 })
            // Ended is final; a proposed lease cannot skip to active; stale versions are refused.
            let final = await #expect(throws: StoreError.self) {
                try await store.transitionLease(
                    id, to: .active, ifMatch: .version(version), note: "", actor: Self.planner)
            }
            guard case .transition(from: .ended, to: .active, allowed: []) = final else {
                Issue.record("expected a refused transition, got \(String(describing: final))")
                return
            }
            let skip = await #expect(throws: StoreError.self) {
                try await store.transitionLease(
                    leases[1].id, to: .active, ifMatch: .version(1), note: "", actor: Self.planner)
            }
            guard case .transition(from: .proposed, to: .active, allowed: [.signed, .withdrawn]) = skip else {
                Issue.record("expected a refused transition, got \(String(describing: skip))")
                return
            }
            await #expect(throws: StoreError.self) {
                try await store.transitionLease(
                    leases[1].id, to: .signed, ifMatch: .version(5), note: "", actor: Self.planner)
            }
        }
    }

    @Test(arguments: TestDatabases.available)
    func anIncidentStartsAReplanOfItsPlan(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, _ in
            let (runner, base) = try await Self.plannedExample(store)
            let incident = try DocumentParser.parse(
                String(contentsOfFile: Fixtures.path("examples/incident-coreweave-outage.yaml"), encoding: .utf8),
                format: .yaml)
            let (record, job) = try await store.recordIncident(
                plan: base.id, incident: incident, timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner)
            #expect(record.summary == "coreweave outage from 2027-07 for 3 months (0% delivered)")
            #expect(job.kind == .replan)
            try await runner.runOnce()
            let replanJob = try await store.job(job.id)
            #expect(replanJob.state == .succeeded, "\(replanJob.error ?? "")")
            let after = try await store.incident(record.id)
            let replan = try await store.plan(try #require(after.replanId))
            #expect(replan.parentPlan == base.id)
            #expect(replan.incidentId == record.id)

            // An incident naming nothing in the scenario is refused with its path.
            let wrong = try DocumentParser.parse(
                #"{"provider": "corewave", "kind": "outage", "from": "2027-07"}"#, format: .json)
            let error = await #expect(throws: StoreError.self) {
                try await store.recordIncident(
                    plan: base.id, incident: wrong, timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner)
            }
            guard case .invalid(let problems) = error else {
                Issue.record("expected invalid input, got \(String(describing: error))")
                return
            }
            #expect(problems.diagnostics.contains { $0.path == "incident.provider" })
        }
    }

    @Test(arguments: TestDatabases.available)
    func aJobWhoseWorkerDiesIsClaimedAgainAndTheDeadWorkersResultIsRefused(backend: TestDatabases.Backend)
        async throws
    {
        try await TestDatabases.with(backend) { store, _ in
            try await store.importScenario(try Fixtures.frontierLab(), actor: Self.planner)
            let job = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner)
            // Worker A claims the job and "dies": it never renews its claim, which runs out.
            let claimedByA = try #require(try await store.claimJob(worker: "A", leaseSeconds: 30))
            #expect(claimedByA.id == job.id)
            // Its solve's progress is on the record while A holds the job.
            let progress = SolveProgress(
                points: [SolverProgressPoint(seconds: 1.5, step: .rounded, objectiveUSD: 110, boundUSD: 100)],
                unavoidablePenaltyUSD: 10)
            #expect(try await store.reportProgress(job: job.id, worker: "A", progress: progress))
            #expect(try await store.job(job.id).progress == progress)
            #expect(try await store.claimJob(worker: "B", leaseSeconds: 30) == nil)
            try await store.database.execute("UPDATE jobs SET lease_until = 0")
            let claimedByB = try #require(try await store.claimJob(worker: "B", leaseSeconds: 30))
            #expect(claimedByB.id == job.id)
            #expect(claimedByB.attempts == 2)
            // B's attempt starts with no progress, and A's is refused from now on.
            #expect(claimedByB.progress == nil)
            #expect(try await store.reportProgress(job: job.id, worker: "A", progress: progress) == false)
            #expect(try await store.job(job.id).progress == nil)
            // A comes back with a result: refused, nothing written.
            let plan = try await MemoisedPlans.awaitExample()
            #expect(try await store.completeJob(claimedByA, worker: "A", plan: plan) == nil)
            #expect(try await store.plans(after: nil, limit: 10).items.isEmpty)
            #expect(try await store.renewClaim(job: job.id, worker: "A", leaseSeconds: 30) == false)
            let planID = try #require(try await store.completeJob(claimedByB, worker: "B", plan: plan))
            #expect(try await store.job(job.id).planId == planID)
            #expect(try await store.plans(after: nil, limit: 10).items.map(\.id) == [planID])
        }
    }

    /// A risk analysis is a job like a plan: queued for a plan that exists, its summary kept beside
    /// that plan once its worker finishes it (and only then), newest first.
    @Test(arguments: TestDatabases.available)
    func aRiskAnalysisIsKeptBesideItsPlan(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, _ in
            let (_, plan) = try await Self.plannedExample(store)
            await #expect(throws: StoreError.self) {
                try await store.submitRisk(
                    plan: "plan-none", samples: 10, seed: 1, timeLimitSeconds: 30, actor: Self.planner)
            }
            let job = try await store.submitRisk(
                plan: plan.id, samples: 20, seed: 7, timeLimitSeconds: 30, actor: Self.planner)
            #expect(job.kind == .risk && job.payload.basePlan == plan.id && job.payload.samples == 20)
            let claimed = try #require(try await store.claimJob(worker: "A", leaseSeconds: 30))
            #expect(claimed.payload.seed == 7)
            // Another worker's result is refused; nothing is kept.
            #expect(try await store.completeRiskJob(claimed, worker: "B", summary: "{}") == nil)
            #expect(try await store.riskAnalyses(plan: plan.id).isEmpty)
            let id = try #require(
                try await store.completeRiskJob(claimed, worker: "A", summary: #"{"samples":20}"#))
            let kept = try await store.riskAnalyses(plan: plan.id)
            #expect(kept.map(\.id) == [id])
            #expect(kept.first?.body == #"{"samples":20}"# && kept.first?.seed == 7 && kept.first?.jobId == job.id)
            #expect(try await store.job(job.id).state == .succeeded)
            await #expect(throws: StoreError.self) { try await store.riskAnalyses(plan: "plan-none") }
            // The newest of each plan in one query, as the plan's own list has it first.
            #expect(try await store.latestRiskAnalyses(plans: []).isEmpty)
            #expect(try await store.latestRiskAnalyses(plans: [plan.id, "plan-none"]).mapValues(\.id) == [plan.id: id])
            _ = try await store.submitRisk(
                plan: plan.id, samples: 5, seed: 8, timeLimitSeconds: 30, actor: Self.planner)
            let second = try #require(try await store.claimJob(worker: "A", leaseSeconds: 30))
            _ = try #require(try await store.completeRiskJob(second, worker: "A", summary: #"{"samples":5}"#))
            let newest = try await store.riskAnalyses(plan: plan.id)
            #expect(newest.count == 2)
            #expect(try await store.latestRiskAnalyses(plans: [plan.id])[plan.id]?.id == newest.first?.id)
        }
    }

    /// A risk analysis split into parts: it waits, unclaimed, while any worker takes its parts;
    /// the last part to succeed queues it again to join them. A part that fails fails the
    /// analysis with its reason, and the parts still queued with it. Parts count as their
    /// analysis against the queue's limits.
    @Test(arguments: TestDatabases.available)
    func aRiskAnalysisWaitsForItsParts(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, _ in
            let (_, plan) = try await Self.plannedExample(store)
            let job = try await store.submitRisk(
                plan: plan.id, samples: 30, seed: 7, timeLimitSeconds: 30, actor: Self.planner)
            let claimed = try #require(try await store.claimJob(worker: "A", leaseSeconds: 30))
            #expect(try await store.splitRiskJob(claimed, worker: "B", parts: [[0], [3]]) == nil)
            let parts = try #require(try await store.splitRiskJob(claimed, worker: "A", parts: [[0, 1], [3], [4]]))
            #expect(parts.map(\.payload.futures) == [[0, 1], [3], [4]])
            #expect(parts.allSatisfy { $0.kind == .riskPart && $0.parentJob == job.id && $0.actor == job.actor })
            let waiting = try await store.job(job.id)
            #expect(waiting.state == .waiting && waiting.claimedBy == nil && waiting.attempts == 0)
            // Its parts do not count against the submitter's room: the analysis does, once.
            let room = JobLimits(queued: nil, queuedPerActor: 2)
            _ = try await store.submitRisk(
                plan: plan.id, samples: 1, seed: 1, timeLimitSeconds: 30, actor: Self.planner, limits: room)
            await #expect(throws: StoreError.self) {
                try await store.submitRisk(
                    plan: plan.id, samples: 1, seed: 1, timeLimitSeconds: 30, actor: Self.planner, limits: room)
            }
            // Workers take the parts (the analysis is not claimable while it waits).
            let first = try #require(try await store.claimJob(worker: "A", leaseSeconds: 30))
            let second = try #require(try await store.claimJob(worker: "B", leaseSeconds: 30))
            let third = try #require(try await store.claimJob(worker: "C", leaseSeconds: 30))
            #expect(Set([first.id, second.id, third.id]) == Set(parts.map(\.id)))
            #expect(try await store.completeRiskPart(first, worker: "B", body: "[]") == false)
            #expect(try await store.completeRiskPart(first, worker: "A", body: "[1]"))
            #expect(try await store.job(job.id).state == .waiting)
            // The last two finish at once (on PostgreSQL, in two connections): one of them sees
            // the other's success and queues the analysis.
            async let b = store.completeRiskPart(second, worker: "B", body: "[2]")
            async let c = store.completeRiskPart(third, worker: "C", body: "[3]")
            #expect(try await (b, c) == (true, true))
            let joined = try #require(try await store.claimJob(worker: "C", leaseSeconds: 30))
            #expect(joined.id == job.id && joined.attempts == 1)
            let kept = try await store.riskParts(of: job.id)
            #expect(Set(kept.map(\.part.id)) == Set(parts.map(\.id)))
            #expect(Set(kept.compactMap(\.body)) == ["[1]", "[2]", "[3]"])

            // A part that fails fails its analysis, with its reason, and its queued siblings.
            let other = try await store.submitRisk(
                plan: plan.id, samples: 30, seed: 8, timeLimitSeconds: 30, actor: .system)
            // (The one-sample analysis queued above goes first; it is failed out of the way.)
            let small = try #require(try await store.claimJob(worker: "D", leaseSeconds: 30))
            try await store.failJob(small, worker: "D", error: "not part of this test")
            let claimedOther = try #require(try await store.claimJob(worker: "D", leaseSeconds: 30))
            #expect(claimedOther.id == other.id)
            let splitOther = try #require(
                try await store.splitRiskJob(claimedOther, worker: "D", parts: [[0], [1], [2]]))
            let failing = try #require(try await store.claimJob(worker: "E", leaseSeconds: 30))
            try await store.failJob(failing, worker: "E", error: "sample 1 (nebius outage): no plan")
            let failed = try await store.job(other.id)
            #expect(failed.state == .failed)
            #expect(
                failed.error == "part \(failing.id) failed: sample 1 (nebius outage): no plan", "\(failed.error ?? "")")
            for part in splitOther where part.id != failing.id {
                #expect(try await store.job(part.id).state == .failed)
            }
            #expect(try await store.claimJob(worker: "E", leaseSeconds: 30)?.parentJob == nil)
        }
    }

    @Test(arguments: TestDatabases.available)
    func aJobIsFailedAfterItsLastAttemptDies(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, _ in
            try await store.importScenario(try Fixtures.frontierLab(), actor: Self.planner)
            let job = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner)
            for attempt in 1...3 {
                let claimed = try #require(try await store.claimJob(worker: "w\(attempt)", leaseSeconds: 30))
                #expect(claimed.attempts == attempt)
                try await store.database.execute("UPDATE jobs SET lease_until = 0")
            }
            #expect(try await store.claimJob(worker: "w4", leaseSeconds: 30) == nil)
            let failed = try await store.job(job.id)
            #expect(failed.state == .failed)
            #expect(failed.error?.contains("gave up") == true)
        }
    }

    @Test(arguments: TestDatabases.available)
    func concurrentWorkersOnTwoConnectionsClaimEachJobOnce(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, url in
            try await store.importScenario(try Fixtures.frontierLab(), actor: Self.planner)
            var submitted: Set<String> = []
            for _ in 0..<12 {
                submitted.insert(
                    try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner).id)
            }
            let other = try await Self.secondServer(backend, store, url)
            let claims = try await withThrowingTaskGroup(of: [String].self) { group in
                for (i, s) in [store, other, store, other].enumerated() {
                    group.addTask {
                        var mine: [String] = []
                        while let job = try await s.claimJob(worker: "w\(i)", leaseSeconds: 60) { mine.append(job.id) }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            if other !== store { await other.close() }
            #expect(claims.count == 12)
            #expect(Set(claims) == submitted)
        }
    }

    @Test(arguments: TestDatabases.available)
    func everyWriteIsAuditedAndTheLogCannotBeChanged(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, _ in
            try await store.importScenario(try Fixtures.frontierLab(), actor: Self.planner)
            _ = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner)
            // A refused write leaves no trace.
            let bad = try DocumentParser.parse(#"{"id": "p", "kind": "volcano"}"#, format: .json)
            _ = try? await store.putEntity(.providers, id: nil, body: bad, ifMatch: nil, actor: Self.planner)
            let log = try await store.audit(after: nil, limit: 50).items
            #expect(log.map(\.action) == ["scenario.import", "plan.submit"])
            #expect(log.allSatisfy { $0.actor == "alice (tok-planner)" })
            await #expect(throws: (any Error).self) {
                try await store.database.session { try await $0.raw("UPDATE audit_log SET actor = 'mallory'").run() }
            }
            await #expect(throws: (any Error).self) {
                try await store.database.session { try await $0.raw("DELETE FROM audit_log").run() }
            }
            #expect(try await store.audit(after: nil, limit: 50).items == log)
        }
    }

    @Test(arguments: TestDatabases.available)
    func tokensAreKeptHashedAndIdempotencyKeysReplay(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, _ in
            let (token, secret) = try await store.createToken(name: "ci", role: .planner, actor: .system)
            #expect(try await store.token(secret: secret)?.id == token.id)
            #expect(try await store.token(secret: secret + "x") == nil)
            let kept = try await store.database.session { sql in
                try await sql.raw("SELECT sha256 FROM tokens").all().map {
                    try $0.decode(column: "sha256", as: String.self)
                }
            }
            #expect(kept == [sha256Hex(secret)])

            #expect(try await store.beginIdempotent(token: token.id, key: "k1", requestHash: "h") == .proceed)
            #expect(try await store.beginIdempotent(token: token.id, key: "k1", requestHash: "h") == .inProgress)
            try await store.finishIdempotent(
                token: token.id, key: "k1", status: 202, location: "/x", body: "{}", keep: true)
            #expect(
                try await store.beginIdempotent(token: token.id, key: "k1", requestHash: "h")
                    == .replay(status: 202, location: "/x", body: "{}"))
            #expect(try await store.beginIdempotent(token: token.id, key: "k1", requestHash: "other") == .mismatch)
            // Keys belong to a token: another client's k1 is its own.
            #expect(try await store.beginIdempotent(token: "tok-other", key: "k1", requestHash: "h") == .proceed)
        }
    }

    /// Writers racing with the same ETag: exactly one wins, the rest are told they are stale, on
    /// both databases (PostgreSQL reads committed data statement by statement, so this needs the
    /// store's row and workspace locks). Plans submitted at once each get a job.
    @Test(arguments: TestDatabases.available)
    func racingWritersWithOneETagLeaveOneWinner(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, url in
            try await store.importScenario(try Fixtures.frontierLab(), actor: Self.planner)
            let other = try await Self.secondServer(backend, store, url)
            let body = try DocumentParser.parse(
                #"{"id": "aws", "kind": "hyperscaler", "failureProbability": 0.3}"#, format: .json)
            let outcomes = await withTaskGroup(of: String.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await (i % 2 == 0 ? store : other).putEntity(
                                .providers, id: "aws", body: body, ifMatch: .version(1), actor: Self.planner)
                            return "won"
                        } catch StoreError.preconditionFailed {
                            return "stale"
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "won" }.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0 == "stale" }.count == 7, "\(outcomes)")
            #expect(try await store.entity(.providers, id: "aws").version == 2)

            let jobs = await withTaskGroup(of: String.self) { group in
                for i in 0..<6 {
                    group.addTask {
                        do {
                            return try await (i % 2 == 0 ? store : other).submitPlan(
                                timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner
                            ).id
                        } catch {
                            return "failed: \(String(reflecting: error))"
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(jobs).count == 6)
            #expect(jobs.allSatisfy { $0.hasPrefix("job-") }, "\(jobs)")
            #expect(try await store.snapshots(after: nil, limit: 10).items.count == 2)  // import + one edit
            if other !== store { await other.close() }
        }
    }

    /// Three servers started together on one empty database, each told to import: one imports
    /// and queues the first plan, the others find a scenario and leave it (one audit line, one
    /// job, workspace version 1).
    @Test(arguments: TestDatabases.available)
    func serversStartedTogetherImportOnce(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, url in
            var servers = [store]
            for _ in 0..<2 { servers.append(try await Self.secondServer(backend, store, url)) }
            let scenario = try Fixtures.frontierLab()
            let jobs = try await withThrowingTaskGroup(of: String?.self) { group in
                for server in servers {
                    group.addTask {
                        try await server.importIfEmpty(
                            scenario, timeLimitSeconds: 60, relativeGap: 0.01, actor: .system)?.id
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(jobs.compactMap { $0 }.count == 1, "\(jobs)")
            let actions = try await store.audit(after: nil, limit: 100).items.map(\.action)
            #expect(actions.filter { $0 == "scenario.import" }.count == 1, "\(actions)")
            #expect(actions.filter { $0 == "plan.submit" }.count == 1, "\(actions)")
            #expect(try await store.jobCounts().map(\.1) == [1])
            #expect(try await store.snapshots(after: nil, limit: 10).items.count == 1)
            for server in servers.dropFirst() where server !== store { await server.close() }
        }
    }

    /// The queue's limits count jobs waiting or running, per submitter and in all, on both
    /// databases; a refused submission queues nothing.
    @Test(arguments: TestDatabases.available)
    func theJobQueueIsBounded(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, _ in
            try await store.importScenario(try Fixtures.frontierLab(), actor: .system)
            let limits = JobLimits(queued: 2, queuedPerActor: 1)
            _ = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner, limits: limits)
            await #expect(throws: StoreError.self) {
                try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner, limits: limits)
            }
            _ = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: .system, limits: limits)
            let third = Actor(id: "tok-third", name: "carol", role: .planner)
            do {
                _ = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: third, limits: limits)
                Issue.record("a third job was queued past a limit of two")
            } catch StoreError.queueFull(let message) {
                #expect(message.contains("the most the queue holds (2)"), "\(message)")
            }
            #expect(try await store.jobCounts().map(\.1) == [2])
        }
    }

    /// A backup taken while writes go on holds every write acknowledged before it began, and a
    /// restore puts it in place as a working record; a file that is no record is refused and the
    /// target left alone.
    @Test func aBackupDuringWritesHoldsEveryAcknowledgedWrite() async throws {
        try await TestDatabases.with(.sqlite) { store, _ in
            try await store.importScenario(try Fixtures.frontierLab(), actor: .system)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sy-backup-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let acknowledged = Mutex<[String]>([])
            let writer = Task {
                for i in 0..<60 {
                    let body = try DocumentParser.parse(#"{"id": "neo-\#(i)", "kind": "neocloud"}"#, format: .json)
                    _ = try await store.putEntity(.providers, id: nil, body: body, ifMatch: nil, actor: Self.planner)
                    acknowledged.withLock { $0.append("neo-\(i)") }
                }
            }
            while acknowledged.withLock({ $0.count }) < 20 { try await Task.sleep(for: .milliseconds(5)) }
            let before = acknowledged.withLock { $0 }
            let backup = directory.appendingPathComponent("backup.sqlite").path
            try await store.backup(to: backup)
            try await writer.value
            #expect(acknowledged.withLock { $0.count } == 60)
            await #expect(throws: StoreError.self) { try await store.backup(to: backup) }

            let target = directory.appendingPathComponent("restored.sqlite").path
            try await Store.restore(from: backup, to: target, replacing: false)
            let restored = try await Store.open("sqlite:" + target)
            for id in before { #expect(try await restored.entity(.providers, id: id).id == id) }
            let kept = try await restored.entities(.providers, after: nil, limit: 200).items.count
            #expect(kept >= 4 + before.count && kept < 4 + 60, "\(kept) providers")
            await restored.close()
            // Not a record: refused, and the target untouched.
            let junk = directory.appendingPathComponent("junk.sqlite").path
            try Data("not a database".utf8).write(to: URL(fileURLWithPath: junk))
            await #expect(throws: StoreError.self) { try await Store.restore(from: junk, to: target, replacing: true) }
            let again = try await Store.open("sqlite:" + target)
            #expect(try await again.entity(.providers, id: before[0]).id == before[0])
            await again.close()
            // An existing record is replaced only when asked.
            await #expect(throws: StoreError.self) {
                try await Store.restore(from: backup, to: target, replacing: false)
            }
            // Never from under a process that has it open (its later writes would be lost): the
            // record stays as it is until that process lets go of it.
            let serving = try await Store.open("sqlite:" + target)
            let write = try DocumentParser.parse(#"{"id": "after-restore", "kind": "neocloud"}"#, format: .json)
            _ = try await serving.putEntity(.providers, id: nil, body: write, ifMatch: nil, actor: Self.planner)
            await #expect(throws: StoreError.self) {
                try await Store.restore(from: backup, to: target, replacing: true)
            }
            #expect(try await serving.entity(.providers, id: "after-restore").id == "after-restore")
            await serving.close()
            try await Store.restore(from: backup, to: target, replacing: true)
        }
    }

    /// Servers started together on one empty PostgreSQL record create one first-admin token
    /// between them (SQLite serves one server per file, and its BEGIN IMMEDIATE serialises).
    @Test(.enabled(if: TestDatabases.postgresURL != nil, "needs SWITCHYARD_TEST_POSTGRES_URL"))
    func theFirstAdminTokenIsCreatedOnce() async throws {
        try await TestDatabases.with(.postgres) { store, url in
            var stores = [store]
            for _ in 0..<3 { stores.append(try await Store.open(url)) }
            let secrets = try await withThrowingTaskGroup(of: String?.self) { group in
                for s in stores { group.addTask { try await s.createFirstAdminIfNone() } }
                return try await group.reduce(into: [String]()) { if let secret = $1 { $0.append(secret) } }
            }
            #expect(secrets.count == 1)
            #expect(try await store.tokens().filter { $0.role == .admin }.count == 1)
            for s in stores.dropFirst() { await s.close() }
        }
    }

    /// A PostgreSQL URL is taken apart by hand: a password with `#`, `/`, `?` or `@` works, and
    /// no error or location ever repeats it.
    @Test func aPostgresURLNeverShowsItsPassword() throws {
        let parsed = try PostgresURL("postgres://sy:s3cr#t/?@x@db.internal:6543/record?sslmode=disable")
        #expect(parsed.host == "db.internal" && parsed.port == 6543 && parsed.user == "sy")
        #expect(parsed.password == "s3cr#t/?@x" && parsed.database == "record")
        let plain = try PostgresURL("postgresql://db")
        #expect(plain.host == "db" && plain.port == 5432 && plain.user == "postgres" && plain.database == nil)
        #expect(Database.redacted("postgres://sy:s3cr#t@127.0.0.1:5432/db") == "postgres://sy:***@127.0.0.1:5432/db")
        for bad in ["postgres://sy:s3cr#t@127.0.0.1:port/db", "postgres://sy:s3cr#t@/db", "postgres://:s3cr#t@h/db"] {
            do {
                _ = try PostgresURL(bad)
                Issue.record("\(bad) parsed")
            } catch {
                #expect(!"\(error)".contains("s3cr"), "\(error)")
                #expect("\(error)".contains("port") || "\(error)".contains("host") || "\(error)".contains("user"))
            }
        }
    }

    /// A PostgreSQL record is backed up with pg_dump and restored with pg_restore, as
    /// docs/server.md says: the restored database opens as the same record.
    @Test(
        .enabled(
            if: TestDatabases.postgresURL != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/pg_dump")))
    func aPostgresRecordRestoresFromPgDump() async throws {
        let (source, dropSource) = try await TestDatabases.make(.postgres)
        let (target, dropTarget) = try await TestDatabases.make(.postgres)
        let dump = FileManager.default.temporaryDirectory.appendingPathComponent("sy-\(UUID()).dump").path
        defer {
            try? FileManager.default.removeItem(atPath: dump)
            Task {
                await dropSource()
                await dropTarget()
            }
        }
        let store = try await Store.open(source)
        try await store.importScenario(try Fixtures.frontierLab(), actor: .system)
        let (token, secret) = try await store.createToken(name: "ops", role: .admin, actor: .system)
        await store.close()
        let dumped = try await runCommand("/usr/bin/pg_dump", ["--format=custom", "--file", dump, source])
        #expect(dumped.status == 0, "\(dumped.stderr)")
        // The target is an empty database (TestDatabases made it); restore into it.
        let restoredRun = try await runCommand("/usr/bin/pg_restore", ["--no-owner", "--dbname", target, dump])
        #expect(restoredRun.status == 0, "\(restoredRun.stderr)")
        let restored = try await Store.open(target)
        #expect(try await restored.token(secret: secret)?.id == token.id)
        #expect(try await restored.workspace()?.name == "frontier-lab")
        #expect(try await restored.schemaVersion() == Migrations.all.last!.version)
        await restored.close()
    }

    /// Nodes of live leases by offer, term and start month, for leases matching `filter`.
    static func nodesByKey(_ leases: [LeaseRecord], where filter: (LeaseRecord) -> Bool = { _ in true })
        -> [String: Int]
    {
        leases.filter(filter).reduce(into: [:]) { $0["\($1.offer)|\($1.term)|\($1.start)", default: 0] += $1.nodes }
    }

    static func allLeases(_ store: Store) async throws -> [LeaseRecord] {
        try await store.leases(state: nil, after: nil, limit: 10_000).items
    }

    /// Accepting a re-plan supersedes its base plan: signed leases cover what they can, the base's
    /// proposed leases are carried over whole where the re-plan needs them, the rest is proposed
    /// anew, and what the re-plan does not need is withdrawn.
    @Test(arguments: TestDatabases.available)
    func acceptingAReplanProposesOnlyWhatIsNotAlreadyLeased(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, _ in
            let (runner, base) = try await Self.plannedExample(store)
            let baseLeases = try await store.acceptPlan(base.id, ifMatch: nil, actor: Self.planner).proposed
            // One base lease is withdrawn by hand, one is signed.
            let withdrawn = try #require(baseLeases.first)
            _ = try await store.transitionLease(
                withdrawn.id, to: .withdrawn, ifMatch: .version(1), note: "", actor: Self.planner)
            let signed = try #require(baseLeases.last)
            _ = try await store.transitionLease(
                signed.id, to: .signed, ifMatch: .version(1), note: "", actor: Self.planner)
            let incident = try DocumentParser.parse(
                #"{"provider": "nebius", "kind": "slip", "from": "2027-03", "months": 2}"#, format: .json)
            let (record, _) = try await store.recordIncident(
                plan: base.id, incident: incident, timeLimitSeconds: 60, relativeGap: 0.01, actor: Self.planner)
            try await runner.runOnce()
            let replan = try await store.plan(try #require(try await store.incident(record.id).replanId))
            let after = try PlanFile.decode(Data(replan.body.utf8))
            let need = after.leases.reduce(into: [String: Int]()) {
                $0["\($1.offer.rawValue)|\($1.term.rawValue)|\($1.start)", default: 0] += $1.nodes
            }
            let signedKey = "\(signed.offer)|\(signed.term)|\(signed.start)"

            let acceptance = try await store.acceptPlan(replan.id, ifMatch: nil, actor: Self.planner)
            #expect(acceptance.superseded == [base.id])
            #expect(!acceptance.proposed.isEmpty && !acceptance.carried.isEmpty)
            // Most of the re-plan is leased already: far fewer nodes are proposed than it holds.
            #expect(
                acceptance.proposed.reduce(0) { $0 + $1.nodes } < after.leases.reduce(0) { $0 + $1.nodes })
            let leases = try await Self.allLeases(store)
            // The re-plan's proposed leases, with the signed one, are exactly what it needs.
            var held = Self.nodesByKey(leases) { $0.state == .proposed }
            #expect(leases.filter { $0.state == .proposed }.allSatisfy { $0.planId == replan.id })
            if let need = need[signedKey] { held[signedKey, default: 0] += min(need, signed.nodes) }
            #expect(held == need)
            // No base proposal is left behind: each was carried over or withdrawn, with its reason.
            #expect(leases.filter { $0.planId == base.id }.allSatisfy { $0.state != .proposed })
            #expect(Set(acceptance.carried.map(\.id)).isDisjoint(with: acceptance.withdrawn.map(\.id)))
            for lease in acceptance.withdrawn {
                let (_, history) = try await store.lease(lease.id)
                #expect(history.last?.note == "plan \(base.id) superseded by plan \(replan.id)")
            }
            // The signed lease stays in its plan and state.
            #expect(try await store.lease(signed.id).0.state == .signed)
            #expect(try await store.lease(signed.id).0.planId == base.id)
            let superseded = try await store.plan(base.id)
            #expect(superseded.state == .superseded && superseded.supersededBy == replan.id)
            #expect(try await store.currentPlan()?.id == replan.id)
            await #expect(throws: StoreError.self) {
                try await store.acceptPlan(base.id, ifMatch: nil, actor: Self.planner)
            }
        }
    }

    /// A plan made for the example, finished by hand (as a worker would) with `edit` applied.
    static func completedPlan(_ store: Store, _ plan: Plan, edit: (inout Plan) -> Void) async throws -> PlanRecord {
        _ = try await store.submitPlan(timeLimitSeconds: 60, relativeGap: 0.01, actor: planner)
        let job = try #require(try await store.claimJob(worker: "test", leaseSeconds: 60))
        var plan = plan
        edit(&plan)
        return try await store.plan(try #require(try await store.completeJob(job, worker: "test", plan: plan)))
    }

    /// Only one plan is accepted at a time; leases of one offer never exceed its availability.
    @Test(arguments: TestDatabases.available)
    func acceptingASecondPlanSupersedesTheFirst(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, _ in
            let (_, first) = try await Self.plannedExample(store)
            let plan = try PlanFile.decode(Data(first.body.utf8))
            let firstLeases = try await store.acceptPlan(first.id, ifMatch: nil, actor: Self.planner).proposed
            let scenario = try #require(try await store.workspace())
            // The same plan again is covered entirely by the first's proposals: nothing new.
            let same = try await Self.completedPlan(store, plan) { _ in }
            let again = try await store.acceptPlan(same.id, ifMatch: nil, actor: Self.planner)
            #expect(again.proposed.isEmpty && again.withdrawn.isEmpty)
            #expect(again.carried.map(\.id).sorted() == firstLeases.map(\.id).sorted())
            #expect(again.superseded == [first.id])

            // A plan that needs one offer's lease in another term: the old lease is withdrawn and
            // the new one proposed; the counts of live leases and the plan's leases agree.
            let lease = try #require(plan.leases.first)
            let other: CommitmentTerm = lease.term == .onDemand ? .oneYear : .onDemand
            let moved = try await Self.completedPlan(store, plan) { $0.leases[0].term = other }
            let third = try await store.acceptPlan(moved.id, ifMatch: nil, actor: Self.planner)
            #expect(third.proposed.count == 1 && third.proposed[0].term == other.rawValue)
            #expect(third.withdrawn.count == 1 && third.withdrawn[0].offer == lease.offer.rawValue)
            #expect(third.carried.count == plan.leases.count - 1)
            let live = try await Self.allLeases(store).filter(\.state.isLive)
            #expect(live.count == plan.leases.count)
            #expect(
                try await store.plans(after: nil, limit: 10).items.filter { $0.state == .accepted }.map(\.id) == [
                    moved.id
                ])

            // Signed leases stand: a plan wanting the same offer beyond its availability is refused,
            // naming the offer, and nothing changes.
            for live in live where live.offer == lease.offer.rawValue {
                _ = try await store.transitionLease(
                    live.id, to: .signed, ifMatch: .version(live.version), note: "", actor: Self.planner)
            }
            let offer = try #require(scenario.offers.first { $0.id == lease.offer })
            let overbooked = try await Self.completedPlan(store, plan) {
                $0.leases[0].term = lease.term
                $0.leases[0].nodes = offer.availableNodes
            }
            let before = try await Self.allLeases(store)
            let refused = await #expect(throws: StoreError.self) {
                try await store.acceptPlan(overbooked.id, ifMatch: nil, actor: Self.planner)
            }
            #expect(
                "\(String(describing: refused))".contains(
                    "offer '\(offer.id)' has \(offer.availableNodes) nodes available"))
            #expect(try await Self.allLeases(store) == before)
            #expect(try await store.plan(overbooked.id).state == .ready)
            #expect(try await store.plan(moved.id).state == .accepted)
        }
    }

    /// Two plans accepted at once from two servers: they take turns, one supersedes the other.
    @Test(arguments: TestDatabases.available)
    func plansAcceptedAtOnceTakeTurns(backend: TestDatabases.Backend) async throws {
        try await TestDatabases.with(backend) { store, url in
            let (_, first) = try await Self.plannedExample(store)
            let plan = try PlanFile.decode(Data(first.body.utf8))
            let second = try await Self.completedPlan(store, plan) { _ in }
            let other = try await Self.secondServer(backend, store, url)
            async let a = store.acceptPlan(first.id, ifMatch: nil, actor: Self.planner)
            async let b = other.acceptPlan(second.id, ifMatch: nil, actor: Self.planner)
            let (x, y) = try await (a, b)
            // Whichever went second superseded the other and carried its proposals over.
            #expect(x.superseded.count + y.superseded.count == 1)
            #expect(x.proposed.count + y.proposed.count == plan.leases.count)
            #expect(x.carried.count + y.carried.count == plan.leases.count)
            let states = [try await store.plan(first.id).state, try await store.plan(second.id).state]
            #expect(states.sorted { $0.rawValue < $1.rawValue } == [.accepted, .superseded])
            #expect(try await Self.allLeases(store).filter(\.state.isLive).count == plan.leases.count)
            if other !== store { await other.close() }
        }
    }
}
