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
///
/// Authorisation is decided on the route the path matches (its template, as the router matches
/// it) and the method, never on the raw path's spelling: `CanonicalPathMiddleware` runs first and
/// refuses every path the router would read differently from how it is written (`//v1/tokens`,
/// `/v1//tokens`, `/./v1`, `%2F`), so the route checked here is the route that answers.
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
        let template = RouteTable.template(path)
        if let template, Self.open.contains(template) { return try await next(request, context) }
        // The session cookie signs in the dashboard's pages only: the API (and any path that is
        // no dashboard page) takes the header, so no other site can make a browser write through it.
        // A path no route has is a page unless it is under /v1 (it gets a 404 after sign-in).
        let isPage = template.map(RouteTable.isDashboardPage) ?? (RouteTable.segments(path).first != "v1")
        let token: TokenRecord?
        if let secret = Self.bearer(request) {
            token = try await tokens.lookup(secret)
        } else if isPage, let session = request.cookies[Self.cookie]?.value {
            token = try await tokens.store.sessionToken(session)
        } else {
            if isPage { return Dashboard.loginPage(status: .unauthorized, message: "Sign in with an API token.") }
            throw Problem(
                .unauthorized, "Unauthorized", detail: "send Authorization: Bearer TOKEN (switchyard token create)",
                headers: [.wwwAuthenticate: "Bearer"])
        }
        guard let token else {
            if isPage {
                return Dashboard.loginPage(
                    status: .unauthorized, message: "Your session has ended or the token is not valid: sign in again.")
            }
            throw Problem(
                .unauthorized, "Unauthorized", detail: "the token is unknown or revoked",
                headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
        }
        let needed = Self.role(for: request.method, template: template ?? path)
        guard token.role >= needed else {
            throw Problem(
                .forbidden, "Forbidden",
                detail: "this needs the \(needed.rawValue) role; the token '\(token.name)' is \(token.role.rawValue)")
        }
        var context = context
        context.actor = Actor(id: token.id, name: token.name, role: token.role)
        return try await next(request, context)
    }

    /// The role a method on a route needs: token management is an admin's, other writes a
    /// planner's, reads a viewer's. `template` is the matched route's ("/v1/tokens/{id}"); a path
    /// no route has gets the same rule by its segments, and then a 404.
    static func role(for method: HTTPRequest.Method, template: String) -> Role {
        let segments = RouteTable.segments(template)
        if segments.count >= 2, segments[0] == "v1", segments[1] == "tokens" { return .admin }
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

/// Refuses a sign-in that another site made a browser send (login CSRF: signing a victim in as
/// the attacker, whose pages then show the attacker's data).
///
/// Two checks, each enough alone in a current browser:
/// - Where the browser says who sent the form (`Sec-Fetch-Site`, `Origin`), it must be this
///   site's own page: same origin, or typed in by the user.
/// - Every sign-in form carries a random value, once in a hidden field and once in an HttpOnly,
///   SameSite=Strict cookie that the form's page set; the POST must bring both, equal. Another
///   site can neither read the value nor make the browser send the cookie.
/// A client that is no browser (curl, a test) loads `GET /login` first, as a browser does.
enum SignInGuard {
    static let cookieName = "switchyard_signin"

    /// 32 random bytes as hex.
    static func freshValue() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined()
    }

    /// The cookie that pairs with the form's hidden field; only sent back to /login, and only
    /// from this site's pages.
    static func cookie(_ value: String) -> String {
        "\(cookieName)=\(value); Path=/login; Max-Age=3600; HttpOnly; SameSite=Strict"
    }

    /// Why the sign-in is refused, or nil when it came from this site's own form.
    static func refusal(_ request: Request, formValue: String?) -> String? {
        if isCrossSite(request) {
            return "This sign-in came from another site's page: open this dashboard and sign in here."
        }
        guard let formValue, !formValue.isEmpty, let cookie = request.cookies[cookieName]?.value,
            constantTimeEqual(formValue, cookie)
        else { return "The sign-in form had expired: sign in again." }
        return nil
    }

    /// Whether the browser says another site's page sent the request (`Sec-Fetch-Site`, or an
    /// `Origin` that is not this server).
    static func isCrossSite(_ request: Request) -> Bool {
        if let site = request.headers[.secFetchSite]?.lowercased(), site != "same-origin", site != "none" {
            return true
        }
        if let origin = request.headers[.origin], !isOwnOrigin(origin, request) { return true }
        return false
    }

    /// Whether `Origin` names this server as the browser reached it (its Host, or the one a proxy
    /// in front says it was asked for).
    static func isOwnOrigin(_ origin: String, _ request: Request) -> Bool {
        guard let url = URLComponents(string: origin), let host = url.host, let scheme = url.scheme else {
            return false
        }
        let authority = url.port.map { "\(host):\($0)" } ?? host
        let asked = [request.headers[.xForwardedHost], request.head.authority, request.headers[.hostHeader]]
            .compactMap { $0?.lowercased() }
        return ["http", "https"].contains(scheme) && asked.contains(authority.lowercased())
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension HTTPField.Name {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
    static let xForwardedHost = HTTPField.Name("X-Forwarded-Host")!
    static let hostHeader = HTTPField.Name("Host")!
}
