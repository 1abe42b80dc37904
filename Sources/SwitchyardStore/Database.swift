import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit
import SQLiteKit
import Synchronization

/// One connection to the record, SQLite or PostgreSQL, behind SQLKit: the store writes its SQL
/// once and the dialect differences it needs are named in one place (`Dialect`).
///
/// SQLite is one connection serialised by an async lock (SQLite has one writer anyway); a
/// transaction holds the lock from BEGIN IMMEDIATE to COMMIT. PostgreSQL is a connection pool;
/// a transaction is BEGIN … COMMIT on one leased connection.
public final class Database: Sendable {
    /// Which database this is.
    public enum Dialect: String, Sendable {
        case sqlite, postgres
    }

    enum Backend: Sendable {
        case sqlite(SQLiteConnection, AsyncLock)
        case postgres(PostgresClient, Task<Void, Never>)
    }

    let backend: Backend
    /// Which database this is.
    public let dialect: Dialect
    /// Where it is, without a password (for logs and /readyz).
    public let location: String
    private let closed = Mutex(false)

    private init(backend: Backend, dialect: Dialect, location: String) {
        self.backend = backend
        self.dialect = dialect
        self.location = location
    }

    /// Opens `url`: `postgres://user:password@host:port/database` or `postgresql://…` for
    /// PostgreSQL; `sqlite:PATH`, a plain path, or `:memory:` for SQLite.
    public static func open(_ url: String, logger: Logger = Logger(label: "switchyard.db")) async throws -> Database {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            return try await openPostgres(url, logger: logger)
        }
        let path = url.hasPrefix("sqlite:") ? String(url.dropFirst("sqlite:".count)) : url
        guard !path.isEmpty else { throw StoreError.configuration("an empty database path") }
        var sqliteLogger = logger
        sqliteLogger.logLevel = .warning
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(
                storage: path == ":memory:" ? .memory : .file(path: path), logger: sqliteLogger
            ).get()
        } catch {
            throw StoreError.configuration("cannot open the SQLite database at \(path): \(error)")
        }
        let db = Database(backend: .sqlite(connection, AsyncLock()), dialect: .sqlite, location: "sqlite:\(path)")
        // WAL with full sync: a committed transaction survives the process being killed (and the
        // machine losing power); readers never see half a transaction.
        for pragma in [
            "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
            "PRAGMA busy_timeout = 10000",
        ] {
            try await db.session { try await $0.raw(SQLQueryString(pragma)).run() }
        }
        return db
    }

    private static func openPostgres(_ url: String, logger: Logger) async throws -> Database {
        guard let parts = URLComponents(string: url), let host = parts.host, !host.isEmpty else {
            throw StoreError.configuration("not a PostgreSQL URL: \(redacted(url))")
        }
        let database = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        var configuration = PostgresClient.Configuration(
            host: host, port: parts.port ?? 5432, username: parts.user ?? "postgres",
            password: parts.password?.removingPercentEncoding, database: database.isEmpty ? nil : database,
            tls: .disable
        )
        configuration.options.maximumConnections = 8
        var pgLogger = logger
        pgLogger.logLevel = .warning
        let client = PostgresClient(configuration: configuration, backgroundLogger: pgLogger)
        let runner = Task { await client.run() }
        let db = Database(backend: .postgres(client, runner), dialect: .postgres, location: redacted(url))
        do {
            // Fail now, with the reason, rather than at the first request. 30 s: a loaded machine
            // (the full test suite on 2 cores took over 10 s to get a first connection) or a far
            // database may be slow, and a server that gives up early is worse than one that waits.
            try await withTimeout(seconds: 30) {
                try await db.session { try await $0.raw("SELECT 1").run() }
            }
        } catch {
            runner.cancel()
            throw StoreError.configuration(
                "cannot connect to PostgreSQL at \(redacted(url)): \(String(reflecting: error))")
        }
        return db
    }

    /// The URL without its password.
    static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return url }
        if parts.password != nil { parts.password = "***" }
        return parts.string ?? url
    }

    /// Runs `body` on one connection, outside any transaction (reads).
    public func session<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        switch backend {
        case .sqlite(let connection, let lock):
            return try await lock.withLock { try await body(connection.sql()) }
        case .postgres(let client, _):
            return try await client.withConnection { try await body($0.sql()) }
        }
    }

    /// Runs `body` in one transaction: every write in it lands, or none does.
    public func transaction<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        switch backend {
        case .sqlite(let connection, let lock):
            return try await lock.withLock {
                try await Self.inTransaction(connection.sql(), begin: "BEGIN IMMEDIATE", body)
            }
        case .postgres(let client, _):
            return try await client.withConnection { try await Self.inTransaction($0.sql(), begin: "BEGIN", body) }
        }
    }

    private static func inTransaction<R: Sendable>(
        _ db: any SQLDatabase, begin: String, _ body: @Sendable (any SQLDatabase) async throws -> R
    ) async throws -> R {
        try await db.raw(SQLQueryString(begin)).run()
        do {
            let result = try await body(db)
            try await db.raw("COMMIT").run()
            return result
        } catch {
            try? await db.raw("ROLLBACK").run()
            throw error
        }
    }

    /// Runs one statement of raw SQL outside a transaction (administration and tests).
    public func execute(_ statement: String) async throws {
        try await session { try await $0.raw(SQLQueryString(statement)).run() }
    }

    deinit {
        // A store dropped without close() still closes its SQLite connection (the close keeps the
        // connection alive until it is done); the PostgreSQL pool ends with its task.
        guard !closed.withLock({ $0 }) else { return }
        switch backend {
        case .sqlite(let connection, _): _ = connection.close()
        case .postgres(_, let runner): runner.cancel()
        }
    }

    /// Closes the connections.
    public func close() async {
        guard
            !closed.withLock({ was in
                defer { was = true }; return was
            })
        else { return }
        switch backend {
        case .sqlite(let connection, _): try? await connection.close().get()
        case .postgres(_, let runner): runner.cancel()
        }
    }
}

/// A FIFO async lock: one holder at a time, waiters resumed in order.
actor AsyncLock {
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func lock() async {
        if !held {
            held = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func unlock() {
        if waiters.isEmpty { held = false } else { waiters.removeFirst().resume() }
    }

    nonisolated func withLock<R: Sendable>(_ body: @Sendable () async throws -> R) async throws -> R {
        await lock()
        do {
            let result = try await body()
            await unlock()
            return result
        } catch {
            await unlock()
            throw error
        }
    }
}

/// Runs `body`, failing with `StoreError.timeout` after `seconds`.
///
/// - Throws: `StoreError.timeout` when `seconds` pass first; whatever `body` throws.
public func withTimeout<R: Sendable>(seconds: Double, _ body: @escaping @Sendable () async throws -> R)
    async throws -> R
{
    try await withThrowingTaskGroup(of: R.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw StoreError.timeout(seconds)
        }
        let first = try await group.next()!
        group.cancelAll()
        return first
    }
}
