import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Planner
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardServer
import SwitchyardServiceTesting
import SwitchyardStore
import SwitchyardTesting
import Testing

/// One response, with its JSON decoded.
struct Reply {
    let status: Int
    let headers: HTTPFields
    let text: String

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
    var errors: [[String: Any]] { json["errors"] as? [[String: Any]] ?? [] }
    var paths: [String] { errors.compactMap { $0["path"] as? String } }
    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
}

/// A server on a fresh database with the example imported and a token per role.
struct Harness {
    let server: SwitchyardServer
    let store: Store
    let admin: String
    let planner: String
    let viewer: String

    static func with(
        _ backend: TestDatabases.Backend = .sqlite, importExample: Bool = true,
        limits: JobLimits = .serverDefault, planGap: Double = 0.01, _ body: (Harness) async throws -> Void
    ) async throws {
        try await TestDatabases.with(backend) { store, _ in
            if importExample { try await store.importScenario(try Fixtures.frontierLab(), actor: .system) }
            let (_, admin) = try await store.createToken(name: "root", role: .admin, actor: .system)
            let (_, planner) = try await store.createToken(name: "alice", role: .planner, actor: .system)
            let (_, viewer) = try await store.createToken(name: "bob", role: .viewer, actor: .system)
            var options = ServerOptions()
            options.planTimeLimitSeconds = 60
            options.jobLimits = limits
            options.planGap = planGap
            try await body(
                Harness(
                    server: SwitchyardServer(store: store, options: options), store: store, admin: admin,
                    planner: planner, viewer: viewer))
        }
    }

    /// Runs `body` against the router in memory.
    func test(_ body: @escaping @Sendable (Client) async throws -> Void) async throws {
        let app = Application(router: server.router())
        try await app.test(.router) { client in try await body(Client(client: client)) }
    }

    /// Runs queued jobs until none is left.
    func drainJobs(riskFuturesPerPart: Int = 8) async throws {
        let runner = MemoisedPlans.runner(store, riskFuturesPerPart: riskFuturesPerPart)
        while try await runner.runOnce() {}
    }

    /// Plans the example through the API (a job, run here) and gives the plan's id.
    func plannedExample(_ c: Client) async throws -> String {
        _ = try await c.call(.post, "/v1/plans", token: planner)
        try await drainJobs()
        let plans = try await c.call(.get, "/v1/plans", token: viewer)
        return try #require((plans.json["items"] as? [[String: Any]])?.first?["id"] as? String)
    }
}

struct Client: Sendable {
    let client: any TestClientProtocol

    /// Signs in to the dashboard with `token` (the form's POST); the session cookie to send.
    func signIn(_ token: String) async throws -> String {
        let r = try await postSignIn("token=\(token)")
        return try #require(r.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
    }

    /// Posts the sign-in form as a browser does after loading it: with the form's anti-forgery
    /// value in the body and its cookie (`fields` is the rest of the form, URL-encoded).
    func postSignIn(_ fields: String, headers extra: [String: String] = [:]) async throws -> Reply {
        let form = try await call(.get, "/login", token: nil)
        let cookie = try #require(form.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        let value = try #require(cookie.split(separator: "=", maxSplits: 1).last.map(String.init))
        #expect(form.text.contains("name=\"csrf\" value=\"\(value)\""))
        return try await call(
            .post, "/login", token: nil, body: "\(fields)&csrf=\(value)",
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie].merging(extra) { $1 })
    }

    @discardableResult
    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil,
        headers extra: [String: String] = [:]
    ) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let response = try await client.executeRequest(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return Reply(status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
    }
}

@Suite struct APITests {
    @Test func tokensAndRolesGuardEveryRoute() async throws {
        try await Harness.with { h in
            try await h.test { c in
                #expect(try await c.call(.get, "/v1/providers", token: nil).status == 401)
                let bad = try await c.call(.get, "/v1/providers", token: "sy_nope")
                #expect(bad.status == 401)
                #expect(bad.header("Content-Type") == "application/problem+json")
                #expect(bad.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
                #expect(try await c.call(.get, "/v1/providers", token: h.viewer).status == 200)
                // The dashboard's session is not a way into the API (no cross-site writes), and a
                // token is no session.
                let cookie = ["Cookie": try await c.signIn(h.planner)]
                #expect(try await c.call(.get, "/v1/providers", token: nil, headers: cookie).status == 401)
                #expect(try await c.call(.get, "/leases", token: nil, headers: cookie).status == 200)
                let tokenAsCookie = ["Cookie": "switchyard_session=\(h.planner)"]
                #expect(try await c.call(.get, "/leases", token: nil, headers: tokenAsCookie).status == 401)
                let provider = #"{"id": "lambda", "kind": "neocloud"}"#
                let forbidden = try await c.call(.post, "/v1/providers", token: h.viewer, body: provider)
                #expect(forbidden.status == 403)
                #expect((forbidden.json["detail"] as? String)?.contains("planner") == true)
                #expect(try await c.call(.post, "/v1/providers", token: h.planner, body: provider).status == 201)
                let token = #"{"name": "ci", "role": "viewer"}"#
                #expect(try await c.call(.post, "/v1/tokens", token: h.planner, body: token).status == 403)
                let created = try await c.call(.post, "/v1/tokens", token: h.admin, body: token)
                #expect(created.status == 201)
                let secret = try #require(created.json["token"] as? String)
                #expect(try await c.call(.get, "/v1/plans", token: secret).status == 200)
                // Admins list tokens (never their secrets) and revoke them: refused at once.
                #expect(try await c.call(.get, "/v1/tokens", token: h.planner).status == 403)
                let listed = try await c.call(.get, "/v1/tokens", token: h.admin)
                #expect((listed.json["items"] as? [[String: Any]])?.count == 4)
                #expect(!listed.text.contains("sy_"))
                let id = try #require(created.json["id"] as? String)
                #expect(try await c.call(.delete, "/v1/tokens/\(id)", token: h.admin).status == 204)
                #expect(try await c.call(.get, "/v1/plans", token: secret).status == 401)
                #expect(try await c.call(.delete, "/v1/tokens/\(id)", token: h.admin).status == 404)
                for open in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
                    #expect(try await c.call(.get, open, token: nil).status == 200, "\(open)")
                }
            }
        }
    }

    /// Every operation the OpenAPI document lists is guarded as the document says: 401 without
    /// a token unless it declares `security: []`; writes refused to viewers (403), and the
    /// token operations refused to planners (403).
    /// Signing in sends the browser to a path of this service only: `/\host` (which a browser
    /// follows to another host), CR LF (a header split), schemes and hosts all go to `/`.
    @Test func signInRedirectsOnlyWithinTheService() async throws {
        try await Harness.with { h in
            try await h.test { c in
                for (next, expected) in [
                    ("/plans", "/plans"), ("/%5Clocalhost:1/", "/"), ("/%5C%5Cevil.example/", "/"),
                    ("//evil.example/", "/"), ("/x%0D%0ASet-Cookie:%20a=b", "/"), ("https://evil.example/", "/"),
                    ("/caf%C3%A9", "/"),
                ] {
                    let r = try await c.postSignIn("token=\(h.viewer)&next=\(next)")
                    #expect(
                        r.status == 200 && r.text.contains("content=\"0;url=\(expected)\"")
                            && r.header("Location") == nil,
                        "\(next): \(r.status) \(r.text)")
                }
            }
        }
    }

    /// The dashboard keeps a server-side session, never the token: signing in is a POST (a token
    /// in the URL signs nobody in), the cookie holds a random id (HttpOnly, SameSite=Strict, an
    /// expiry; Secure behind a TLS proxy), and the session ends on sign-out and when its token is
    /// revoked. Every page and answer carries the security headers.
    @Test func theDashboardKeepsASessionNotTheToken() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let signedIn = try await c.postSignIn("token=\(h.viewer)")
                let cookie = try #require(signedIn.header("Set-Cookie"))
                #expect(!cookie.contains(h.viewer))
                #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
                #expect(cookie.contains("Max-Age=43200") && !cookie.contains("Secure"))
                let session = try #require(cookie.split(separator: ";").first.map(String.init))
                #expect(try await c.call(.get, "/plans", token: nil, headers: ["Cookie": session]).status == 200)
                let proxied = try await c.postSignIn("token=\(h.viewer)", headers: ["X-Forwarded-Proto": "https"])
                #expect(proxied.header("Set-Cookie")?.contains("; Secure") == true)
                // A token in the query is not a sign-in.
                let byURL = try await c.call(.get, "/login?token=\(h.viewer)", token: nil)
                #expect(byURL.status == 200 && byURL.header("Set-Cookie")?.contains("switchyard_session") != true)
                // Signing out ends the session on the server, not only in the browser.
                let out = try await c.call(.get, "/logout", token: nil, headers: ["Cookie": session])
                #expect(out.status == 303)
                #expect(try await c.call(.get, "/plans", token: nil, headers: ["Cookie": session]).status == 401)
                // Revoking a token ends its sessions.
                let created = try await c.call(
                    .post, "/v1/tokens", token: h.admin, body: #"{"name": "temp", "role": "viewer"}"#)
                let secret = try #require(created.json["token"] as? String)
                let other = ["Cookie": try await c.signIn(secret)]
                #expect(try await c.call(.get, "/leases", token: nil, headers: other).status == 200)
                let id = try #require(created.json["id"] as? String)
                #expect(try await c.call(.delete, "/v1/tokens/\(id)", token: h.admin).status == 204)
                #expect(try await c.call(.get, "/leases", token: nil, headers: other).status == 401)
                // The headers of a page, a problem and an API answer.
                for (uri, token) in [("/login", nil), ("/v1/plans", h.viewer), ("/v1/nothing", h.viewer)]
                    as [(String, String?)]
                {
                    let r = try await c.call(.get, uri, token: token)
                    #expect(r.header("Content-Security-Policy")?.contains("default-src 'none'") == true, "\(uri)")
                    #expect(r.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
                    #expect(r.header("X-Frame-Options") == "DENY" && r.header("X-Content-Type-Options") == "nosniff")
                }
            }
        }
    }

    /// Ids in URL paths are percent-decoded, and ids are URL-safe everywhere, so nothing the API
    /// creates is unreachable (`p/q` used to be created with `Location: /v1/providers/p/q`).
    @Test func idsInPathsAreDecodedAndIdsAreURLSafe() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let encoded = try await c.call(.get, "/v1/offers/aws%2Dp5", token: h.viewer)
                #expect(encoded.status == 200 && encoded.json["id"] as? String == "aws-p5", "\(encoded.text)")
                for bad in ["p/q", "café", "<script>", "..", "a b"] {
                    let body = String(
                        decoding: try JSONSerialization.data(withJSONObject: ["id": bad, "kind": "neocloud"]),
                        as: UTF8.self)
                    let r = try await c.call(.post, "/v1/providers", token: h.planner, body: body)
                    #expect(r.status == 422, "\(bad): \(r.status) \(r.text)")
                }
                let fine = try await c.call(
                    .post, "/v1/providers", token: h.planner, body: #"{"id": "neo_2.x~y", "kind": "neocloud"}"#)
                #expect(fine.status == 201)
                let location = try #require(fine.header("Location"))
                #expect(try await c.call(.get, location, token: h.viewer).status == 200)
            }
        }
    }

    /// A plan job's resource shows its solve's progress while it runs: the best plan and bound
    /// now, the gap (above the penalty no plan avoids) and each point of the curve.
    @Test func aSolvingJobShowsItsProgress() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let queued = try await c.call(.post, "/v1/plans", token: h.planner)
                let location = try #require(queued.header("Location"))
                #expect(queued.json["progress"] == nil)
                let job = try #require(try await h.store.claimJob(worker: "W", leaseSeconds: 30))
                let progress = SolveProgress(
                    points: [
                        SolverProgressPoint(seconds: 0.4, step: .relaxation, objectiveUSD: nil, boundUSD: 100),
                        SolverProgressPoint(seconds: 2.5, step: .rounded, objectiveUSD: 120, boundUSD: 100),
                    ], unavoidablePenaltyUSD: 20)
                #expect(try await h.store.reportProgress(job: job.id, worker: "W", progress: progress))
                let running = try await c.call(.get, location, token: h.viewer)
                #expect(running.json["state"] as? String == "running")
                let shown = try #require(running.json["progress"] as? [String: Any], "\(running.text)")
                #expect(shown["seconds"] as? Double == 2.5 && shown["objectiveUSD"] as? Double == 120)
                #expect(shown["boundUSD"] as? Double == 100 && shown["gap"] as? Double == 0.2, "\(shown)")
                let points = try #require(shown["points"] as? [[String: Any]])
                #expect(points.map { $0["step"] as? String } == ["relaxation", "rounded"])
                #expect(points.first?["gap"] == nil && points.last?["gap"] as? Double == 0.2)
            }
        }
    }

    /// RFC 9110: HEAD answers wherever GET does, without a body; If-Match compares strongly (a
    /// weak tag never matches: 412) and a header that is no entity tag is malformed (400).
    @Test func headAndIfMatchFollowRFC9110() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let get = try await c.call(.get, "/v1/providers", token: h.viewer)
                let head = try await c.call(.head, "/v1/providers", token: h.viewer)
                #expect(head.status == 200 && head.text.isEmpty)
                #expect(head.header("Content-Length") == String(get.text.utf8.count))
                #expect(try await c.call(.head, "/v1/providers/nope", token: h.viewer).status == 404)
                #expect(try await c.call(.head, "/healthz", token: nil).status == 200)
                let edit = #"{"id": "aws", "kind": "hyperscaler", "failureProbability": 0.03}"#
                // RFC 9110's grammar, as the document's pattern says it: a tag may hold a comma,
                // never a quote or a space.
                let tags = [
                    ("W/\"1\"", 412), ("1", 400), ("", 400), ("\"1\", 2", 400), ("\"a,b\"", 412), ("\"a\"b\"", 400),
                    ("\"a b\"", 400), ("\t\"7\" ,\tW/\"1\"", 412), ("*, \"1\"", 400), ("\"+1\"", 412),
                    ("\"01\"", 412),
                ]
                for (tag, status) in tags {
                    let r = try await c.call(
                        .put, "/v1/providers/aws", token: h.planner, body: edit, headers: ["If-Match": tag])
                    #expect(r.status == status, "If-Match '\(tag)': \(r.status) \(r.text)")
                }
                let strong = try await c.call(
                    .put, "/v1/providers/aws", token: h.planner, body: edit, headers: ["If-Match": "W/\"9\", \"1\""])
                #expect(strong.status == 200, "\(strong.text)")
                // A list matches when any of its tags does, wherever it stands in the list.
                let listed = try await c.call(
                    .put, "/v1/providers/aws", token: h.planner,
                    body: #"{"id": "aws", "kind": "hyperscaler", "failureProbability": 0.04}"#,
                    headers: ["If-Match": "\"999\", \"2\""])
                #expect(listed.status == 200, "\(listed.text)")
                // Cursors are as the lists write them: digits only, no sign.
                for cursor in ["+5", "-1", "1_", "_x", "1%20_x"] {
                    let audit = try await c.call(.get, "/v1/audit?cursor=\(cursor)", token: h.viewer)
                    let plans = try await c.call(.get, "/v1/plans?cursor=\(cursor)", token: h.viewer)
                    #expect(audit.status == 422 && plans.status == 422, "cursor \(cursor)")
                }
                #expect(try await c.call(.get, "/v1/plans?cursor=17_plan-x", token: h.viewer).status == 200)
                // Amounts too small for Decimal (1e-130 would be NaN) are refused, naming the field.
                let tiny = try await c.call(
                    .put, "/v1/colocation/cw-colo-nj", token: h.planner,
                    body:
                        #"{"id": "cw-colo-nj", "provider": "coreweave", "region": "us-east", "powerKW": 6000, "pricePerKWMonth": 1e-130}"#,
                    headers: ["If-Match": "*"])
                #expect(tiny.status == 422 && tiny.paths.first == "pricePerKWMonth", "\(tiny.text)")
            }
        }
    }

    @Test func everyDocumentedOperationIsGuardedByRole() async throws {
        let document = try DocumentParser.parse(
            String(contentsOfFile: Fixtures.path("docs/openapi.yaml"), encoding: .utf8), format: .yaml)
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(DocumentWriter.write(document, format: .json).utf8))
                as? [String: Any])
        let paths = try #require(json["paths"] as? [String: [String: Any]])
        // (path, method, public): every operation, and whether it declares `security: []`.
        let operations = paths.sorted(by: { $0.key < $1.key }).flatMap { path, item in
            ["get", "post", "put", "delete"].compactMap { method -> (String, String, Bool)? in
                guard let operation = item[method] as? [String: Any] else { return nil }
                return (path, method, (operation["security"] as? [Any])?.isEmpty == true)
            }
        }
        try await Harness.with { h in
            try await h.test { c in
                var checked = 0
                for (path, method, open) in operations {
                    let uri = path.replacingOccurrences(of: "{version}", with: "1")
                        .replacingOccurrences(of: "{id}", with: "x")
                    do {
                        let verb = HTTPRequest.Method(method.uppercased())!
                        let anonymous = try await c.call(verb, uri, token: nil, body: "{}")
                        if open {
                            #expect(anonymous.status != 401, "\(method) \(path) is public but asks for a token")
                        } else {
                            #expect(anonymous.status == 401, "\(method) \(path) answers \(anonymous.status) to nobody")
                        }
                        let needsAdmin = path.hasPrefix("/v1/tokens")
                        let writes = method != "get"
                        if !open, writes || needsAdmin {
                            let viewer = try await c.call(verb, uri, token: h.viewer, body: "{}")
                            #expect(viewer.status == 403, "\(method) \(path) lets a viewer in (\(viewer.status))")
                        }
                        if !open, needsAdmin {
                            let planner = try await c.call(verb, uri, token: h.planner, body: "{}")
                            #expect(planner.status == 403, "\(method) \(path) lets a planner in (\(planner.status))")
                        }
                        checked += 1
                    }
                }
                #expect(checked >= 30)
            }
        }
    }

    @Test func badRequestsGetProblemJSONWithPaths() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let malformed = try await c.call(.post, "/v1/providers", token: h.planner, body: #"{"id": "#)
                #expect(malformed.status == 400)
                #expect(malformed.json["title"] as? String == "Malformed JSON")
                #expect(malformed.json["status"] as? Int == 400)

                let unknown = try await c.call(
                    .post, "/v1/providers", token: h.planner,
                    body: #"{"id": "x", "kind": "neocloud", "failureProbabilty": 1}"#)
                #expect(unknown.status == 422)
                #expect(unknown.paths == ["failureProbabilty"])
                #expect((unknown.errors.first?["message"] as? String)?.contains("failureProbability") == true)

                let wrongType = try await c.call(
                    .post, "/v1/offers", token: h.planner,
                    body: """
                        {"id": "o", "provider": "aws", "accelerator": "nvidia-h100", "acceleratorsPerNode": "eight",
                         "region": "us-east", "availableNodes": 4, "prices": {"onDemand": 3}}
                        """)
                #expect(wrongType.status == 422)
                #expect(wrongType.paths == ["acceleratorsPerNode"])

                let notObject = try await c.call(.post, "/v1/workloads", token: h.planner, body: "[1, 2]")
                #expect(notObject.status == 422)

                let huge = String(repeating: " ", count: ServerOptions.maxBodyBytes + 10)
                #expect(try await c.call(.post, "/v1/providers", token: h.planner, body: huge).status == 413)

                let nowhere = try await c.call(.get, "/v1/nothing-here", token: h.viewer)
                #expect(nowhere.status == 404)
                #expect(nowhere.header("Content-Type") == "application/problem+json")

                let badLimit = try await c.call(.get, "/v1/providers?limit=0", token: h.viewer)
                #expect(badLimit.status == 422)
                #expect(badLimit.paths == ["limit"])
                let badState = try await c.call(.get, "/v1/leases?state=happy", token: h.viewer)
                #expect(badState.paths == ["state"])
                // An unreadable cursor is refused like an unreadable limit (it used to restart the
                // list from its first page).
                for uri in ["/v1/plans?cursor=zzz", "/v1/scenarios?cursor=abc", "/v1/providers?cursor=%3Cx%3E"] {
                    let bad = try await c.call(.get, uri, token: h.viewer)
                    #expect(bad.status == 422 && bad.paths == ["cursor"], "\(uri): \(bad.status)")
                }
                #expect(try await c.call(.get, "/v1/providers?cursor=aws", token: h.viewer).status == 200)
            }
        }
    }

    @Test func entitiesHaveETagsPagesAndLocations() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let created = try await c.call(
                    .post, "/v1/providers", token: h.planner, body: #"{"id": "lambda", "kind": "neocloud"}"#)
                #expect(created.status == 201)
                #expect(created.header("Location") == "/v1/providers/lambda")
                #expect(created.header("ETag") == "\"1\"")
                #expect(created.json["failureProbability"] != nil)  // the default is filled in

                let edit = #"{"id": "lambda", "kind": "neocloud", "failureProbability": 0.2}"#
                let noMatch = try await c.call(.put, "/v1/providers/lambda", token: h.planner, body: edit)
                #expect(noMatch.status == 428)
                let stale = try await c.call(
                    .put, "/v1/providers/lambda", token: h.planner, body: edit, headers: ["If-Match": "\"9\""])
                #expect(stale.status == 412)
                #expect(stale.header("ETag") == "\"1\"")
                let fresh = try await c.call(
                    .put, "/v1/providers/lambda", token: h.planner, body: edit, headers: ["If-Match": "\"1\""])
                #expect(fresh.status == 200)
                #expect(fresh.header("ETag") == "\"2\"")
                // Two writers with the same ETag: the second loses.
                let late = try await c.call(
                    .put, "/v1/providers/lambda", token: h.planner, body: edit, headers: ["If-Match": "\"1\""])
                #expect(late.status == 412)
                // The same body again changes nothing: no new version, no audit line.
                let audited = try await h.store.audit(after: nil, limit: 200).items.count
                let again = try await c.call(
                    .put, "/v1/providers/lambda", token: h.planner, body: edit, headers: ["If-Match": "\"2\""])
                #expect(again.status == 200 && again.header("ETag") == "\"2\"")
                #expect(try await h.store.audit(after: nil, limit: 200).items.count == audited)

                let mismatch = try await c.call(
                    .put, "/v1/providers/lambda", token: h.planner, body: #"{"id": "other", "kind": "neocloud"}"#,
                    headers: ["If-Match": "\"2\""])
                #expect(mismatch.status == 422)
                #expect(mismatch.paths == ["id"])

                let inUse = try await c.call(
                    .delete, "/v1/providers/coreweave", token: h.planner, headers: ["If-Match": "\"1\""])
                #expect(inUse.status == 409)
                #expect(!inUse.errors.isEmpty)
                #expect(
                    try await c.call(.delete, "/v1/providers/lambda", token: h.planner, headers: ["If-Match": "\"2\""])
                        .status == 204)
                #expect(try await c.call(.get, "/v1/providers/lambda", token: h.viewer).status == 404)

                var ids: [String] = []
                var uri = "/v1/offers?limit=2"
                while true {
                    let page = try await c.call(.get, uri, token: h.viewer)
                    let items = try #require(page.json["items"] as? [[String: Any]])
                    #expect(items.count <= 2)
                    ids += items.compactMap { $0["id"] as? String }
                    guard let next = page.json["next"] as? String else { break }
                    uri = "/v1/offers?limit=2&cursor=\(next)"
                }
                #expect(ids == (try Fixtures.frontierLab()).offers.map(\.id.rawValue).sorted())
            }
        }
    }

    @Test func scenariosImportAndExportAsJSONAndYAML() async throws {
        try await Harness.with(importExample: false) { h in
            try await h.test { c in
                #expect(try await c.call(.get, "/v1/scenario", token: h.viewer).status == 404)
                #expect(try await c.call(.post, "/v1/plans", token: h.planner).status == 409)
                let yaml = try String(contentsOfFile: Fixtures.path("examples/frontier-lab.yaml"), encoding: .utf8)
                var headers: HTTPFields = [.authorization: "Bearer \(h.planner)", .contentType: "application/yaml"]
                let imported = try await c.client.executeRequest(
                    uri: "/v1/scenarios", method: .post, headers: headers, body: ByteBuffer(string: yaml))
                #expect(imported.status == .created)
                #expect(imported.headers[.location] == "/v1/scenarios/1")
                let exported = try await c.call(.get, "/v1/scenario?format=yaml", token: h.viewer)
                #expect(exported.header("Content-Type") == "application/yaml")
                #expect(try ScenarioFile.load(data: Data(exported.text.utf8), format: .yaml) == Fixtures.frontierLab())
                let json = try await c.call(.get, "/v1/scenarios/1", token: h.viewer)
                #expect(try ScenarioFile.load(data: Data(json.text.utf8), format: .json) == Fixtures.frontierLab())

                // A scenario with mistakes: every problem with its path and line, nothing imported.
                let broken = yaml.replacingOccurrences(of: "provider: nebius", with: "provider: nebuis")
                headers[.contentType] = "application/yaml"
                let refused = try await c.client.executeRequest(
                    uri: "/v1/scenarios", method: .post, headers: headers, body: ByteBuffer(string: broken))
                #expect(refused.status == .unprocessableContent)
                let problem = Reply(status: 422, headers: refused.headers, text: String(buffer: refused.body))
                #expect(problem.paths.contains { $0.hasSuffix(".provider") })
                #expect(problem.errors.allSatisfy { $0["line"] is Int })
                let versions = try await c.call(.get, "/v1/scenarios", token: h.viewer)
                #expect((versions.json["items"] as? [Any])?.count == 1)

                // JSON that does not parse is malformed (400), like any JSON body.
                let malformed = try await c.call(.post, "/v1/scenarios", token: h.planner, body: #"{"name": "#)
                #expect(malformed.status == 400 && malformed.json["title"] as? String == "Malformed JSON")

                // Nested aliases ("billion laughs", 342 bytes, 9^9 nodes expanded) are refused
                // before they are expanded; nothing is imported.
                let bomb = try await c.client.executeRequest(
                    uri: "/v1/scenarios", method: .post, headers: headers, body: ByteBuffer(string: billionLaughs))
                #expect(bomb.status == .unprocessableContent)
                #expect(String(buffer: bomb.body).contains("aliases expand to more than"))
                #expect(
                    ((try await c.call(.get, "/v1/scenarios", token: h.viewer)).json["items"] as? [Any])?.count == 1)
            }
        }
    }

    @Test func aPlanIsAcceptedItsLeasesMoveAndAnIncidentReplansIt() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let started = try await c.call(.post, "/v1/plans", token: h.planner, body: #"{"timeLimitSeconds": 30}"#)
                #expect(started.status == 202)
                let jobURL = try #require(started.header("Location"))
                #expect(started.json["state"] as? String == "queued")
                let tooLong = try await c.call(
                    .post, "/v1/plans", token: h.planner, body: #"{"timeLimitSeconds": 1e6}"#)
                #expect(tooLong.paths == ["timeLimitSeconds"])
                try await h.drainJobs()
                let job = try await c.call(.get, jobURL, token: h.viewer)
                #expect(job.json["state"] as? String == "succeeded")
                // Links are ids, like every request body's; `href` is the resource's own URL.
                let planURL = "/v1/plans/" + (try #require(job.json["plan"] as? String))
                let plan = try await c.call(.get, planURL, token: h.viewer)
                #expect(plan.json["href"] as? String == planURL)
                #expect(plan.status == 200)
                #expect(plan.header("ETag") == "\"1\"")
                let body = try #require(plan.json["plan"] as? [String: Any])
                let leases = try #require(body["leases"] as? [[String: Any]])

                let accepted = try await c.call(.post, planURL + "/accept", token: h.planner)
                #expect(accepted.status == 200)
                let proposed = try #require(accepted.json["leases"] as? [[String: Any]])
                #expect(proposed.count == leases.count)
                #expect(try await c.call(.post, planURL + "/accept", token: h.planner).status == 409)

                let lease = try #require(proposed.first?["id"] as? String)
                let skip = try await c.call(
                    .post, "/v1/leases/\(lease)/transitions", token: h.planner, body: #"{"to": "active"}"#,
                    headers: ["If-Match": "\"1\""])
                #expect(skip.status == 409)
                #expect((skip.json["detail"] as? String)?.contains("signed") == true)
                let signed = try await c.call(
                    .post, "/v1/leases/\(lease)/transitions", token: h.planner,
                    body: #"{"to": "signed", "note": "countersigned"}"#, headers: ["If-Match": "\"1\""])
                #expect(signed.status == 200)
                #expect(signed.json["state"] as? String == "signed")
                #expect(signed.json["next"] as? [String] == ["provisioning", "breached", "terminated"])
                let history = try #require(signed.json["history"] as? [[String: Any]])
                #expect(
                    history.last?["actor"] as? String == "alice (\(try await h.store.token(secret: h.planner)!.id))")
                #expect(history.last?["note"] as? String == "countersigned")
                let filtered = try await c.call(.get, "/v1/leases?state=signed", token: h.viewer)
                #expect((filtered.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [lease])

                let planID = try #require(plan.json["id"] as? String)
                let incident = try await c.call(
                    .post, "/v1/incidents", token: h.planner,
                    body: """
                        {"plan": "\(planID)", "incident": {"provider": "coreweave", "kind": "outage",
                         "from": "2027-07", "months": 3, "deliveredFraction": 0}}
                        """)
                #expect(incident.status == 202)
                let incidentURL = try #require(incident.header("Location"))
                try await h.drainJobs()
                let recorded = try await c.call(.get, incidentURL, token: h.viewer)
                let replan = try #require(recorded.json["replan"] as? String)
                let replanned = try await c.call(.get, "/v1/plans/\(replan)", token: h.viewer)
                #expect(replanned.json["parentPlan"] as? String == planID)
                // Accepting the re-plan supersedes its base: one accepted plan, the signed lease stands.
                let takeover = try await c.call(.post, "/v1/plans/\(replan)/accept", token: h.planner)
                #expect(takeover.status == 200)
                #expect(takeover.json["superseded"] as? [String] == [planID])
                let withdrawn = try #require(takeover.json["withdrawn"] as? [[String: Any]])
                #expect(
                    withdrawn.allSatisfy { $0["state"] as? String == "withdrawn" && $0["plan"] as? String == planID })
                let carried = try #require(takeover.json["carried"] as? [[String: Any]])
                #expect(carried.allSatisfy { $0["state"] as? String == "proposed" && $0["plan"] as? String == replan })
                #expect(withdrawn.count + carried.count == proposed.count - 1)
                let old = try await c.call(.get, planURL, token: h.viewer)
                #expect(old.json["state"] as? String == "superseded")
                #expect(old.json["supersededBy"] as? String == replan)
                #expect(try await c.call(.post, planURL + "/accept", token: h.planner).status == 409)
                let stillSigned = try await c.call(.get, "/v1/leases?state=signed", token: h.viewer)
                #expect((stillSigned.json["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [lease])

                let unknown = try await c.call(
                    .post, "/v1/incidents", token: h.planner,
                    body:
                        #"{"plan": "\#(planID)", "incident": {"provider": "corewave", "kind": "outage", "from": "2027-07"}}"#
                )
                #expect(unknown.status == 422)
                #expect(unknown.paths == ["incident.provider"])
                let noPlan = try await c.call(
                    .post, "/v1/incidents", token: h.planner,
                    body: #"{"plan": "plan-x", "incident": {"provider": "aws", "kind": "outage", "from": "2027-07"}}"#)
                #expect(noPlan.status == 404)

                let audit = try await c.call(.get, "/v1/audit?limit=200", token: h.viewer)
                let actions = (audit.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
                for action in [
                    "plan.submit", "plan.finish", "plan.accept", "lease.signed", "incident.record", "replan.finish",
                    "plan.supersede",
                ] {
                    #expect(actions.contains(action), "\(action)")
                }
            }
        }
    }

    /// A what-if (another cap, an offer's prices) is planned as a job on the scenario with the
    /// changes, which stays as it is; the plan names them, is listed and compared beside the
    /// current plan, and is never accepted. A change that does not apply is refused, naming its
    /// field, and nothing is queued.
    @Test func aWhatIfIsPlannedComparedAndNeverAccepted() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let current = try await h.plannedExample(c)
                #expect(try await c.call(.post, "/v1/plans/\(current)/accept", token: h.planner).status == 200)
                for (body, path) in [
                    (#"{"whatIf": {"offers": [{"offer": "nb-b300", "priceFactor": 0.9}]}}"#, "whatIf.offers[0].offer"),
                    (#"{"whatIf": {"maxProviderShare": 1.5}}"#, "whatIf.maxProviderShare"),
                    (#"{"whatIf": {"cap": 0.4}}"#, "whatIf.cap"),
                    (#"{"whatIf": {}}"#, "whatIf"),
                    (
                        #"{"whatIf": {"offers": [{"offer": "nb-b200", "availableNodes": -1}]}}"#,
                        "whatIf.offers[0].availableNodes"
                    ),
                ] {
                    let refused = try await c.call(.post, "/v1/plans", token: h.planner, body: body)
                    #expect(refused.status == 422 && refused.paths == [path], "\(body): \(refused.text)")
                }
                #expect(try await h.store.jobCounts().map(\.1).reduce(0, +) == 1)
                let started = try await c.call(
                    .post, "/v1/plans", token: h.planner,
                    body:
                        #"{"timeLimitSeconds": 10, "whatIf": {"maxProviderShare": 0.45, "offers": [{"offer": "nb-b200", "priceFactor": 1.2}]}}"#
                )
                #expect(started.status == 202, "\(started.text)")
                try await h.drainJobs()
                let job = try await c.call(.get, try #require(started.header("Location")), token: h.viewer)
                let id = try #require(job.json["plan"] as? String, "\(job.text)")
                let plan = try #require(
                    try await c.call(.get, "/v1/plans/\(id)", token: h.viewer).json["plan"] as? [String: Any])
                #expect(
                    plan["whatIf"] as? [String] == ["supplier cap 45.0% instead of 50.0%", "nb-b200's prices +20.0%"])
                let caps = Set((plan["shares"] as? [[String: Any]] ?? []).compactMap { $0["cap"] as? Double })
                #expect(caps == [0.45], "\(caps)")
                // The scenario is as it was.
                let scenario = try await c.call(.get, "/v1/scenario", token: h.viewer).json
                #expect((scenario["policy"] as? [String: Any])?["maxProviderShare"] as? Double == 0.5)
                let refused = try await c.call(.post, "/v1/plans/\(id)/accept", token: h.planner)
                #expect(refused.status == 409 && (refused.json["detail"] as? String)?.contains("is a what-if") == true)
                #expect(try await h.store.currentPlan()?.id == current)
                // The dashboard lists it as a what-if with the comparison, and says so on its page.
                let plans = try await c.call(.get, "/plans", token: h.viewer)
                #expect(plans.text.contains("data-figure=\"what-if-plan\" data-value=\"\(id)\""))
                #expect(plans.text.contains("/compare?a=\(current)&amp;b=\(id)"))
                let page = try await c.call(.get, "/plans/\(id)", token: h.viewer)
                #expect(page.text.contains("data-figure=\"what-if\"") && page.text.contains("supplier cap 45.0%"))
                #expect(!page.text.contains("data-figure=\"accept-form\""))
                // Its risk analysis and its re-plans are made on the scenario it was planned on.
                let asked = WhatIf(maxProviderShare: 0.45, offers: [.init(offer: "nb-b200", priceFactor: 1.2)])
                #expect(
                    try await c.call(.post, "/v1/plans/\(id)/risk", token: h.planner, body: #"{"samples": 2}"#).status
                        == 202)
                let incident = try await c.call(
                    .post, "/v1/incidents", token: h.planner,
                    body:
                        #"{"plan": "\#(id)", "incident": {"provider": "nebius", "kind": "outage", "from": "2027-03"}}"#)
                #expect(incident.status == 202, "\(incident.text)")
                for kind in [JobKind.risk, .replan] {
                    let job = try #require(try await h.store.claimJob(worker: "test", leaseSeconds: 30))
                    #expect(job.kind == kind && job.payload.whatIf == asked, "\(job)")
                    try await h.store.failJob(
                        job, worker: "test", error: "not run here: the payload is what is checked")
                }
                let compared = try await c.call(.get, "/compare?a=\(current)&b=\(id)", token: h.viewer)
                #expect(compared.text.contains("data-figure=\"compare-what-if\" data-value=\"B\""))
                #expect(compared.text.contains("nb-b200&#39;s prices +20.0%"))
            }
        }
    }

    /// A plan waiting for a decision can be rejected, with a reason for the audit log: it is
    /// kept and can no longer be accepted; a plan not waiting cannot be rejected. From the
    /// dashboard too.
    @Test func aReadyPlanIsRejectedAndNeverAccepted() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let id = try await h.plannedExample(c)
                let bad = try await c.call(.post, "/v1/plans/\(id)/reject", token: h.planner, body: #"{"why": "dear"}"#)
                #expect(bad.status == 422 && bad.paths == ["why"], "\(bad.text)")
                #expect(try await c.call(.post, "/v1/plans/\(id)/reject", token: h.viewer).status == 403)
                let stale = try await c.call(
                    .post, "/v1/plans/\(id)/reject", token: h.planner, headers: ["If-Match": "\"7\""])
                #expect(stale.status == 412)
                let rejected = try await c.call(
                    .post, "/v1/plans/\(id)/reject", token: h.planner, body: #"{"reason": "too dear"}"#,
                    headers: ["If-Match": "\"1\""])
                #expect(rejected.status == 200 && rejected.json["state"] as? String == "rejected", "\(rejected.text)")
                #expect(rejected.header("ETag") == "\"2\"")
                let again = try await c.call(.post, "/v1/plans/\(id)/reject", token: h.planner)
                #expect(again.status == 409 && (again.json["detail"] as? String)?.contains("not ready") == true)
                let accept = try await c.call(.post, "/v1/plans/\(id)/accept", token: h.planner)
                #expect(accept.status == 409 && (accept.json["detail"] as? String)?.contains("rejected") == true)
                let audit = try await h.store.audit(after: nil, limit: 50).items.filter { $0.action == "plan.reject" }
                #expect(audit.count == 1 && audit.first?.detail == "too dear", "\(audit)")
                // The dashboard: a second plan, rejected from its page's form.
                _ = try await c.call(.post, "/v1/plans", token: h.planner)
                try await h.drainJobs()
                let second = try #require(
                    (try await c.call(.get, "/v1/plans", token: h.viewer).json["items"] as? [[String: Any]])?
                        .compactMap { $0["id"] as? String }.first { $0 != id })
                let planner = try await c.signIn(h.planner)
                let page = try await c.call(.get, "/plans/\(second)", token: nil, headers: ["Cookie": planner])
                #expect(page.text.contains("data-figure=\"reject-form\""))
                let marker = "name=\"csrf\" value=\""
                let start = try #require(page.text.range(of: marker)).upperBound
                let value = String(page.text[start...].prefix { $0 != "\"" })
                let form = try await c.call(
                    .post, "/plans/\(second)/reject", token: nil,
                    body: "csrf=\(value)&version=1&reason=a+what-if+instead",
                    headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": planner])
                #expect(form.status == 303 && form.header("Location") == "/plans/\(second)", "\(form.text)")
                #expect(try await h.store.plan(second).state == .rejected)
                let after = try await c.call(.get, "/plans/\(second)", token: nil, headers: ["Cookie": planner])
                #expect(!after.text.contains("data-figure=\"reject-form\"") && !after.text.contains("accept-form"))
            }
        }
    }

    /// A plan request that names no gap gets the server's (`serve --plan-gap`); one that names a
    /// gap gets its own. (A re-plan request reads its gap through the same function.)
    @Test func aRequestWithoutAGapGetsTheServersPlanGap() async throws {
        try await Harness.with(planGap: 0.03) { h in
            try await h.test { c in
                var gaps: [Double?] = []
                for body in [nil, #"{"timeLimitSeconds": 5}"#, #"{"relativeGap": 0.05}"#] {
                    let queued = try await c.call(.post, "/v1/plans", token: h.planner, body: body)
                    #expect(queued.status == 202, "\(queued.text)")
                    gaps.append(queued.json["relativeGap"] as? Double)
                }
                #expect(gaps == [0.03, 0.03, 0.05])
            }
        }
    }

    @Test func anIdempotencyKeyGivesTheFirstResponseAgain() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let first = try await c.call(.post, "/v1/plans", token: h.planner, headers: ["Idempotency-Key": "k-1"])
                let again = try await c.call(.post, "/v1/plans", token: h.planner, headers: ["Idempotency-Key": "k-1"])
                #expect(first.status == 202)
                #expect(again.status == 202)
                #expect(again.json["id"] as? String == first.json["id"] as? String)
                #expect(again.header("Location") == first.header("Location"))
                #expect(again.header("Idempotent-Replayed") == "true")
                let other = try await c.call(
                    .post, "/v1/plans", token: h.planner, body: #"{"relativeGap": 0.05}"#,
                    headers: ["Idempotency-Key": "k-1"])
                #expect(other.status == 422)
                // Only one job was queued.
                #expect(try await h.store.jobCounts().map(\.1) == [1])
                // A refused request is remembered as refused.
                let bad = try await c.call(
                    .post, "/v1/providers", token: h.planner, body: #"{"id": 1}"#, headers: ["Idempotency-Key": "k-2"])
                let badAgain = try await c.call(
                    .post, "/v1/providers", token: h.planner, body: #"{"id": 1}"#, headers: ["Idempotency-Key": "k-2"])
                #expect(bad.status == 422)
                #expect(badAgain.status == 422)
                #expect(badAgain.text == bad.text)
                // The same JSON value in other words (key order, spacing) is the same request.
                let created = try await c.call(
                    .post, "/v1/providers", token: h.planner, body: #"{"id": "neo-x", "kind": "neocloud"}"#,
                    headers: ["Idempotency-Key": "k-3"])
                let reworded = try await c.call(
                    .post, "/v1/providers", token: h.planner, body: "{ \"kind\" : \"neocloud\",\n  \"id\": \"neo-x\" }",
                    headers: ["Idempotency-Key": "k-3"])
                #expect(created.status == 201 && reworded.status == 201)
                #expect(reworded.header("Idempotent-Replayed") == "true")
            }
        }
    }

    /// The job queue is bounded per token, then in all: past it, 429 with Retry-After (the plan
    /// time limit), nothing queued, and an Idempotency-Key refused for a full queue is not spent.
    @Test func aFullJobQueueAnswers429WithRetryAfter() async throws {
        try await Harness.with(limits: JobLimits(queued: 3, queuedPerActor: 2)) { h in
            try await h.test { c in
                func fill() async throws {
                    for _ in 0..<2 { #expect(try await c.call(.post, "/v1/plans", token: h.planner).status == 202) }
                    #expect(try await c.call(.post, "/v1/plans", token: h.admin).status == 202)
                }
                func waiting() async throws -> Int {
                    try await h.store.jobCounts().filter { ["queued", "running"].contains($0.0) }
                        .map(\.1).reduce(0, +)
                }
                for _ in 0..<2 { #expect(try await c.call(.post, "/v1/plans", token: h.planner).status == 202) }
                let third = try await c.call(.post, "/v1/plans", token: h.planner, headers: ["Idempotency-Key": "q"])
                #expect(third.status == 429)
                #expect(third.header("Retry-After") == "60")
                #expect(
                    (third.json["detail"] as? String ?? "").contains(
                        "has 2 job(s) waiting or running, the most one token may have (2)"), "\(third.text)")
                // Another token still has room, until the queue holds three.
                #expect(try await c.call(.post, "/v1/plans", token: h.admin).status == 202)
                let full = try await c.call(.post, "/v1/plans", token: h.admin)
                #expect(full.status == 429)
                #expect((full.json["detail"] as? String ?? "").contains("the most the queue holds (3)"), "\(full.text)")
                #expect(try await waiting() == 3)
                // Once the jobs are done there is room again.
                try await h.drainJobs()
                #expect(try await waiting() == 0)
                let plans = try await c.call(.get, "/v1/plans", token: h.viewer)
                let planID = try #require((plans.json["items"] as? [[String: Any]])?.first?["id"] as? String)
                // A re-plan is a job too: refused while the queue is full.
                try await fill()
                let incident = try await c.call(
                    .post, "/v1/incidents", token: h.admin,
                    body:
                        #"{"plan": "\#(planID)", "incident": {"provider": "aws", "kind": "outage", "from": "2027-07"}}"#
                )
                #expect(incident.status == 429, "\(incident.text)")
                #expect(try await waiting() == 3)
                // The key refused for a full queue was not spent: it queues once there is room.
                try await h.drainJobs()
                let retried = try await c.call(.post, "/v1/plans", token: h.planner, headers: ["Idempotency-Key": "q"])
                #expect(retried.status == 202)
                #expect(retried.header("Idempotent-Replayed") == nil)
            }
        }
    }

    /// A plan's risk: a planner queues an analysis (a job), which samples futures, re-plans and
    /// simulates; the summary is listed newest first and shown on the plan's page. Viewers may
    /// read but not queue; bad numbers are 422 naming the field, an unknown plan 404.
    @Test func analysesAPlansRiskAsAJob() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let id = try await h.plannedExample(c)
                #expect(try await c.call(.post, "/v1/plans/\(id)/risk", token: h.viewer).status == 403)
                for (body, field) in [
                    (#"{"samples": 0}"#, "samples"), (#"{"seed": -1}"#, "seed"), (#"{"sample": 5}"#, "sample"),
                ] {
                    let refused = try await c.call(.post, "/v1/plans/\(id)/risk", token: h.planner, body: body)
                    #expect(refused.status == 422, "\(body): \(refused.text)")
                    #expect(refused.text.contains("\"\(field)\""), "\(refused.text)")
                }
                #expect(try await c.call(.post, "/v1/plans/plan-none/risk", token: h.planner).status == 404)
                let queued = try await c.call(
                    .post, "/v1/plans/\(id)/risk", token: h.planner, body: #"{"samples": 4, "seed": 3}"#)
                #expect(queued.status == 202, "\(queued.text)")
                #expect(queued.json["kind"] as? String == "risk" && queued.json["samples"] as? Int == 4)
                // Split into parts of one future each: the job waits for them, and says how many.
                #expect(try await MemoisedPlans.runner(h.store, riskFuturesPerPart: 1).runOnce())
                let location = try #require(queued.header("Location"))
                let waiting = try await c.call(.get, location, token: h.viewer)
                #expect(waiting.json["state"] as? String == "waiting", "\(waiting.text)")
                let parts = try #require(waiting.json["parts"] as? [String: Any], "\(waiting.text)")
                #expect((parts["total"] as? Int ?? 0) >= 2 && parts["succeeded"] as? Int == 0, "\(parts)")
                try await h.drainJobs(riskFuturesPerPart: 1)
                let job = try await c.call(.get, location, token: h.viewer)
                #expect(job.json["state"] as? String == "succeeded", "\(job.text)")
                #expect((job.json["parts"] as? [String: Any])?["succeeded"] as? Int == parts["total"] as? Int)
                let listed = try await c.call(.get, "/v1/plans/\(id)/risk", token: h.viewer)
                let items = try #require(listed.json["items"] as? [[String: Any]])
                #expect(items.count == 1)
                let summary = try #require(items.first?["summary"] as? [String: Any])
                #expect(summary["samples"] as? Int == 4 && summary["seed"] as? Int == 3)
                let runs = try #require(summary["runs"] as? [[String: Any]])
                #expect(Set(runs.compactMap { $0["workload"] as? String }) == ["frontier-pretrain", "frontier-next"])
                #expect(try await c.call(.get, "/v1/plans/plan-none/risk", token: h.viewer).status == 404)
                // The plan's page shows the latest analysis: the chance, each run, the cost's tail.
                let session = try await c.signIn(h.viewer)
                let page = try await c.call(.get, "/plans/\(id)", token: nil, headers: ["Cookie": session])
                #expect(page.text.contains("4 sampled futures (seed 3)"), "\(page.text)")
                #expect(page.text.contains("data-figure=\"risk-all-on-time\""))
                #expect(page.text.contains("data-figure=\"risk-run\" data-value=\"frontier-pretrain\""))
                #expect(page.text.contains("data-figure=\"risk-cvar95USD\""))

                // A second plan (the re-plan after an outage) on the same futures: the plans page
                // sets them side by side on the frontier of risk against cost.
                let recorded = try await c.call(
                    .post, "/v1/incidents", token: h.planner,
                    body:
                        #"{"plan": "\#(id)", "incident": {"provider": "nebius", "kind": "outage", "from": "2027-06"}}"#)
                #expect(recorded.status == 202, "\(recorded.text)")
                try await h.drainJobs()
                let href = try #require((recorded.json["incident"] as? [String: Any])?["href"] as? String)
                let replan = try #require(try await c.call(.get, href, token: h.viewer).json["replan"] as? String)
                try await c.call(
                    .post, "/v1/plans/\(replan)/risk", token: h.planner, body: #"{"samples": 4, "seed": 3}"#)
                try await h.drainJobs()
                let plans = try await c.call(.get, "/plans", token: nil, headers: ["Cookie": session])
                #expect(plans.text.contains("data-figure=\"risk-frontier-chart\""), "\(plans.text)")
                let marks = plans.text.components(separatedBy: "data-figure=\"risk-frontier\" data-value=\"")
                    .dropFirst()
                    .map { String($0.prefix { $0 != "\"" }) }
                #expect(Set(marks.map { String($0.split(separator: ":")[0]) }) == [id, replan], "\(marks)")
                #expect(marks.contains { $0.hasSuffix(":yes") })
            }
        }
    }

    /// A planner accepts a plan, moves a lease and records an incident from the dashboard's
    /// forms; the same rules as the API hold (role, version), and a form from another site or
    /// another session is refused with nothing changed.
    @Test func aPlannerActsFromTheDashboardsForms() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let id = try await h.plannedExample(c)
                func formValue(_ page: String) throws -> String {
                    let marker = "name=\"csrf\" value=\""
                    let start = try #require(page.range(of: marker)).upperBound
                    return String(page[start...].prefix { $0 != "\"" })
                }
                func post(_ path: String, _ cookie: String, _ fields: String, origin: String? = nil) async throws
                    -> Reply
                {
                    var headers = ["Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie]
                    headers["Origin"] = origin
                    return try await c.call(.post, path, token: nil, body: fields, headers: headers)
                }
                func state(_ path: String) async throws -> String? {
                    try await c.call(.get, path, token: h.viewer).json["state"] as? String
                }
                // A viewer sees no forms and may not post them.
                let viewer = try await c.signIn(h.viewer)
                let seen = try await c.call(.get, "/plans/\(id)", token: nil, headers: ["Cookie": viewer])
                #expect(!seen.text.contains("data-figure=\"accept-form\""))
                #expect(try await post("/plans/\(id)/accept", viewer, "csrf=x").status == 403)

                let planner = try await c.signIn(h.planner)
                let page = try await c.call(.get, "/plans/\(id)", token: nil, headers: ["Cookie": planner])
                #expect(page.text.contains("data-figure=\"accept-form\""), "\(page.text.prefix(400))")
                let value = try formValue(page.text)
                // Refused: no value, another session's value, another site's page.
                let other = try await c.signIn(h.planner)
                let otherValue = try formValue(
                    try await c.call(.get, "/plans/\(id)", token: nil, headers: ["Cookie": other]).text)
                #expect(otherValue != value)
                for (fields, origin) in [
                    ("version=1", nil), ("csrf=\(otherValue)&version=1", nil),
                    ("csrf=\(value)&version=1", "https://evil.example"),
                ] {
                    let refused = try await post("/plans/\(id)/accept", planner, fields, origin: origin)
                    #expect(refused.status == 403 && refused.text.contains("Nothing was changed"), "\(fields)")
                }
                #expect(try await state("/v1/plans/\(id)") == "ready")
                let accepted = try await post("/plans/\(id)/accept", planner, "csrf=\(value)&version=1")
                #expect(accepted.status == 303 && accepted.header("Location") == "/plans/\(id)", "\(accepted.text)")
                #expect(try await state("/v1/plans/\(id)") == "accepted")
                // A risk analysis queued from the plan's page; a bad count is refused, nothing queued.
                #expect(try await post("/plans/\(id)/risk", planner, "csrf=\(value)&samples=0&seed=1").status == 422)
                #expect(try await c.call(.get, "/v1/plans/\(id)/risk", token: h.viewer).status == 200)
                let risk = try await post("/plans/\(id)/risk", planner, "csrf=\(value)&samples=3&seed=2")
                #expect(risk.status == 303 && risk.header("Location") == "/plans/\(id)", "\(risk.text)")
                try await h.drainJobs()
                let analyses = try await c.call(.get, "/v1/plans/\(id)/risk", token: h.viewer)
                let analysed = try #require(analyses.json["items"] as? [[String: Any]])
                #expect(analysed.count == 1 && analysed.first?["samples"] as? Int == 3, "\(analyses.text)")

                // A what-if from the plans page: refused when a field is not a number or a price
                // change names no offer, nothing queued; queued as a plan job otherwise.
                #expect(
                    !(try await c.call(.get, "/plans", token: nil, headers: ["Cookie": viewer])).text.contains(
                        "what-if-form"))
                #expect(
                    try await c.call(.get, "/plans", token: nil, headers: ["Cookie": planner]).text.contains(
                        "data-figure=\"what-if-form\""))
                for (fields, path) in [
                    ("cap=lots", "cap"), ("offer=&priceChange=10", "offer"),
                    ("offer=nb-b300&availableNodes=3", "whatIf.offers[0].offer"),
                ] {
                    let refused = try await post("/plans/what-if", planner, "csrf=\(value)&\(fields)")
                    #expect(
                        refused.status == 422 && refused.text.contains("<code>\(path)</code>"),
                        "\(fields): \(refused.text)")
                }
                #expect(try await h.store.jobCounts().filter { $0.0 == "queued" }.isEmpty)
                let whatIf = try await post(
                    "/plans/what-if", planner, "csrf=\(value)&cap=45&offer=nb-b200&priceChange=-10")
                #expect(whatIf.status == 303 && whatIf.header("Location") == "/plans", "\(whatIf.text)")
                let queued = try #require(try await h.store.claimJob(worker: "test", leaseSeconds: 30))
                #expect(
                    queued.payload.whatIf
                        == WhatIf(maxProviderShare: 0.45, offers: [.init(offer: "nb-b200", priceFactor: 0.9)]))
                try await h.store.failJob(queued, worker: "test", error: "not run here: the what-if API test plans one")

                // A proposed lease moves to signed; a stale version or a move its state does not
                // allow is refused, the lease as it was.
                let leases = try await c.call(.get, "/leases", token: nil, headers: ["Cookie": planner])
                let marker = "data-figure=\"move-form\" data-value=\""
                let start = try #require(leases.text.range(of: marker)).upperBound
                let lease = String(leases.text[start...].prefix { $0 != "\"" })
                let move = "/leases/\(lease)/transitions"
                let stale = try await post(move, planner, "csrf=\(value)&version=7&to=signed")
                #expect(stale.status == 412 && stale.text.contains("Nothing was changed"), "\(stale.text)")
                let notAllowed = try await post(move, planner, "csrf=\(value)&version=1&to=active")
                #expect(notAllowed.status == 409, "\(notAllowed.text)")
                #expect(try await state("/v1/leases/\(lease)") == "proposed")
                let signed = try await post(move, planner, "csrf=\(value)&version=1&to=signed&note=countersigned")
                #expect(signed.status == 303 && signed.header("Location") == "/leases", "\(signed.text)")
                #expect(try await state("/v1/leases/\(lease)") == "signed")

                // An incident: recorded and its re-plan queued; a month that is none is refused
                // with the field named, nothing recorded.
                let incidents = try await c.call(.get, "/incidents", token: nil, headers: ["Cookie": planner])
                #expect(incidents.text.contains("data-figure=\"incident-form\""))
                let bad = try await post(
                    "/incidents", planner, "csrf=\(value)&plan=\(id)&provider=nebius&kind=outage&from=2027-13")
                #expect(bad.status == 422 && bad.text.contains("from"), "\(bad.text)")
                let none = try await c.call(.get, "/v1/incidents", token: h.viewer)
                #expect((none.json["items"] as? [[String: Any]])?.isEmpty == true)
                let recorded = try await post(
                    "/incidents", planner,
                    "csrf=\(value)&plan=\(id)&provider=nebius&kind=outage&from=2027-06&months=&deliveredFraction=0")
                #expect(recorded.status == 303 && recorded.header("Location") == "/incidents", "\(recorded.text)")
                let listed = try await c.call(.get, "/v1/incidents", token: h.viewer)
                let items = try #require(listed.json["items"] as? [[String: Any]])
                #expect(items.count == 1 && items.first?["plan"] as? String == id, "\(listed.text)")
            }
        }
    }

    /// A plan's exports as YAML streams: Kueue for one month, SkyPilot tasks; a month outside the
    /// horizon or malformed is 422 naming `month`, an unknown target 404.
    @Test func servesAPlansExports() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let id = try await h.plannedExample(c)
                let kueue = try await c.call(.get, "/v1/plans/\(id)/export/kueue?month=2027-05", token: h.viewer)
                #expect(kueue.status == 200, "\(kueue.text)")
                #expect(kueue.header("Content-Type") == "application/yaml")
                #expect(kueue.text.hasPrefix("# file: 2027-05/manager.yaml\n"))
                #expect(kueue.text.contains("kind: \"ClusterQueue\""))
                #expect(!kueue.text.contains("changes.md"))
                let first = try await c.call(.get, "/v1/plans/\(id)/export/kueue", token: h.viewer)
                #expect(first.text.hasPrefix("# file: 2027-01/manager.yaml\n"))
                let sky = try await c.call(.get, "/v1/plans/\(id)/export/skypilot", token: h.viewer)
                #expect(sky.status == 200)
                #expect(sky.text.contains("# file: frontier-pretrain.yaml\n"))
                for month in ["2031-01", "2027-5", "%E2%80%AE2027-05", String(repeating: "9", count: 4000)] {
                    let refused = try await c.call(.get, "/v1/plans/\(id)/export/kueue?month=\(month)", token: h.viewer)
                    #expect(refused.status == 422, "\(month.prefix(20)): \(refused.text)")
                    #expect(refused.text.contains("\"month\""), "\(refused.text)")
                    #expect(
                        refused.text.count < 400, "the answer echoes the whole month: \(refused.text.count) characters")
                }
                #expect(try await c.call(.get, "/v1/plans/\(id)/export/slurm", token: h.viewer).status == 404)
                #expect(try await c.call(.get, "/v1/plans/no-such-plan/export/kueue", token: h.viewer).status == 404)
                #expect(try await c.call(.get, "/v1/plans/\(id)/export/kueue", token: nil).status == 401)
            }
        }
    }

    @Test func operationalEndpointsReportHealthAndMetrics() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let ready = try await c.call(.get, "/readyz", token: nil)
                #expect(ready.json["database"] as? String == "sqlite")
                _ = try await c.call(.get, "/v1/providers", token: h.viewer)
                _ = try await c.call(.post, "/v1/plans", token: h.planner)
                try await h.drainJobs()
                let metrics = try await c.call(.get, "/metrics", token: nil).text
                #expect(
                    metrics.contains(
                        #"switchyard_http_request_duration_seconds_bucket{method="GET",route="/v1/providers",status="200",le="+Inf"} 1"#
                    ))
                #expect(metrics.contains(#"switchyard_jobs{state="succeeded"} 1"#))
                #expect(metrics.contains("# TYPE switchyard_plan_job_duration_seconds histogram"))
            }
        }
    }

    /// Every operation in the OpenAPI document is a route (none answers "no such resource"), and
    /// the embedded document is docs/openapi.yaml.
    @Test func theOpenAPIDocumentDescribesTheRoutes() async throws {
        let document = try String(contentsOfFile: Fixtures.path("docs/openapi.yaml"), encoding: .utf8)
        try await Harness.with { h in
            try await h.test { c in
                let served = try await c.call(.get, "/openapi.json", token: nil)
                let json = served.json
                #expect(json["openapi"] as? String == "3.1.0")
                let yaml = try DocumentParser.parse(document, format: .yaml)
                #expect(
                    try DocumentParser.parse(served.text, format: .json)
                        == DocumentParser.parse(
                            DocumentWriter.write(yaml, format: .json), format: .json))
                let paths = try #require(json["paths"] as? [String: [String: Any]])
                var operations = 0
                for (path, item) in paths {
                    for method in ["get", "post", "put", "delete"] where item[method] != nil {
                        let uri = path.replacingOccurrences(of: "{version}", with: "1")
                            .replacingOccurrences(of: "{id}", with: "x")
                        let reply = try await c.call(
                            HTTPRequest.Method(method.uppercased())!, uri, token: h.admin, body: "{}")
                        // Neither "no such resource" nor 405: the problem middleware answers 405
                        // on a known path whose method is not routed, so 405 means unrouted too.
                        #expect(
                            !(reply.status == 404 && reply.text.contains("no such resource"))
                                && reply.status != 405,
                            "\(method) \(path) is documented but not routed (\(reply.status))")
                        operations += 1
                    }
                }
                #expect(operations >= 30)
            }
        }
    }
}

/// Nine levels of nine aliases: 342 bytes that expand to 9^9 (387 million) scalars.
let billionLaughs =
    (["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + zip("abcdefgh", "bcdefghi").map { previous, name in
        "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]"
    }).joined(separator: "\n")

/// The dashboard and the CLI's report say the same plan's figures the same way: one formatter,
/// one rounding rule, read off both for every figure both show.
@Suite struct ReportAgreementTests {
    /// The report's lines with their continuation lines joined.
    static func lines(_ report: String) -> [String] {
        report.replacingOccurrences(of: "\n  ", with: " ").split(separator: "\n").map(String.init)
    }

    static func captures(_ pattern: String, in text: String) -> [[String]] {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]) else { return [] }
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { match in
            (1..<match.numberOfRanges).map { ns.substring(with: match.range(at: $0)) }
        }
    }

    @Test func theDashboardWritesEachFigureOfTheReportAlike() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let id = try await h.plannedExample(c)
                #expect(try await c.call(.post, "/v1/plans/\(id)/accept", token: h.planner).status == 200)
                let plan = try PlanFile.decode(Data(try await h.store.plan(id).body.utf8))
                let report = Self.lines(PlanReport.render(plan, format: .text)).joined(separator: "\n")
                let page = try await c.call(.get, "/plans/\(id)", token: h.viewer).text
                let overview = try await c.call(.get, "/", token: h.viewer).text
                // Spend and its parts, and the gap: the plan page's cards.
                let spend = try #require(
                    Self.captures(
                        #"^Spend (\$[0-9,]+): leases (\$[0-9,]+) .*colocation (\$[0-9,]+), backup fees (\$[0-9,]+)\."#,
                        in: report
                    ).first, "\(report.prefix(600))")
                func on(_ text: String, _ piece: String) -> Bool { text.contains(piece) }
                for figure in spend { #expect(on(page, ">\(figure)</div>"), "\(figure) not on the plan page") }
                let gap = try #require(
                    Self.captures(#"solver within ([0-9.]+%) of the bound"#, in: report).first?.first)
                #expect(on(page, ">\(gap)</div>"), "gap \(gap) not on the plan page")
                // Each provider's spend (the Overview's bars) and each month's (its columns).
                let providers = Set(plan.cost.byProvider.keys.map(\.rawValue))
                let spendRows = Self.captures(#"^([a-z0-9-]+) +(\$[0-9,]+) +[0-9.]+%$"#, in: report)
                    .filter { providers.contains($0[0]) }
                #expect(spendRows.count == providers.count, "\(spendRows)")
                for row in spendRows {
                    #expect(
                        on(overview, "\(row[0]): \(row[1]) of spend"), "\(row[0])'s spend \(row[1]) not on the Overview"
                    )
                }
                let months = Self.captures(#"^([0-9]{4}-[0-9]{2}) +(\$[0-9,]+)$"#, in: report)
                #expect(months.count == plan.horizon.months)
                for row in months {
                    #expect(
                        on(overview, "<title>\(row[0]): \(row[1])</title>"),
                        "\(row[0])'s spend \(row[1]) not on the Overview")
                }
                // The N-1 table: covered, required, short and the backup exercise, per provider.
                let losses = Self.captures(
                    #"^([a-z0-9-]+) +([0-9.]+%) +([0-9]+%) +([0-9,.]+) +(\$[0-9,]+)"#, in: report)
                #expect(losses.count == plan.resilience.count, "\(losses)")
                for row in losses {
                    for figure in row.dropFirst() {
                        #expect(on(page, ">\(figure)</td>"), "without \(row[0]): \(figure) not on the plan page")
                    }
                }
            }
        }
    }
}
