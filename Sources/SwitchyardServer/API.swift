import Export
import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardStore

/// A response as the API builds it, before it becomes a `Response` (so an idempotent POST can
/// keep it and send it again).
struct Reply: Sendable {
    var status: HTTPResponse.Status
    var body: String
    var location: String?
    var etag: Int64?
    var contentType = "application/json"

    var response: Response {
        var headers: HTTPFields = [.contentType: contentType]
        if let location { headers[.location] = location }
        if let etag { headers[.eTag] = "\"\(etag)\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
    static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}

extension SwitchyardServer {
    func addAPIRoutes(_ router: Router<AppContext>) {
        let v1 = router.group("v1")
        addScenarioRoutes(v1)
        for kind in EntityKind.allCases { addEntityRoutes(v1, kind) }
        addPlanRoutes(v1)
        addLeaseRoutes(v1)
        addIncidentRoutes(v1)
        v1.getAndHead("audit") { request, _ -> Response in
            let page = try await store.audit(after: try Self.cursor(request, .number), limit: try Self.limit(request))
            return Self.list(page) { Representation.encode(Representation.Audit($0)) }
        }
        v1.getAndHead("tokens") { _, _ -> Response in
            let items = try await store.tokens().map { t in
                "{\"id\":\(jsonString(t.id)),\"name\":\(jsonString(t.name)),\"role\":\"\(t.role.rawValue)\","
                    + "\"createdAt\":\(jsonString(Representation.time(t.createdAtMilliseconds) ?? "")),"
                    + "\"revokedAt\":\(Representation.time(t.revokedAtMilliseconds).map(jsonString) ?? "null")}"
            }
            return Reply(status: .ok, body: Representation.page(items, next: nil)).response
        }
        v1.delete("tokens/:id") { _, context -> Response in
            let id = try pathID(context)
            try await store.revokeToken(id, actor: context.requireActor())
            tokens.forget(id: id)
            return Response(status: .noContent)
        }
        v1.post("tokens") { request, context -> Response in
            let body = try await Self.body(request, context)
            return try await idempotent(request, context, body) {
                var r = DocumentReader(strictText: true)
                let node = try Self.parseJSON(body)
                let f = r.fields(node, at: "", allowed: ["name", "role"])
                let name = f.flatMap { r.required($0, "name") { $0.string($1, $2) } }
                let role: Role? = f.flatMap { r.required($0, "role") { $0.choice($1, $2) } }
                guard r.diagnostics.isEmpty, let name, let role else { throw Self.invalid(r.diagnostics) }
                let (token, secret) = try await store.createToken(name: name, role: role, actor: context.requireActor())
                return Reply(
                    status: .created,
                    body: "{\"id\":\(jsonString(token.id)),\"name\":\(jsonString(name)),\"role\":\"\(role.rawValue)\","
                        + "\"token\":\(jsonString(secret))}")
            }
        }
    }

    // MARK: scenario

    func addScenarioRoutes(_ v1: RouterGroup<AppContext>) {
        v1.getAndHead("scenario") { request, _ -> Response in
            guard let scenario = try await store.workspace() else {
                throw Problem(.notFound, "Not found", detail: "there is no scenario yet: POST one to /v1/scenarios")
            }
            return try Self.document(scenario, request)
        }
        v1.post("scenarios") { request, context -> Response in
            let body = try await Self.body(request, context)
            return try await idempotent(request, context, body) {
                let yaml = request.headers[.contentType]?.contains("yaml") ?? false
                // JSON that does not parse is a malformed request (400, as for every JSON body);
                // a document that parses but is no valid scenario is 422.
                let json = yaml ? nil : try Self.parseJSON(body)
                let scenario: Scenario
                do {
                    scenario =
                        try json.map { try ScenarioFile.load(document: $0, strictText: true) }
                        ?? ScenarioFile.load(data: Data(buffer: body), format: .yaml)
                } catch let error as InputError {
                    throw Problem(
                        .unprocessableContent, "Invalid scenario", detail: "\(error.diagnostics.count) problem(s)",
                        errors: error.diagnostics)
                }
                let snapshot = try await store.importScenario(scenario, actor: context.requireActor())
                return Reply(
                    status: .created, body: Representation.encode(Representation.Snapshot(snapshot)),
                    location: "/v1/scenarios/\(snapshot.version)")
            }
        }
        v1.getAndHead("scenarios") { request, _ -> Response in
            let page = try await store.snapshots(
                after: try Self.cursor(request, .number), limit: try Self.limit(request))
            return Self.list(page) { Representation.encode(Representation.Snapshot($0)) }
        }
        v1.getAndHead("scenarios/:version") { request, context -> Response in
            guard let version = Int64(try context.parameters.require("version")) else {
                throw Problem(.notFound, "Not found", detail: "scenario versions are numbers")
            }
            let (_, scenario) = try await store.snapshot(version: version)
            return try Self.document(scenario, request)
        }
    }

    /// A scenario as JSON, or YAML when `?format=yaml` or `Accept: application/yaml`.
    static func document(_ scenario: Scenario, _ request: Request) throws -> Response {
        let format = request.uri.queryParameters.get("format")
        if let format, format != "json", format != "yaml" {
            throw invalid([Diagnostic(path: "format", message: "'\(format)' is not json or yaml")])
        }
        let yaml = format == "yaml" || (format == nil && (request.headers[.accept]?.contains("yaml") ?? false))
        return Reply(
            status: .ok, body: ScenarioFile.text(scenario, format: yaml ? .yaml : .json),
            contentType: yaml ? "application/yaml" : "application/json"
        ).response
    }

    // MARK: entities

    func addEntityRoutes(_ v1: RouterGroup<AppContext>, _ kind: EntityKind) {
        let path = RouterPath(kind.rawValue)
        let item = RouterPath("\(kind.rawValue)/:id")
        v1.getAndHead(path) { request, _ -> Response in
            let page = try await store.entities(
                kind, after: try Self.cursor(request, .id), limit: try Self.limit(request))
            return Self.list(page, \.body)
        }
        v1.post(path) { request, context -> Response in
            let body = try await Self.body(request, context)
            return try await idempotent(request, context, body) {
                let record = try await store.putEntity(
                    kind, id: nil, body: try Self.parseJSON(body), ifMatch: nil, actor: context.requireActor())
                return Reply(
                    status: .created, body: record.body, location: "/v1/\(kind.rawValue)/\(record.id)",
                    etag: record.version)
            }
        }
        v1.getAndHead(item) { _, context -> Response in
            let record = try await store.entity(kind, id: try pathID(context))
            return Reply(status: .ok, body: record.body, etag: record.version).response
        }
        v1.put(item) { request, context -> Response in
            let body = try await Self.body(request, context)
            let record = try await store.putEntity(
                kind, id: try pathID(context), body: try Self.parseJSON(body),
                ifMatch: try Self.ifMatch(request), actor: context.requireActor())
            return Reply(status: .ok, body: record.body, etag: record.version).response
        }
        v1.delete(item) { request, context -> Response in
            try await store.deleteEntity(
                kind, id: try pathID(context), ifMatch: try Self.ifMatch(request),
                actor: context.requireActor())
            return Response(status: .noContent)
        }
        if kind == .offers {
            v1.getAndHead("offers/:id/prices") { _, context -> Response in
                let id = try pathID(context)
                _ = try await store.entity(.offers, id: id)
                let history = try await store.priceHistory(offer: id)
                let items = history.map {
                    "{\"recordedAt\":\(jsonString(Representation.time($0.recordedAt) ?? "")),"
                        + "\"actor\":\(jsonString($0.actor)),\"terms\":\(Representation.trimmed($0.prices))}"
                }
                return Reply(status: .ok, body: Representation.page(items, next: nil)).response
            }
        }
    }

    // MARK: plans

    /// Runs a job submission; a full queue becomes 429 with Retry-After: the plan time limit, the
    /// longest a running job holds its place.
    func queued<T>(_ submit: () async throws -> T) async throws -> T {
        do {
            return try await submit()
        } catch let error as StoreError {
            guard case .queueFull = error else { throw error }
            throw Problem.from(error, retryAfterSeconds: max(1, Int(options.planTimeLimitSeconds.rounded(.up))))
        }
    }

    func addPlanRoutes(_ v1: RouterGroup<AppContext>) {
        v1.post("plans") { request, context -> Response in
            let body = try await Self.body(request, context)
            return try await idempotent(request, context, body) {
                let (timeLimit, gap) = try Self.solverOptions(
                    body, allowed: ["whatIf"], maximum: options.planTimeLimitSeconds, gap: options.planGap)
                let whatIf = try Self.whatIf(timeLimit.fields)
                let job = try await queued {
                    try await store.submitPlan(
                        timeLimitSeconds: timeLimit.limit, relativeGap: gap, whatIf: whatIf,
                        actor: context.requireActor(), limits: options.jobLimits)
                }
                return Reply(
                    status: .accepted, body: Representation.encode(Representation.Job(job)),
                    location: "/v1/jobs/\(job.id)")
            }
        }
        v1.getAndHead("jobs/:id") { _, context -> Response in
            let job = try await store.job(try pathID(context))
            var shown = Representation.Job(job)
            if job.kind == .risk {
                let parts = try await store.riskParts(of: job.id).map(\.part.state)
                if !parts.isEmpty {
                    shown.parts = Representation.Parts(
                        total: parts.count, succeeded: parts.count { $0 == .succeeded },
                        failed: parts.count { $0 == .failed })
                }
            }
            return Reply(status: .ok, body: Representation.encode(shown)).response
        }
        v1.getAndHead("plans") { request, _ -> Response in
            let page = try await store.plans(
                after: try Self.cursor(request, .timeAndID), limit: try Self.limit(request))
            return Self.list(page) { Representation.encode(Representation.PlanSummary($0)) }
        }
        v1.getAndHead("plans/:id") { _, context -> Response in
            let plan = try await store.plan(try pathID(context))
            return Reply(status: .ok, body: Representation.plan(plan), etag: plan.version).response
        }
        addRiskRoutes(v1)
        addPlanDecisionRoutes(v1)
        v1.getAndHead("plans/:id/export/:target") { request, context -> Response in
            let record = try await store.plan(try pathID(context))
            let (_, scenario) = try await store.snapshot(version: record.scenarioVersion)
            let plan = try PlanFile.decode(Data(record.body.utf8))
            let files = try Self.export(
                try context.parameters.require("target"), scenario: scenario, plan: plan,
                month: request.uri.queryParameters.get("month").map { String($0) })
            return Reply(
                status: .ok, body: ExportedFile.stream(files), contentType: "application/yaml"
            ).response
        }
        v1.post("plans/:id/accept") { request, context -> Response in
            let body = try await Self.body(request, context)
            return try await idempotent(request, context, body) {
                let id = try pathID(context)
                let acceptance = try await store.acceptPlan(
                    id, ifMatch: try Self.ifMatch(request), actor: context.requireActor())
                let plan = try await store.plan(id)
                func list(_ leases: [LeaseRecord]) -> String {
                    "[" + leases.map { Representation.encode(Representation.Lease($0)) }.joined(separator: ",") + "]"
                }
                return Reply(
                    status: .ok,
                    body: "{\"plan\":\(Representation.encode(Representation.PlanSummary(plan))),"
                        + "\"leases\":\(list(acceptance.proposed)),\"carried\":\(list(acceptance.carried)),"
                        + "\"withdrawn\":\(list(acceptance.withdrawn)),\"superseded\":\(Representation.encode(acceptance.superseded))}",
                    etag: plan.version)
            }
        }
    }

    /// Rejecting a ready plan: `{reason}` (optional) goes to the audit log.
    func addPlanDecisionRoutes(_ v1: RouterGroup<AppContext>) {
        v1.post("plans/:id/reject") { request, context -> Response in
            let body = try await Self.body(request, context)
            return try await idempotent(request, context, body) {
                var reason = ""
                if body.readableBytes > 0 {
                    var r = DocumentReader(strictText: true)
                    if let f = r.fields(try Self.parseJSON(body), at: "", allowed: ["reason"]) {
                        reason = r.optional(f, "reason") { $0.string($1, $2) } ?? ""
                    }
                    guard r.diagnostics.isEmpty else { throw Self.invalid(r.diagnostics) }
                }
                let plan = try await store.rejectPlan(
                    try pathID(context), ifMatch: try Self.ifMatch(request), reason: reason,
                    actor: context.requireActor())
                return Reply(
                    status: .ok, body: Representation.encode(Representation.PlanSummary(plan)), etag: plan.version)
            }
        }
    }

    /// Risk analyses of a plan: queued as jobs, listed newest first.
    func addRiskRoutes(_ v1: RouterGroup<AppContext>) {
        v1.post("plans/:id/risk") { request, context -> Response in
            let body = try await Self.body(request, context)
            return try await idempotent(request, context, body) {
                let asked = try Self.riskOptions(body, maximum: options.planTimeLimitSeconds)
                let job = try await queued {
                    try await store.submitRisk(
                        plan: try pathID(context), samples: asked.samples, seed: asked.seed,
                        timeLimitSeconds: asked.timeLimitSeconds, actor: context.requireActor(),
                        limits: options.jobLimits)
                }
                return Reply(
                    status: .accepted, body: Representation.encode(Representation.Job(job)),
                    location: "/v1/jobs/\(job.id)")
            }
        }
        v1.getAndHead("plans/:id/risk") { _, context -> Response in
            let analyses = try await store.riskAnalyses(plan: try pathID(context))
            let items = analyses.map { r in
                "{\"id\":\(jsonString(r.id)),\"plan\":\(jsonString(r.planId)),\"job\":\(jsonString(r.jobId)),"
                    + "\"samples\":\(r.samples),\"seed\":\(r.seed),"
                    + "\"createdAt\":\(jsonString(Representation.time(r.createdAtMilliseconds) ?? "")),"
                    + "\"summary\":\(r.body)}"
            }
            return Reply(status: .ok, body: Representation.page(items, next: nil)).response
        }
    }

    /// Reads `{samples, seed, timeLimitSeconds}` from an optional body: 200 samples, seed 1 and
    /// the server's plan time limit (per re-plan) unless given.
    static func riskOptions(_ body: ByteBuffer, maximum: Double) throws -> (
        samples: Int, seed: Int64, timeLimitSeconds: Double
    ) {
        // relativeGap is read (and checked) with the rest but not used: re-plans stop at 2%
        // (`Store.riskReplanGap`).
        let (limit, _) = try solverOptions(body, allowed: ["samples", "seed"], maximum: maximum)
        guard let f = limit.fields else { return (200, 1, limit.limit) }
        var r = DocumentReader(strictText: true)
        var samples = 200
        var seed: Int64 = 1
        if let n = r.optional(f, "samples", { $0.int($1, $2) }) {
            if (1...Store.maximumRiskSamples).contains(n) {
                samples = n
            } else {
                r.fail(f.path("samples"), "must be from 1 to \(Store.maximumRiskSamples)", line: nil)
            }
        }
        if let n = r.optional(f, "seed", { $0.int($1, $2) }) {
            if n >= 0 { seed = Int64(n) } else { r.fail(f.path("seed"), "must not be negative", line: nil) }
        }
        guard r.diagnostics.isEmpty else { throw invalid(r.diagnostics) }
        return (samples, seed, limit.limit)
    }

    /// The files of one export of a plan: `kueue` for one month (`?month=YYYY-MM`, the horizon's
    /// first by default) or `skypilot`; anything else is not a resource here.
    static func export(_ target: String, scenario: Scenario, plan: Plan, month: String?) throws -> [ExportedFile] {
        switch target {
        case "kueue":
            var chosen = scenario.horizon.start
            if let month {
                guard let parsed = YearMonth(parsing: month), scenario.horizon.period(of: parsed) != nil else {
                    throw invalid([
                        Diagnostic(
                            path: "month",
                            message:
                                "'\(month.count > 20 ? month.prefix(20) + "…" : month)' is not a month of the plan's horizon (YYYY-MM, \(scenario.horizon.start) to \(scenario.horizon.end))"
                        )
                    ])
                }
                chosen = parsed
            }
            return KueueExport.files(scenario: scenario, plan: plan, months: [chosen])
        case "skypilot":
            return SkyPilotExport.files(scenario: scenario, plan: plan)
        default:
            throw Problem(.notFound, "Not found", detail: "no export '\(target)': there are kueue and skypilot")
        }
    }

    /// Reads `{timeLimitSeconds, relativeGap}` (plus `allowed` keys) from an optional body: the
    /// server's `maximum` time limit and its default `gap` unless given.
    static func solverOptions(_ body: ByteBuffer, allowed: [String], maximum: Double, gap asked: Double = 0.01)
        throws -> (limit: (limit: Double, fields: DocumentReader.Fields?), gap: Double)
    {
        guard body.readableBytes > 0 else { return ((maximum, nil), asked) }
        let node = try parseJSON(body)
        var r = DocumentReader(strictText: true)
        let f = r.fields(node, at: "", allowed: ["timeLimitSeconds", "relativeGap"] + allowed)
        var limit = maximum
        var gap = asked
        if let f, let t = r.optional(f, "timeLimitSeconds", { $0.double($1, $2) }) {
            if t <= 0 || t > maximum {
                r.fail(f.path("timeLimitSeconds"), "must be above 0 and at most \(maximum) seconds", line: nil)
            } else {
                limit = t
            }
        }
        if let f, let g = r.optional(f, "relativeGap", { $0.double($1, $2) }) {
            if g < 0 || g > 1 { r.fail(f.path("relativeGap"), "must be between 0 and 1", line: nil) } else { gap = g }
        }
        guard r.diagnostics.isEmpty else { throw invalid(r.diagnostics) }
        return ((limit, f), gap)
    }

    /// Reads the optional `whatIf` of a plan request: `{maxProviderShare, offers: [{offer,
    /// priceFactor, availableNodes}]}`. Its values against the scenario are the store's to check.
    static func whatIf(_ fields: DocumentReader.Fields?) throws -> WhatIf? {
        guard let fields, let node = fields["whatIf"] else { return nil }
        var r = DocumentReader(strictText: true)
        var whatIf = WhatIf()
        if let f = r.fields(node, at: fields.path("whatIf"), allowed: ["maxProviderShare", "offers"]) {
            whatIf.maxProviderShare = r.optional(f, "maxProviderShare") { $0.double($1, $2) }
            let offers = r.optional(f, "offers") { reader, node, path in
                reader.list(node, path) { reader, node, path -> WhatIf.OfferChange? in
                    guard let o = reader.fields(node, at: path, allowed: ["offer", "priceFactor", "availableNodes"]),
                        let id = reader.required(o, "offer", { $0.string($1, $2) })
                    else { return nil }
                    return WhatIf.OfferChange(
                        offer: OfferID(rawValue: id),
                        priceFactor: reader.optional(o, "priceFactor") { $0.double($1, $2) },
                        availableNodes: reader.optional(o, "availableNodes") { $0.int($1, $2) })
                }
            }
            whatIf.offers = offers ?? []
        }
        guard r.diagnostics.isEmpty else { throw invalid(r.diagnostics) }
        return whatIf
    }

    // MARK: leases

    func addLeaseRoutes(_ v1: RouterGroup<AppContext>) {
        v1.getAndHead("leases") { request, _ -> Response in
            var state: LeaseState?
            if let text = request.uri.queryParameters.get("state") {
                guard let s = LeaseState(rawValue: text) else {
                    throw Self.invalid([
                        Diagnostic(
                            path: "state",
                            message:
                                "'\(text)' is not a lease state (\(LeaseState.allCases.map(\.rawValue).joined(separator: ", ")))"
                        )
                    ])
                }
                state = s
            }
            let page = try await store.leases(
                state: state, after: try Self.cursor(request, .id), limit: try Self.limit(request))
            return Self.list(page) { Representation.encode(Representation.Lease($0)) }
        }
        v1.getAndHead("leases/:id") { _, context -> Response in
            let (lease, history) = try await store.lease(try pathID(context))
            return Reply(
                status: .ok, body: Representation.encode(Representation.Lease(lease, history: history)),
                etag: lease.version
            ).response
        }
        v1.post("leases/:id/transitions") { request, context -> Response in
            let body = try await Self.body(request, context)
            return try await idempotent(request, context, body) {
                var r = DocumentReader(strictText: true)
                let f = r.fields(try Self.parseJSON(body), at: "", allowed: ["to", "note"])
                let to: LeaseState? = f.flatMap { r.required($0, "to") { $0.choice($1, $2) } }
                let note = f.flatMap { r.optional($0, "note") { $0.string($1, $2) } } ?? ""
                guard r.diagnostics.isEmpty, let to else { throw Self.invalid(r.diagnostics) }
                let (lease, history) = try await store.transitionLease(
                    try pathID(context), to: to, ifMatch: try Self.ifMatch(request), note: note,
                    actor: context.requireActor())
                return Reply(
                    status: .ok, body: Representation.encode(Representation.Lease(lease, history: history)),
                    etag: lease.version)
            }
        }
    }

    // MARK: incidents

    func addIncidentRoutes(_ v1: RouterGroup<AppContext>) {
        v1.post("incidents") { request, context -> Response in
            let body = try await Self.body(request, context)
            return try await idempotent(request, context, body) {
                let (timeLimit, gap) = try Self.solverOptions(
                    body, allowed: ["plan", "incident"], maximum: options.planTimeLimitSeconds, gap: options.planGap)
                var r = DocumentReader(strictText: true)
                let f = timeLimit.fields ?? r.fields(.mapping([], line: nil), at: "", allowed: [])
                let plan = f.flatMap { r.required($0, "plan") { $0.string($1, $2) } }
                let incident = f?["incident"]
                if incident == nil, let f { r.fail(f.path("incident"), "missing required field", line: f.line) }
                guard r.diagnostics.isEmpty, let plan, let incident else { throw Self.invalid(r.diagnostics) }
                let (record, job) = try await queued {
                    try await store.recordIncident(
                        plan: plan, incident: incident, timeLimitSeconds: timeLimit.limit, relativeGap: gap,
                        actor: context.requireActor(), limits: options.jobLimits)
                }
                return Reply(
                    status: .accepted,
                    body: "{\"incident\":\(Representation.incident(record)),"
                        + "\"job\":\(Representation.encode(Representation.Job(job)))}",
                    location: "/v1/incidents/\(record.id)")
            }
        }
        v1.getAndHead("incidents") { request, _ -> Response in
            let page = try await store.incidents(
                after: try Self.cursor(request, .timeAndID), limit: try Self.limit(request))
            return Self.list(page, Representation.incident)
        }
        v1.getAndHead("incidents/:id") { _, context -> Response in
            let record = try await store.incident(try pathID(context))
            return Reply(status: .ok, body: Representation.incident(record)).response
        }
    }

    // MARK: request helpers

    /// A page of a list as the API answers it.
    static func list<T>(_ page: Page<T>, _ encode: (T) -> String) -> Response {
        Reply(status: .ok, body: Representation.page(page.items.map(encode), next: page.next)).response
    }

    /// The body, refusing more than the limit with 413.
    static func body(_ request: Request, _ context: AppContext) async throws -> ByteBuffer {
        let limit = context.maxUploadSize
        do {
            return try await withTimeout(seconds: context.bodySeconds) {
                try await request.body.collect(upTo: limit)
            }
        } catch StoreError.timeout {
            throw Problem(
                .requestTimeout, "Request timeout",
                detail: "the body did not arrive within \(String(format: "%g", context.bodySeconds)) s",
                headers: [.connection: "close"])
        } catch {
            throw Problem(
                .contentTooLarge, "Body too large", detail: "request bodies are limited to \(limit) bytes")
        }
    }

    /// The body as a JSON document; 400 with the line when it is not JSON.
    static func parseJSON(_ body: ByteBuffer) throws -> DocumentNode {
        guard body.readableBytes > 0 else {
            throw Problem(.badRequest, "Malformed request", detail: "expected a JSON body")
        }
        do {
            return try DocumentParser.parse(Data(buffer: body), format: .json)
        } catch let error as InputError {
            throw Problem(
                .badRequest, "Malformed JSON", detail: "the body is not valid JSON", errors: error.diagnostics)
        }
    }

    static func invalid(_ diagnostics: [Diagnostic]) -> Problem {
        Problem(.unprocessableContent, "Invalid input", detail: "\(diagnostics.count) problem(s)", errors: diagnostics)
    }

    /// `?limit=` between 1 and 200 (50 when absent).
    static func limit(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return 50 }
        guard let n = Int(text), (1...200).contains(n) else {
            throw invalid([Diagnostic(path: "limit", message: "'\(text)' is not a whole number from 1 to 200")])
        }
        return n
    }

    /// How a list's `next` cursor reads: a sequence number (the audit log, snapshots), a time
    /// and an id (`1764460800000_plan-…`: plans, incidents), or an id (entities, leases).
    enum CursorForm { case number, timeAndID, id }

    /// `?cursor=` as the list handed it out; 422 when it is not of that list's form (a cursor
    /// that cannot be read used to restart the list silently).
    static func cursor(_ request: Request, _ form: CursorForm) throws -> String? {
        guard let text = request.uri.queryParameters.get("cursor") else { return nil }
        let idSafe = { (s: Substring) in
            !s.isEmpty
                && s.unicodeScalars.allSatisfy {
                    $0.isASCII
                        && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
                            || "-_.~".unicodeScalars.contains($0))
                }
        }
        // Digits only, as the lists write them (no sign, no spaces): what the document's pattern says.
        let number = { (s: Substring) in (1...18).contains(s.count) && s.allSatisfy { ("0"..."9").contains($0) } }
        let readable: Bool
        switch form {
        case .number: readable = number(Substring(text))
        case .timeAndID:
            let parts = text.split(separator: "_", maxSplits: 1, omittingEmptySubsequences: false)
            readable = parts.count == 2 && number(parts[0]) && idSafe(parts[1])
        case .id: readable = idSafe(Substring(text))
        }
        guard readable else {
            throw invalid([
                Diagnostic(path: "cursor", message: "'\(text)' is no cursor of this list; use the `next` a page gave")
            ])
        }
        return text
    }

    /// The condition in `If-Match: "3"` (a list of tags, or `*` for any version); nil when
    /// absent. If-Match compares strongly (RFC 9110 §13.1.1): a weak tag (`W/"3"`) never
    /// matches, so a list of weak tags only is a condition nothing meets (412 once the body is
    /// checked). A header that is no entity-tag list at all (`3`, empty) is 400.
    static func ifMatch(_ request: Request) throws -> Precondition? {
        guard let header = request.headers[.ifMatch] else { return nil }
        guard let tags = Self.entityTags(header) else {
            throw Problem(
                .badRequest, "Malformed If-Match",
                detail: "expected entity tags as the API gives them in ETag (\"3\"), or *; found '\(header)'")
        }
        guard let tags else { return .any }
        // Tags compare as strings: `"+3"` or `"03"` is not the ETag `"3"`. A weak tag never
        // matches (If-Match compares strongly); of a list, any tag may match.
        let versions = tags.filter { !$0.weak }.compactMap { tag in
            Int64(tag.tag).flatMap { String($0) == tag.tag ? $0 : nil }
        }
        switch versions.count {
        case 0: return Precondition.none
        case 1: return .version(versions[0])
        default: return .versions(Set(versions))
        }
    }

    /// RFC 9110's `If-Match` grammar: `*` (`.some(nil)`), or a comma-separated list of entity
    /// tags, each optionally `W/` and quoted (a tag may itself hold commas), with spaces or tabs
    /// around them; nil when the header is neither.
    static func entityTags(_ header: String) -> [(tag: Substring, weak: Bool)]?? {
        let text = Substring(header)
        let ows: Set<Character> = [" ", "\t"]
        if text.drop(while: ows.contains).reversed().drop(while: ows.contains).elementsEqual("*") { return .some(nil) }
        let etagc = { (c: Character) in c.asciiValue.map { $0 == 0x21 || (0x23...0x7E).contains($0) } ?? false }
        var rest = text.drop(while: ows.contains)
        var tags: [(tag: Substring, weak: Bool)] = []
        while true {
            let weak = rest.hasPrefix("W/")
            if weak { rest = rest.dropFirst(2) }
            guard rest.first == "\"" else { return nil }
            rest = rest.dropFirst()
            let tag = rest.prefix(while: etagc)
            rest = rest.dropFirst(tag.count)
            guard rest.first == "\"" else { return nil }
            tags.append((tag, weak))
            rest = rest.dropFirst().drop(while: ows.contains)
            if rest.isEmpty { return tags }
            guard rest.first == "," else { return nil }
            rest = rest.dropFirst().drop(while: ows.contains)
        }
    }

    /// Runs a POST once per Idempotency-Key: a repeat with the same body gets the first response
    /// again; the same key with another body is refused.
    func idempotent(
        _ request: Request, _ context: AppContext, _ body: ByteBuffer, _ handler: () async throws -> Reply
    ) async throws -> Response {
        guard let key = request.headers[.idempotencyKey] else { return try await handler().response }
        guard !key.isEmpty, key.count <= 255 else {
            throw Problem(.badRequest, "Malformed Idempotency-Key", detail: "use 1 to 255 characters")
        }
        let actor = try context.requireActor()
        // A JSON body is compared as a JSON value (key order and spacing do not make another
        // request); any other body byte for byte.
        let data = Data(buffer: body)
        let canonical =
            (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])).flatMap {
                try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .fragmentsAllowed])
            } ?? data
        let hash = sha256Hex(
            request.method.rawValue + " " + request.uri.path + "\n" + String(decoding: canonical, as: UTF8.self))
        switch try await store.beginIdempotent(token: actor.id, key: key, requestHash: hash) {
        case .replay(let status, let location, let body):
            var response = Reply(status: .init(code: status), body: body, location: location).response
            if status >= 400 { response.headers[.contentType] = "application/problem+json" }
            response.headers[.idempotentReplayed] = "true"
            return response
        case .mismatch:
            throw Problem(
                .unprocessableContent, "Idempotency-Key reused",
                detail: "this key was used for a different request; use a new key")
        case .inProgress:
            throw Problem(.conflict, "Request in progress", detail: "a request with this Idempotency-Key is running")
        case .proceed:
            let reply: Reply
            do {
                reply = try await handler()
            } catch let problem as Problem where problem.status.code < 500 && problem.status != .tooManyRequests {
                reply = Reply(status: problem.status, body: problem.json)
            } catch let error as StoreError {
                let problem = Problem.from(error)
                // A full queue is not the request's answer: the same key may be tried again.
                guard problem.status.code < 500 && problem.status != .tooManyRequests else {
                    try? await store.finishIdempotent(
                        token: actor.id, key: key, status: 0, location: nil, body: "", keep: false)
                    throw error
                }
                reply = Reply(status: problem.status, body: problem.json)
            } catch {
                try? await store.finishIdempotent(
                    token: actor.id, key: key, status: 0, location: nil, body: "", keep: false)
                throw error
            }
            try await store.finishIdempotent(
                token: actor.id, key: key, status: Int(reply.status.code), location: reply.location, body: reply.body,
                keep: true)
            var response = reply.response
            if reply.status.code >= 400 { response.headers[.contentType] = "application/problem+json" }
            return response
        }
    }
}

/// The `id` segment of a request's path, percent-decoded: `/v1/offers/aws%2Dp5` names `aws-p5`.
func pathID(_ context: some RequestContext) throws -> String {
    let raw = try context.parameters.require("id")
    return raw.removingPercentEncoding ?? raw
}
