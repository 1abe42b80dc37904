import Foundation
import SQLKit
import SwitchyardCatalog
import SwitchyardModel

/// Plans: kept with their snapshot and input, listed, and accepted (their leases proposed).
extension Store {
    static let planColumns = """
        id, scenario_version, input_sha256, total_cost, state, parent_plan, incident_id, job_id, created_at,
        accepted_at, accepted_by, superseded_by, version
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
            supersededBy: try row.decode(column: "superseded_by", as: String?.self),
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

    /// Which of `plans` are what-ifs (their job planned changes to the scenario), in one query.
    public func whatIfPlans(_ plans: [PlanRecord]) async throws -> Set<String> {
        guard !plans.isEmpty else { return [] }
        let planOfJob = Dictionary(plans.map { ($0.jobId, $0.id) }) { first, _ in first }
        let rows = try await database.session { sql in
            try await sql.raw(
                "SELECT id, payload FROM jobs WHERE id IN (\(binds: planOfJob.keys.sorted()))"
            ).all().map {
                (try $0.decode(column: "id", as: String.self), try $0.decode(column: "payload", as: String.self))
            }
        }
        var found: Set<String> = []
        for (job, payload) in rows {
            if let decoded = try? JSONDecoder().decode(JobPayload.self, from: Data(payload.utf8)),
                decoded.whatIf != nil,
                let plan = planOfJob[job]
            {
                found.insert(plan)
            }
        }
        return found
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

    /// Accepts a plan at version `ifMatch`, superseding the plan accepted before it: the leases
    /// the plan needs are covered first by leases already signed (in any plan), then by the old
    /// plan's proposed leases (carried over whole into this plan), and what is left is proposed
    /// anew; the old plan's proposed leases this plan does not need are withdrawn. Proposed leases
    /// may never exceed an offer's available nodes in any month (a conflict naming the offer).
    public func acceptPlan(_ id: String, ifMatch: Precondition?, actor: Actor) async throws -> Acceptance {
        try await database.transaction { sql in
            // Two acceptances at once would each see the other's plan as ready.
            let record = try await self.decidedPlan(sql, id, ifMatch: ifMatch, body: true)
            switch record.state {
            case .ready: break
            case .accepted:
                throw StoreError.conflict("plan '\(id)' was accepted already, by \(record.acceptedBy ?? "someone")")
            case .superseded:
                throw StoreError.conflict(
                    "plan '\(id)' was superseded by plan '\(record.supersededBy ?? "?")'; plan again to replace that one"
                )
            case .rejected:
                throw StoreError.conflict("plan '\(id)' was rejected; plan again for one to accept")
            }
            let plan = try PlanFile.decode(Data(record.body.utf8))
            if let whatIf = plan.whatIf {
                throw StoreError.conflict(
                    "plan '\(id)' is a what-if (\(whatIf.joined(separator: "; "))): its leases rest on terms "
                        + "nobody offered; make the change in the scenario and plan again to accept it")
            }
            let now = StoreClock.nowMillis()
            let live = try await sql.raw(
                """
                SELECT \(unsafeRaw: Self.leaseColumns) FROM leases
                WHERE state IN ('proposed', 'signed', 'provisioning', 'active') ORDER BY id
                """
            ).all().map(Self.leaseRecord)
            var acceptance = Acceptance(proposed: [], carried: [], withdrawn: [], superseded: [])
            // What each live lease can still give this plan: signed ones any part of their nodes,
            // proposed ones only whole (what is not needed of them is withdrawn and proposed anew).
            var left = Dictionary(uniqueKeysWithValues: live.map { ($0.id, $0.nodes) })
            var byKey: [String: [LeaseRecord]] = [:]
            for lease in live.sorted(by: {
                ($0.state == .proposed ? 1 : 0, $0.id) < ($1.state == .proposed ? 1 : 0, $1.id)
            }) {
                byKey[Self.leaseKey(lease.offer, lease.term, lease.start), default: []].append(lease)
            }
            var touched: Set<String> = []
            for lease in plan.leases {
                var need = lease.nodes
                for old in byKey[Self.leaseKey(lease.offer.rawValue, lease.term.rawValue, lease.start.description)]
                    ?? []
                {
                    guard need > 0, let available = left[old.id], available > 0 else { continue }
                    if old.state != .proposed {
                        let used = min(need, available)
                        left[old.id] = available - used
                        need -= used
                    } else if old.nodes <= need {
                        left[old.id] = 0
                        need -= old.nodes
                        acceptance.carried.append(try await Self.carryLease(sql, old, into: id, at: now, actor: actor))
                    }
                }
                guard need > 0 else { continue }
                let created = Self.proposedLease(lease, nodes: need, plan: id, at: now)
                try await Self.insertLease(sql, created)
                try await Self.recordLeaseEvent(
                    sql, lease: created.id, from: nil, to: .proposed, actor: actor, note: "from plan \(id)")
                acceptance.proposed.append(created)
                touched.insert(created.offer)
            }
            for old in live where old.state == .proposed && left[old.id] == old.nodes {
                acceptance.withdrawn.append(
                    try await Self.withdrawLease(
                        sql, old, because: "plan \(old.planId) superseded by plan \(id)",
                        at: now, actor: actor))
            }
            try await self.checkAvailability(sql, offers: touched, snapshot: record.scenarioVersion)
            acceptance.superseded = try await sql.raw(
                "SELECT id FROM plans WHERE state = 'accepted' AND id <> \(bind: id) ORDER BY id"
            ).all().map { try $0.decode(column: "id", as: String.self) }
            for old in acceptance.superseded {
                try await sql.raw(
                    """
                    UPDATE plans SET state = 'superseded', superseded_by = \(bind: id), version = version + 1
                    WHERE id = \(bind: old)
                    """
                ).run()
                try await Self.audit(sql, actor, "plan.supersede", "plan \(old)", "by plan \(id)")
            }
            try await sql.raw(
                """
                UPDATE plans SET state = 'accepted', accepted_at = \(bind: now), accepted_by = \(bind: actor.label),
                version = version + 1 WHERE id = \(bind: id)
                """
            ).run()
            try await Self.audit(
                sql, actor, "plan.accept", "plan \(id)",
                "\(acceptance.proposed.count) proposed, \(acceptance.carried.count) carried over, "
                    + "\(acceptance.withdrawn.count) withdrawn leases")
            return acceptance
        }
    }

    /// Sets a ready plan aside (`rejected`): it is kept, with who rejected it and why in the audit
    /// log, and is never accepted. `conflict` for a plan that is not ready (an accepted plan is
    /// replaced by accepting another).
    public func rejectPlan(_ id: String, ifMatch: Precondition?, reason: String, actor: Actor) async throws
        -> PlanRecord
    {
        try await database.transaction { sql in
            let record = try await self.decidedPlan(sql, id, ifMatch: ifMatch, body: false)
            guard record.state == .ready else {
                throw StoreError.conflict(
                    "plan '\(id)' is \(record.state.rawValue), not ready: only a plan waiting for a decision is rejected"
                )
            }
            try await sql.raw(
                "UPDATE plans SET state = 'rejected', version = version + 1 WHERE id = \(bind: id)"
            ).run()
            try await Self.audit(sql, actor, "plan.reject", "plan \(id)", reason.isEmpty ? "no reason given" : reason)
            var rejected = record
            rejected.state = .rejected
            rejected.version += 1
            return rejected
        }
    }

    /// The plan a decision (accept, reject) is about, inside the caller's transaction: the
    /// workspace locked and the plan's row held, `notFound` for an unknown plan and
    /// `preconditionFailed` when it changed since the version `ifMatch` names.
    func decidedPlan(_ sql: any SQLDatabase, _ id: String, ifMatch: Precondition?, body: Bool) async throws
        -> PlanRecord
    {
        try await lockWorkspace(sql)
        let columns = body ? Self.planColumns + ", body" : Self.planColumns
        guard
            let row = try await sql.raw(
                "SELECT \(unsafeRaw: columns) FROM plans WHERE id = \(bind: id)\(unsafeRaw: forUpdate)"
            ).first()
        else { throw StoreError.notFound("plan '\(id)'") }
        let record = try Self.planRecord(row, body: body)
        if let ifMatch, !ifMatch.allows(record.version) {
            throw StoreError.preconditionFailed(current: record.version)
        }
        return record
    }

    static func leaseKey(_ offer: String, _ term: String, _ start: String) -> String {
        [offer, term, start].joined(separator: "|")
    }

    /// A proposed lease of `nodes` of the plan's `lease` (its cost in proportion).
    static func proposedLease(_ lease: Lease, nodes: Int, plan: String, at now: Int64) -> LeaseRecord {
        let share = Decimal(nodes) / Decimal(lease.nodes)
        return LeaseRecord(
            id: newID("lease"), planId: plan, offer: lease.offer.rawValue, provider: lease.provider.rawValue,
            accelerator: lease.accelerator.rawValue, nodes: nodes,
            accelerators: lease.accelerators * nodes / lease.nodes, term: lease.term.rawValue,
            start: lease.start.description, months: lease.months,
            pricePerAcceleratorHour: lease.pricePerAcceleratorHour.description,
            monthlyCost: (lease.monthlyCost * share).description,
            totalCost: (lease.totalCost * share).description, state: .proposed, version: 1,
            createdAtMilliseconds: now, updatedAtMilliseconds: now)
    }

    static func insertLease(_ sql: any SQLDatabase, _ record: LeaseRecord) async throws {
        try await sql.raw(
            """
            INSERT INTO leases (id, plan_id, offer_id, provider_id, accelerator, nodes, accelerators, term,
            start_month, months, price_per_accelerator_hour, monthly_cost, total_cost, state, version,
            created_at, updated_at)
            VALUES (\(bind: record.id), \(bind: record.planId), \(bind: record.offer), \(bind: record.provider),
            \(bind: record.accelerator), \(bind: record.nodes), \(bind: record.accelerators),
            \(bind: record.term), \(bind: record.start), \(bind: record.months),
            \(bind: record.pricePerAcceleratorHour), \(bind: record.monthlyCost), \(bind: record.totalCost),
            'proposed', 1, \(bind: record.createdAtMilliseconds), \(bind: record.updatedAtMilliseconds))
            """
        ).run()
    }

    /// Moves a proposed lease into plan `plan`, unchanged but for its plan (and version).
    static func carryLease(_ sql: any SQLDatabase, _ lease: LeaseRecord, into plan: String, at now: Int64, actor: Actor)
        async throws -> LeaseRecord
    {
        var lease = lease
        let from = lease.planId
        lease.planId = plan
        lease.version += 1
        lease.updatedAtMilliseconds = now
        try await sql.raw(
            """
            UPDATE leases SET plan_id = \(bind: plan), version = \(bind: lease.version), updated_at = \(bind: now)
            WHERE id = \(bind: lease.id)
            """
        ).run()
        try await recordLeaseEvent(
            sql, lease: lease.id, from: .proposed, to: .proposed, actor: actor,
            note: "carried over from plan \(from) into plan \(plan)")
        return lease
    }

    /// Withdraws a proposed lease nobody needs any more, with its reason in its history and the audit log.
    static func withdrawLease(
        _ sql: any SQLDatabase, _ lease: LeaseRecord, because note: String, at now: Int64, actor: Actor
    ) async throws -> LeaseRecord {
        var lease = lease
        lease.state = .withdrawn
        lease.version += 1
        lease.updatedAtMilliseconds = now
        try await sql.raw(
            """
            UPDATE leases SET state = 'withdrawn', version = \(bind: lease.version), updated_at = \(bind: now)
            WHERE id = \(bind: lease.id)
            """
        ).run()
        try await recordLeaseEvent(sql, lease: lease.id, from: .proposed, to: .withdrawn, actor: actor, note: note)
        try await audit(sql, actor, "lease.withdrawn", "lease \(lease.id)", note)
        return lease
    }

    /// Refuses (a conflict naming the offer and month) when the live leases of any of `offers`
    /// hold more nodes in one month than the offer has available: the workspace's offer, or the
    /// planned snapshot's when the workspace no longer has it.
    func checkAvailability(_ sql: any SQLDatabase, offers: Set<String>, snapshot version: Int64) async throws {
        guard !offers.isEmpty else { return }
        var available: [String: Int] = [:]
        for offer in try await validatedWorkspace(sql)?.scenario.offers ?? [] {
            available[offer.id.rawValue] = offer.availableNodes
        }
        if offers.contains(where: { available[$0] == nil }),
            let row = try await sql.raw("SELECT body FROM scenarios WHERE version = \(bind: version)").first()
        {
            for offer in try Self.decodeScenario(try row.decode(column: "body", as: String.self)).offers
            where available[offer.id.rawValue] == nil {
                available[offer.id.rawValue] = offer.availableNodes
            }
        }
        for offer in offers.sorted() {
            guard let limit = available[offer] else { continue }
            var held: [YearMonth: Int] = [:]
            let rows = try await sql.raw(
                """
                SELECT start_month, months, nodes FROM leases WHERE offer_id = \(bind: offer)
                AND state IN ('proposed', 'signed', 'provisioning', 'active')
                """
            ).all()
            for row in rows {
                guard let start = YearMonth(parsing: try row.decode(column: "start_month", as: String.self)) else {
                    continue
                }
                for k in 0..<(try row.decode(column: "months", as: Int.self)) {
                    held[start.adding(months: k), default: 0] += try row.decode(column: "nodes", as: Int.self)
                }
            }
            if let (month, nodes) = held.filter({ $0.value > limit }).min(by: { $0.key < $1.key }) {
                throw StoreError.conflict(
                    "offer '\(offer)' has \(limit) nodes available, but its live leases would hold \(nodes) in \(month)"
                )
            }
        }
    }
}

/// What accepting a plan did to the leases.
public struct Acceptance: Sendable, Equatable {
    /// Leases proposed anew for this plan.
    public var proposed: [LeaseRecord]
    /// Proposed leases of the plan it superseded, now this plan's.
    public var carried: [LeaseRecord]
    /// Proposed leases of the plan it superseded that it does not need.
    public var withdrawn: [LeaseRecord]
    /// The plans it superseded.
    public var superseded: [String]
}
