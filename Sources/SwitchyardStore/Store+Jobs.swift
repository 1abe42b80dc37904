import Foundation
import SQLKit
import SwitchyardCatalog
import SwitchyardModel

/// Plan jobs: a queue in the database.
///
/// Jobs are a queue in the database: a worker claims the oldest queued job (or one whose claim
/// expired because its worker died) with a row lock that other workers skip (`FOR UPDATE SKIP
/// LOCKED` on PostgreSQL; SQLite has one writer), holds it by renewing `lease_until`, and
/// finishes it in one transaction that writes the plan and marks the job done only if the claim
/// is still its own. A worker killed mid-job leaves a job that is claimed again after its lease
/// runs out; nothing of its work is written.
extension Store {
    /// Snapshots the workspace and queues a plan job for it, unless `limits` says the queue is full.
    public func submitPlan(
        timeLimitSeconds: Double, relativeGap: Double, whatIf: WhatIf? = nil, actor: Actor,
        limits: JobLimits = .unlimited
    ) async throws -> JobRecord {
        try await database.transaction { sql in
            try await self.lockWorkspace(sql)
            try await Self.checkRoom(sql, limits: limits, actor: actor)
            return try await self.queuePlan(
                sql, timeLimitSeconds: timeLimitSeconds, relativeGap: relativeGap, whatIf: whatIf, actor: actor)
        }
    }

    /// Snapshots the workspace and queues its plan job inside the caller's transaction. A
    /// what-if is checked against the workspace here (`invalid`, naming the field, when it does
    /// not apply) and made on the snapshot when the job runs.
    func queuePlan(
        _ sql: any SQLDatabase, timeLimitSeconds: Double, relativeGap: Double, whatIf: WhatIf? = nil, actor: Actor
    ) async throws -> JobRecord {
        guard let ws = try await validatedWorkspace(sql) else { throw StoreError.conflict(Self.noWorkspace) }
        if let problems = whatIf?.problems(in: ws.scenario), !problems.isEmpty {
            throw StoreError.invalid(
                InputError(
                    problems.map {
                        Diagnostic(path: "whatIf" + ($0.path.isEmpty ? "" : ".\($0.path)"), message: $0.message)
                    }))
        }
        let snapshot = try await Self.snapshot(
            sql, ws.scenario, source: "plan", actor: actor, text: ws.text, sha256: ws.sha256)
        let payload = JobPayload(
            scenarioVersion: snapshot.version, timeLimitSeconds: timeLimitSeconds, relativeGap: relativeGap,
            whatIf: whatIf)
        let job = try await Self.enqueue(sql, kind: .plan, payload: payload, actor: actor)
        let what = whatIf.map { "; what-if: " + $0.sentences(for: ws.scenario).joined(separator: "; ") } ?? ""
        try await Self.audit(sql, actor, "plan.submit", "job \(job.id)", "scenario v\(snapshot.version)\(what)")
        return job
    }

    /// Throws `queueFull` when `limits` leave no room for another job: jobs waiting (queued, or
    /// claimed and not finished, or waiting for their parts) in the record, and those `actor`
    /// submitted. A risk analysis's parts count as the analysis, once. Callers hold the
    /// workspace lock, so two submissions cannot both take the last place.
    static func checkRoom(_ sql: any SQLDatabase, limits: JobLimits, actor: Actor) async throws {
        guard limits.queued != nil || limits.queuedPerActor != nil else { return }
        let row = try await sql.raw(
            """
            SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN actor = \(bind: actor.label) THEN 1 ELSE 0 END), 0) AS mine
            FROM jobs WHERE state IN ('queued', 'running', 'waiting') AND parent_job IS NULL
            """
        ).first()
        let total = try row?.decode(column: "total", as: Int.self) ?? 0
        let mine = try row?.decode(column: "mine", as: Int.self) ?? 0
        if let limit = limits.queuedPerActor, mine >= limit {
            throw StoreError.queueFull(
                "\(actor.label) has \(mine) job(s) waiting or running, the most one token may have (\(limit))")
        }
        if let limit = limits.queued, total >= limit {
            throw StoreError.queueFull("\(total) job(s) are waiting or running, the most the queue holds (\(limit))")
        }
    }

    static func enqueue(
        _ sql: any SQLDatabase, kind: JobKind, payload: JobPayload, actor: Actor, parent: JobRecord? = nil
    ) async throws -> JobRecord {
        // A part is its analysis's, submitted by whoever submitted that.
        let job = JobRecord(
            id: newID("job"), kind: kind, payload: payload, state: .queued, attempts: 0, maxAttempts: 3,
            createdAtMilliseconds: StoreClock.nowMillis(), actor: parent?.actor ?? actor.label, parentJob: parent?.id)
        let payloadText = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
        try await sql.raw(
            """
            INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, created_at, actor, parent_job)
            VALUES (\(bind: job.id), \(bind: kind), \(bind: payloadText), 'queued', 0, \(bind: job.maxAttempts),
            \(bind: job.createdAtMilliseconds), \(bind: job.actor), \(bind: job.parentJob))
            """
        ).run()
        return job
    }

    static let jobColumns = """
        id, kind, payload, state, attempts, max_attempts, claimed_by, lease_until, created_at, started_at,
        finished_at, error, plan_id, actor, parent_job, progress
        """

    static func jobRecord(_ row: any SQLRow) throws -> JobRecord {
        JobRecord(
            id: try row.decode(column: "id", as: String.self), kind: try Self.decode(JobKind.self, row, column: "kind"),
            payload: try JSONDecoder().decode(
                JobPayload.self, from: Data(try row.decode(column: "payload", as: String.self).utf8)),
            state: try Self.decode(JobState.self, row, column: "state"),
            attempts: try row.decode(column: "attempts", as: Int.self),
            maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
            claimedBy: try row.decode(column: "claimed_by", as: String?.self),
            leaseUntilMilliseconds: try row.decode(column: "lease_until", as: Int64?.self),
            createdAtMilliseconds: try row.decode(column: "created_at", as: Int64.self),
            startedAtMilliseconds: try row.decode(column: "started_at", as: Int64?.self),
            finishedAtMilliseconds: try row.decode(column: "finished_at", as: Int64?.self),
            error: try row.decode(column: "error", as: String?.self),
            planId: try row.decode(column: "plan_id", as: String?.self),
            actor: try row.decode(column: "actor", as: String.self),
            parentJob: try row.decode(column: "parent_job", as: String?.self),
            progress: try row.decode(column: "progress", as: String?.self).map {
                try JSONDecoder().decode(SolveProgress.self, from: Data($0.utf8))
            })
    }

    /// A job.
    public func job(_ id: String) async throws -> JobRecord {
        let row = try await database.session { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.jobColumns) FROM jobs WHERE id = \(bind: id)").first()
        }
        guard let row else { throw StoreError.notFound("job '\(id)'") }
        return try Self.jobRecord(row)
    }

    /// Plan and re-plan jobs queued or running, oldest first (at most `limit`).
    public func activePlanJobs(limit: Int = 20) async throws -> [JobRecord] {
        try await database.session { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: Self.jobColumns) FROM jobs
                WHERE state IN ('queued', 'running') AND kind IN ('plan', 'replan')
                ORDER BY created_at, id LIMIT \(bind: limit)
                """
            ).all().map(Self.jobRecord)
        }
    }

    /// Claims the oldest runnable job for `worker` for `leaseSeconds`: a queued job, or a running
    /// one whose worker stopped renewing its claim. Jobs that used up their attempts are failed.
    public func claimJob(worker: String, leaseSeconds: Double) async throws -> JobRecord? {
        let skipLocked = database.dialect == .postgres ? "FOR UPDATE SKIP LOCKED" : ""
        return try await database.transaction { sql in
            let now = StoreClock.nowMillis()
            let gaveUp = try await sql.raw(
                """
                UPDATE jobs SET state = 'failed', finished_at = \(bind: now), claimed_by = NULL,
                error = 'gave up: every attempt stopped before finishing (the server running it died or timed out)'
                WHERE state = 'running' AND lease_until < \(bind: now) AND attempts >= max_attempts RETURNING id
                """
            ).all()
            if !gaveUp.isEmpty { try await Self.failParentsOfFailedParts(sql, at: now) }
            let row = try await sql.raw(
                """
                UPDATE jobs SET state = 'running', claimed_by = \(bind: worker),
                lease_until = \(bind: now + Int64(leaseSeconds * 1000)), attempts = attempts + 1,
                started_at = \(bind: now), progress = NULL
                WHERE id = (
                    SELECT id FROM jobs
                    WHERE state = 'queued' OR (state = 'running' AND lease_until < \(bind: now))
                    ORDER BY created_at, id LIMIT 1 \(unsafeRaw: skipLocked))
                RETURNING \(unsafeRaw: Self.jobColumns)
                """
            ).first()
            return try row.map(Self.jobRecord)
        }
    }

    /// Extends `worker`'s claim on a job; false when the claim was lost (the job was taken over).
    public func renewClaim(job: String, worker: String, leaseSeconds: Double) async throws -> Bool {
        try await database.transaction { sql in
            let row = try await sql.raw(
                """
                UPDATE jobs SET lease_until = \(bind: StoreClock.nowMillis() + Int64(leaseSeconds * 1000))
                WHERE id = \(bind: job) AND claimed_by = \(bind: worker) AND state = 'running' RETURNING id
                """
            ).first()
            return row != nil
        }
    }

    /// Records the progress of a job `worker` holds (its solve's best plan and bound so far);
    /// false when the claim was lost.
    @discardableResult
    public func reportProgress(job: String, worker: String, progress: SolveProgress) async throws -> Bool {
        let body = String(decoding: try JSONEncoder().encode(progress), as: UTF8.self)
        return try await database.transaction { sql in
            try await sql.raw(
                """
                UPDATE jobs SET progress = \(bind: body)
                WHERE id = \(bind: job) AND claimed_by = \(bind: worker) AND state = 'running' RETURNING id
                """
            ).first() != nil
        }
    }

    /// Hands a job `worker` holds back to the queue without spending its attempt (its server is
    /// stopping and the solve did not finish in the grace period): queued again, unclaimed, its
    /// attempt count as before the claim. False when the claim was already lost.
    @discardableResult
    public func releaseJob(_ job: JobRecord, worker: String) async throws -> Bool {
        try await database.transaction { sql in
            let released = try await sql.raw(
                """
                UPDATE jobs SET state = 'queued', claimed_by = NULL, lease_until = NULL, started_at = NULL,
                attempts = attempts - 1, progress = NULL
                WHERE id = \(bind: job.id) AND claimed_by = \(bind: worker) AND state = 'running' RETURNING id
                """
            ).first()
            if released != nil {
                try await Self.audit(
                    sql, .system, "job.release", "job \(job.id)", "\(worker) stopped before finishing; queued again")
            }
            return released != nil
        }
    }

    /// Finishes a job with its plan, in one transaction, if `worker` still holds it. Returns the
    /// plan's id, or nil when the claim was lost (another worker owns the job now).
    public func completeJob(_ job: JobRecord, worker: String, plan: Plan, actor: Actor = .system) async throws
        -> String?
    {
        let body = PlanFile.encode(plan, compact: true)
        return try await database.transaction { sql in
            let now = StoreClock.nowMillis()
            guard try await Self.markSucceeded(sql, job, worker: worker, at: now) else { return nil }
            let snapshot = try await sql.raw(
                "SELECT sha256 FROM scenarios WHERE version = \(bind: job.payload.scenarioVersion)"
            ).first()
            let planID = newID("plan")
            try await sql.raw(
                """
                INSERT INTO plans (id, scenario_version, input_sha256, body, total_cost, state, parent_plan,
                incident_id, job_id, created_at, version)
                VALUES (\(bind: planID), \(bind: job.payload.scenarioVersion),
                \(bind: try snapshot?.decode(column: "sha256", as: String.self) ?? ""), \(bind: body),
                \(bind: plan.cost.total.description), 'ready', \(bind: job.payload.basePlan),
                \(bind: job.payload.incident), \(bind: job.id), \(bind: now), 1)
                """
            ).run()
            try await sql.raw("UPDATE jobs SET plan_id = \(bind: planID) WHERE id = \(bind: job.id)").run()
            try await Self.audit(
                sql, actor, "\(job.kind.rawValue).finish", "plan \(planID)",
                "job \(job.id), total cost \(plan.cost.total) USD, gap \(plan.solver.gap)")
            return planID
        }
    }

    /// Marks a running job succeeded if `worker` still holds its claim; false when it does not
    /// (then the caller writes nothing of its result).
    static func markSucceeded(_ sql: any SQLDatabase, _ job: JobRecord, worker: String, at now: Int64) async throws
        -> Bool
    {
        try await sql.raw(
            """
            UPDATE jobs SET state = 'succeeded', finished_at = \(bind: now), lease_until = NULL
            WHERE id = \(bind: job.id) AND claimed_by = \(bind: worker) AND state = 'running' RETURNING id
            """
        ).first() != nil
    }

    /// Fails a job for good (the input cannot be planned), if `worker` still holds it.
    public func failJob(_ job: JobRecord, worker: String, error: String, actor: Actor = .system) async throws {
        try await database.transaction { sql in
            let claimed = try await sql.raw(
                """
                UPDATE jobs SET state = 'failed', finished_at = \(bind: StoreClock.nowMillis()), error = \(bind: error),
                lease_until = NULL
                WHERE id = \(bind: job.id) AND claimed_by = \(bind: worker) AND state = 'running' RETURNING id
                """
            ).first()
            if claimed != nil { try await Self.audit(sql, actor, "job.fail", "job \(job.id)", error) }
            if claimed != nil, job.parentJob != nil {
                try await Self.failParentsOfFailedParts(sql, at: StoreClock.nowMillis())
            }
        }
    }
}

extension Store {
    /// Fails every risk analysis waiting for a part that failed, with that part's reason, and the
    /// parts of failed analyses still queued (nothing would read their outcomes). Parts already
    /// running finish; their outcomes are kept and not joined.
    static func failParentsOfFailedParts(_ sql: any SQLDatabase, at now: Int64) async throws {
        try await sql.raw(
            """
            UPDATE jobs SET state = 'failed', finished_at = \(bind: now), error = (
                SELECT 'part ' || part.id || ' failed: ' || COALESCE(part.error, 'no reason given') FROM jobs part
                WHERE part.parent_job = jobs.id AND part.state = 'failed' ORDER BY part.id LIMIT 1)
            WHERE state = 'waiting'
            AND EXISTS (SELECT 1 FROM jobs part WHERE part.parent_job = jobs.id AND part.state = 'failed')
            """
        ).run()
        try await sql.raw(
            """
            UPDATE jobs SET state = 'failed', finished_at = \(bind: now),
            error = 'not run: another part of its analysis failed'
            WHERE state = 'queued' AND parent_job IS NOT NULL
            AND EXISTS (SELECT 1 FROM jobs analysis WHERE analysis.id = jobs.parent_job AND analysis.state = 'failed')
            """
        ).run()
    }

    /// How many jobs are in each state.
    public func jobCounts() async throws -> [(String, Int)] {
        try await database.session { sql in
            try await sql.raw("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state ORDER BY state").all().map {
                (try $0.decode(column: "state", as: String.self), try $0.decode(column: "n", as: Int.self))
            }
        }
    }
}
