import Foundation
import SQLKit
import SwitchyardCatalog
import SwitchyardModel

/// Plan jobs, plans, leases and incidents.
///
/// Jobs are a queue in the database: a worker claims the oldest queued job (or one whose claim
/// expired because its worker died) with a row lock that other workers skip (`FOR UPDATE SKIP
/// LOCKED` on PostgreSQL; SQLite has one writer), holds it by renewing `lease_until`, and
/// finishes it in one transaction that writes the plan and marks the job done only if the claim
/// is still its own. A worker killed mid-job leaves a job that is claimed again after its lease
/// runs out; nothing of its work is written.
extension Store {
    /// Snapshots the workspace and queues a plan job for it.
    public func submitPlan(timeLimitSeconds: Double, relativeGap: Double, actor: Actor) async throws -> JobRecord {
        try await database.transaction { sql in
            try await self.lockWorkspace(sql)
            guard let ws = try await self.validatedWorkspace(sql) else { throw StoreError.conflict(Self.noWorkspace) }
            let snapshot = try await Self.snapshot(
                sql, ws.scenario, source: "plan", actor: actor, text: ws.text, sha256: ws.sha256)
            let payload = JobPayload(
                scenarioVersion: snapshot.version, timeLimitSeconds: timeLimitSeconds, relativeGap: relativeGap)
            let job = try await Self.enqueue(sql, kind: "plan", payload: payload, actor: actor)
            try await Self.audit(sql, actor, "plan.submit", "job \(job.id)", "scenario v\(snapshot.version)")
            return job
        }
    }

    static func enqueue(_ sql: any SQLDatabase, kind: String, payload: JobPayload, actor: Actor) async throws
        -> JobRecord
    {
        let job = JobRecord(
            id: newID("job"), kind: kind, payload: payload, state: .queued, attempts: 0, maxAttempts: 3,
            createdAt: StoreClock.nowMillis(), actor: actor.label)
        let payloadText = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
        try await sql.raw(
            """
            INSERT INTO jobs (id, kind, payload, state, attempts, max_attempts, created_at, actor)
            VALUES (\(bind: job.id), \(bind: kind), \(bind: payloadText), 'queued', 0, \(bind: job.maxAttempts),
            \(bind: job.createdAt), \(bind: job.actor))
            """
        ).run()
        return job
    }

    static let jobColumns = """
        id, kind, payload, state, attempts, max_attempts, claimed_by, lease_until, created_at, started_at,
        finished_at, error, plan_id, actor
        """

    static func jobRecord(_ row: any SQLRow) throws -> JobRecord {
        JobRecord(
            id: try row.decode(column: "id", as: String.self), kind: try row.decode(column: "kind", as: String.self),
            payload: try JSONDecoder().decode(
                JobPayload.self, from: Data(try row.decode(column: "payload", as: String.self).utf8)),
            state: JobState(rawValue: try row.decode(column: "state", as: String.self)) ?? .failed,
            attempts: try row.decode(column: "attempts", as: Int.self),
            maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
            claimedBy: try row.decode(column: "claimed_by", as: String?.self),
            leaseUntil: try row.decode(column: "lease_until", as: Int64?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            startedAt: try row.decode(column: "started_at", as: Int64?.self),
            finishedAt: try row.decode(column: "finished_at", as: Int64?.self),
            error: try row.decode(column: "error", as: String?.self),
            planId: try row.decode(column: "plan_id", as: String?.self),
            actor: try row.decode(column: "actor", as: String.self))
    }

    /// A job.
    public func job(_ id: String) async throws -> JobRecord {
        let row = try await database.session { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.jobColumns) FROM jobs WHERE id = \(bind: id)").first()
        }
        guard let row else { throw StoreError.notFound("job '\(id)'") }
        return try Self.jobRecord(row)
    }

    /// Claims the oldest runnable job for `worker` for `leaseSeconds`: a queued job, or a running
    /// one whose worker stopped renewing its claim. Jobs that used up their attempts are failed.
    public func claimJob(worker: String, leaseSeconds: Double) async throws -> JobRecord? {
        let skipLocked = database.dialect == .postgres ? "FOR UPDATE SKIP LOCKED" : ""
        return try await database.transaction { sql in
            let now = StoreClock.nowMillis()
            try await sql.raw(
                """
                UPDATE jobs SET state = 'failed', finished_at = \(bind: now), claimed_by = NULL,
                error = 'gave up: every attempt stopped before finishing (the server running it died or timed out)'
                WHERE state = 'running' AND lease_until < \(bind: now) AND attempts >= max_attempts
                """
            ).run()
            let row = try await sql.raw(
                """
                UPDATE jobs SET state = 'running', claimed_by = \(bind: worker),
                lease_until = \(bind: now + Int64(leaseSeconds * 1000)), attempts = attempts + 1,
                started_at = \(bind: now)
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

    /// Finishes a job with its plan, in one transaction, if `worker` still holds it. Returns the
    /// plan's id, or nil when the claim was lost (another worker owns the job now).
    public func completeJob(_ job: JobRecord, worker: String, plan: Plan, actor: Actor = .system) async throws
        -> String?
    {
        let body = PlanFile.encode(plan, compact: true)
        return try await database.transaction { sql in
            let now = StoreClock.nowMillis()
            let claimed = try await sql.raw(
                """
                UPDATE jobs SET state = 'succeeded', finished_at = \(bind: now), lease_until = NULL
                WHERE id = \(bind: job.id) AND claimed_by = \(bind: worker) AND state = 'running' RETURNING id
                """
            ).first()
            guard claimed != nil else { return nil }
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
                sql, actor, job.kind == "replan" ? "replan.finish" : "plan.finish", "plan \(planID)",
                "job \(job.id), total cost \(plan.cost.total) USD, gap \(plan.solver.gap)")
            return planID
        }
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
        }
    }

    // MARK: plans

    static let planColumns = """
        id, scenario_version, input_sha256, total_cost, state, parent_plan, incident_id, job_id, created_at,
        accepted_at, accepted_by, version
        """

    static func planRecord(_ row: any SQLRow, body: Bool) throws -> PlanRecord {
        PlanRecord(
            id: try row.decode(column: "id", as: String.self),
            scenarioVersion: try row.decode(column: "scenario_version", as: Int64.self),
            inputSha256: try row.decode(column: "input_sha256", as: String.self),
            totalCost: try row.decode(column: "total_cost", as: String.self),
            state: try row.decode(column: "state", as: String.self),
            parentPlan: try row.decode(column: "parent_plan", as: String?.self),
            incidentId: try row.decode(column: "incident_id", as: String?.self),
            jobId: try row.decode(column: "job_id", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            acceptedAt: try row.decode(column: "accepted_at", as: Int64?.self),
            acceptedBy: try row.decode(column: "accepted_by", as: String?.self),
            version: try row.decode(column: "version", as: Int64.self),
            body: body ? try row.decode(column: "body", as: String.self) : "")
    }

    /// Plans, newest first (without their bodies).
    public func plans(after cursor: String?, limit: Int) async throws -> Page<PlanRecord> {
        let (beforeTime, beforeID) = Self.splitCursor(cursor)
        let rows = try await database.session { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: Self.planColumns) FROM plans
                WHERE created_at < \(bind: beforeTime) OR (created_at = \(bind: beforeTime) AND id < \(bind: beforeID))
                ORDER BY created_at DESC, id DESC LIMIT \(bind: limit + 1)
                """
            ).all()
        }
        return page(try rows.map { try Self.planRecord($0, body: false) }, limit: limit) { "\($0.createdAt)_\($0.id)" }
    }

    static func splitCursor(_ cursor: String?) -> (Int64, String) {
        guard let cursor, let sep = cursor.firstIndex(of: "_"), let time = Int64(cursor[..<sep]) else {
            return (.max, "")
        }
        return (time, String(cursor[cursor.index(after: sep)...]))
    }

    /// A plan with its body.
    public func plan(_ id: String) async throws -> PlanRecord {
        let row = try await database.session { sql in
            try await sql.raw("SELECT \(unsafeRaw: Self.planColumns), body FROM plans WHERE id = \(bind: id)").first()
        }
        guard let row else { throw StoreError.notFound("plan '\(id)'") }
        return try Self.planRecord(row, body: true)
    }

    /// The newest plan, preferring an accepted one; nil when there is none.
    public func currentPlan() async throws -> PlanRecord? {
        let row = try await database.session { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: Self.planColumns), body FROM plans
                ORDER BY CASE WHEN state = 'accepted' THEN 0 ELSE 1 END, created_at DESC, id DESC LIMIT 1
                """
            ).first()
        }
        return try row.map { try Self.planRecord($0, body: true) }
    }

    /// Accepts a plan at version `ifMatch`: its leases become proposed leases (for a re-plan,
    /// only those its base plan's live leases do not already cover).
    public func acceptPlan(_ id: String, ifMatch: Precondition?, actor: Actor) async throws -> [LeaseRecord] {
        try await database.transaction { sql in
            guard
                let row = try await sql.raw(
                    "SELECT \(unsafeRaw: Self.planColumns), body FROM plans WHERE id = \(bind: id)\(unsafeRaw: self.forUpdate)"
                ).first()
            else { throw StoreError.notFound("plan '\(id)'") }
            let record = try Self.planRecord(row, body: true)
            if let ifMatch, !ifMatch.allows(record.version) {
                throw StoreError.preconditionFailed(current: record.version)
            }
            guard record.state == "ready" else {
                throw StoreError.conflict("plan '\(id)' was accepted already, by \(record.acceptedBy ?? "someone")")
            }
            let plan = try PlanFile.decode(Data(record.body.utf8))
            var covered: [String: Int] = [:]
            if let parent = record.parentPlan {
                let live = try await sql.raw(
                    """
                    SELECT offer_id, term, start_month, nodes FROM leases WHERE plan_id = \(bind: parent)
                    AND state NOT IN ('ended', 'breached', 'terminated')
                    """
                ).all()
                for lease in live {
                    let key = [
                        try lease.decode(column: "offer_id", as: String.self),
                        try lease.decode(column: "term", as: String.self),
                        try lease.decode(column: "start_month", as: String.self),
                    ].joined(separator: "|")
                    covered[key, default: 0] += try lease.decode(column: "nodes", as: Int.self)
                }
            }
            let now = StoreClock.nowMillis()
            var created: [LeaseRecord] = []
            for lease in plan.leases {
                let key = [lease.offer.rawValue, lease.term.rawValue, lease.start.description].joined(separator: "|")
                let already = min(covered[key] ?? 0, lease.nodes)
                covered[key] = (covered[key] ?? 0) - already
                let nodes = lease.nodes - already
                guard nodes > 0 else { continue }
                let share = Decimal(nodes) / Decimal(lease.nodes)
                let record = LeaseRecord(
                    id: newID("lease"), planId: id, offer: lease.offer.rawValue, provider: lease.provider.rawValue,
                    accelerator: lease.accelerator.rawValue, nodes: nodes,
                    accelerators: lease.accelerators * nodes / lease.nodes, term: lease.term.rawValue,
                    start: lease.start.description, months: lease.months,
                    pricePerAcceleratorHour: lease.pricePerAcceleratorHour.description,
                    monthlyCost: (lease.monthlyCost * share).description,
                    totalCost: (lease.totalCost * share).description, state: .proposed, version: 1, createdAt: now,
                    updatedAt: now)
                try await sql.raw(
                    """
                    INSERT INTO leases (id, plan_id, offer_id, provider_id, accelerator, nodes, accelerators, term,
                    start_month, months, price_per_accelerator_hour, monthly_cost, total_cost, state, version,
                    created_at, updated_at)
                    VALUES (\(bind: record.id), \(bind: id), \(bind: record.offer), \(bind: record.provider),
                    \(bind: record.accelerator), \(bind: record.nodes), \(bind: record.accelerators),
                    \(bind: record.term), \(bind: record.start), \(bind: record.months),
                    \(bind: record.pricePerAcceleratorHour), \(bind: record.monthlyCost), \(bind: record.totalCost),
                    'proposed', 1, \(bind: now), \(bind: now))
                    """
                ).run()
                try await Self.recordLeaseEvent(
                    sql, lease: record.id, from: nil, to: .proposed, actor: actor, note: "from plan \(id)")
                created.append(record)
            }
            try await sql.raw(
                """
                UPDATE plans SET state = 'accepted', accepted_at = \(bind: now), accepted_by = \(bind: actor.label),
                version = version + 1 WHERE id = \(bind: id)
                """
            ).run()
            try await Self.audit(sql, actor, "plan.accept", "plan \(id)", "\(created.count) proposed leases")
            return created
        }
    }

    // MARK: leases

    static let leaseColumns = """
        id, plan_id, offer_id, provider_id, accelerator, nodes, accelerators, term, start_month, months,
        price_per_accelerator_hour, monthly_cost, total_cost, state, version, created_at, updated_at
        """

    static func leaseRecord(_ row: any SQLRow) throws -> LeaseRecord {
        LeaseRecord(
            id: try row.decode(column: "id", as: String.self),
            planId: try row.decode(column: "plan_id", as: String.self),
            offer: try row.decode(column: "offer_id", as: String.self),
            provider: try row.decode(column: "provider_id", as: String.self),
            accelerator: try row.decode(column: "accelerator", as: String.self),
            nodes: try row.decode(column: "nodes", as: Int.self),
            accelerators: try row.decode(column: "accelerators", as: Int.self),
            term: try row.decode(column: "term", as: String.self),
            start: try row.decode(column: "start_month", as: String.self),
            months: try row.decode(column: "months", as: Int.self),
            pricePerAcceleratorHour: try row.decode(column: "price_per_accelerator_hour", as: String.self),
            monthlyCost: try row.decode(column: "monthly_cost", as: String.self),
            totalCost: try row.decode(column: "total_cost", as: String.self),
            state: LeaseState(rawValue: try row.decode(column: "state", as: String.self)) ?? .terminated,
            version: try row.decode(column: "version", as: Int64.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self))
    }

    /// Leases by id, optionally in one state.
    public func leases(state: LeaseState?, after cursor: String?, limit: Int) async throws -> Page<LeaseRecord> {
        let rows = try await database.session { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: Self.leaseColumns) FROM leases WHERE id > \(bind: cursor ?? "")
                AND (\(bind: state?.rawValue ?? "") = '' OR state = \(bind: state?.rawValue ?? ""))
                ORDER BY id LIMIT \(bind: limit + 1)
                """
            ).all()
        }
        return page(try rows.map(Self.leaseRecord), limit: limit) { $0.id }
    }

    /// A lease and its history.
    public func lease(_ id: String) async throws -> (LeaseRecord, [LeaseEvent]) {
        try await database.session { sql in
            guard
                let row = try await sql.raw("SELECT \(unsafeRaw: Self.leaseColumns) FROM leases WHERE id = \(bind: id)")
                    .first()
            else { throw StoreError.notFound("lease '\(id)'") }
            return (try Self.leaseRecord(row), try await Self.leaseEvents(sql, id))
        }
    }

    static func leaseEvents(_ sql: any SQLDatabase, _ id: String) async throws -> [LeaseEvent] {
        try await sql.raw(
            "SELECT from_state, to_state, at, actor, note FROM lease_events WHERE lease_id = \(bind: id) ORDER BY seq"
        ).all().map {
            LeaseEvent(
                from: (try $0.decode(column: "from_state", as: String?.self)).flatMap(LeaseState.init(rawValue:)),
                to: LeaseState(rawValue: try $0.decode(column: "to_state", as: String.self)) ?? .terminated,
                at: try $0.decode(column: "at", as: Int64.self), actor: try $0.decode(column: "actor", as: String.self),
                note: try $0.decode(column: "note", as: String.self))
        }
    }

    static func recordLeaseEvent(
        _ sql: any SQLDatabase, lease: String, from: LeaseState?, to: LeaseState, actor: Actor, note: String
    ) async throws {
        try await sql.raw(
            """
            INSERT INTO lease_events (lease_id, from_state, to_state, at, actor, note)
            VALUES (\(bind: lease), \(bind: from?.rawValue), \(bind: to.rawValue), \(bind: StoreClock.nowMillis()),
            \(bind: actor.label), \(bind: note))
            """
        ).run()
    }

    /// Moves a lease to `to`, if the lifecycle allows it and `ifMatch` is its current version.
    public func transitionLease(_ id: String, to: LeaseState, ifMatch: Precondition?, note: String, actor: Actor)
        async throws -> (LeaseRecord, [LeaseEvent])
    {
        try await database.transaction { sql in
            guard
                let row = try await sql.raw(
                    "SELECT \(unsafeRaw: Self.leaseColumns) FROM leases WHERE id = \(bind: id)\(unsafeRaw: self.forUpdate)"
                ).first()
            else { throw StoreError.notFound("lease '\(id)'") }
            var lease = try Self.leaseRecord(row)
            guard let ifMatch else {
                throw StoreError.preconditionRequired("send If-Match with the version you read (its ETag)")
            }
            guard ifMatch.allows(lease.version) else { throw StoreError.preconditionFailed(current: lease.version) }
            guard lease.state.next.contains(to) else {
                throw StoreError.transition(from: lease.state, to: to, allowed: lease.state.next)
            }
            let from = lease.state
            lease.state = to
            lease.version += 1
            lease.updatedAt = StoreClock.nowMillis()
            try await sql.raw(
                """
                UPDATE leases SET state = \(bind: to.rawValue), version = \(bind: lease.version),
                updated_at = \(bind: lease.updatedAt) WHERE id = \(bind: id)
                """
            ).run()
            try await Self.recordLeaseEvent(sql, lease: id, from: from, to: to, actor: actor, note: note)
            try await Self.audit(sql, actor, "lease.\(to.rawValue)", "lease \(id)", "\(from.rawValue) → \(to.rawValue)")
            return (lease, try await Self.leaseEvents(sql, id))
        }
    }

    // MARK: incidents

    /// Records an incident against a plan and queues its re-plan. The incident document is
    /// checked against the plan's scenario first (names, months).
    public func recordIncident(
        plan planID: String, incident: DocumentNode, timeLimitSeconds: Double, relativeGap: Double, actor: Actor
    ) async throws -> (IncidentRecord, JobRecord) {
        let base = try await plan(planID)
        let (_, scenario) = try await snapshot(version: base.scenarioVersion)
        // As JSON, whatever it was read from: text is text, numbers are numbers.
        let incident = try DocumentNode.json(incident.json)
        let decoded: Incident
        do {
            decoded = try Incident.decode(incident, scenario: scenario, strictText: true)
        } catch let error as InputError {
            throw StoreError.invalid(
                InputError(
                    error.diagnostics.map {
                        Diagnostic(path: "incident" + ($0.path.isEmpty ? "" : "." + $0.path), message: $0.message)
                    }))
        }
        return try await database.transaction { sql in
            let id = newID("incident")
            let payload = JobPayload(
                scenarioVersion: base.scenarioVersion, timeLimitSeconds: timeLimitSeconds, relativeGap: relativeGap,
                basePlan: planID, incident: id)
            let job = try await Self.enqueue(sql, kind: "replan", payload: payload, actor: actor)
            let record = IncidentRecord(
                id: id, planId: planID, body: incident.json, summary: Self.summary(decoded), jobId: job.id,
                createdAt: StoreClock.nowMillis(), actor: actor.label)
            try await sql.raw(
                """
                INSERT INTO incidents (id, plan_id, body, summary, job_id, created_at, actor)
                VALUES (\(bind: id), \(bind: planID), \(bind: record.body), \(bind: record.summary),
                \(bind: job.id), \(bind: record.createdAt), \(bind: record.actor))
                """
            ).run()
            try await Self.audit(sql, actor, "incident.record", "incident \(id)", record.summary)
            return (record, job)
        }
    }

    static func summary(_ incident: Incident) -> String {
        let duration = incident.months.map { " for \($0) month\($0 == 1 ? "" : "s")" } ?? ""
        switch incident.kind {
        case .outage:
            let delivered = Int((incident.deliveredFraction * 100).rounded())
            return "\(incident.provider.rawValue) outage from \(incident.from)\(duration) (\(delivered)% delivered)"
        case .slip:
            return
                "\(incident.provider.rawValue) slips deliveries from \(incident.from) by \(incident.months ?? 0) months"
        case .sitePower:
            let site = incident.site?.rawValue ?? incident.provider.rawValue
            let delivered = Int((incident.deliveredFraction * 100).rounded())
            return "power at \(site) from \(incident.from)\(duration) (\(delivered)% available)"
        }
    }

    static let incidentColumns = """
        i.id, i.plan_id, i.body, i.summary, i.job_id, i.created_at, i.actor, j.plan_id AS replan_id
        """

    static func incidentRecord(_ row: any SQLRow) throws -> IncidentRecord {
        IncidentRecord(
            id: try row.decode(column: "id", as: String.self),
            planId: try row.decode(column: "plan_id", as: String.self),
            body: try row.decode(column: "body", as: String.self),
            summary: try row.decode(column: "summary", as: String.self),
            jobId: try row.decode(column: "job_id", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            actor: try row.decode(column: "actor", as: String.self),
            replanId: try row.decode(column: "replan_id", as: String?.self))
    }

    /// Incidents, newest first.
    public func incidents(after cursor: String?, limit: Int) async throws -> Page<IncidentRecord> {
        let (beforeTime, beforeID) = Self.splitCursor(cursor)
        let rows = try await database.session { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: Self.incidentColumns) FROM incidents i LEFT JOIN jobs j ON j.id = i.job_id
                WHERE i.created_at < \(bind: beforeTime) OR (i.created_at = \(bind: beforeTime) AND i.id < \(bind: beforeID))
                ORDER BY i.created_at DESC, i.id DESC LIMIT \(bind: limit + 1)
                """
            ).all()
        }
        return page(try rows.map(Self.incidentRecord), limit: limit) { "\($0.createdAt)_\($0.id)" }
    }

    /// One incident.
    public func incident(_ id: String) async throws -> IncidentRecord {
        let row = try await database.session { sql in
            try await sql.raw(
                """
                SELECT \(unsafeRaw: Self.incidentColumns) FROM incidents i LEFT JOIN jobs j ON j.id = i.job_id
                WHERE i.id = \(bind: id)
                """
            ).first()
        }
        guard let row else { throw StoreError.notFound("incident '\(id)'") }
        return try Self.incidentRecord(row)
    }
}

extension Store {
    /// How many jobs are in each state.
    public func jobCounts() async throws -> [(String, Int)] {
        try await database.session { sql in
            try await sql.raw("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state ORDER BY state").all().map {
                (try $0.decode(column: "state", as: String.self), try $0.decode(column: "n", as: Int.self))
            }
        }
    }
}

extension Store {
    /// How many leases are in each state.
    public func leaseCounts() async throws -> [LeaseState: Int] {
        try await database.session { sql in
            var counts: [LeaseState: Int] = [:]
            for row in try await sql.raw("SELECT state, COUNT(*) AS n FROM leases GROUP BY state").all() {
                if let state = LeaseState(rawValue: try row.decode(column: "state", as: String.self)) {
                    counts[state] = try row.decode(column: "n", as: Int.self)
                }
            }
            return counts
        }
    }
}
