import Foundation
import Logging
import SQLKit
import SwitchyardCatalog
import SwitchyardModel
import Synchronization

/// The record: scenario entities, snapshots, plans, jobs, leases, incidents, tokens and the audit
/// log, on SQLite or PostgreSQL with the same SQL. Every write happens in one transaction with
/// its audit line, so the log and the data never disagree.
public final class Store: Sendable {
    /// The connection.
    public let database: Database
    /// The workspace as last read and validated, with the version it was read at. Every write to
    /// the workspace raises its version in the same transaction, so a cached copy at the current
    /// version is the workspace (whichever server wrote it).
    let workspaceCache = Mutex<ValidatedWorkspace?>(nil)

    private init(database: Database) {
        self.database = database
    }

    /// Opens the database at `url` (see `Database.open`) and brings its schema up to date.
    public static func open(_ url: String, logger: Logger = Logger(label: "switchyard.store")) async throws -> Store {
        let database = try await Database.open(url, logger: logger)
        do {
            _ = try await Migrations.run(on: database)
        } catch {
            await database.close()
            throw error
        }
        return Store(database: database)
    }

    /// Closes the connection.
    public func close() async { await database.close() }

    /// Writes a consistent copy of the whole record to the new file `path` while the server keeps
    /// serving: SQLite's `VACUUM INTO`, one read transaction, so the copy holds every write
    /// committed before it began and none half-done. A PostgreSQL record is backed up with
    /// `pg_dump` (docs/server.md).
    public func backup(to path: String) async throws {
        guard database.dialect == .sqlite else {
            throw StoreError.configuration(
                "a PostgreSQL record is backed up with pg_dump --format=custom (docs/server.md), not by switchyard")
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError.conflict("\(path) exists: back up to a new file")
        }
        try await database.session { sql in try await sql.raw("VACUUM INTO \(bind: path)").run() }
    }

    /// Puts the backup `source` in place as the SQLite record at `target` (no server may be using
    /// it): the copy is opened and brought up to date beside the target first, so a file that is
    /// no Switchyard record is refused and the target is replaced only by a checked copy, in one
    /// rename.
    public static func restore(from source: String, to target: String, replacing: Bool) async throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: source) else { throw StoreError.notFound("backup \(source)") }
        if manager.fileExists(atPath: target), !replacing {
            throw StoreError.conflict("\(target) exists: stop the servers using it and pass --replace to overwrite it")
        }
        let staging = target + ".restoring-\(UUID().uuidString.prefix(8))"
        defer { try? manager.removeItem(atPath: staging) }
        try manager.copyItem(atPath: source, toPath: staging)
        do {
            let copy = try await Store.open("sqlite:" + staging)
            var failure: (any Error)?
            do { _ = try await copy.tokenCount() } catch { failure = error }
            await copy.close()
            if let failure { throw failure }
        } catch {
            throw StoreError.configuration("\(source) is not a Switchyard record: \(error)")
        }
        // Held until the rename: no server has the record open now, and none opens it meanwhile.
        let lock = manager.fileExists(atPath: target) ? try RecordFileLock(target, exclusive: true) : nil
        defer { lock?.release() }
        for suffix in ["-wal", "-shm"] { try? manager.removeItem(atPath: target + suffix) }
        if rename(staging, target) != 0 {
            throw StoreError.configuration(
                "cannot move the restored copy to \(target): \(String(cString: strerror(errno)))")
        }
    }

    /// The schema version in force.
    public func schemaVersion() async throws -> Int {
        try await database.session { sql in
            let row = try await sql.raw("SELECT MAX(version) AS v FROM schema_migrations").first()
            return try row?.decode(column: "v", as: Int?.self) ?? 0
        }
    }

    /// Appends one line to the audit log, inside the caller's transaction.
    static func audit(
        _ sql: any SQLDatabase, _ actor: Actor, _ action: String, _ subject: String, _ detail: String = ""
    )
        async throws
    {
        try await sql.raw(
            """
            INSERT INTO audit_log (at, actor, action, subject, detail)
            VALUES (\(bind: StoreClock.nowMillis()), \(bind: actor.label), \(bind: action), \(bind: subject), \(bind: detail))
            """
        ).run()
    }

    /// The audit log, oldest first, from after `cursor`.
    public func audit(after cursor: String?, limit: Int) async throws -> Page<AuditEntry> {
        let after = Int64(cursor ?? "") ?? 0
        let rows = try await database.session { sql in
            try await sql.raw(
                """
                SELECT seq, at, actor, action, subject, detail FROM audit_log WHERE seq > \(bind: after)
                ORDER BY seq LIMIT \(bind: limit + 1)
                """
            ).all()
        }
        let items = try rows.map {
            AuditEntry(
                seq: try $0.decode(column: "seq", as: Int64.self), at: try $0.decode(column: "at", as: Int64.self),
                actor: try $0.decode(column: "actor", as: String.self),
                action: try $0.decode(column: "action", as: String.self),
                subject: try $0.decode(column: "subject", as: String.self),
                detail: try $0.decode(column: "detail", as: String.self))
        }
        return page(items, limit: limit) { String($0.seq) }
    }

    /// Cuts a fetched `limit + 1` rows to a page.
    func page<T>(_ items: [T], limit: Int, cursor: (T) -> String) -> Page<T> {
        if items.count > limit {
            let kept = Array(items.prefix(limit))
            return Page(items: kept, next: cursor(kept[kept.count - 1]))
        }
        return Page(items: items, next: nil)
    }
}

extension DocumentNode {
    /// The value under `key` of a mapping.
    func value(_ key: String) -> DocumentNode? {
        guard case .mapping(let pairs, _) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// What the node is, in words.
    var kindName: String {
        switch self {
        case .scalar(_, let quoted, _): quoted ? "text" : "a number or literal"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    /// The text of a scalar.
    var text: String? {
        guard case .scalar(let t, _, _) = self else { return nil }
        return t
    }

    /// The items of a list.
    var items: [DocumentNode] {
        guard case .sequence(let items, _) = self else { return [] }
        return items
    }

    /// A mapping with `key` set to `value` (appended when new), or removed when `value` is nil.
    func setting(_ key: String, _ value: DocumentNode?) -> DocumentNode {
        guard case .mapping(var pairs, let line) = self else { return self }
        if let i = pairs.firstIndex(where: { $0.key == key }) {
            if let value { pairs[i].value = value } else { pairs.remove(at: i) }
        } else if let value {
            pairs.append((key, value))
        }
        return .mapping(pairs, line: line)
    }

    /// Parses stored JSON.
    static func json(_ text: String) throws -> DocumentNode {
        try DocumentParser.parse(text, format: .json)
    }

    /// As JSON text.
    var json: String { DocumentWriter.write(self, format: .json) }
}
