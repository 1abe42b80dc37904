import Foundation
import SQLKit

/// Tokens and idempotency keys.
extension Store {
    /// Creates a token; the secret is returned once and only its SHA-256 is kept.
    public func createToken(name: String, role: Role, actor: Actor) async throws -> (TokenRecord, secret: String) {
        let secret = Self.newSecret()
        let record = TokenRecord(
            id: newID("tok"), name: name, role: role, createdAtMilliseconds: StoreClock.nowMillis())
        try await database.transaction { sql in try await Self.insert(sql, record, secret: secret, actor: actor) }
        return (record, secret)
    }

    /// Creates the first admin token when the record has no token at all, and returns its
    /// secret; nil when there is one already. Under a lock, so that of servers started together
    /// on one empty database exactly one creates it (a count and then an insert would let each
    /// see none and create its own).
    public func createFirstAdminIfNone() async throws -> String? {
        let secret = Self.newSecret()
        let record = TokenRecord(
            id: newID("tok"), name: "first-admin", role: .admin, createdAtMilliseconds: StoreClock.nowMillis())
        let created = try await database.transaction { sql -> Bool in
            if self.database.dialect == .postgres { try await sql.raw("SELECT pg_advisory_xact_lock(7303)").run() }
            guard try await sql.raw("SELECT id FROM tokens LIMIT 1").first() == nil else { return false }
            try await Self.insert(sql, record, secret: secret, actor: .system)
            return true
        }
        return created ? secret : nil
    }

    static func newSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "sy_"
            + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    static func insert(_ sql: any SQLDatabase, _ record: TokenRecord, secret: String, actor: Actor) async throws {
        try await sql.raw(
            """
            INSERT INTO tokens (id, name, role, sha256, created_at)
            VALUES (\(bind: record.id), \(bind: record.name), \(bind: record.role.rawValue), \(bind: sha256Hex(secret)),
            \(bind: record.createdAtMilliseconds))
            """
        ).run()
        try await audit(
            sql, actor, "token.create", "token \(record.id)", "\(record.name), role \(record.role.rawValue)")
    }

    /// The live token with this secret, if any.
    public func token(secret: String) async throws -> TokenRecord? {
        let row = try await database.session { sql in
            try await sql.raw(
                """
                SELECT id, name, role, created_at FROM tokens
                WHERE sha256 = \(bind: sha256Hex(secret)) AND revoked_at IS NULL
                """
            ).first()
        }
        guard let row, let role = Role(rawValue: try row.decode(column: "role", as: String.self)) else { return nil }
        return TokenRecord(
            id: try row.decode(column: "id", as: String.self), name: try row.decode(column: "name", as: String.self),
            role: role, createdAtMilliseconds: try row.decode(column: "created_at", as: Int64.self))
    }

    /// Every token, live and revoked, oldest first.
    public func tokens() async throws -> [TokenRecord] {
        try await database.session { sql in
            try await sql.raw("SELECT id, name, role, created_at, revoked_at FROM tokens ORDER BY created_at, id").all()
                .map {
                    TokenRecord(
                        id: try $0.decode(column: "id", as: String.self),
                        name: try $0.decode(column: "name", as: String.self),
                        role: Role(rawValue: try $0.decode(column: "role", as: String.self)) ?? .viewer,
                        createdAtMilliseconds: try $0.decode(column: "created_at", as: Int64.self),
                        revokedAtMilliseconds: try $0.decode(column: "revoked_at", as: Int64?.self))
                }
        }
    }

    /// Revokes a live token.
    public func revokeToken(_ id: String, actor: Actor) async throws {
        try await database.transaction { sql in
            let revoked = try await sql.raw(
                """
                UPDATE tokens SET revoked_at = \(bind: StoreClock.nowMillis())
                WHERE id = \(bind: id) AND revoked_at IS NULL RETURNING id
                """
            ).first()
            guard revoked != nil else { throw StoreError.notFound("live token '\(id)'") }
            // Its dashboard sessions end with it.
            try await sql.raw("DELETE FROM sessions WHERE token_id = \(bind: id)").run()
            try await Self.audit(sql, actor, "token.revoke", "token \(id)")
        }
    }

    /// Starts a dashboard session for the live token with `secret`: a new random session id,
    /// returned once (only its SHA-256 is kept), valid for `lifetimeSeconds` or until signed out
    /// or its token is revoked. Nil when the token is not live. Expired sessions are swept here.
    public func createSession(secret: String, lifetimeSeconds: Int) async throws -> (id: String, token: TokenRecord)? {
        guard let token = try await token(secret: secret) else { return nil }
        var generator = SystemRandomNumberGenerator()
        let id = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        let now = StoreClock.nowMillis()
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM sessions WHERE expires_at <= \(bind: now)").run()
            try await sql.raw(
                """
                INSERT INTO sessions (sha256, token_id, created_at, expires_at)
                VALUES (\(bind: sha256Hex(id)), \(bind: token.id), \(bind: now),
                \(bind: now + Int64(lifetimeSeconds) * 1000))
                """
            ).run()
            try await Self.audit(
                sql, Actor(id: token.id, name: token.name, role: token.role), "session.start", "token \(token.id)")
        }
        return (id, token)
    }

    /// The live token behind a session id: the session unexpired and its token not revoked.
    public func sessionToken(_ id: String) async throws -> TokenRecord? {
        let row = try await database.session { sql in
            try await sql.raw(
                """
                SELECT t.id, t.name, t.role, t.created_at FROM sessions s JOIN tokens t ON t.id = s.token_id
                WHERE s.sha256 = \(bind: sha256Hex(id)) AND s.expires_at > \(bind: StoreClock.nowMillis())
                AND t.revoked_at IS NULL
                """
            ).first()
        }
        guard let row, let role = Role(rawValue: try row.decode(column: "role", as: String.self)) else { return nil }
        return TokenRecord(
            id: try row.decode(column: "id", as: String.self), name: try row.decode(column: "name", as: String.self),
            role: role, createdAtMilliseconds: try row.decode(column: "created_at", as: Int64.self))
    }

    /// Ends a session (signing out); nothing when there is none.
    public func endSession(_ id: String) async throws {
        try await database.transaction { sql in
            try await sql.raw("DELETE FROM sessions WHERE sha256 = \(bind: sha256Hex(id))").run()
        }
    }

    /// How many live tokens there are.
    public func tokenCount() async throws -> Int {
        try await database.session { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM tokens WHERE revoked_at IS NULL").first()?.decode(
                column: "n", as: Int.self) ?? 0
        }
    }

    /// What an Idempotency-Key lookup found.
    public enum IdempotentStart: Sendable, Equatable {
        /// First use: run the request, then `finishIdempotent`.
        case proceed
        /// Seen and finished: send this response again.
        case replay(status: Int, location: String?, body: String)
        /// Seen with a different request.
        case mismatch
        /// Seen and still running.
        case inProgress
    }

    /// How long a key is remembered.
    public static let idempotencyWindowMillis: Int64 = 24 * 3600 * 1000

    /// Claims an idempotency key for a request, or says how it was used before. Keys are per
    /// token, so two clients cannot collide, and are forgotten after 24 hours.
    public func beginIdempotent(token: String, key: String, requestHash: String) async throws -> IdempotentStart {
        try await database.transaction { sql in
            try await sql.raw(
                """
                DELETE FROM idempotency_keys WHERE created_at < \(bind: StoreClock.nowMillis() - Self.idempotencyWindowMillis)
                """
            ).run()
            let inserted = try await sql.raw(
                """
                INSERT INTO idempotency_keys (token_id, key, request_sha256, created_at)
                VALUES (\(bind: token), \(bind: key), \(bind: requestHash), \(bind: StoreClock.nowMillis()))
                ON CONFLICT (token_id, key) DO NOTHING RETURNING key
                """
            ).first()
            if inserted != nil { return .proceed }
            guard
                let row = try await sql.raw(
                    """
                    SELECT request_sha256, status, location, body FROM idempotency_keys
                    WHERE token_id = \(bind: token) AND key = \(bind: key)
                    """
                ).first()
            else { return .inProgress }
            if try row.decode(column: "request_sha256", as: String.self) != requestHash { return .mismatch }
            guard let status = try row.decode(column: "status", as: Int?.self) else { return .inProgress }
            return .replay(
                status: status, location: try row.decode(column: "location", as: String?.self),
                body: try row.decode(column: "body", as: String?.self) ?? "")
        }
    }

    /// Keeps the response of a request made with an idempotency key; a failure that the client
    /// should retry (`keep` false) frees the key instead.
    public func finishIdempotent(token: String, key: String, status: Int, location: String?, body: String, keep: Bool)
        async throws
    {
        try await database.transaction { sql in
            if keep {
                try await sql.raw(
                    """
                    UPDATE idempotency_keys SET status = \(bind: status), location = \(bind: location), body = \(bind: body)
                    WHERE token_id = \(bind: token) AND key = \(bind: key)
                    """
                ).run()
            } else {
                try await sql.raw(
                    "DELETE FROM idempotency_keys WHERE token_id = \(bind: token) AND key = \(bind: key)"
                ).run()
            }
        }
    }
}
