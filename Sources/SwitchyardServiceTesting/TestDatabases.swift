import Foundation
import SwitchyardStore

/// Databases for contract tests: SQLite always; PostgreSQL when SWITCHYARD_TEST_POSTGRES_URL
/// names a server (for example `postgres://postgres:secret@127.0.0.1:5432/postgres`). Each test
/// gets a fresh database, dropped afterwards.
public enum TestDatabases {
    public enum Backend: String, Sendable, CustomStringConvertible {
        case sqlite, postgres
        public var description: String { rawValue }
    }

    /// The PostgreSQL server for tests, if one is configured.
    public static let postgresURL = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_URL"]
        .flatMap { $0.isEmpty ? nil : $0 }

    /// The backends to run each contract test on.
    public static let available: [Backend] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]

    /// A fresh database's URL, and how to remove it.
    public static func make(_ backend: Backend) async throws -> (url: String, drop: @Sendable () async -> Void) {
        let name = "sy_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        switch backend {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).sqlite").path
            return (
                "sqlite:" + path,
                {
                    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
                }
            )
        case .postgres:
            guard let base = postgresURL, var parts = URLComponents(string: base) else {
                throw StoreError.configuration("SWITCHYARD_TEST_POSTGRES_URL is not set")
            }
            let admin = try await Database.open(base)
            try await admin.execute("CREATE DATABASE \(name)")
            parts.path = "/" + name
            let url = parts.string!
            return (
                url,
                {
                    try? await admin.execute("DROP DATABASE \(name) WITH (FORCE)")
                    await admin.close()
                }
            )
        }
    }

    /// Opens a store, trying a PostgreSQL connection up to three times when it times out: while
    /// the whole suite runs on 2 cores, tests that block their threads can keep a connection's
    /// answer from being read for over 30 s (the test process starving itself, not the database).
    public static func open(_ url: String) async throws -> Store {
        var attempt = 1
        while true {
            do {
                return try await Store.open(url)
            } catch StoreError.configuration(let message) where attempt < 3 && message.contains("timed out") {
                attempt += 1
            }
        }
    }

    /// Runs `body` with a store on a fresh database of `backend`.
    public static func with(_ backend: Backend, _ body: (Store, String) async throws -> Void) async throws {
        let (url, drop) = try await make(backend)
        let store = try await open(url)
        do {
            try await body(store, url)
        } catch {
            await store.close()
            await drop()
            throw error
        }
        await store.close()
        await drop()
    }
}
