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
        /// The connection, its lock, and the descriptor holding a shared `flock` on the file
        /// while it is open (`RecordFileLock`).
        case sqlite(SQLiteConnection, AsyncLock, RecordFileLock?)
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
        let fileLock: RecordFileLock?
        do {
            fileLock = path == ":memory:" ? nil : try RecordFileLock(path, exclusive: false)
        } catch {
            try? await connection.close().get()
            throw error
        }
        let db = Database(
            backend: .sqlite(connection, AsyncLock(), fileLock), dialect: .sqlite, location: "sqlite:\(path)")
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
        let parts = try PostgresURL(url)
        var configuration = PostgresClient.Configuration(
            host: parts.host, port: parts.port, username: parts.user, password: parts.password,
            database: parts.database, tls: .disable
        )
        configuration.options.maximumConnections = 8
        let pgLogger = {
            var quiet = logger
            quiet.logLevel = .warning
            return quiet
        }()
        let client = PostgresClient(configuration: configuration, backgroundLogger: pgLogger)
        let runner = Task { await client.run() }
        let db = Database(backend: .postgres(client, runner), dialect: .postgres, location: redacted(url))
        do {
            // Fail now, with the reason, rather than at the first request. 30 s: a loaded machine
            // (the full test suite on 2 cores took over 10 s to get a first connection) or a far
            // database may be slow, and a server that gives up early is worse than one that waits.
            // One connection first, on its own: the pool retries a refused sign-in until the
            // deadline and would report a wrong password as a time-out.
            try await withTimeout(seconds: 30) {
                let probe = try await PostgresConnection.connect(
                    configuration: .init(
                        host: parts.host, port: parts.port, username: parts.user, password: parts.password,
                        database: parts.database, tls: .disable),
                    id: 0, logger: pgLogger)
                try await probe.close()
                try await db.session { try await $0.raw("SELECT 1").run() }
            }
        } catch {
            runner.cancel()
            throw StoreError.configuration(
                "cannot connect to PostgreSQL at \(redacted(url)): \(Self.reason(error))")
        }
        return db
    }

    /// What the server said, or what failed on the way to it: PostgresNIO's own description of
    /// its errors hides the server's message on purpose.
    static func reason(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return String(describing: error) }
        if let message = error.serverInfo?[.message] { return message }
        if let underlying = error.underlying { return String(describing: underlying) }
        return "\(error.code)"
    }

    /// The URL without its password, whether or not the rest of it parses: everything between
    /// the user name and the last `@` is taken for the password (which may hold `#`, `/`, `?`).
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url.lastIndex(of: "@"), at > scheme.upperBound else {
            return url
        }
        let userinfo = url[scheme.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    /// Runs `body` on one connection, outside any transaction (reads).
    public func session<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        switch backend {
        case .sqlite(let connection, let lock, _):
            return try await lock.withLock { try await body(connection.sql()) }
        case .postgres(let client, _):
            return try await client.withConnection { try await body($0.sql()) }
        }
    }

    /// Runs `body` in one transaction: every write in it lands, or none does. It runs to its
    /// COMMIT or ROLLBACK even when the caller is cancelled: a cancelled task's ROLLBACK is
    /// refused before it reaches SQLite, which left the one connection inside the transaction and
    /// every later BEGIN failing ("cannot start a transaction within a transaction").
    public func transaction<R: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> R)
        async throws -> R
    {
        let backend = self.backend
        // An unstructured task does not inherit the caller's cancellation.
        return try await Task {
            switch backend {
            case .sqlite(let connection, let lock, _):
                return try await lock.withLock {
                    try await Self.inTransaction(connection.sql(), begin: "BEGIN IMMEDIATE", body)
                }
            case .postgres(let client, _):
                return try await client.withConnection { try await Self.inTransaction($0.sql(), begin: "BEGIN", body) }
            }
        }.value
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
        case .sqlite(let connection, _, let fileLock):
            _ = connection.close()
            fileLock?.release()
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
        case .sqlite(let connection, _, let fileLock):
            try? await connection.close().get()
            fileLock?.release()
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

/// A PostgreSQL URL taken apart by hand: `postgres://user:password@host:port/database?…`.
///
/// The password is everything between the first `:` of the user part and the last `@`, so one
/// with `#`, `/`, `?` or `@` in it (which a URL parser reads as the start of a fragment, a path or
/// a query, and then misplaces the password into the host) still works, percent-encoded or not.
/// An error names the part that is wrong and never repeats the password.
struct PostgresURL {
    var host: String
    var port = 5432
    var user = "postgres"
    var password: String?
    var database: String?

    init(_ url: String) throws {
        let fail = { (why: String) in
            StoreError.configuration("the PostgreSQL URL \(Database.redacted(url)) is not usable: \(why)")
        }
        guard let scheme = url.range(of: "://") else { throw fail("it has no '://'") }
        var rest = url[scheme.upperBound...]
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let (name, secret) =
                userinfo.firstIndex(of: ":").map { (userinfo[..<$0], userinfo[userinfo.index(after: $0)...]) }
                ?? (userinfo, nil)
            guard !name.isEmpty else { throw fail("the user name before ':' is empty") }
            user = String(name).removingPercentEncoding ?? String(name)
            password = secret.map { String($0).removingPercentEncoding ?? String($0) }
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = rest[authorityEnd...]
        if let query = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<query] }
        let hostPart: Substring
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                    throw fail("the port after the host is not a number from 1 to 65535")
                }
                port = p
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else {
                throw fail("the port after the host is not a number from 1 to 65535")
            }
            port = p
        } else {
            hostPart = authority
        }
        guard !hostPart.isEmpty else { throw fail("the host is missing") }
        host = String(hostPart)
        let name = path.drop { $0 == "/" }
        database = name.isEmpty ? nil : (String(name).removingPercentEncoding ?? String(name))
    }
}

/// A `flock` on a SQLite record's file: shared while a process has the record open, exclusive
/// while `restore --replace` swaps the file, so that a restore cannot pull a record from under a
/// running server (whose later writes would go to the replaced file and be lost), and a server
/// cannot open a record while it is being swapped. `flock` and SQLite's own `fcntl` locks do
/// not interact on Linux; the lock ends with the descriptor, and so with the process.
public final class RecordFileLock: Sendable {
    private let descriptor: Mutex<Int32>

    /// Takes the lock without waiting; `StoreError.conflict` saying who holds it otherwise.
    public init(_ path: String, exclusive: Bool) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw StoreError.configuration("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 else {
            Foundation.close(fd)
            throw StoreError.conflict(
                exclusive
                    ? "\(path) is open by a running server or another switchyard command: stop it first"
                    : "\(path) is being restored: try again when the restore has finished")
        }
        descriptor = Mutex(fd)
    }

    /// Lets go of the lock (also when dropped).
    public func release() {
        descriptor.withLock { fd in
            if fd >= 0 { Foundation.close(fd) }
            fd = -1
        }
    }

    deinit { release() }
}
