import Export
import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardStore

/// The dashboard: server-rendered pages with inline SVG charts, no script and nothing fetched
/// from elsewhere. Every figure shown comes from the same records the API returns; figures carry
/// `data-figure`/`data-value` attributes with the exact value.
enum Dashboard {
    static let style = """
        :root{color-scheme:light;--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--accent:#2563eb}
        *{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:#f8fafc}
        header{background:#0f172a;color:#fff;padding:10px 28px;display:flex;gap:28px;align-items:center}
        header b{font-size:17px;letter-spacing:.02em}header a{color:#cbd5e1;text-decoration:none}header a.on{color:#fff;border-bottom:2px solid #60a5fa}
        main{max-width:1180px;margin:0 auto;padding:22px 28px 60px}h1{font-size:22px;margin:4px 0 14px}h2{font-size:17px;margin:26px 0 8px}
        .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px}
        .card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 14px}
        .card .k{color:var(--muted);font-size:12.5px;text-transform:uppercase;letter-spacing:.04em}.card .v{font-size:22px;font-weight:650;margin-top:2px}
        .panel{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin-top:12px}
        table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line)}
        th{color:var(--muted);font-weight:600;font-size:12.5px;text-transform:uppercase;letter-spacing:.03em}td a,td:first-child{white-space:nowrap}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
        .chart{display:block;margin-top:6px}.chart .tick{font-size:11px;fill:#6b7280}.chart .label{font-size:12.5px;fill:#111827}.chart .value{font-size:12px;fill:#374151}
        .legend{list-style:none;padding:0;margin:8px 0 0;display:flex;flex-wrap:wrap;gap:6px 16px;font-size:13px}
        .swatch{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;vertical-align:-1px}
        tr.group th{background:#f3f4f6;color:#111827;text-transform:none;letter-spacing:0;font-size:13.5px;padding-top:10px}
        .swatch.line{height:0;width:16px;border-top:3px solid;border-radius:0;vertical-align:3px}.swatch.dashed{border-top-style:dashed}
        .badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12.5px;font-weight:600}
        .proposed{background:#e0e7ff;color:#3730a3}.signed{background:#dbeafe;color:#1e40af}.provisioning{background:#fef3c7;color:#92400e}
        .active{background:#dcfce7;color:#166534}.ended{background:#f3f4f6;color:#374151}.breached{background:#fee2e2;color:#991b1b}.terminated,.withdrawn{background:#f3f4f6;color:#6b7280}
        .muted{color:var(--muted)}a{color:var(--accent)}.empty{padding:30px;text-align:center;color:var(--muted)}
        form.login{max-width:420px;margin:60px auto}input{width:100%;padding:9px;border:1px solid #cbd5e1;border-radius:8px;font:inherit}
        button{margin-top:10px;padding:8px 16px;border:0;border-radius:8px;background:var(--accent);color:#fff;font:inherit;cursor:pointer}
        button.secondary{background:#fff;color:#b91c1c;border:1px solid #fca5a5}
        .panel{overflow-x:auto}h1{overflow-wrap:anywhere}.panel .cards+table{margin-top:12px}
        .flag{color:#991b1b;font-weight:600}
        form.act{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:0}form.act.panel{margin:12px 0}
        form.act select,form.act input{width:auto;max-width:100%;padding:5px 8px}td form.act{flex-wrap:nowrap}table.nowrap td{white-space:nowrap}form.act button{margin-top:0;padding:6px 12px}
        form.titled h2{flex-basis:100%;margin:0}form.titled p{flex-basis:100%;margin:0}
        form.act label{display:flex;gap:6px;align-items:center;max-width:100%}form.act label select{min-width:0;flex:1 1 auto}
        .change-lost,.change-late{background:#fee2e2;color:#991b1b}.change-moved,.change-rescheduled{background:#fef3c7;color:#92400e}
        .change-placed{background:#dcfce7;color:#166534}.change-unchanged{background:#f3f4f6;color:#374151}
        @media (max-width:700px){header{padding:10px 14px;gap:8px 16px;flex-wrap:wrap}main{padding:14px 12px 40px}
        td,th{white-space:nowrap}.chart{min-width:720px}.cards{grid-template-columns:repeat(auto-fit,minmax(150px,1fr))}
        .card .v{font-size:19px}.empty{padding:18px}}
        """

    static let sections = [("/", "Overview"), ("/plans", "Plans"), ("/leases", "Leases"), ("/incidents", "Incidents")]

    static func html(
        _ title: String, active: String, _ body: HTML, status: HTTPResponse.Status = .ok, head: HTML = ""
    ) -> Response {
        let nav = HTML.joined(
            sections.map { "<a href=\"\($0.0)\"\(raw: $0.0 == active ? " class=\"on\"" : "")>\($0.1)</a>" })
        let page: HTML = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <title>\(title) · Switchyard</title>\(head)<style>\(raw: style)</style></head>
            <body><header><b>Switchyard</b>\(nav)</header><main>\(body)</main></body></html>
            """
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: page.markup)))
    }

    /// The sign-in form, with a fresh anti-forgery value in a hidden field and in a cookie that
    /// only this site's pages can send back (`SignInGuard`).
    static func loginPage(status: HTTPResponse.Status, message: String, next: String = "/") -> Response {
        let csrf = SignInGuard.freshValue()
        var response = html(
            "Sign in", active: "",
            """
            <form class="login panel" method="post" action="/login"><h1>Sign in</h1><p class="muted">\(message)</p>
            <label for="token">API token</label><input id="token" name="token" type="password" autocomplete="off" required>
            <input type="hidden" name="next" value="\(next)"><input type="hidden" name="csrf" value="\(csrf)">
            <button type="submit">Sign in</button>
            <p class="muted">Create one with <code>switchyard token create --role viewer</code>.</p></form>
            """, status: status)
        response.headers[.setCookie] = SignInGuard.cookie(csrf)
        return response
    }

    static func card(_ key: String, _ value: String, figure: String? = nil, raw: String? = nil) -> HTML {
        let data: HTML =
            figure.map { figure -> HTML in " data-figure=\"\(figure)\" data-value=\"\(raw ?? value)\"" } ?? ""
        return "<div class=\"card\"><div class=\"k\">\(key)</div><div class=\"v\"\(data)>\(value)</div></div>"
    }

    /// Whole dollars with separators: $1,234,567.
    static func usd(_ value: Decimal) -> String { Formatted.dollars(NSDecimalNumber(decimal: value).doubleValue) }

    static func usd(_ value: Double) -> String { Formatted.dollars(value) }

    static func time(_ millis: Int64?) -> String {
        millis.map { Formatted.utcMinute(milliseconds: $0) } ?? ""
    }
}

/// What the charts of one plan show, computed from the plan and its scenario.
struct PlanFigures {
    var months: [YearMonth]
    /// Supply in reference units (one accelerator of a model counts its pre-training speed, the
    /// unit of provider shares), by provider and model, each provider's models as shades of its
    /// colour; each segment's note is its count of accelerators.
    var supply: [Charts.Series]
    /// Reference units the plan's workloads run on each month (what the cap counts).
    var inUse: [Double]
    var costByMonth: [Double]
    /// Each provider's share of what runs, by month, in the provider's colour.
    var shares: [Charts.Series]
    var cap: Double
    var resilienceRows: [String]
    var resilience: [[Double?]]
    /// The policy's required coverage: the heat map's threshold.
    var resilienceRequired = 1.0

    init(plan: Plan, scenario: Scenario) {
        months = (0..<plan.horizon.months).map { plan.horizon.month(ofPeriod: $0) }
        let supplied = Self.suppliedAccelerators(plan: plan, scenario: scenario)
        let providers = Self.providerColours(plan: plan, supplied: supplied.keys.map(\.provider))
        let speed = SpeedModel(scenario: scenario)
        supply = []
        for provider in providers.keys.sorted() {
            let models = supplied.keys.filter { $0.provider == provider }.sorted { $0.model < $1.model }
            for (i, key) in models.enumerated() {
                let counts = supplied[key]!
                let weight = speed?.capacityWeight(of: AcceleratorModelID(rawValue: key.modelID)) ?? 1
                supply.append(
                    Charts.Series(
                        name: "\(provider) · \(key.model)", values: counts.map { $0 * weight },
                        colour: Charts.shade(providers[provider]!, i, of: models.count),
                        notes: counts.map { "\(Formatted.grouped($0)) accelerators" }))
            }
        }
        var inUse = Array(repeating: 0.0, count: months.count)
        var shareByProvider: [String: [Double]] = [:]
        for share in plan.shares {
            guard let p = plan.horizon.period(of: share.month) else { continue }
            inUse[p] += share.inUseReferenceCapacity ?? share.referenceCapacity
            shareByProvider[share.provider.rawValue, default: Array(repeating: .nan, count: months.count)][p] =
                share.shareInUse ?? share.share
        }
        self.inUse = inUse
        shares = shareByProvider.keys.sorted().map {
            Charts.Series(name: $0, values: shareByProvider[$0]!, colour: providers[$0] ?? Charts.palette[0])
        }
        costByMonth = months.map { NSDecimalNumber(decimal: plan.cost.byMonth[$0] ?? 0).doubleValue }
        cap = plan.shares.map(\.cap).min() ?? scenario.policy.maxProviderShare

        resilienceRows = []
        resilience = []
        computeResilience(plan: plan, scenario: scenario)
    }

    /// One key of supply: a provider and a model (owned models named as such).
    struct SupplyKey: Hashable {
        var provider: String
        var model: String
        var modelID: String
    }

    /// Accelerators each provider supplies of each model, per month: leases, and the owned
    /// accelerators its sites host, each a whole accelerator (a host count is a number of chips).
    static func suppliedAccelerators(plan: Plan, scenario: Scenario) -> [SupplyKey: [Double]] {
        var supplied: [SupplyKey: [Double]] = [:]
        let empty = Array(repeating: 0.0, count: plan.horizon.months)
        for lease in plan.leases {
            let key = SupplyKey(
                provider: lease.provider.rawValue, model: lease.accelerator.rawValue,
                modelID: lease.accelerator.rawValue)
            for m in 0..<lease.months {
                guard let p = plan.horizon.period(of: lease.start.adding(months: m)) else { continue }
                supplied[key, default: empty][p] += Double(lease.accelerators)
            }
        }
        let fleetModel = Dictionary(uniqueKeysWithValues: scenario.ownedFleets.map { ($0.id, $0.accelerator) })
        for use in plan.colocation {
            guard let p = plan.horizon.period(of: use.month) else { continue }
            for (fleet, count) in use.hosted where count > 0 {
                let model = fleetModel[fleet]?.rawValue ?? fleet.rawValue
                let key = SupplyKey(provider: use.provider.rawValue, model: "owned \(model)", modelID: model)
                supplied[key, default: empty][p] += count.rounded()
            }
        }
        return supplied
    }

    /// A colour per provider, by its name's order among the plan's providers, so a provider
    /// keeps its colour across the supply and share charts.
    static func providerColours(plan: Plan, supplied: [String]) -> [String: String] {
        let names = Set(supplied + plan.shares.map(\.provider.rawValue)).sorted()
        return Dictionary(
            uniqueKeysWithValues: names.enumerated().map {
                ($0.element, Charts.palette[$0.offset % Charts.palette.count])
            })
    }

    private mutating func computeResilience(plan: Plan, scenario: Scenario) {
        // N-1, month by month, from the same numbers as the N-1 table: a service's month is covered
        // up to its capacity by the loss's allocation; a run's planned months are covered when the
        // loss keeps or restarts it on time (its fate) and not when it is lost or late; a batch
        // stream's months by the loss's total allocation of it against the plan's.
        let critical = scenario.workloads.filter(\.critical)
        let months = self.months
        func byMonth(_ allocation: [Allocation], _ workload: WorkloadID) -> [Double] {
            var totals = Array(repeating: 0.0, count: months.count)
            for a in allocation where a.workload == workload {
                if let p = plan.horizon.period(of: a.month) { totals[p] += a.referenceAccelerators }
            }
            return totals
        }
        resilienceRows = plan.resilience.map(\.provider.rawValue)
        resilienceRequired = plan.resilience.first?.requiredCoverage ?? scenario.policy.criticalCoverage
        resilience = plan.resilience.map { loss in
            var demand = Array(repeating: 0.0, count: months.count)
            var covered = Array(repeating: 0.0, count: months.count)
            for w in critical {
                let planned = byMonth(plan.allocation, w.id)
                let lost = byMonth(loss.allocation, w.id)
                for t in months.indices {
                    switch w.demand {
                    case .service(let capacity):
                        guard w.window.contains(months[t]) else { continue }
                        demand[t] += capacity
                        covered[t] += min(capacity, lost[t])
                    case .training:
                        let fate = loss.runRestarts.first { $0.workload == w.id }
                        demand[t] += planned[t]
                        covered[t] += fate.map { $0.fate != .lost && $0.onTime } ?? true ? planned[t] : 0
                    case .batch:
                        // A stream's requirement is over its window: its months share the loss's
                        // total against the plan's.
                        let ratio = min(1, lost.reduce(0, +) / max(1e-9, planned.reduce(0, +)))
                        demand[t] += planned[t]
                        covered[t] += planned[t] * ratio
                    }
                }
            }
            return months.indices.map { demand[$0] > 1e-9 ? min(1, covered[$0] / demand[$0]) : nil }
        }
    }
}

extension SwitchyardServer {
    func addDashboardRoutes(_ router: Router<AppContext>) {
        router.getAndHead("/") { _, _ -> Response in try await overviewPage() }
        router.getAndHead("/plans") { request, context -> Response in
            try await plansPage(user: PageUser(request, context))
        }
        router.getAndHead("/plans/:id") { request, context -> Response in
            try await planPage(try pathID(context), user: PageUser(request, context))
        }
        router.getAndHead("/plans/:id/export/:target") { request, context -> Response in
            try await exportDownload(
                try pathID(context), target: try context.parameters.require("target"),
                month: request.uri.queryParameters.get("month").map { String($0) })
        }
        router.getAndHead("/compare") { request, _ -> Response in
            let query = request.uri.queryParameters
            return try await comparePage(query.get("a").map { String($0) }, query.get("b").map { String($0) })
        }
        router.getAndHead("/leases") { request, context -> Response in
            try await leasesPage(user: PageUser(request, context))
        }
        router.getAndHead("/incidents") { request, context -> Response in
            try await incidentsPage(user: PageUser(request, context))
        }
        addDashboardActions(router)
        // Sign-in is a POST of the form only: a token never travels in a URL (history, proxies,
        // logs). A `token` in the query is ignored.
        router.get("/login") { request, _ -> Response in
            let next = Self.safeNext(request.uri.queryParameters.get("next"))
            return Dashboard.loginPage(status: .ok, message: "Sign in with an API token.", next: next)
        }
        router.post("/login") { request, context -> Response in
            let body = String(buffer: try await Self.body(request, context))
            let form = try? URLEncodedFormDecoder().decode(SignInForm.self, from: body)
            let next = Self.safeNext(form?.next)
            if let refusal = SignInGuard.refusal(request, formValue: form?.csrf) {
                return Dashboard.loginPage(status: .forbidden, message: refusal, next: next)
            }
            return try await signIn(token: form?.token ?? "", next: next, request: request)
        }
        router.get("/logout") { request, _ -> Response in
            if let session = request.cookies[AuthMiddleware.cookie]?.value { try await store.endSession(session) }
            return Response(
                status: .seeOther,
                headers: [
                    .location: "/login",
                    .setCookie: "\(AuthMiddleware.cookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
                ])
        }
    }

    /// The sign-in form's fields.
    struct SignInForm: Decodable {
        var token: String?
        var next: String?
        var csrf: String?
    }

    /// Only local paths: never redirect off the site.
    /// Where to go after signing in: a path of this service only — one leading `/`, then
    /// printable ASCII without `\` (browsers read `/\host` as `//host`, another site), no
    /// control characters (CR LF would split the `Location` header), no scheme or host; anything
    /// else is `/`.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"),
            next.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }),
            URLComponents(string: next).map({ $0.scheme == nil && $0.host == nil }) ?? false
        else { return "/" }
        return next
    }

    /// Trades a live token for a session: its random id in an HttpOnly, SameSite=Strict cookie
    /// that expires with the session (Secure when the request came over TLS, as a proxy's
    /// X-Forwarded-Proto says). The answer is a page that moves on to `next` by itself (a
    /// redirect would not carry a Strict cookie when the sign-in was posted from elsewhere).
    func signIn(token: String, next: String, request: Request) async throws -> Response {
        guard
            let (session, _) = try await store.createSession(
                secret: token, lifetimeSeconds: AuthMiddleware.sessionSeconds)
        else {
            return Dashboard.loginPage(status: .unauthorized, message: "That token is not valid.", next: next)
        }
        let secure =
            request.uri.scheme == .https || request.headers[.xForwardedProto]?.lowercased() == "https"
        let cookie =
            "\(AuthMiddleware.cookie)=\(session); Path=/; Max-Age=\(AuthMiddleware.sessionSeconds); HttpOnly; SameSite=Strict"
            + (secure ? "; Secure" : "")
        var response = Dashboard.html(
            "Signed in", active: "",
            "<section class=\"panel\"><h1>Signed in</h1><p><a href=\"\(next)\">Continue</a></p></section>",
            head: "<meta http-equiv=\"refresh\" content=\"0;url=\(next)\">")
        response.headers[.setCookie] = cookie
        return response
    }

    func loadPlan(_ record: PlanRecord) async throws -> (Plan, Scenario) {
        let plan = try PlanFile.decode(Data(record.body.utf8))
        let (_, scenario) = try await store.snapshot(version: record.scenarioVersion)
        return (plan, scenario)
    }

    /// The Overview before the first plan: what to do next, or that a plan is being made (so
    /// nobody queues a second one).
    func noPlanOverview() async throws -> Response {
        let scenario = try await store.workspace()
        let jobs = try await store.activePlanJobs()
        let message: HTML
        if let scenario, !jobs.isEmpty {
            message =
                "A plan of \(scenario.name) is being made (\(jobs.count) job(s) queued or running): it shows here when it is done."
                + Self.soFar(jobs.lazy.compactMap(\.progress).first)
        } else if let scenario {
            message = "No plan yet for \(scenario.name). Start one: <code>POST /v1/plans</code>."
        } else {
            message = "No scenario yet. Import one: <code>POST /v1/scenarios</code>."
        }
        return Dashboard.html("Overview", active: "/", "<h1>Overview</h1><div class=\"panel empty\">\(message)</div>")
    }

    /// A running job's best plan so far, from its progress: " So far (7.1 s): a plan of
    /// $1,229,248,282, 1.18% above its bound." Empty before its first plan.
    static func soFar(_ progress: SolveProgress?) -> HTML {
        guard let progress, let latest = progress.latest, let objective = latest.objectiveUSD else { return "" }
        let gap = progress.gap.map { String(format: ", %.2f%% above its bound", $0 * 100) } ?? ""
        return
            " So far (\(String(format: "%.1f", latest.seconds)) s): a plan of <span data-figure=\"solving-objective\" data-value=\"\(objective)\">\(Formatted.money(objective))</span>\(gap)."
    }

    func overviewPage() async throws -> Response {
        guard let record = try await store.currentPlan() else { return try await noPlanOverview() }
        let (plan, scenario) = try await loadPlan(record)
        let figures = PlanFigures(plan: plan, scenario: scenario)
        let labels = figures.months.map(\.description)
        let unmet = plan.shortfalls.reduce(0) { $0 + $1.referenceHours }
        let counts = try await store.leaseCounts()
        let toSign = counts[.proposed] ?? 0
        let signed = [LeaseState.signed, .provisioning, .active].reduce(0) { $0 + (counts[$1] ?? 0) }
        var body: HTML = "<h1>\(scenario.name)</h1>"
        body +=
            "<p class=\"muted\">Showing plan <a href=\"/plans/\(record.id)\" data-figure=\"plan-id\" data-value=\"\(record.id)\">\(record.id)</a> "
        body +=
            "(\(record.state.rawValue), scenario v\(record.scenarioVersion), \(Dashboard.time(record.createdAtMilliseconds)))</p>"
        body += "<div class=\"cards\">"
        body += Dashboard.card(
            "Total cost", Dashboard.usd(plan.cost.total), figure: "total-cost", raw: record.totalCost)
        body += Dashboard.card("Leases in plan", "\(plan.leases.count)", figure: "plan-leases")
        body += Dashboard.card("Leases to sign", "\(toSign)", figure: "leases-to-sign")
        body += Dashboard.card("Signed or running", "\(signed)", figure: "leases-signed")
        body += try await signSoonCards()
        body += Dashboard.card(
            "Unmet demand", unmet > 0 ? "\(Charts.compact(unmet)) ref-h" : "none", figure: "unmet",
            raw: Charts.number(unmet))
        body += Dashboard.card(
            "Optimality gap", Charts.gapPercent(plan.solver.gap), figure: "gap", raw: Charts.number(plan.solver.gap))
        body += "</div>" + (try await decisionsPanel()) + Self.inShort(plan)
        if let gantt = Self.runGantt(plan) {
            body += "<h2>Training runs: where and when</h2><div class=\"panel\">" + gantt + "</div>"
        }
        body += Self.spendPanel(plan)
        body += "<h2>Supply against what runs</h2><div class=\"panel\">"
        body += "<p class=\"muted\">Reference units: one accelerator counts its pre-training speed against the "
        body +=
            "\(scenario.referenceAccelerator.rawValue), the unit of the share cap. The line is what the plan's "
        body += "workloads run on; the rest is held for N-1 cover or is a whole node's or a lease term's remainder.</p>"
        body += Charts.stackedColumns(
            id: "supply", title: "Supply per month in reference units, by provider and model", labels: labels,
            series: figures.supply, unit: "reference units",
            line: Charts.Line(id: "in-use", name: "in use by the workloads", values: figures.inUse))
        body += "</div><h2>Cost by month</h2><div class=\"panel\">"
        body += Charts.columns(
            id: "cost", title: "Cost per month in USD", labels: labels, values: figures.costByMonth, unit: "USD",
            format: { "$" + Charts.compact($0) }, exact: { Dashboard.usd($0) })
        body += "</div><h2>Each provider's share against the cap</h2><div class=\"panel\">"
        body += "<p class=\"muted\">Each month's share of what runs, in reference units; the dashed line is the "
        body += "policy's cap; a point above it is a larger red dot, ringed.</p>"
        body += Charts.lines(
            id: "shares", title: "Provider share by month", labels: labels, series: figures.shares,
            maximum: Charts.shareScale(figures.shares, cap: figures.cap), cap: figures.cap,
            format: { Charts.share($0, cap: figures.cap) })
        body += "</div>"
        return Dashboard.html("Overview", active: "/", body)
    }

    /// Re-plans waiting for a decision (ready, made after an incident), newest first: the
    /// incident, the re-plan, its cost against the plan it answers, and the page to accept or
    /// reject it on.
    func decisionsPanel() async throws -> HTML {
        let waiting = try await store.plans(after: nil, limit: 200).items.filter {
            $0.state == .ready && $0.parentPlan != nil
        }
        guard !waiting.isEmpty else { return "" }
        var html: HTML = "<h2>Waiting for a decision</h2><div class=\"panel\"><ul class=\"decisions\">"
        for replan in waiting {
            guard let parentID = replan.parentPlan else { continue }
            let parent = try await store.plan(parentID)
            var incident: String?
            if let id = replan.incidentId { incident = try await store.incident(id).summary }
            let change =
                (Decimal(string: replan.totalCost) ?? 0) - (Decimal(string: parent.totalCost) ?? 0)
            html += "<li data-figure=\"decision\" data-value=\"\(replan.id)\">\(incident ?? "A re-plan"): "
            html += "<a href=\"/plans/\(replan.id)\">\(replan.id)</a>, "
            html += "\((change < 0 ? "−" : "+") + Dashboard.usd(abs(change))) against "
            html += "<a href=\"/plans/\(parentID)\">\(parentID)</a> "
            html +=
                "(<a href=\"/compare?a=\(parentID)&amp;b=\(replan.id)\">what changes</a>); accept or reject it on its page.</li>"
        }
        return html + "</ul></div>"
    }

    /// Where the money goes: spend by provider as bars, and a line splitting it by kind and by
    /// lease term, with what the leases commit past the horizon.
    static func spendPanel(_ plan: Plan) -> HTML {
        func dollars(_ d: Decimal) -> Double { NSDecimalNumber(decimal: d).doubleValue }
        let rows = plan.cost.byProvider.map { (name: $0.key.rawValue, share: dollars($0.value)) }
            .sorted { ($0.share, $1.name) > ($1.share, $0.name) }
        var byTerm: [CommitmentTerm: Decimal] = [:]
        for lease in plan.leases { byTerm[lease.term, default: 0] += lease.totalCost }
        let terms = CommitmentTerm.allCases.compactMap { term in
            byTerm[term].map { "\(term.rawValue) \(Dashboard.usd($0))" }
        }
        var split =
            "Leases \(Dashboard.usd(plan.cost.leases))"
            + (terms.isEmpty ? "" : " (\(terms.joined(separator: ", ")))")
            + ", of which \(Dashboard.usd(plan.cost.leasesBeyondHorizon)) is committed past the horizon; "
            + "colocation \(Dashboard.usd(plan.cost.colocation)); backup fees \(Dashboard.usd(plan.cost.backupFees))"
        if plan.cost.backupExercise > 0 { split += "; backups exercised \(Dashboard.usd(plan.cost.backupExercise))" }
        var html: HTML = "<h2>Where the money goes</h2><div class=\"panel\">"
        html += "<p class=\"muted\" data-figure=\"spend-split\" "
        html += "data-value=\"\(plan.cost.leasesBeyondHorizon.description)\">\(split).</p>"
        html += Charts.bars(
            id: "spend", title: "Spend by provider, USD", rows: rows, maximum: rows.map(\.share).max() ?? 0,
            format: { "$" + Charts.compact($0) }, describe: { "\($0): \(Dashboard.usd($1)) of spend" })
        return html + "</div>"
    }

    /// Each training run's cluster and months over the horizon, with its deadline (nil without
    /// runs).
    static func runGantt(_ plan: Plan) -> HTML? {
        let months = (0..<plan.horizon.months).map { plan.horizon.month(ofPeriod: $0) }
        let bars = plan.runs.compactMap { run -> Charts.RunBar? in
            guard let start = plan.horizon.period(of: run.start), let end = plan.horizon.period(of: run.end) else {
                return nil
            }
            let deadline = plan.horizon.period(of: run.deadline) ?? plan.horizon.months - 1
            return Charts.RunBar(
                run: run.workload.rawValue, cluster: run.cluster, start: start, end: end,
                finish: run.finish.flatMap { plan.horizon.period(of: $0) }, deadline: deadline,
                slackMonths: run.slackMonths)
        }
        guard !bars.isEmpty else { return nil }
        return Charts.gantt(
            id: "runs", title: "Training runs by cluster over the horizon", months: months.map(\.description),
            runs: bars)
    }

    /// The plan's summary sentences (its explanation's, as the CLI prints them first) and how the
    /// solve went, flagged when the gap is outside the one asked for.
    static func inShort(_ plan: Plan) -> HTML {
        var html: HTML = "<h2>In short</h2><div class=\"panel\"><ul>"
        for sentence in plan.explanation.summary { html += "<li data-figure=\"summary\">\(sentence)</li>" }
        let outside = plan.solver.status == .feasible
        html += "</ul><p class=\"\(raw: outside ? "flag" : "muted")\" data-figure=\"solver-status\" "
        html += "data-value=\"\(plan.solver.status.rawValue)\">Solver: \(plan.solver.statusSentence()).</p></div>"
        return html
    }

    /// A what-if plan's banner: its changes, that it cannot be accepted, and its comparison with
    /// the current plan.
    func whatIfBanner(_ record: PlanRecord, _ plan: Plan) async throws -> HTML {
        let current = try await store.currentPlan()?.id
        var body: HTML = "<div class=\"panel whatif\" data-figure=\"what-if\"><strong>A what-if:</strong> "
        body += HTML.joined((plan.whatIf ?? []).map { "\($0)" }, separator: "; ")
        body += ". It was planned on the scenario with these changes and cannot be accepted"
        if let current, current != record.id {
            body += "; <a href=\"/compare?a=\(current)&amp;b=\(record.id)\" data-figure=\"what-if-compare\">compare it "
            body += "with the current plan</a>"
        }
        return body + ".</div>"
    }

    func plansPage(user: PageUser = PageUser(role: .viewer, formValue: nil)) async throws -> Response {
        let plans = try await store.plans(after: nil, limit: 200).items
        let current = try await store.currentPlan()?.id
        var body: HTML = "<h1>Plans</h1>"
        if plans.count > 1 { body += "<p><a href=\"/compare\" data-figure=\"compare-link\">Compare two plans</a></p>" }
        body += "<div class=\"panel\">"
        if plans.isEmpty {
            body += "<div class=\"empty\">No plans yet.</div>"
        } else {
            body +=
                "<table><tr><th>Plan</th><th>State</th><th>Scenario</th><th class=\"n\">Total cost</th><th>Made</th><th>From</th></tr>"
            let whatIfs = try await store.whatIfPlans(plans)
            for p in plans {
                body +=
                    "<tr><td><a href=\"/plans/\(p.id)\">\(p.id)</a></td><td>\(p.state.rawValue)</td><td>v\(p.scenarioVersion)</td>"
                body +=
                    "<td class=\"n\" data-figure=\"plan-cost\" data-value=\"\(p.totalCost)\">\(Dashboard.usd(Decimal(string: p.totalCost) ?? 0))</td>"
                body += "<td>\(Dashboard.time(p.createdAtMilliseconds))</td><td>"
                if let plan = p.parentPlan {
                    body +=
                        "re-plan of <a href=\"/plans/\(plan)\">\(plan)</a> (<a href=\"/compare?a=\(plan)&amp;b=\(p.id)\">compare</a>)"
                } else if whatIfs.contains(p.id) {
                    body += "<span data-figure=\"what-if-plan\" data-value=\"\(p.id)\">what-if</span>"
                    if let current, current != p.id {
                        body += " (<a href=\"/compare?a=\(current)&amp;b=\(p.id)\">compare with the current plan</a>)"
                    }
                }
                body += "</td></tr>"
            }
            body += "</table>"
        }
        body += "</div>"
        if let scenario = try await store.workspace() { body += Self.whatIfForm(scenario, user: user) }
        body += try await riskFrontierPanel(plans)
        return Dashboard.html("Plans", active: "/plans", body)
    }

    /// The plan's latest risk analysis: P(all runs on time) with its interval, each run's
    /// chance, and the cost's tail; or how to start one.
    func riskPanel(_ id: String, user: PageUser) async throws -> HTML {
        var html: HTML = "<h2>Supply risk</h2>" + Self.riskForm(id, user: user) + "<div class=\"panel\">"
        guard let latest = try await store.riskAnalyses(plan: id).first,
            let summary = try JSONSerialization.jsonObject(with: Data(latest.body.utf8)) as? [String: Any]
        else {
            html += "<div class=\"empty\">No risk analysis of this plan yet: a planner queues one here or with "
            html += "<code>POST /v1/plans/\(id)/risk</code> (the same as <code>switchyard risk</code>).</div></div>"
            return html
        }
        func number(_ value: Any?) -> Double { (value as? NSNumber)?.doubleValue ?? .nan }
        let cost = summary["cost"] as? [String: Any] ?? [:]
        html += "<p class=\"muted\">\(latest.samples) sampled futures (seed \(latest.seed)), "
        html += "\(Dashboard.time(latest.createdAtMilliseconds)): each incident re-planned, then simulated.</p>"
        html += "<div class=\"cards\">"
        let all = number(summary["allOnTime"])
        let interval =
            "\(Formatted.percent(number(summary["allOnTimeLow"])))–\(Formatted.percent(number(summary["allOnTimeHigh"])))"
        html += Dashboard.card(
            "P(all runs on time), 95%: \(interval)", Formatted.percent(all), figure: "risk-all-on-time",
            raw: Charts.number(all))
        for (key, label) in [
            ("meanUSD", "Expected cost"), ("p95USD", "Cost, 95th percentile"), ("cvar95USD", "CVaR95"),
        ] {
            html += Dashboard.card(
                label, Dashboard.usd(number(cost[key])), figure: "risk-\(key)", raw: Charts.number(number(cost[key])))
        }
        html += "</div><table><tr><th>Run</th><th class=\"n\">P(on time)</th><th class=\"n\">95% interval</th>"
        html += "<th class=\"n\">Late</th><th class=\"n\">Unfinished</th></tr>"
        for run in summary["runs"] as? [[String: Any]] ?? [] {
            let workload = run["workload"] as? String ?? ""
            html += "<tr data-figure=\"risk-run\" data-value=\"\(workload)\"><td>\(workload)</td>"
            html += "<td class=\"n\">\(Formatted.percent(number(run["onTime"])))</td>"
            html +=
                "<td class=\"n\">\(Formatted.percent(number(run["low"])))–\(Formatted.percent(number(run["high"])))</td>"
            html += "<td class=\"n\">\((run["lateFinished"] as? NSNumber)?.intValue ?? 0)</td>"
            html += "<td class=\"n\">\((run["unfinished"] as? NSNumber)?.intValue ?? 0)</td></tr>"
        }
        return html + "</table></div>"
    }

    /// The plan page's export form: Kueue manifests for a month it names, SkyPilot tasks.
    func exportLinks(_ id: String, _ scenario: Scenario) -> HTML {
        var html: HTML = """
            <form class="export" method="get" action="/plans/\(id)/export/kueue"><span class="muted">Hand it on:</span> \
            <label>Kueue manifests for <select name="month">
            """
        for t in 0..<scenario.horizon.months { html += "<option>\(scenario.horizon.month(ofPeriod: t))</option>" }
        html += """
            </select></label> <button type="submit">Download YAML</button> · \
            <a href="/plans/\(id)/export/skypilot" data-figure="export-skypilot">SkyPilot tasks (YAML)</a> \
            <span class="muted">(docs/export.md says what each field means)</span></form>
            """
        return html
    }

    /// The plan `id`, or nil when there is none.
    func planRecord(_ id: String) async throws -> PlanRecord? {
        do { return try await store.plan(id) } catch StoreError.notFound { return nil }
    }

    /// The page for a plan id that names none.
    static func noPlanPage(_ id: String) -> Response {
        Dashboard.html("Not found", active: "/plans", "<h1>No plan \(id)</h1>", status: .notFound)
    }

    /// A plan's export as a download: the YAML stream the API serves, named for the plan.
    func exportDownload(_ id: String, target: String, month: String?) async throws -> Response {
        guard let record = try await planRecord(id) else { return Self.noPlanPage(id) }
        let (plan, scenario) = try await loadPlan(record)
        let files = try Self.export(target, scenario: scenario, plan: plan, month: month)
        let suffix = target == "kueue" ? "-" + (month ?? scenario.horizon.start.description) : ""
        let name = KubeName.label("\(record.id)-\(target)\(suffix)") + ".yaml"
        return Response(
            status: .ok,
            headers: [.contentType: "application/yaml", .contentDisposition: "attachment; filename=\"\(name)\""],
            body: .init(byteBuffer: ByteBuffer(string: ExportedFile.stream(files))))
    }

    func planPage(_ id: String, user: PageUser = PageUser(role: .viewer, formValue: nil)) async throws -> Response {
        guard let record = try await planRecord(id) else { return Self.noPlanPage(id) }
        let (plan, scenario) = try await loadPlan(record)
        let figures = PlanFigures(plan: plan, scenario: scenario)
        var body: HTML =
            "<h1>Plan \(record.id)</h1><p class=\"muted\">\(scenario.name), scenario v\(record.scenarioVersion) · "
        body += "input SHA-256 <code>\(record.inputSha256.prefix(16))…</code> · \(record.state.rawValue)"
        if let newer = record.supersededBy { body += " by <a href=\"/plans/\(newer)\">\(newer)</a>" }
        if let parent = record.parentPlan { body += " · re-plan of <a href=\"/plans/\(parent)\">\(parent)</a>" }
        body += "</p>"
        body += plan.whatIf == nil ? Self.acceptForm(record, user: user) : try await whatIfBanner(record, plan)
        body += try await replanPanel(record, plan: plan)
        body += "<div class=\"cards\">"
        body += Dashboard.card(
            "Total cost", Dashboard.usd(plan.cost.total), figure: "total-cost", raw: record.totalCost)
        body += Dashboard.card(
            "Leases", Dashboard.usd(plan.cost.leases), figure: "lease-cost", raw: plan.cost.leases.description)
        body += Dashboard.card(
            "Backup fees", Dashboard.usd(plan.cost.backupFees), figure: "backup-fees",
            raw: plan.cost.backupFees.description)
        body += Dashboard.card(
            "Colocation", Dashboard.usd(plan.cost.colocation), figure: "colocation-cost",
            raw: plan.cost.colocation.description)
        body += Dashboard.card(
            "Gap", Charts.gapPercent(plan.solver.gap), figure: "gap", raw: Charts.number(plan.solver.gap))
        body += "</div>" + exportLinks(record.id, scenario) + (try await riskPanel(record.id, user: user))
        if !plan.runs.isEmpty {
            body +=
                "<h2>Training runs</h2><div class=\"panel\"><table><tr><th>Run</th><th>Cluster</th><th class=\"n\">Accelerators</th><th>From</th><th>To</th><th>Finishes</th><th>Deadline</th><th class=\"n\">Slack (months)</th></tr>"
            for run in plan.runs {
                body +=
                    "<tr data-figure=\"run\" data-value=\"\(run.workload)\"><td>\(run.workload.rawValue)</td><td>\(run.cluster)</td><td class=\"n\">\(run.accelerators)</td>"
                body +=
                    "<td>\(run.start.description)</td><td>\(run.end.description)</td><td>\(run.finish?.description ?? "-")</td><td>\(run.deadline.description)</td><td class=\"n\">\(run.slackMonths.map(String.init) ?? "-")</td></tr>"
            }
            body += "</table></div>"
        }
        if !plan.placements.isEmpty {
            body +=
                "<h2>Batch jobs and service replicas</h2><div class=\"panel\"><table><tr><th>Workload</th><th>Cluster</th><th class=\"n\">Gang</th><th>From</th><th>To</th><th class=\"n\">Months</th><th class=\"n\">Most gangs</th><th class=\"n\">Gang-months</th></tr>"
            for row in plan.placementSummary {
                body +=
                    "<tr data-figure=\"placement\" data-value=\"\(row.workload)\"><td>\(row.workload.rawValue)</td><td>\(row.cluster)</td><td class=\"n\">\(row.gang)</td><td>\(row.from.description)</td><td>\(row.to.description)</td>"
                body +=
                    "<td class=\"n\">\(row.months)</td><td class=\"n\">\(row.mostGangs)</td><td class=\"n\">\(Formatted.grouped(Double(row.gangMonths)))</td></tr>"
            }
            body += "</table></div>"
        }
        body += "<h2>Leases</h2><div class=\"panel\"><p class=\"muted\">Consecutive on-demand months with the "
        body +=
            "same nodes on one row, as the CLI lists them.</p><table><tr><th>Offer</th><th>Provider</th><th>Model</th>"
        body +=
            "<th class=\"n\">Nodes</th><th class=\"n\">Accelerators</th><th>Term</th><th>Start</th><th class=\"n\">Months</th><th class=\"n\">Total</th></tr>"
        for row in Lease.rows(plan.leases) {
            let lease = row.lease
            body +=
                "<tr><td>\(lease.offer.rawValue)</td><td>\(lease.provider.rawValue)</td><td>\(lease.accelerator.rawValue)</td>"
            body +=
                "<td class=\"n\">\(lease.nodes)</td><td class=\"n\">\(lease.accelerators)</td><td>\(lease.term.rawValue)</td>"
            body += "<td>\(lease.start)</td><td class=\"n\">\(row.months)</td>"
            body +=
                "<td class=\"n\" data-figure=\"lease-total\" data-value=\"\(row.total)\">\(Dashboard.usd(row.total))</td></tr>"
        }
        body += "</table></div>"
        body += "<h2>If one supplier fails (N-1)</h2><div class=\"panel\">"
        if plan.resilience.isEmpty {
            body += "<div class=\"empty\">No N-1 analysis in this plan (the policy does not ask for it).</div>"
        } else {
            body += Charts.heatMap(
                id: "resilience", title: "Critical work covered each month without each provider",
                rows: figures.resilienceRows, columns: figures.months.map(\.description), values: figures.resilience,
                required: figures.resilienceRequired)
            body += "<table><tr><th>Without</th><th class=\"n\">Critical covered (horizon)</th>"
            body += "<th class=\"n\">Required (each month)</th><th class=\"n\">Short of required (ref-h)</th>"
            body += "<th class=\"n\">Backup exercise</th></tr>"
            for loss in plan.resilience {
                body += "<tr><td>\(loss.provider.rawValue)</td>"
                body +=
                    "<td class=\"n\" data-figure=\"coverage\" data-value=\"\(Charts.number(loss.criticalCoverage))\">\(Formatted.coverage(loss.criticalCoverage))</td>"
                body +=
                    "<td class=\"n\">\(Formatted.percent(loss.requiredCoverage, digits: 0))</td><td class=\"n\">\(Formatted.shortfall(loss.shortfallReferenceHours))</td>"
                body += "<td class=\"n\">\(Dashboard.usd(loss.exerciseCost))</td></tr>"
            }
            body += "</table>"
        }
        body += "</div><h2>Marginal value of capacity</h2><div class=\"panel\">"
        let values = plan.explanation.marginalValues.filter { $0.usdPerAcceleratorMonth > 0.005 }
            .sorted { $0.usdPerAcceleratorMonth > $1.usdPerAcceleratorMonth }.prefix(15)
        if values.isEmpty {
            body += "<div class=\"empty\">No accelerator-month would lower the cost: supply does not bind.</div>"
        } else {
            body += "<p class=\"muted\">What one more accelerator for a month would save (largest first).</p>"
            body += Charts.bars(
                id: "marginal", title: "Marginal value per accelerator-month (USD)",
                rows: values.map { ("\($0.accelerator.rawValue) \($0.month)", $0.usdPerAcceleratorMonth) },
                maximum: values.map(\.usdPerAcceleratorMonth).max() ?? 1, format: { Dashboard.usd($0) },
                describe: { "\($0): \(Dashboard.usd($1)) per accelerator-month" }, labelWidth: 230)
        }
        body += "</div>"
        if !plan.shortfalls.isEmpty {
            body +=
                "<h2>Shortfalls</h2><div class=\"panel\"><table><tr><th>Workload</th><th>Month</th><th class=\"n\">Ref-hours</th><th>Why</th></tr>"
            for s in plan.shortfalls {
                body += "<tr><td>\(s.workload.rawValue)</td><td>\(s.month?.description ?? "")</td>"
                body += "<td class=\"n\">\(Formatted.shortfall(s.referenceHours))</td><td>\(s.reason)</td></tr>"
            }
            body += "</table></div>"
        }
        body += Self.solverPanel(plan.solver)
        return Dashboard.html("Plan \(record.id)", active: "/plans", body)
    }

    /// How the solver got to the plan: its best plan and bound at each step that moved either
    /// (`solver.progress`), with the gap at that point. Empty for plans written before it.
    static func solverPanel(_ solver: SolverReport) -> HTML {
        let points = solver.progress ?? []
        guard !points.isEmpty else { return "" }
        var html: HTML = "<h2>How the solver got there</h2><div class=\"panel\">"
        html += "<p class=\"muted\">Solver: \(solver.statusSentence()).</p>"
        html += "<table><tr><th class=\"n\">Seconds</th><th>Step</th><th class=\"n\">Plan</th>"
        html += "<th class=\"n\">Bound</th><th class=\"n\">Gap</th></tr>"
        for point in points {
            let gap = solver.gap(at: point).map(Charts.gapPercent) ?? "-"
            let plan = point.objectiveUSD.map { Formatted.money($0) } ?? "-"
            let bound = point.boundUSD.map { Formatted.money($0) } ?? "-"
            html += "<tr data-figure=\"progress\" data-value=\"\(point.step.rawValue)\">"
            html += "<td class=\"n\">\(String(format: "%.1f", point.seconds))</td><td>\(point.step.rawValue)</td>"
            html += "<td class=\"n\">\(plan)</td><td class=\"n\">\(bound)</td><td class=\"n\">\(gap)</td></tr>"
        }
        return html + "</table></div>"
    }

    func leasesPage(user: PageUser = PageUser(role: .viewer, formValue: nil)) async throws -> Response {
        var leases: [LeaseRecord] = []
        var cursor: String?
        repeat {
            let page = try await store.leases(state: nil, after: cursor, limit: 200)
            leases += page.items
            cursor = page.next
        } while cursor != nil && leases.count < 2000
        var body: HTML = "<h1>Leases</h1><div class=\"cards\">"
        for state in LeaseState.allCases {
            body += Dashboard.card(
                state.rawValue, "\(leases.filter { $0.state == state }.count)", figure: "leases-\(state.rawValue)")
        }
        body += "</div>"
        if leases.isEmpty {
            body += "<div class=\"panel\"><div class=\"empty\">No leases yet: accept a plan "
            body += "(<code>POST /v1/plans/{id}/accept</code>).</div></div>"
        } else {
            let signBy = try await signByDates(leases)
            let current = try await store.currentPlan()?.id
            body += "<p class=\"muted\">By plan, the current one first; in each, what to sign, then what is signed or "
            body +=
                "running, then what is closed, soonest to sign first (the start month less the offer's lead time).</p>"
            let plans = Dictionary(grouping: leases, by: \.planId)
            let order = plans.keys.sorted { a, b in
                (a == current ? 0 : 1, plans[b]!.map(\.createdAtMilliseconds).max() ?? 0, a)
                    < (b == current ? 0 : 1, plans[a]!.map(\.createdAtMilliseconds).max() ?? 0, b)
            }
            for planID in order {
                body +=
                    "<h2>Plan <a href=\"/plans/\(planID)\">\(planID)</a>\(planID == current ? " (current)" : "")</h2>"
                body += "<div class=\"panel\">" + Self.leaseTable(plans[planID]!, signBy: signBy, user: user) + "</div>"
            }
        }
        return Dashboard.html("Leases", active: "/leases", body)
    }

    /// A lease's group on the leases page, in the order a planner works through them.
    static func leaseGroup(_ state: LeaseState) -> (order: Int, name: String) {
        switch state {
        case .proposed: (0, "To sign")
        case .signed, .provisioning, .active: (1, "Signed or running")
        case .ended, .breached, .terminated, .withdrawn: (2, "Closed")
        }
    }

    /// One plan's leases: a heading row per group (what it is, how many, what it costs a month),
    /// the leases under it soonest to sign first.
    static func leaseTable(_ leases: [LeaseRecord], signBy: [String: String], user: PageUser) -> HTML {
        let columns = user.acts ? 11 : 10
        var html: HTML = "<table class=\"nowrap\"><tr><th>Sign by</th><th>Lease</th><th>State</th><th>Provider</th>"
        html += "<th>Model</th><th class=\"n\">Nodes</th><th>Term</th><th>Start</th><th class=\"n\">Months</th>"
        html += "<th class=\"n\">Monthly</th>"
        html += user.acts ? "<th>Move to</th></tr>" : "</tr>"
        let groups = Dictionary(grouping: leases) { leaseGroup($0.state).order }
        for order in groups.keys.sorted() {
            let members = groups[order]!.sorted {
                (signBy[$0.id] ?? $0.start, $0.start, $0.id) < (signBy[$1.id] ?? $1.start, $1.start, $1.id)
            }
            let name = leaseGroup(members[0].state).name
            let total = members.reduce(Decimal(0)) { $0 + (Decimal(string: $1.totalCost) ?? 0) }
            html += "<tr class=\"group\"><th colspan=\"\(columns)\" data-figure=\"lease-group\" data-value=\"\(name)\">"
            html += "\(name) · \(members.count) lease\(members.count == 1 ? "" : "s") · "
            html += "\(Dashboard.usd(total)) over their terms</th></tr>"
            for l in members {
                html +=
                    "<tr><td data-figure=\"sign-by\" data-value=\"\(signBy[l.id] ?? "")\">\(signBy[l.id] ?? "-")</td>"
                // When it last moved is the state's title: a column of it pushed the move form
                // out of the panel at 1440 px.
                let updated = Dashboard.time(l.updatedAtMilliseconds)
                html += "<td title=\"\(l.id)\">\(shortID(l.id))</td>"
                html +=
                    "<td><span class=\"badge \(l.state.rawValue)\" title=\"since \(updated)\">\(l.state.rawValue)</span></td>"
                html +=
                    "<td>\(l.provider)</td><td>\(l.accelerator)</td><td class=\"n\">\(l.nodes)</td><td>\(l.term)</td>"
                html += "<td>\(l.start)</td><td class=\"n\">\(l.months)</td>"
                html += "<td class=\"n\">\(Dashboard.usd(Decimal(string: l.monthlyCost) ?? 0))</td>"
                html += user.acts ? "<td>\(moveForm(l, user: user))</td></tr>" : "</tr>"
            }
        }
        return html + "</table>"
    }

    /// An id cut to its prefix and first six characters ("plan-03faba…"), for a column where
    /// the whole id is in the link and its title.
    static func shortID(_ id: String) -> String {
        guard let dash = id.firstIndex(of: "-"), id.distance(from: dash, to: id.endIndex) > 7 else { return id }
        return String(id[...id.index(dash, offsetBy: 6)]) + "…"
    }

    /// What to sign next: proposed leases whose sign-by date falls within 30 and 90 days of
    /// today (UTC), those already past it counted in and named.
    func signSoonCards(now: Date = Date()) async throws -> HTML {
        var proposed: [LeaseRecord] = []
        var cursor: String?
        repeat {
            let page = try await store.leases(state: .proposed, after: cursor, limit: 200)
            proposed += page.items
            cursor = page.next
        } while cursor != nil && proposed.count < 2000
        let signBy = try await signByDates(proposed)
        let dates = proposed.compactMap { signBy[$0.id] }
        let today = Self.day(now)
        let overdue = dates.filter { $0 < today }.count
        var html: HTML = ""
        for days in [30, 90] {
            let due = dates.filter { $0 <= Self.day(now.addingTimeInterval(Double(days) * 86_400)) }.count
            let late = days == 30 && overdue > 0 ? " (\(overdue) overdue)" : ""
            html += Dashboard.card(
                "To sign within \(days) days", "\(due)\(late)", figure: "sign-\(days)", raw: "\(due)")
        }
        return html
    }

    /// `date` as YYYY-MM-DD (UTC calendar), as sign-by dates are written.
    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// Each lease's sign-by date (YYYY-MM-DD): the first day of its start month less its offer's
    /// lead time, from the scenario its plan was made for; none where the offer is unknown.
    func signByDates(_ leases: [LeaseRecord]) async throws -> [String: String] {
        var leadTimes: [String: [String: Int]] = [:]
        var dates: [String: String] = [:]
        for lease in leases {
            if leadTimes[lease.planId] == nil {
                let version = try await store.plan(lease.planId).scenarioVersion
                let (_, scenario) = try await store.snapshot(version: version)
                leadTimes[lease.planId] = Dictionary(
                    scenario.offers.map { ($0.id.rawValue, $0.leadTimeDays) }, uniquingKeysWith: { a, _ in a })
            }
            guard let days = leadTimes[lease.planId]?[lease.offer], let month = YearMonth(parsing: lease.start) else {
                continue
            }
            dates[lease.id] = Self.signBy(month, leadTimeDays: days)
        }
        return dates
    }

    /// The first day of `month` less `leadTimeDays`, as YYYY-MM-DD (UTC calendar).
    static func signBy(_ month: YearMonth, leadTimeDays: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let first = calendar.date(from: DateComponents(year: month.year, month: month.month, day: 1))!
        let date = calendar.date(byAdding: .day, value: -leadTimeDays, to: first)!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    func incidentsPage(user: PageUser = PageUser(role: .viewer, formValue: nil)) async throws -> Response {
        let incidents = try await store.incidents(after: nil, limit: 200).items
        var body: HTML = "<h1>Incidents</h1>" + (try await incidentForm(user: user)) + "<div class=\"panel\">"
        if incidents.isEmpty {
            body += "<div class=\"empty\">No incidents recorded.</div>"
        } else {
            body +=
                "<table><tr><th>When</th><th>What</th><th>Plan</th><th>Re-plan</th><th class=\"n\">Cost change</th></tr>"
            for incident in incidents {
                var replan: HTML = "<span class=\"muted\">running…</span>"
                var delta: HTML = ""
                if let id = incident.replanId, let after = try? await store.plan(id),
                    let before = try? await store.plan(incident.planId)
                {
                    replan = "<a href=\"/plans/\(id)\">\(id)</a>"
                    let change = (Decimal(string: after.totalCost) ?? 0) - (Decimal(string: before.totalCost) ?? 0)
                    delta =
                        "<span data-figure=\"cost-change\" data-value=\"\(change)\">\(change >= 0 ? "+" : "")\(Dashboard.usd(change))</span>"
                } else if let job = try? await store.job(incident.jobId) {
                    if job.state == .failed {
                        replan = "<span class=\"muted\">failed: \(job.error ?? "")</span>"
                    } else {
                        replan = "<span class=\"muted\">running…\(Self.soFar(job.progress))</span>"
                    }
                }
                body +=
                    "<tr><td>\(Dashboard.time(incident.createdAtMilliseconds))</td><td>\(incident.summary)</td>"
                body +=
                    "<td><a href=\"/plans/\(incident.planId)\">\(incident.planId)</a></td><td>\(replan)</td><td class=\"n\">\(delta)</td></tr>"
            }
            body += "</table>"
        }
        return Dashboard.html("Incidents", active: "/incidents", body + "</div>")
    }
}
