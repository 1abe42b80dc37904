import Foundation
import SQLKit

/// One step of the schema. Steps are applied in order, each in its own transaction, and recorded
/// in `schema_migrations`; a step once released is never edited, only followed by another.
struct Migration: Sendable {
    let version: Int
    let name: String
    let statements: @Sendable (Database.Dialect) -> [String]
}

enum Migrations {
    /// Every step, oldest first.
    static let all: [Migration] = [
        Migration(version: 1, name: "the record") { dialect in
            let serial = dialect == .postgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"
            var statements = [
                // Scenario settings (name, horizon, hours, reference, catalog overrides, policy).
                """
                CREATE TABLE workspace (
                    id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL, version BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL)
                """,
                // Providers, offers, colocation sites, owned fleets and workloads, each as its
                // scenario-format document; `position` keeps the scenario's order for export.
                """
                CREATE TABLE entities (
                    kind TEXT NOT NULL, id TEXT NOT NULL, position BIGINT NOT NULL, body TEXT NOT NULL,
                    version BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
                    PRIMARY KEY (kind, id))
                """,
                """
                CREATE TABLE offer_prices (
                    seq \(serial), offer_id TEXT NOT NULL, prices TEXT NOT NULL, recorded_at BIGINT NOT NULL,
                    actor TEXT NOT NULL)
                """,
                "CREATE INDEX offer_prices_offer ON offer_prices (offer_id, seq)",
                """
                CREATE TABLE scenarios (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL, body TEXT NOT NULL, sha256 TEXT NOT NULL,
                    source TEXT NOT NULL, created_at BIGINT NOT NULL, actor TEXT NOT NULL)
                """,
                """
                CREATE TABLE plans (
                    id TEXT PRIMARY KEY, scenario_version BIGINT NOT NULL REFERENCES scenarios (version),
                    input_sha256 TEXT NOT NULL, body TEXT NOT NULL, total_cost TEXT NOT NULL,
                    state TEXT NOT NULL, parent_plan TEXT, incident_id TEXT, job_id TEXT NOT NULL UNIQUE,
                    created_at BIGINT NOT NULL, accepted_at BIGINT, accepted_by TEXT, version BIGINT NOT NULL)
                """,
                """
                CREATE TABLE jobs (
                    id TEXT PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL,
                    attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL, claimed_by TEXT, lease_until BIGINT,
                    created_at BIGINT NOT NULL, started_at BIGINT, finished_at BIGINT, error TEXT, plan_id TEXT,
                    actor TEXT NOT NULL)
                """,
                "CREATE INDEX jobs_queue ON jobs (state, created_at)",
                """
                CREATE TABLE leases (
                    id TEXT PRIMARY KEY, plan_id TEXT NOT NULL REFERENCES plans (id), offer_id TEXT NOT NULL,
                    provider_id TEXT NOT NULL, accelerator TEXT NOT NULL, nodes INTEGER NOT NULL,
                    accelerators INTEGER NOT NULL, term TEXT NOT NULL, start_month TEXT NOT NULL,
                    months INTEGER NOT NULL, price_per_accelerator_hour TEXT NOT NULL, monthly_cost TEXT NOT NULL,
                    total_cost TEXT NOT NULL, state TEXT NOT NULL, version BIGINT NOT NULL,
                    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                "CREATE INDEX leases_state ON leases (state, id)",
                """
                CREATE TABLE lease_events (
                    seq \(serial), lease_id TEXT NOT NULL REFERENCES leases (id), from_state TEXT,
                    to_state TEXT NOT NULL, at BIGINT NOT NULL, actor TEXT NOT NULL, note TEXT NOT NULL)
                """,
                "CREATE INDEX lease_events_lease ON lease_events (lease_id, seq)",
                """
                CREATE TABLE incidents (
                    id TEXT PRIMARY KEY, plan_id TEXT NOT NULL REFERENCES plans (id), body TEXT NOT NULL,
                    summary TEXT NOT NULL, job_id TEXT NOT NULL, created_at BIGINT NOT NULL, actor TEXT NOT NULL)
                """,
                """
                CREATE TABLE audit_log (
                    seq \(serial), at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                    subject TEXT NOT NULL, detail TEXT NOT NULL)
                """,
                """
                CREATE TABLE tokens (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE,
                    created_at BIGINT NOT NULL, revoked_at BIGINT)
                """,
                """
                CREATE TABLE idempotency_keys (
                    token_id TEXT NOT NULL, key TEXT NOT NULL, request_sha256 TEXT NOT NULL, status INTEGER,
                    location TEXT, body TEXT, created_at BIGINT NOT NULL, PRIMARY KEY (token_id, key))
                """,
                "CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at)",
            ]
            // The audit log is append-only in the database itself, not only by convention.
            switch dialect {
            case .sqlite:
                statements += [
                    """
                    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
                    """,
                    """
                    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
                    """,
                ]
            case .postgres:
                statements += [
                    """
                    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
                    """,
                    """
                    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
                    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
                    """,
                ]
            }
            return statements
        },
        Migration(version: 2, name: "dashboard sessions") { _ in
            [
                """
                CREATE TABLE sessions (
                    sha256 TEXT PRIMARY KEY, token_id TEXT NOT NULL REFERENCES tokens (id),
                    created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)
                """,
                "CREATE INDEX sessions_token ON sessions (token_id)",
            ]
        },
        Migration(version: 3, name: "plan supersession") { _ in
            ["ALTER TABLE plans ADD COLUMN superseded_by TEXT"]
        },
        Migration(version: 4, name: "risk analyses") { _ in
            [
                """
                CREATE TABLE risk_analyses (
                    id TEXT PRIMARY KEY, plan_id TEXT NOT NULL REFERENCES plans (id), job_id TEXT NOT NULL,
                    samples INTEGER NOT NULL, seed BIGINT NOT NULL, body TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX risk_analyses_plan ON risk_analyses (plan_id, created_at)",
            ]
        },
        Migration(version: 5, name: "risk analyses in parts") { _ in
            [
                "ALTER TABLE jobs ADD COLUMN parent_job TEXT",
                "CREATE INDEX jobs_parent ON jobs (parent_job)",
                """
                CREATE TABLE risk_parts (
                    job_id TEXT PRIMARY KEY REFERENCES jobs (id), parent_job TEXT NOT NULL REFERENCES jobs (id),
                    body TEXT NOT NULL)
                """,
            ]
        },
        Migration(version: 6, name: "job progress") { _ in
            ["ALTER TABLE jobs ADD COLUMN progress TEXT"]
        },
    ]

    /// Brings the schema up to date. Safe to run from several servers at once: on PostgreSQL an
    /// advisory lock lets one migrate while the others wait; on SQLite BEGIN IMMEDIATE does.
    static func run(on db: Database) async throws -> [Int] {
        try await db.transaction { sql -> Void in
            if db.dialect == .postgres { try await sql.raw("SELECT pg_advisory_xact_lock(7301)").run() }
            try await sql.raw(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)
                """
            ).run()
        }
        var applied: [Int] = []
        for migration in all {
            let done = try await db.transaction { sql -> Bool in
                if db.dialect == .postgres { try await sql.raw("SELECT pg_advisory_xact_lock(7301)").run() }
                let existing = try await sql.raw(
                    "SELECT version FROM schema_migrations WHERE version = \(bind: migration.version)"
                ).first()
                if existing != nil { return false }
                for statement in migration.statements(db.dialect) {
                    try await sql.raw(SQLQueryString(statement)).run()
                }
                try await sql.raw(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: StoreClock.nowMillis()))
                    """
                ).run()
                return true
            }
            if done { applied.append(migration.version) }
        }
        return applied
    }
}

/// Wall-clock time as milliseconds since 1970, the store's one time unit.
enum StoreClock {
    static func nowMillis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
