import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardStore
import SwitchyardWorker
import Synchronization

/// Each request's context: who is asking, once the token is checked.
public struct AppContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The caller; nil on the public endpoints.
    public var actor: Actor?

    /// The connection the request came on (to stop reading from it).
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        actor = nil
        channel = source.channel
    }

    /// Reads nothing more from this request's connection: once the answer is written, it closes.
    func closeInput() { channel.close(mode: .input, promise: nil) }

    /// Bodies above this are refused with 413 (scenario imports are the largest).
    public var maxUploadSize: Int { ServerOptions.maxBodyBytes }
    /// How long a request's body may take to arrive once its head has: 408 past it.
    public var bodySeconds = ServerOptions().requestBodySeconds

    /// The caller, or 401.
    func requireActor() throws -> Actor {
        guard let actor else {
            throw Problem(.unauthorized, "Unauthorized", detail: "send Authorization: Bearer TOKEN")
        }
        return actor
    }
}

/// How `switchyard serve` runs.
public struct ServerOptions: Sendable {
    /// Largest request body accepted.
    public static let maxBodyBytes = 4 << 20
    /// The address to listen on (loopback unless told).
    public var host = "127.0.0.1"
    /// The port to listen on.
    public var port = 8080
    /// The solver's time limit for plan jobs unless a request asks for less.
    public var planTimeLimitSeconds = 120.0
    /// The relative gap plan and re-plan jobs stop at unless a request asks for another.
    public var planGap = 0.01
    /// Job runners in this process.
    public var workers = 1
    /// How long a job claim lasts without renewal.
    public var jobLeaseSeconds = 30.0
    /// How many plan and re-plan jobs may wait at once, in all and per token; past it, 429.
    public var jobLimits = JobLimits.serverDefault
    /// A connection with no request under way (idle keep-alive, or headers not complete) is
    /// closed after this long, as is one whose body stops arriving.
    public var idleTimeoutSeconds = 30.0
    /// A request's whole body must arrive within this long after its head, however slowly it
    /// trickles (each byte restarts the idle timeout): else 408 and the connection is closed.
    public var requestBodySeconds = 30.0
    /// Connections held at once; past it the server accepts no more until one closes (they wait
    /// in the listen backlog).
    public var maxConnections = 1024
    /// Whether every request is logged (request id, route, status, latency): on with JSON logs.
    public var logRequests = false
    /// On SIGTERM or SIGINT, how long a job already solving may take to finish and be written;
    /// past it the job goes back to the queue (its attempt not spent) and the server exits.
    public var shutdownGraceSeconds = 10.0

    public init() {}
}

/// The application: routes, middleware and the job runners, over one store.
public struct SwitchyardServer: Sendable {
    /// The record.
    public let store: Store
    /// How it runs.
    public let options: ServerOptions
    /// Request and job metrics.
    public let metrics: Metrics
    let tokens: TokenCache
    let started = Date()
    let instance = UUID().uuidString.prefix(8).lowercased()
    /// Set once graceful shutdown begins: /readyz answers 503.
    let draining = Shared(false)
    /// What the job runners plan with: the planner, unless a test hands in another.
    let executor: PlanExecutor

    public init(
        store: Store, options: ServerOptions = ServerOptions(), metrics: Metrics = Metrics(),
        executor: @escaping PlanExecutor = plannerExecutor
    ) {
        self.executor = executor
        self.store = store
        self.options = options
        self.metrics = metrics
        tokens = TokenCache(store: store)
    }

    /// The router with every route and middleware.
    public func router() -> Router<AppContext> {
        let router = Router(context: AppContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics, logRequests: options.logRequests))
        router.add(middleware: UnreadBodyMiddleware())
        router.add(middleware: HeadMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: BodyDeadlineMiddleware(seconds: options.requestBodySeconds))
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: CanonicalPathMiddleware())
        router.add(middleware: AuthMiddleware(tokens: tokens))
        addOperationalRoutes(router)
        addAPIRoutes(router)
        addDashboardRoutes(router)
        return router
    }

    /// Job runners for this process, reporting to the metrics.
    public func runners() -> [JobRunner] {
        (0..<max(0, options.workers)).map { i in
            JobRunner(
                store: store,
                executor: executor,
                // Unique per process start: a restarted server must not pass for the one that died.
                worker:
                    "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(instance)-\(i)",
                leaseSeconds: options.jobLeaseSeconds, shutdownGraceSeconds: options.shutdownGraceSeconds
            ) { [metrics] outcome in
                let labels = [("kind", outcome.kind.rawValue), ("outcome", outcome.succeeded ? "succeeded" : "failed")]
                metrics.observe("switchyard_plan_job_duration_seconds", outcome.seconds, labels: labels)
                if outcome.succeeded {
                    metrics.observe(
                        "switchyard_solver_seconds", outcome.solverSeconds, labels: [("kind", outcome.kind.rawValue)])
                }
            }
        }
    }

    /// Serves until the process is stopped: HTTP on the options' address and the job runners.
    ///
    /// SIGTERM or SIGINT shuts them down gracefully in reverse order: first /readyz starts to
    /// answer 503 "draining", then the runners stop claiming and give a job already solving
    /// `shutdownGraceSeconds` to finish (else it goes back to the queue), and only then does the
    /// HTTP server stop, so a load balancer sees the drain.
    ///
    /// The runners claim no job before the listener is up: a server that cannot bind its port
    /// exits without having taken (and spent an attempt of) anyone's job.
    public func run(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let listening = Shared(false)
        let app = application(logger: logger) { port in
            listening.withLock { $0 = true }
            await onRunning(port)
        }
        let gated: [any Service] = runners().map { StartWhenListening(runner: $0, listening: listening) }
        let services: [any Service] = [app] + gated + [DrainSignal(draining: draining)]
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Works the job queue without HTTP (`switchyard worker`) until SIGTERM or SIGINT, which stop
    /// the runners as in `run`: no new claims, a running solve's grace period, else hand-back.
    public func runWorkers(logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(services: runners(), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The HTTP application with the options' limits: idle and slow clients are cut off, and no
    /// more than `maxConnections` are held; near that many, the longest-idle connection makes
    /// room for each new one (`ConnectionTable`). `services`, when given, run in the application's own
    /// service group (`run` puts the job runners in a group around it instead, to order the stop).
    public func application(
        logger: Logger, services: [any Service] = [], onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let table = ConnectionTable(maxConnections: options.maxConnections)
        return Application(
            router: router(),
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [ConnectionTracker(table: table)],
                    idleTimeout: .milliseconds(Int64(options.idleTimeoutSeconds * 1000)))),
            configuration: .init(
                address: .hostname(options.host, port: options.port), serverName: "switchyard",
                availableConnectionsDelegate: MaximumAvailableConnections(options.maxConnections)),
            services: services,
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    func addOperationalRoutes(_ router: Router<AppContext>) {
        router.getAndHead("/healthz") { _, _ in Self.json(.ok, "{\"status\":\"ok\"}") }
        router.getAndHead("/readyz") { _, _ -> Response in
            if draining.withLock({ $0 }) {
                throw Problem(
                    .serviceUnavailable, "Draining",
                    detail: "this server is stopping: it takes no new jobs and finishes or hands back its own")
            }
            do {
                let version = try await withTimeout(seconds: 2) { try await store.schemaVersion() }
                return Self.json(
                    .ok,
                    "{\"status\":\"ready\",\"database\":\(jsonString(store.database.dialect.rawValue)),"
                        + "\"schemaVersion\":\(version)}")
            } catch {
                throw Problem(.serviceUnavailable, "Not ready", detail: "the database does not answer: \(error)")
            }
        }
        router.getAndHead("/metrics") { _, _ -> Response in
            var gauges: [(name: String, help: String, labels: [(String, String)], value: Double)] = []
            for (state, count) in (try? await store.jobCounts()) ?? [] {
                gauges.append(("switchyard_jobs", "Jobs in the queue by state.", [("state", state)], Double(count)))
            }
            gauges.append(
                (
                    "switchyard_uptime_seconds", "Seconds since this server started.", [],
                    Date().timeIntervalSince(started)
                ))
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.render(gauges: gauges))))
        }
        router.getAndHead("/openapi.json") { _, _ in Self.json(.ok, OpenAPIDocument.json) }
    }

    /// A JSON response.
    static func json(_ status: HTTPResponse.Status, _ body: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// Request latencies by method, route template and status.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: Metrics
    /// Whether each request is logged (with its request id, route, status and latency).
    let logRequests: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        let route = context.endpointPath ?? "unmatched"
        metrics.observe(
            "switchyard_http_request_duration_seconds", seconds,
            labels: [("method", request.method.rawValue), ("route", route), ("status", String(response.status.code))])
        if logRequests {
            context.logger.info(
                "request",
                metadata: [
                    "method": "\(request.method.rawValue)", "route": "\(route)",
                    "status": .stringConvertible(Int(response.status.code)),
                    "ms": .stringConvertible((seconds * 100_000).rounded() / 100),
                ])
        }
        return response
    }
}

extension OpenAPIDocument {
    /// The document as JSON, converted once.
    static let json: String = {
        guard let node = try? DocumentParser.parse(yaml, format: .yaml) else { return "{}" }
        return DocumentWriter.write(node, format: .json)
    }()
}

/// A value shared between tasks under a lock.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
}

/// The first service to hear of a graceful shutdown (the last in its group): marks the server
/// as draining, so /readyz says so while the job runners finish.
struct DrainSignal: Service {
    let draining: Shared<Bool>

    func run() async throws {
        try? await gracefulShutdown()
        draining.withLock { $0 = true }
    }
}

/// A job runner that starts claiming only once the HTTP listener is up (or never, when the
/// server stops first, as when its port is taken).
struct StartWhenListening: Service {
    let runner: JobRunner
    let listening: Shared<Bool>

    func run() async throws {
        while !listening.withLock({ $0 }) {
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
        try await runner.run()
    }
}
