import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Refuses every path the router would read otherwise than it is written, before anything
/// decides on it. The router drops empty segments (`/v1//tokens` answers as `/v1/tokens`), so a
/// check on the raw path and the route that answers could disagree; here they cannot.
///
/// - Empty segments and a trailing slash: a GET or HEAD is redirected (308) to the canonical
///   spelling; any other method gets 400 naming it (a write is never replayed elsewhere).
/// - Dot segments (`.`, `..`, also percent-encoded) and encoded slashes or backslashes (`%2F`,
///   `%5C`): 400. No route has them, and a proxy in front could read them either way.
struct CanonicalPathMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        switch CanonicalPath.check(request.uri.path) {
        case .canonical:
            return try await next(request, context)
        case .redirect(let canonical) where request.method == .get || request.method == .head:
            let location = canonical + (request.uri.query.map { "?" + $0 } ?? "")
            return Response(status: .permanentRedirect, headers: [.location: location])
        case .redirect(let canonical):
            throw Problem(
                .badRequest, "Non-canonical path",
                detail: "the path has empty segments or a trailing slash: send it as \(canonical)")
        case .refused(let why):
            throw Problem(.badRequest, "Non-canonical path", detail: why)
        }
    }
}

/// The one spelling of a path that the server answers to.
enum CanonicalPath {
    enum Verdict: Equatable {
        /// The path is as the router reads it.
        case canonical
        /// The same route, spelled without empty segments or a trailing slash.
        case redirect(String)
        /// No route can have it.
        case refused(String)
    }

    static func check(_ path: String) -> Verdict {
        guard path.hasPrefix("/") else { return .refused("a path starts with /") }
        if path == "/" { return .canonical }
        let raw = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for segment in raw {
            let decoded = segment.removingPercentEncoding ?? String(segment)
            if decoded == "." || decoded == ".." {
                return .refused("the path has a dot segment ('\(segment)'): send the path it stands for")
            }
            if decoded.contains("/") || decoded.contains("\\") {
                return .refused("the path has an encoded slash or a backslash in '\(segment)'")
            }
        }
        let canonical = "/" + raw.filter { !$0.isEmpty }.joined(separator: "/")
        return canonical == path ? .canonical : .redirect(canonical)
    }
}

/// Closes a connection whose request body the answer did not read to its end.
///
/// A handler reads a body under the body deadline (`API.body`), but an answer given without
/// reading it (a 401 before the upload, a GET with a body, a 413 after the limit) would leave the
/// connection to drain the rest for as long as the client trickles it: a few such sockets
/// hold the connection table. Such an answer goes out with `Connection: close`, and the
/// connection's input is shut at once, so nothing more is read from it.
struct UnreadBodyMiddleware: RouterMiddleware {
    typealias Context = AppContext

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response)
        async throws -> Response
    {
        guard Self.hasBody(request.headers) else { return try await next(request, context) }
        let tracker = BodyTracker()
        var tracked = request
        tracked.body = RequestBody(asyncSequence: TrackedBody(base: request.body, tracker: tracker))
        do {
            var response = try await next(tracked, context)
            if !tracker.finished {
                response.headers[.connection] = "close"
                context.closeInput()
            }
            return response
        } catch {
            if !tracker.finished { context.closeInput() }
            throw error
        }
    }

    /// Whether the request says a body follows.
    static func hasBody(_ headers: HTTPFields) -> Bool {
        if headers[.transferEncoding] != nil { return true }
        guard let length = headers[.contentLength] else { return false }
        return Int(length).map { $0 > 0 } ?? true
    }
}

/// Whether a body was read to its end.
final class BodyTracker: Sendable {
    private let done = Atomic(false)
    var finished: Bool { done.load(ordering: .acquiring) }
    func finish() { done.store(true, ordering: .releasing) }
}

/// A request body that tells its tracker when it has been read to its end.
struct TrackedBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let base: RequestBody
    let tracker: BodyTracker

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: RequestBody.AsyncIterator
        let tracker: BodyTracker

        mutating func next() async throws -> ByteBuffer? {
            let part = try await base.next()
            if part == nil { tracker.finish() }
            return part
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), tracker: tracker) }
}
