import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardStore
import Synchronization

/// Bearer tokens with roles. Reads need a viewer, writes a planner, token management an admin.
/// Browsers hold a server-side session instead: signing in (POST /login) trades the token for a
/// random session id in the `switchyard_session` cookie, which the dashboard's pages (never the
/// API) accept until it expires, the user signs out, or the token is revoked.
/// Operational endpoints (/healthz, /readyz, /metrics, /openapi.json) and the login page are open.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let tokens: TokenCache

    static let open: Set<String> = ["/healthz", "/readyz", "/metrics", "/openapi.json", "/login", "/logout"]
    static let cookie = "switchyard_session"
    /// How long a dashboard session lasts: a working day.
    static let sessionSeconds = 12 * 3600

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response)
        async throws -> Response
    {
        let path = request.uri.path
        if Self.open.contains(path) { return try await next(request, context) }
        let isAPI = path.hasPrefix("/v1/") || path == "/v1"
        // The session cookie signs in the dashboard's pages only: the API takes the header, so no
        // other site can make a browser write through it.
        let token: TokenRecord?
        if let secret = Self.bearer(request) {
            token = try await tokens.lookup(secret)
        } else if !isAPI, let session = request.cookies[Self.cookie]?.value {
            token = try await tokens.store.sessionToken(session)
        } else {
            if !isAPI { return Dashboard.loginPage(status: .unauthorized, message: "Sign in with an API token.") }
            throw Problem(
                .unauthorized, "Unauthorized", detail: "send Authorization: Bearer TOKEN (switchyard token create)",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        guard let token else {
            if !isAPI {
                return Dashboard.loginPage(
                    status: .unauthorized, message: "Your session has ended or the token is not valid: sign in again.")
            }
            throw Problem(
                .unauthorized, "Unauthorized", detail: "the token is unknown or revoked",
                headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
        }
        let needed = Self.role(for: request.method, path: path)
        guard token.role >= needed else {
            throw Problem(
                .forbidden, "Forbidden",
                detail: "this needs the \(needed.rawValue) role; the token '\(token.name)' is \(token.role.rawValue)")
        }
        var context = context
        context.actor = Actor(id: token.id, name: token.name, role: token.role)
        return try await next(request, context)
    }

    static func role(for method: HTTPRequest.Method, path: String) -> Role {
        if path.hasPrefix("/v1/tokens") { return .admin }
        return method == .get || method == .head ? .viewer : .planner
    }

    /// The bearer token of the Authorization header, if any; an Authorization header that is no
    /// bearer token gives "", which no token matches (401, not a fall back to the cookie).
    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return "" }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }
}

/// Headers every response carries: no framing (clickjacking), no content sniffing, no referrer,
/// and a Content-Security-Policy that allows no script at all (the dashboard uses none), styles
/// only inline, images only from here, forms posting only here.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var policy: String {
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        return response
    }
}

/// Token lookups, remembered for a few seconds so reads do not pay a database round trip each.
final class TokenCache: Sendable {
    let store: Store
    let ttl: Duration = .seconds(5)
    private let entries = Mutex<[String: (TokenRecord?, ContinuousClock.Instant)]>([:])

    init(store: Store) { self.store = store }

    /// Drops a revoked token at once (other servers drop it when their entry is 5 s old).
    func forget(id: String) {
        entries.withLock { $0 = $0.filter { $0.value.0?.id != id } }
    }

    func lookup(_ secret: String) async throws -> TokenRecord? {
        let now = ContinuousClock.now
        if let hit = entries.withLock({ $0[secret] }), now - hit.1 < ttl { return hit.0 }
        let token = try await store.token(secret: secret)
        entries.withLock {
            if $0.count > 10_000 { $0.removeAll() }
            $0[secret] = (token, now)
        }
        return token
    }
}

/// Puts the server's body deadline into each request's context (`API.body` enforces it).
struct BodyDeadlineMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let seconds: Double

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        context.bodySeconds = seconds
        return try await next(request, context)
    }
}
