import Foundation
import SQLKit
import SwitchyardCatalog
import SwitchyardModel

/// The workspace: the scenario being edited, kept as settings plus one row per entity. Every
/// change is validated as a whole scenario (references, units, windows) before it is written, so
/// the workspace is always a valid scenario.
extension Store {
    /// The order of a scenario document's keys.
    static let documentOrder = [
        "name", "horizon", "hoursPerMonth", "referenceAccelerator", "accelerators", "providers", "offers",
        "colocation", "ownedFleets", "workloads", "policy", "risk",
    ]

    struct Workspace {
        var settings: DocumentNode
        var version: Int64
        var sections: [EntityKind: [(id: String, node: DocumentNode, version: Int64)]]

        /// The whole scenario document, in the file's key order.
        func document() -> DocumentNode {
            var pairs: [(key: String, value: DocumentNode)] = []
            for key in Store.documentOrder {
                if let kind = EntityKind.allCases.first(where: { $0.section == key }) {
                    pairs.append((key, .sequence((sections[kind] ?? []).map(\.node), line: nil)))
                } else if let value = settings.value(key) {
                    pairs.append((key, value))
                }
            }
            return .mapping(pairs, line: nil)
        }
    }

    static func loadWorkspace(_ sql: any SQLDatabase) async throws -> Workspace? {
        guard let row = try await sql.raw("SELECT body, version FROM workspace WHERE id = 1").first() else {
            return nil
        }
        var workspace = Workspace(
            settings: try .json(try row.decode(column: "body", as: String.self)),
            version: try row.decode(column: "version", as: Int64.self), sections: [:])
        for row in try await sql.raw("SELECT kind, id, body, version FROM entities ORDER BY kind, position").all() {
            guard let kind = EntityKind(rawValue: try row.decode(column: "kind", as: String.self)) else { continue }
            workspace.sections[kind, default: []].append(
                (
                    try row.decode(column: "id", as: String.self),
                    try .json(try row.decode(column: "body", as: String.self)),
                    try row.decode(column: "version", as: Int64.self)
                ))
        }
        return workspace
    }

    /// The workspace as a scenario; nil before the first import.
    public func workspace() async throws -> Scenario? {
        try await database.session { try await self.validatedWorkspace($0) }?.scenario
    }

    /// The workspace validated, with its canonical JSON and that text's SHA-256: from the cache
    /// when nothing has changed since it was read, else read, checked and cached.
    func validatedWorkspace(_ sql: any SQLDatabase) async throws -> ValidatedWorkspace? {
        guard let row = try await sql.raw("SELECT version FROM workspace WHERE id = 1").first() else { return nil }
        let version = try row.decode(column: "version", as: Int64.self)
        if let cached = workspaceCache.withLock({ $0 }), cached.version == version { return cached }
        guard let ws = try await Self.loadWorkspace(sql) else { return nil }
        let scenario = try Self.validate(ws, focus: nil)
        let text = ScenarioFile.text(scenario, format: .json)
        let validated = ValidatedWorkspace(version: ws.version, scenario: scenario, text: text, sha256: sha256Hex(text))
        workspaceCache.withLock { $0 = validated }
        return validated
    }

    /// Serialises changes to the workspace (and the snapshots taken of it) for the rest of the
    /// transaction. SQLite's BEGIN IMMEDIATE already does; on PostgreSQL, whose transactions read
    /// committed data statement by statement, two writers could otherwise both pass the same
    /// If-Match or number the same snapshot.
    func lockWorkspace(_ sql: any SQLDatabase) async throws {
        if database.dialect == .postgres { try await sql.raw("SELECT pg_advisory_xact_lock(7302)").run() }
    }

    /// `FOR UPDATE` where the database has it: the row read is held until the transaction ends.
    var forUpdate: String { database.dialect == .postgres ? " FOR UPDATE" : "" }

    /// Raises the workspace's version: every change to it does, in its own transaction.
    static func touchWorkspace(_ sql: any SQLDatabase) async throws {
        try await sql.raw(
            "UPDATE workspace SET version = version + 1, updated_at = \(bind: StoreClock.nowMillis()) WHERE id = 1"
        ).run()
    }

    /// Replaces the whole workspace with `scenario` and keeps a snapshot of it.
    @discardableResult
    public func importScenario(_ scenario: Scenario, actor: Actor) async throws -> SnapshotRecord {
        try await database.transaction { sql in
            try await self.lockWorkspace(sql)
            return try await Self.writeImport(sql, scenario, actor: actor)
        }
    }

    /// Imports `scenario` and queues its first plan, in one transaction under the workspace lock,
    /// only when the record has no workspace yet: of servers started together on one empty
    /// database, exactly one imports. The queued job, or nil when there already was a workspace.
    public func importIfEmpty(_ scenario: Scenario, timeLimitSeconds: Double, relativeGap: Double, actor: Actor)
        async throws -> JobRecord?
    {
        try await database.transaction { sql in
            try await self.lockWorkspace(sql)
            guard try await sql.raw("SELECT version FROM workspace WHERE id = 1").first() == nil else { return nil }
            try await Self.writeImport(sql, scenario, actor: actor)
            return try await self.queuePlan(
                sql, timeLimitSeconds: timeLimitSeconds, relativeGap: relativeGap, actor: actor)
        }
    }

    /// Replaces the workspace with `scenario` inside the caller's transaction (which holds the
    /// workspace lock) and keeps a snapshot of it.
    @discardableResult
    static func writeImport(_ sql: any SQLDatabase, _ scenario: Scenario, actor: Actor) async throws -> SnapshotRecord {
        let now = StoreClock.nowMillis()
        let document = ScenarioCodec.encode(scenario)
        var settings = document
        for kind in EntityKind.allCases { settings = settings.setting(kind.section, nil) }
        let old = try await Self.loadWorkspace(sql)
        var oldVersions: [String: Int64] = [:]
        for (kind, list) in old?.sections ?? [:] {
            for entity in list { oldVersions["\(kind.rawValue)/\(entity.id)"] = entity.version }
        }
        try await sql.raw("DELETE FROM entities").run()
        try await sql.raw(
            """
            INSERT INTO workspace (id, body, version, updated_at) VALUES (1, \(bind: settings.json), 1, \(bind: now))
            ON CONFLICT (id) DO UPDATE SET body = excluded.body, version = workspace.version + 1,
            updated_at = excluded.updated_at
            """
        ).run()
        for kind in EntityKind.allCases {
            for (position, node) in (document.value(kind.section)?.items ?? []).enumerated() {
                let id = node.value("id")?.text ?? ""
                try await sql.raw(
                    """
                    INSERT INTO entities (kind, id, position, body, version, created_at, updated_at)
                    VALUES (\(bind: kind.rawValue), \(bind: id), \(bind: position), \(bind: node.json),
                    \(bind: (oldVersions["\(kind.rawValue)/\(id)"] ?? 0) + 1), \(bind: now), \(bind: now))
                    """
                ).run()
                if kind == .offers { try await Self.recordPrices(sql, offer: id, node: node, actor: actor) }
            }
        }
        let snapshot = try await Self.snapshot(sql, scenario, source: "import", actor: actor)
        try await Self.audit(
            sql, actor, "scenario.import", "scenario v\(snapshot.version)",
            "\(scenario.name): \(scenario.providers.count) providers, \(scenario.offers.count) offers, "
                + "\(scenario.workloads.count) workloads")
        return snapshot
    }

    /// Keeps `scenario` as a new snapshot unless the newest one is the same scenario.
    static func snapshot(
        _ sql: any SQLDatabase, _ scenario: Scenario, source: String, actor: Actor, text: String? = nil,
        sha256: String? = nil
    ) async throws -> SnapshotRecord {
        let text = text ?? ScenarioFile.text(scenario, format: .json)
        let hash = sha256 ?? sha256Hex(text)
        if let newest = try await sql.raw(
            "SELECT version, name, sha256, source, created_at, actor FROM scenarios ORDER BY version DESC LIMIT 1"
        ).first(), try newest.decode(column: "sha256", as: String.self) == hash {
            return try snapshotRecord(newest)
        }
        let row = try await sql.raw("SELECT COALESCE(MAX(version), 0) AS v FROM scenarios").first()
        let version = (try row?.decode(column: "v", as: Int64.self) ?? 0) + 1
        let record = SnapshotRecord(
            version: version, name: scenario.name, sha256: hash, source: source,
            createdAtMilliseconds: StoreClock.nowMillis(),
            actor: actor.label)
        try await sql.raw(
            """
            INSERT INTO scenarios (version, name, body, sha256, source, created_at, actor)
            VALUES (\(bind: version), \(bind: scenario.name), \(bind: text), \(bind: hash), \(bind: source),
            \(bind: record.createdAtMilliseconds), \(bind: record.actor))
            """
        ).run()
        return record
    }

    static func snapshotRecord(_ row: any SQLRow) throws -> SnapshotRecord {
        SnapshotRecord(
            version: try row.decode(column: "version", as: Int64.self),
            name: try row.decode(column: "name", as: String.self),
            sha256: try row.decode(column: "sha256", as: String.self),
            source: try row.decode(column: "source", as: String.self),
            createdAtMilliseconds: try row.decode(column: "created_at", as: Int64.self),
            actor: try row.decode(column: "actor", as: String.self))
    }

    /// Snapshots, newest first.
    public func snapshots(after cursor: String?, limit: Int) async throws -> Page<SnapshotRecord> {
        let before = Int64(cursor ?? "") ?? .max
        let rows = try await database.session { sql in
            try await sql.raw(
                """
                SELECT version, name, sha256, source, created_at, actor FROM scenarios
                WHERE version < \(bind: before) ORDER BY version DESC LIMIT \(bind: limit + 1)
                """
            ).all()
        }
        return page(try rows.map(Self.snapshotRecord), limit: limit) { String($0.version) }
    }

    /// One snapshot and its scenario.
    public func snapshot(version: Int64) async throws -> (SnapshotRecord, Scenario) {
        let row = try await database.session { sql in
            try await sql.raw(
                "SELECT version, name, body, sha256, source, created_at, actor FROM scenarios WHERE version = \(bind: version)"
            ).first()
        }
        guard let row else { throw StoreError.notFound("scenario version \(version)") }
        return (try Self.snapshotRecord(row), try Self.decodeScenario(try row.decode(column: "body", as: String.self)))
    }

    static func decodeScenario(_ text: String) throws -> Scenario {
        try ScenarioFile.load(data: Data(text.utf8), format: .json)
    }

    // MARK: entities

    /// One page of `kind`, by id.
    public func entities(_ kind: EntityKind, after cursor: String?, limit: Int) async throws -> Page<EntityRecord> {
        let rows = try await database.session { sql in
            try await sql.raw(
                """
                SELECT id, body, version, updated_at FROM entities WHERE kind = \(bind: kind.rawValue)
                AND id > \(bind: cursor ?? "") ORDER BY id LIMIT \(bind: limit + 1)
                """
            ).all()
        }
        return page(try rows.map { try Self.entityRecord(kind, $0) }, limit: limit) { $0.id }
    }

    /// One entity.
    public func entity(_ kind: EntityKind, id: String) async throws -> EntityRecord {
        let row = try await database.session { sql in
            try await sql.raw(
                """
                SELECT id, body, version, updated_at FROM entities WHERE kind = \(bind: kind.rawValue) AND id = \(bind: id)
                """
            ).first()
        }
        guard let row else { throw StoreError.notFound("\(kind.singular) '\(id)'") }
        return try Self.entityRecord(kind, row)
    }

    static func entityRecord(_ kind: EntityKind, _ row: any SQLRow) throws -> EntityRecord {
        EntityRecord(
            kind: kind, id: try row.decode(column: "id", as: String.self),
            body: try row.decode(column: "body", as: String.self),
            version: try row.decode(column: "version", as: Int64.self),
            updatedAtMilliseconds: try row.decode(column: "updated_at", as: Int64.self))
    }

    /// Creates (`id` nil: the body's id) or replaces (`id` given, `ifMatch` its current version)
    /// an entity, after checking the whole scenario with it in place. Problems in the body are
    /// reported with paths inside the body (`prices.onDemand`); problems it causes elsewhere with
    /// their scenario path.
    public func putEntity(_ kind: EntityKind, id: String?, body: DocumentNode, ifMatch: Precondition?, actor: Actor)
        async throws -> EntityRecord
    {
        guard case .mapping = body else {
            throw StoreError.invalid(InputError([Diagnostic(path: "", message: "expected a JSON object")]))
        }
        var bodyID: String?
        if let raw = body.value("id") {
            guard case .scalar(let text, quoted: true, _) = raw else {
                throw StoreError.invalid(
                    InputError([Diagnostic(path: "id", message: "expected text, found \(raw.kindName)", line: raw.line)]
                    ))
            }
            bodyID = text
        }
        if let id, let bodyID, bodyID != id {
            throw StoreError.invalid(
                InputError([Diagnostic(path: "id", message: "'\(bodyID)' does not match the URL's id '\(id)'")]))
        }
        // The body is the whole entity, its id included (on PUT it must match the URL's).
        guard let entityID = bodyID, !entityID.isEmpty else {
            throw StoreError.invalid(InputError([Diagnostic(path: "id", message: "missing required field")]))
        }
        let node = body
        return try await database.transaction { sql in
            try await self.lockWorkspace(sql)
            guard var ws = try await Self.loadWorkspace(sql) else { throw StoreError.conflict(Self.noWorkspace) }
            var list = ws.sections[kind] ?? []
            let index: Int
            var previous: DocumentNode?
            let existing = list.firstIndex { $0.id == entityID }
            if id == nil {
                if existing != nil { throw StoreError.conflict("\(kind.singular) '\(entityID)' exists") }
                index = list.count
                list.append((entityID, node, 0))
            } else {
                guard let existing else { throw StoreError.notFound("\(kind.singular) '\(entityID)'") }
                index = existing
                previous = list[index].node
                list[index].node = node
            }
            let version = list[index].version + 1
            ws.sections[kind] = list
            let scenario = try Self.validate(ws, focus: (kind, index))
            // What is wrong with the body is said first; then whether it was read at this version.
            if existing != nil {
                guard let ifMatch else {
                    throw StoreError.preconditionRequired("send If-Match with the version you read (its ETag)")
                }
                guard ifMatch.allows(list[index].version) else {
                    throw StoreError.preconditionFailed(current: list[index].version)
                }
            }
            if kind == .offers, let offer = scenario.offers.first(where: { $0.id.rawValue == entityID }) {
                try await Self.checkLeasesFit(sql, offer: entityID, availableNodes: offer.availableNodes)
            }
            let canonical = ScenarioCodec.encode(scenario).value(kind.section)!.items[index]
            // A PUT that changes nothing changes nothing: no new version, no audit line.
            if let previous, previous.json == canonical.json {
                let row = try await sql.raw(
                    "SELECT updated_at FROM entities WHERE kind = \(bind: kind.rawValue) AND id = \(bind: entityID)"
                ).first()
                return EntityRecord(
                    kind: kind, id: entityID, body: canonical.json, version: list[index].version,
                    updatedAtMilliseconds: try row?.decode(column: "updated_at", as: Int64.self) ?? 0)
            }
            let now = StoreClock.nowMillis()
            if existing == nil {
                try await sql.raw(
                    """
                    INSERT INTO entities (kind, id, position, body, version, created_at, updated_at)
                    VALUES (\(bind: kind.rawValue), \(bind: entityID),
                    (SELECT COALESCE(MAX(position), -1) + 1 FROM entities WHERE kind = \(bind: kind.rawValue)),
                    \(bind: canonical.json), \(bind: version), \(bind: now), \(bind: now))
                    """
                ).run()
            } else {
                try await sql.raw(
                    """
                    UPDATE entities SET body = \(bind: canonical.json), version = \(bind: version),
                    updated_at = \(bind: now) WHERE kind = \(bind: kind.rawValue) AND id = \(bind: entityID)
                    """
                ).run()
            }
            if kind == .offers { try await Self.recordPrices(sql, offer: entityID, node: canonical, actor: actor) }
            try await Self.touchWorkspace(sql)
            try await Self.audit(
                sql, actor, existing == nil ? "\(kind.rawValue).create" : "\(kind.rawValue).update",
                "\(kind.singular) '\(entityID)'", "version \(version)")
            return EntityRecord(
                kind: kind, id: entityID, body: canonical.json, version: version, updatedAtMilliseconds: now)
        }
    }

    /// Deletes an entity at version `ifMatch`, unless the scenario would be invalid without it
    /// (an offer still naming the provider, say).
    public func deleteEntity(_ kind: EntityKind, id: String, ifMatch: Precondition?, actor: Actor) async throws {
        try await database.transaction { sql in
            try await self.lockWorkspace(sql)
            guard var ws = try await Self.loadWorkspace(sql) else {
                throw StoreError.notFound("\(kind.singular) '\(id)'")
            }
            guard let index = ws.sections[kind]?.firstIndex(where: { $0.id == id }) else {
                throw StoreError.notFound("\(kind.singular) '\(id)'")
            }
            let current = ws.sections[kind]![index].version
            guard let ifMatch else {
                throw StoreError.preconditionRequired("send If-Match with the version you read (its ETag)")
            }
            guard ifMatch.allows(current) else { throw StoreError.preconditionFailed(current: current) }
            if kind == .offers {
                let held = try await Self.liveLeases(sql, offer: id)
                if !held.isEmpty {
                    throw StoreError.conflict(
                        "offer '\(id)' has \(held.count) live lease(s) (\(Self.listed(held.map(\.id)))): "
                            + "withdraw, end or terminate them before deleting the offer")
                }
            }
            ws.sections[kind]!.remove(at: index)
            do {
                _ = try Self.validate(ws, focus: nil)
            } catch StoreError.invalid(let error) {
                throw StoreError.conflict(
                    "deleting \(kind.singular) '\(id)' would leave the scenario invalid", error.diagnostics)
            }
            try await sql.raw("DELETE FROM entities WHERE kind = \(bind: kind.rawValue) AND id = \(bind: id)").run()
            try await Self.touchWorkspace(sql)
            try await Self.audit(sql, actor, "\(kind.rawValue).delete", "\(kind.singular) '\(id)'")
        }
    }

    static let noWorkspace = "there is no scenario yet: import one first (POST /v1/scenarios)"

    /// The live leases (proposed, signed, provisioning, active) of an offer: id, nodes, first
    /// month and months.
    static func liveLeases(_ sql: any SQLDatabase, offer: String) async throws
        -> [(id: String, nodes: Int, start: String, months: Int)]
    {
        let live = LeaseState.allCases.filter(\.isLive).map(\.rawValue)
        return try await sql.raw(
            """
            SELECT id, nodes, start_month, months FROM leases
            WHERE offer_id = \(bind: offer) AND state IN (\(binds: live)) ORDER BY id
            """
        ).all().map { row in
            (
                try row.decode(column: "id", as: String.self), try row.decode(column: "nodes", as: Int.self),
                try row.decode(column: "start_month", as: String.self), try row.decode(column: "months", as: Int.self)
            )
        }
    }

    /// Refuses an offer's `availableNodes` below the nodes its live leases hold in some month.
    static func checkLeasesFit(_ sql: any SQLDatabase, offer: String, availableNodes: Int) async throws {
        var byMonth: [YearMonth: (nodes: Int, leases: [String])] = [:]
        for lease in try await liveLeases(sql, offer: offer) {
            guard let start = YearMonth(parsing: lease.start) else { continue }
            for k in 0..<lease.months {
                let month = start.adding(months: k)
                byMonth[month, default: (0, [])].nodes += lease.nodes
                byMonth[month, default: (0, [])].leases.append(lease.id)
            }
        }
        guard let (month, held) = byMonth.filter({ $0.value.nodes > availableNodes }).min(by: { $0.key < $1.key })
        else { return }
        throw StoreError.conflict(
            "offer '\(offer)' would have \(availableNodes) available nodes, but its live leases hold \(held.nodes) in "
                + "\(month) (\(listed(held.leases))): end, terminate or withdraw them first",
            [Diagnostic(path: "availableNodes", message: "below the \(held.nodes) nodes live leases hold in \(month)")])
    }

    /// Up to five ids, and how many more.
    static func listed(_ ids: [String]) -> String {
        ids.count <= 5
            ? ids.joined(separator: ", ") : ids.prefix(5).joined(separator: ", ") + " and \(ids.count - 5) more"
    }

    /// Validates the workspace as one scenario. Problems inside the focused entity get paths
    /// relative to it, with the request's own lines; the rest keep their scenario paths.
    static func validate(_ ws: Workspace, focus: (EntityKind, Int)?) throws -> Scenario {
        do {
            return try ScenarioFile.load(document: ws.document(), strictText: true)
        } catch let error as InputError {
            let prefix = focus.map { "\($0.0.section)[\($0.1)]" }
            let diagnostics = error.diagnostics.map { d -> Diagnostic in
                guard let prefix, d.path == prefix || d.path.hasPrefix(prefix + ".") || d.path.hasPrefix(prefix + "[")
                else {
                    return Diagnostic(path: d.path, message: d.message)
                }
                var path = String(d.path.dropFirst(prefix.count))
                if path.hasPrefix(".") { path.removeFirst() }
                return Diagnostic(path: path, message: d.message, line: d.line)
            }
            throw StoreError.invalid(InputError(diagnostics))
        }
    }

    /// Keeps an offer's prices (and backup terms) when they differ from the last kept.
    static func recordPrices(_ sql: any SQLDatabase, offer: String, node: DocumentNode, actor: Actor) async throws {
        let prices = DocumentNode.mapping(
            [("prices", node.value("prices") ?? .mapping([], line: nil))]
                + (node.value("backup").map { [("backup", $0)] } ?? []),
            line: nil
        ).json
        let last = try await sql.raw(
            "SELECT prices FROM offer_prices WHERE offer_id = \(bind: offer) ORDER BY seq DESC LIMIT 1"
        ).first()
        if try last?.decode(column: "prices", as: String.self) == prices { return }
        try await sql.raw(
            """
            INSERT INTO offer_prices (offer_id, prices, recorded_at, actor)
            VALUES (\(bind: offer), \(bind: prices), \(bind: StoreClock.nowMillis()), \(bind: actor.label))
            """
        ).run()
    }

    /// An offer's prices over time, oldest first: (when, who, the prices as JSON).
    public func priceHistory(offer: String) async throws -> [(recordedAt: Int64, actor: String, prices: String)] {
        let rows = try await database.session { sql in
            try await sql.raw(
                """
                SELECT recorded_at, actor, prices FROM offer_prices WHERE offer_id = \(bind: offer) ORDER BY seq
                """
            ).all()
        }
        return try rows.map {
            (
                try $0.decode(column: "recorded_at", as: Int64.self), try $0.decode(column: "actor", as: String.self),
                try $0.decode(column: "prices", as: String.self)
            )
        }
    }
}

/// The workspace checked as a scenario, at the version it was read.
struct ValidatedWorkspace: Sendable {
    var version: Int64
    var scenario: Scenario
    /// The scenario's canonical JSON, and its SHA-256: a plan's input hash.
    var text: String
    var sha256: String
}
