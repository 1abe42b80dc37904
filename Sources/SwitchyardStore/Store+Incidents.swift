import Foundation
import SQLKit
import SwitchyardCatalog
import SwitchyardModel

/// Incidents: recorded against a plan, each with the re-plan job it starts.
extension Store {
    /// Records an incident against a plan and queues its re-plan. The incident document is
    /// checked against the plan's scenario first (names, months).
    public func recordIncident(
        plan planID: String, incident: DocumentNode, timeLimitSeconds: Double, relativeGap: Double, actor: Actor,
        limits: JobLimits = .unlimited
    ) async throws -> (IncidentRecord, JobRecord) {
        let base = try await plan(planID)
        let madeBy = try? await job(base.jobId)
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
            try await self.lockWorkspace(sql)
            try await Self.checkRoom(sql, limits: limits, actor: actor)
            let id = newID("incident")
            // A what-if's re-plan is made on the scenario the what-if was planned on.
            let payload = JobPayload(
                scenarioVersion: base.scenarioVersion, timeLimitSeconds: timeLimitSeconds, relativeGap: relativeGap,
                basePlan: planID, incident: id, whatIf: madeBy?.payload.whatIf)
            let job = try await Self.enqueue(sql, kind: .replan, payload: payload, actor: actor)
            let record = IncidentRecord(
                id: id, planId: planID, body: incident.json, summary: Self.summary(decoded), jobId: job.id,
                createdAtMilliseconds: StoreClock.nowMillis(), actor: actor.label)
            try await sql.raw(
                """
                INSERT INTO incidents (id, plan_id, body, summary, job_id, created_at, actor)
                VALUES (\(bind: id), \(bind: planID), \(bind: record.body), \(bind: record.summary),
                \(bind: job.id), \(bind: record.createdAtMilliseconds), \(bind: record.actor))
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
            createdAtMilliseconds: try row.decode(column: "created_at", as: Int64.self),
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
        return page(try rows.map(Self.incidentRecord), limit: limit) { "\($0.createdAtMilliseconds)_\($0.id)" }
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
