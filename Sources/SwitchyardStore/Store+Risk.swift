import Foundation
import SQLKit
import SwitchyardModel

/// Risk analyses of plans: queued as jobs like plans, kept beside the plan they analyse.
extension Store {
    /// The most futures one analysis may sample.
    public static let maximumRiskSamples = 10_000

    /// Queues a risk analysis of plan `plan`: `samples` futures drawn with `seed`, each incident
    /// re-planned within `timeLimitSeconds`. Throws `notFound` for an unknown plan and
    /// `queueFull` when `limits` leave no room.
    public func submitRisk(
        plan: String, samples: Int, seed: Int64, timeLimitSeconds: Double, actor: Actor,
        limits: JobLimits = .unlimited
    ) async throws -> JobRecord {
        try await database.transaction { sql in
            try await self.lockWorkspace(sql)
            let row = try await sql.raw("SELECT scenario_version FROM plans WHERE id = \(bind: plan)").first()
            guard let row else { throw StoreError.notFound("plan '\(plan)'") }
            try await Self.checkRoom(sql, limits: limits, actor: actor)
            let payload = JobPayload(
                scenarioVersion: try row.decode(column: "scenario_version", as: Int64.self),
                timeLimitSeconds: timeLimitSeconds, relativeGap: 0.01, basePlan: plan, samples: samples, seed: seed)
            let job = try await Self.enqueue(sql, kind: .risk, payload: payload, actor: actor)
            try await Self.audit(sql, actor, "risk.submit", "job \(job.id)", "plan \(plan), \(samples) samples")
            return job
        }
    }

    /// Finishes a risk job with its summary (JSON), in one transaction, if `worker` still holds
    /// it. Returns the analysis's id, or nil when the claim was lost.
    public func completeRiskJob(_ job: JobRecord, worker: String, summary: String, actor: Actor = .system)
        async throws -> String?
    {
        guard let plan = job.payload.basePlan, let samples = job.payload.samples, let seed = job.payload.seed else {
            throw StoreError.conflict("job \(job.id) is not a risk analysis")
        }
        return try await database.transaction { sql in
            let now = StoreClock.nowMillis()
            guard try await Self.markSucceeded(sql, job, worker: worker, at: now) else { return nil }
            let id = newID("risk")
            try await sql.raw(
                """
                INSERT INTO risk_analyses (id, plan_id, job_id, samples, seed, body, created_at)
                VALUES (\(bind: id), \(bind: plan), \(bind: job.id), \(bind: samples), \(bind: seed),
                \(bind: summary), \(bind: now))
                """
            ).run()
            try await Self.audit(sql, actor, "risk.finish", "risk \(id)", "job \(job.id), plan \(plan)")
            return id
        }
    }

    /// The risk analyses of plan `plan`, newest first (`notFound` for an unknown plan).
    public func riskAnalyses(plan: String) async throws -> [RiskRecord] {
        try await database.session { sql in
            guard try await sql.raw("SELECT id FROM plans WHERE id = \(bind: plan)").first() != nil else {
                throw StoreError.notFound("plan '\(plan)'")
            }
            return try await sql.raw(
                """
                SELECT id, plan_id, job_id, samples, seed, body, created_at FROM risk_analyses
                WHERE plan_id = \(bind: plan) ORDER BY created_at DESC, id DESC
                """
            ).all().map { row in
                RiskRecord(
                    id: try row.decode(column: "id", as: String.self),
                    planId: try row.decode(column: "plan_id", as: String.self),
                    jobId: try row.decode(column: "job_id", as: String.self),
                    samples: try row.decode(column: "samples", as: Int.self),
                    seed: try row.decode(column: "seed", as: Int64.self),
                    createdAtMilliseconds: try row.decode(column: "created_at", as: Int64.self),
                    body: try row.decode(column: "body", as: String.self))
            }
        }
    }
}
