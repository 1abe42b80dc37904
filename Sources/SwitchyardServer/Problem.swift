import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardStore

/// An RFC 9457 problem: every error the API returns is one, as `application/problem+json`, with
/// the field paths of input problems under `errors`.
public struct Problem: Error, HTTPResponseError, Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A short summary of the problem type.
    public var title: String
    /// More about it.
    public var detail: String
    /// Every problem with the input, each with its path.
    public var errors: [Diagnostic]
    /// Extra response headers.
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, _ title: String, detail: String = "", errors: [Diagnostic] = [],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }

    /// The problem as JSON.
    public var json: String {
        var out = "{\"type\":\"about:blank\",\"title\":\(jsonString(title)),\"status\":\(status.code)"
        if !detail.isEmpty { out += ",\"detail\":\(jsonString(detail))" }
        if !errors.isEmpty {
            out += ",\"errors\":["
            out += errors.map { d in
                var item = "{\"path\":\(jsonString(d.path)),\"message\":\(jsonString(d.message))"
                if let line = d.line { item += ",\"line\":\(line)" }
                return item + "}"
            }.joined(separator: ",")
            out += "]"
        }
        return out + "}"
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: json)))
    }

    /// The problem for a store error; a full job queue asks to retry after `retryAfterSeconds`.
    static func from(_ error: StoreError, retryAfterSeconds: Int = 60) -> Problem {
        switch error {
        case .queueFull(let message):
            Problem(
                .tooManyRequests, "Too many jobs",
                detail: "\(message); retry after a job finishes (Retry-After: \(retryAfterSeconds) s)",
                headers: [.retryAfter: String(retryAfterSeconds)])
        case .notFound(let what): Problem(.notFound, "Not found", detail: "no \(what)")
        case .conflict(let message, let diagnostics):
            Problem(.conflict, "Conflict", detail: message, errors: diagnostics)
        case .preconditionFailed(let current):
            Problem(
                .preconditionFailed, "Stale version",
                detail: "someone changed this since you read it: the current ETag is \"\(current)\"; read it again",
                headers: [.eTag: "\"\(current)\""])
        case .preconditionRequired(let message): Problem(.init(code: 428), "If-Match required", detail: message)
        case .invalid(let error):
            Problem(
                .unprocessableContent, "Invalid input", detail: "\(error.diagnostics.count) problem(s)",
                errors: error.diagnostics)
        case .transition:
            Problem(.conflict, "Transition not allowed", detail: error.description)
        case .configuration(let message): Problem(.serviceUnavailable, "Database unavailable", detail: message)
        case .timeout: Problem(.serviceUnavailable, "Timed out", detail: error.description)
        }
    }
}

/// A JSON string literal.
func jsonString(_ s: String) -> String { DocumentWriter.jsonString(s) }

/// Turns every error into problem JSON; anything unexpected becomes a 500 whose details go to
/// the log, not to the client.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let problem as Problem {
            return try problem.response(from: request, context: context)
        } catch let error as StoreError {
            if case .configuration = error { context.logger.error("\(error)") }
            return try Problem.from(error).response(from: request, context: context)
        } catch let error as InputError {
            return try Problem(
                .badRequest, "Malformed request", detail: "the body could not be read", errors: error.diagnostics
            ).response(from: request, context: context)
        } catch let error as HTTPError where error.status == .notFound && !RouteTable.allowed(request.uri.path).isEmpty
        {
            let allowed = RouteTable.allowed(request.uri.path)
            return try Problem(
                .methodNotAllowed, "Method not allowed",
                detail: "\(request.uri.path) answers \(allowed.joined(separator: ", "))",
                headers: [.allow: allowed.joined(separator: ", ")]
            ).response(from: request, context: context)
        } catch let error as HTTPError {
            let title = error.status == .notFound ? "Not found" : error.status.reasonPhrase
            return try Problem(
                error.status, title,
                detail: error.body ?? (error.status == .notFound ? "no such resource: \(request.uri.path)" : ""),
                headers: error.headers
            ).response(from: request, context: context)
        } catch {
            context.logger.error(
                "unexpected error on \(request.method) \(request.uri.path): \(String(reflecting: error))")
            return try Problem(
                .internalServerError, "Internal error", detail: "the server failed; the log has the details"
            ).response(from: request, context: context)
        }
    }
}

/// Which methods each path answers, from the OpenAPI document and the dashboard's pages, so a
/// known path asked with another method gets 405 and an Allow header rather than 404.
enum RouteTable {
    static let dashboard: [(String, [String])] = [
        ("/", ["GET"]), ("/plans", ["GET"]), ("/plans/what-if", ["POST"]), ("/plans/{id}", ["GET"]),
        ("/plans/{id}/export/{target}", ["GET"]),
        ("/leases", ["GET"]), ("/incidents", ["GET", "POST"]), ("/plans/{id}/accept", ["POST"]),
        ("/plans/{id}/risk", ["POST"]), ("/plans/{id}/reject", ["POST"]),
        ("/leases/{id}/transitions", ["POST"]),
        ("/login", ["GET", "POST"]), ("/logout", ["GET"]),
    ]

    static let routes: [(template: String, segments: [String], methods: [String])] = {
        var table = dashboard
        if let root = try? DocumentParser.parse(OpenAPIDocument.yaml, format: .yaml),
            case .mapping(let top, _) = root, let paths = top.first(where: { $0.key == "paths" })?.value,
            case .mapping(let items, _) = paths
        {
            for (path, item) in items {
                guard case .mapping(let operations, _) = item else { continue }
                let methods = operations.map(\.key).filter { ["get", "post", "put", "delete", "patch"].contains($0) }
                table.append((path, methods.map { $0.uppercased() }))
            }
        }
        return table.map { ($0.0, segments($0.0), $0.1) }
    }()

    static func segments(_ path: String) -> [String] { path.split(separator: "/").map(String.init) }

    /// Whether a template is one of the dashboard's pages (where a session cookie signs in).
    static func isDashboardPage(_ template: String) -> Bool { dashboard.contains { $0.0 == template } }

    /// The methods `path` answers; empty when no route has it.
    static func allowed(_ path: String) -> [String] { match(path)?.methods ?? [] }

    /// The route template a path matches ("/v1/tokens/{id}"), segment by segment as the router
    /// matches it; nil when no route has the path.
    static func template(_ path: String) -> String? { match(path)?.template }

    static func match(_ path: String) -> (template: String, segments: [String], methods: [String])? {
        let parts = segments(path)
        return routes.first { route in
            route.segments.count == parts.count
                && zip(route.segments, parts).allSatisfy { $0.hasPrefix("{") ? !$1.isEmpty : $0 == $1 }
        }
    }
}

/// HEAD wherever GET works (RFC 9110 §9.3.2): a route registered with `getAndHead` answers a
/// HEAD as its GET would, with the status and headers (Content-Length included) and no body.
/// Sign-in and sign-out are GET-only: a HEAD must not set a cookie.
struct HeadMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard request.method == .head else { return try await next(request, context) }
        var head = request.head
        head.method = .get
        var response = try await next(Request(head: head, body: request.body), context)
        let length = response.body.contentLength
        // Setting the body resets Content-Length to the new body's; the GET's is put back after.
        response.body = ResponseBody()
        if let length { response.headers[.contentLength] = String(length) }
        return response
    }
}

extension RouterMethods {
    /// GET and HEAD on `path` with one handler; `HeadMiddleware` drops the HEAD's body.
    @discardableResult
    func getAndHead<Output: ResponseGenerator>(
        _ path: RouterPath, use handler: @escaping @Sendable (Request, Context) async throws -> Output
    ) -> Self {
        head(path, use: handler)
        return get(path, use: handler)
    }
}
