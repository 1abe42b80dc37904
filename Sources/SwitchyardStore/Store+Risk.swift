import Foundation
import SQLKit
import SwitchyardModel

/// Risk analyses of plans: queued as jobs like plans, kept beside the plan they analyse.
extension Store {
    /// The relative gap a risk analysis's re-plans stop at: `RiskAnalysis.replanGap`, which this
    /// module cannot import.
    public static let riskReplanGap = 0.02

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
            let row = try await sql.raw(
                """
                SELECT plans.scenario_version, jobs.payload FROM plans LEFT JOIN jobs ON jobs.id = plans.job_id
                WHERE plans.id = \(bind: plan)
                """
            ).first()
            guard let row else { throw StoreError.notFound("plan '\(plan)'") }
            try await Self.checkRoom(sql, limits: limits, actor: actor)
            // A what-if's plan is analysed on the scenario it was planned on: its changes go with it.
            let made = try row.decode(column: "payload", as: String?.self).flatMap {
                try? JSONDecoder().decode(JobPayload.self, from: Data($0.utf8))
            }
            let payload = JobPayload(
                scenarioVersion: try row.decode(column: "scenario_version", as: Int64.self),
                timeLimitSeconds: timeLimitSeconds, relativeGap: Self.riskReplanGap, basePlan: plan, samples: samples,
                seed: seed, whatIf: made?.whatIf)
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

    /// The newest risk analysis of each of `plans` that has one, in one query (a page listing
    /// many plans asks once, not once a plan).
    public func latestRiskAnalyses(plans: [String]) async throws -> [String: RiskRecord] {
        guard !plans.isEmpty else { return [:] }
        let records = try await database.session { sql in
            try await sql.raw(
                """
                SELECT id, plan_id, job_id, samples, seed, body, created_at FROM risk_analyses
                WHERE plan_id IN (\(binds: plans)) ORDER BY plan_id, created_at DESC, id DESC
                """
            ).all().map(Self.riskRecord)
        }
        var latest: [String: RiskRecord] = [:]
        for record in records where latest[record.planId] == nil { latest[record.planId] = record }
        return latest
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
            ).all().map(Self.riskRecord)
        }
    }

    /// Splits a risk analysis `worker` holds into parts, each evaluating the futures whose first
    /// samples one element of `parts` lists, in one transaction: the parts are queued and the
    /// analysis waits, unclaimed and with its attempts reset, until the last part succeeds. Nil
    /// when the claim was lost (nothing is queued).
    public func splitRiskJob(_ job: JobRecord, worker: String, parts: [[Int]]) async throws -> [JobRecord]? {
        guard job.kind == .risk, !parts.isEmpty else {
            throw StoreError.conflict("job \(job.id) is not a risk analysis, or has no parts")
        }
        return try await database.transaction { sql in
            let held = try await sql.raw(
                """
                UPDATE jobs SET state = 'waiting', claimed_by = NULL, lease_until = NULL, attempts = 0
                WHERE id = \(bind: job.id) AND claimed_by = \(bind: worker) AND state = 'running' RETURNING id
                """
            ).first()
            guard held != nil else { return nil }
            var queued: [JobRecord] = []
            for futures in parts {
                var payload = job.payload
                payload.futures = futures
                queued.append(
                    try await Self.enqueue(
                        sql, kind: .riskPart, payload: payload, actor: .system, parent: job))
            }
            try await Self.audit(
                sql, .system, "risk.split", "job \(job.id)",
                "\(parts.count) parts, \(parts.map(\.count).reduce(0, +)) distinct futures")
            return queued
        }
    }

    /// Finishes a part of a risk analysis with its outcomes (`body`, JSON), if `worker` still
    /// holds it; when it is the analysis's last part to succeed, the analysis is queued again to
    /// join them. False when the claim was lost.
    public func completeRiskPart(_ job: JobRecord, worker: String, body: String) async throws -> Bool {
        guard job.kind == .riskPart, let parent = job.parentJob else {
            throw StoreError.conflict("job \(job.id) is not a part of a risk analysis")
        }
        let postgres = database.dialect == .postgres
        return try await database.transaction { sql in
            // Parts finishing at once take the analysis's row in turn, so the last of them sees
            // every other part's success (a statement sees what committed before it began). It
            // is taken first: the insert below checks its foreign key with a share lock on the
            // same row, and two parts each holding that while asking for the row would deadlock.
            if postgres {
                try await sql.raw("SELECT id FROM jobs WHERE id = \(bind: parent) FOR UPDATE").run()
            }
            let now = StoreClock.nowMillis()
            guard try await Self.markSucceeded(sql, job, worker: worker, at: now) else { return false }
            try await sql.raw(
                "INSERT INTO risk_parts (job_id, parent_job, body) VALUES (\(bind: job.id), \(bind: parent), \(bind: body))"
            ).run()
            try await sql.raw(
                """
                UPDATE jobs SET state = 'queued', attempts = 0
                WHERE id = \(bind: parent) AND state = 'waiting' AND NOT EXISTS (
                    SELECT 1 FROM jobs part WHERE part.parent_job = \(bind: parent) AND part.state <> 'succeeded')
                """
            ).run()
            return true
        }
    }

    static let qualifiedJobColumns = jobColumns.split(separator: ",")
        .map { "jobs." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")

    /// The parts of risk analysis `job` and the outcomes of those that succeeded, in the order
    /// they were queued.
    public func riskParts(of job: String) async throws -> [(part: JobRecord, body: String?)] {
        try await database.session { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: Self.qualifiedJobColumns), risk_parts.body AS body
                FROM jobs LEFT JOIN risk_parts ON risk_parts.job_id = jobs.id
                WHERE jobs.parent_job = \(bind: job) ORDER BY jobs.created_at, jobs.id
                """
            ).all().map { (try Self.jobRecord($0), try $0.decode(column: "body", as: String?.self)) }
        }
    }

    /// A risk analysis from its row.
    static func riskRecord(_ row: any SQLRow) throws -> RiskRecord {
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
