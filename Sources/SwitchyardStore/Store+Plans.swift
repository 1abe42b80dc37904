import Foundation
import SQLKit
import SwitchyardCatalog
import SwitchyardModel

/// Plans: kept with their snapshot and input, listed, and accepted (their leases proposed).
extension Store {
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
            state: try Self.decode(PlanState.self, row, column: "state"),
            parentPlan: try row.decode(column: "parent_plan", as: String?.self),
            incidentId: try row.decode(column: "incident_id", as: String?.self),
            jobId: try row.decode(column: "job_id", as: String.self),
            createdAtMilliseconds: try row.decode(column: "created_at", as: Int64.self),
            acceptedAtMilliseconds: try row.decode(column: "accepted_at", as: Int64?.self),
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
        return page(try rows.map { try Self.planRecord($0, body: false) }, limit: limit) {
            "\($0.createdAtMilliseconds)_\($0.id)"
        }
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
            guard record.state == .ready else {
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
                    totalCost: (lease.totalCost * share).description, state: .proposed, version: 1,
                    createdAtMilliseconds: now,
                    updatedAtMilliseconds: now)
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
}
