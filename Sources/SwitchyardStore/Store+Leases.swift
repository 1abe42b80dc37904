import Foundation
import SQLKit
import SwitchyardCatalog
import SwitchyardModel

/// Leases and their lifecycle: every move validated, versioned and recorded with its actor.
extension Store {
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
            state: try Self.decode(LeaseState.self, row, column: "state"),
            version: try row.decode(column: "version", as: Int64.self),
            createdAtMilliseconds: try row.decode(column: "created_at", as: Int64.self),
            updatedAtMilliseconds: try row.decode(column: "updated_at", as: Int64.self))
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
                to: try Self.decode(LeaseState.self, $0, column: "to_state"),
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
            lease.updatedAtMilliseconds = StoreClock.nowMillis()
            try await sql.raw(
                """
                UPDATE leases SET state = \(bind: to.rawValue), version = \(bind: lease.version),
                updated_at = \(bind: lease.updatedAtMilliseconds) WHERE id = \(bind: id)
                """
            ).run()
            try await Self.recordLeaseEvent(sql, lease: id, from: from, to: to, actor: actor, note: note)
            try await Self.audit(sql, actor, "lease.\(to.rawValue)", "lease \(id)", "\(from.rawValue) → \(to.rawValue)")
            return (lease, try await Self.leaseEvents(sql, id))
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
