import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardServer
import SwitchyardStore
import SwitchyardTesting
import Testing

/// Headless Chromium (Debian's `chromium`), when this machine has it. CI installs it and sets
/// SWITCHYARD_REQUIRE_BROWSER=1, so there the dashboard tests fail rather than skip without it.
enum Browser {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static let required = ProcessInfo.processInfo.environment["SWITCHYARD_REQUIRE_BROWSER"] == "1"
    static let usable = path != nil || required

    static func arguments(_ extra: [String]) -> [String] {
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(FileManager.default.temporaryDirectory.path)/sy-chromium-\(UUID().uuidString)",
        ] + extra
    }

    /// A local page that posts the sign-in form from outside the service, as another site's page
    /// would: the service must refuse it (login CSRF).
    static func crossSiteSignIn(_ base: String, token: String, next: String) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sy-signin-\(UUID().uuidString).html")
        let page = """
            <!doctype html><form method="post" action="\(base)/login"><input name="token" value="\(token)">
            <input name="next" value="\(next)"></form><script>document.forms[0].submit()</script>
            """
        try page.write(to: file, atomically: true, encoding: .utf8)
        return file.absoluteString
    }

    /// Runs `body` with a small page server on another port of this host, whose `/hand-off`
    /// page gives Chromium a session cookie and moves on to the service: a browser signed in
    /// through the service's own form (the test signs in over HTTP, as the form does; the
    /// dashboard has no script to type a token with). Cookies belong to a host, not a port, so
    /// the service sees the cookie as its own.
    static func withHandOff(_ body: @escaping @Sendable (HandOff) async throws -> Void) async throws {
        let router = Router()
        router.get("/hand-off") { request, _ -> Response in
            let q = request.uri.queryParameters
            let cookie = String(q.get("cookie") ?? ""), target = String(q.get("target") ?? "")
            let page = """
                <!doctype html><script>document.cookie = \(jsString(cookie) + " + '; path=/'");
                location.replace(\(jsString(target)));</script>
                """
            return Response(
                status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: page)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(HandOff(port: try #require(client.port))) }
    }

    /// A JavaScript string literal.
    static func jsString(_ s: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [s]), as: UTF8.self).dropFirst().dropLast()
            .description
    }

    /// The page server of `withHandOff`.
    struct HandOff: Sendable {
        let port: Int

        /// The URL that opens `base + next` in a browser holding `cookie` ("name=value").
        func url(_ base: String, cookie: String, next: String) -> String {
            var parts = URLComponents(string: "http://127.0.0.1:\(port)/hand-off")!
            parts.queryItems = [.init(name: "cookie", value: cookie), .init(name: "target", value: base + next)]
            return parts.string!
        }
    }

    /// The page's DOM after Chromium loaded and laid it out (following the sign-in page on).
    static func dom(_ url: String) async throws -> String {
        let path = try #require(path, "Chromium is needed: apt-get install chromium")
        let result = try await runCommand(path, arguments(["--virtual-time-budget=10000", "--dump-dom", url]))
        #expect(result.status == 0, "chromium failed: \(result.stderr)")
        return result.stdout
    }

    /// How wide each page lays out (document scroll width, CSS pixels) on a screen `width` pixels
    /// wide, signed in with `cookie` (`name=value`): scripts/page-width.py, over Chromium's
    /// DevTools protocol.
    /// Each page's laid-out width, and how many of its forms are wider than their box.
    static func widths(_ urls: [String], cookie: String, width: Int) async throws -> [(
        url: String, width: Int, formsOverflowing: Int
    )] {
        let path = try #require(path, "Chromium is needed: apt-get install chromium")
        let result = try await runCommand(
            "/usr/bin/env", ["python3", Fixtures.path("scripts/page-width.py"), path, "\(width)", cookie] + urls)
        #expect(result.status == 0, "page-width.py failed: \(result.stderr)")
        return result.stdout.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 3, let laidOut = Int(parts[1]), let forms = Int(parts[2]) else { return nil }
            return (String(parts[0]), laidOut, forms)
        }
    }

    /// A screenshot of the page as PNG bytes.
    static func screenshot(_ url: String) async throws -> Data {
        let path = try #require(path, "Chromium is needed: apt-get install chromium")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sy-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try await runCommand(
            path,
            arguments(["--virtual-time-budget=10000", "--window-size=1300,1800", "--screenshot=\(file.path)", url]))
        return try Data(contentsOf: file)
    }
}

/// What a page shows: its marks and figures, read off the browser's DOM.
struct Page {
    let dom: String

    /// `data-figure="name" data-value="v"` pairs, in order.
    func figures(_ name: String) -> [String] {
        matches(#"data-figure="\#(name)" data-value="([^"]*)""#).map { $0[0] }
    }

    /// The chart `id`'s marks as (label, value, series).
    func marks(in chart: String) -> [(label: String, value: Double, series: String?)] {
        guard let start = dom.range(of: "<svg id=\"\(chart)\""),
            let end = dom.range(of: "</svg>", range: start.upperBound..<dom.endIndex)
        else { return [] }
        let svg = Page(dom: String(dom[start.lowerBound..<end.upperBound]))
        return (svg.tags("rect") + svg.tags("circle")).filter { $0.contains("class=\"mark\"") }.map { tag in
            (
                Page.attribute("data-label", tag) ?? "", Double(Page.attribute("data-value", tag) ?? "") ?? .nan,
                Page.attribute("data-series", tag)
            )
        }
    }

    func tags(_ name: String) -> [String] {
        matches("(<\(name)\\b[^>]*>)").map { $0[0] }
    }

    static func attribute(_ name: String, _ tag: String) -> String? {
        guard let range = tag.range(of: #"\#(name)="([^"]*)""#, options: .regularExpression) else { return nil }
        return String(tag[range].dropFirst(name.count + 2).dropLast()).replacingOccurrences(of: "&amp;", with: "&")
    }

    func matches(_ pattern: String) -> [[String]] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let text = dom as NSString
        return regex.matches(in: dom, range: NSRange(location: 0, length: text.length)).map { match in
            (1..<max(match.numberOfRanges, 2)).map {
                match.range(at: $0).location == NSNotFound ? "" : text.substring(with: match.range(at: $0))
            }
        }
    }
}

@Suite(.enabled(if: Browser.usable, "needs Chromium (apt-get install chromium)"))
struct DashboardTests {
    /// The whole flow through the API, then every page in a real browser, each figure checked
    /// against what the API returns for the same records.
    @Test func everyPageShowsTheFiguresTheAPIReturns() async throws {
        try await Harness.with { h in
            let app = Application(
                router: h.server.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await Browser.withHandOff { handOff in
                try await app.test(.live) { raw in
                    let c = Client(client: raw)
                    let port = try #require(raw.port)
                    let base = "http://127.0.0.1:\(port)"
                    let session = try await c.signIn(h.viewer)
                    func open(_ path: String) async throws -> Page {
                        Page(dom: try await Browser.dom(handOff.url(base, cookie: session, next: path)))
                    }

                    // Nothing planned yet: the overview says so instead of drawing empty charts.
                    #expect(try await open("/").dom.contains("No plan yet"))

                    let job = try await c.call(.post, "/v1/plans", token: h.planner)
                    // While it is made, the overview says so (and offers no second one).
                    let making = try await open("/").dom
                    #expect(making.contains("is being made") && !making.contains("Start one"), "\(making)")
                    // Once its solve has a plan, the best so far and its gap (then handed back).
                    let claimed = try #require(try await h.store.claimJob(worker: "W", leaseSeconds: 30))
                    let soFar = SolveProgress(
                        points: [
                            SolverProgressPoint(seconds: 3.5, step: .rounded, objectiveUSD: 1.25e9, boundUSD: 1.2e9)
                        ],
                        unavoidablePenaltyUSD: 0)
                    #expect(try await h.store.reportProgress(job: claimed.id, worker: "W", progress: soFar))
                    let solving = try await open("/")
                    #expect(solving.figures("solving-objective") == ["1250000000.0"], "\(solving.dom)")
                    #expect(solving.dom.contains("So far (3.5 s): a plan of <span"), "\(solving.dom)")
                    #expect(solving.dom.contains(">$1,250,000,000</span>, 4.00% above its bound."), "\(solving.dom)")
                    #expect(try await h.store.releaseJob(claimed, worker: "W"))
                    try await h.drainJobs()
                    let planURL =
                        "/v1/plans/"
                        + (try #require(
                            try await c.call(.get, job.header("Location")!, token: h.viewer).json["plan"] as? String))
                    let planReply = try await c.call(.get, planURL, token: h.viewer)
                    let planID = try #require(planReply.json["id"] as? String)
                    let plan = try #require(planReply.json["plan"] as? [String: Any])
                    let accepted = try await c.call(.post, planURL + "/accept", token: h.planner)
                    let leases = try #require(accepted.json["leases"] as? [[String: Any]])
                    let first = try #require(leases.first?["id"] as? String)
                    try await c.call(
                        .post, "/v1/leases/\(first)/transitions", token: h.planner, body: #"{"to": "signed"}"#,
                        headers: ["If-Match": "\"1\""])
                    try await c.call(
                        .post, "/v1/incidents", token: h.planner,
                        body:
                            #"{"plan": "\#(planID)", "incident": {"provider": "coreweave", "kind": "outage", "from": "2027-07", "months": 3}}"#
                    )
                    // While its re-plan solves, the incident shows the best plan so far.
                    let replanning = try #require(try await h.store.claimJob(worker: "W", leaseSeconds: 30))
                    #expect(try await h.store.reportProgress(job: replanning.id, worker: "W", progress: soFar))
                    let solvingReplan = try await open("/incidents")
                    #expect(
                        solvingReplan.dom.contains("running… So far (3.5 s): a plan of <span"), "\(solvingReplan.dom)")
                    #expect(solvingReplan.figures("solving-objective") == ["1250000000.0"])
                    #expect(try await h.store.releaseJob(replanning, worker: "W"))
                    try await h.drainJobs()

                    // Overview.
                    let overview = try await open("/")
                    // The re-plan the incident started waits for a decision, named by its incident.
                    let recorded = try await c.call(.get, "/v1/incidents", token: h.viewer)
                    let struck = (recorded.json["items"] as? [[String: Any]])?.first
                    #expect(overview.figures("decision") == [struck?["replan"] as? String ?? "?"])
                    #expect(overview.dom.contains(struck?["summary"] as? String ?? "?"))
                    #expect(overview.figures("total-cost") == [planReply.json["totalCostUSD"] as? String ?? "?"])
                    #expect(overview.dom.contains(Self.usd(planReply.json["totalCostUSD"] as? String)))
                    #expect(overview.figures("plan-leases") == ["\(leases.count)"])
                    // The plan in short, as the CLI says it first, and how the solve went.
                    let summary = try #require((plan["explanation"] as? [String: Any])?["summary"] as? [String])
                    #expect(overview.matches(#"<li data-figure="(summary)">"#).count == summary.count)
                    #expect(overview.dom.contains(try #require(summary.first)))
                    let status = try #require((plan["solver"] as? [String: Any])?["status"] as? String)
                    #expect(overview.figures("solver-status") == [status])
                    // One lease signed: the rest of the accepted plan's proposals are to sign.
                    #expect(overview.figures("leases-to-sign") == ["\(leases.count - 1)"])
                    #expect(overview.figures("leases-signed") == ["1"])
                    let costs = overview.marks(in: "cost")
                    let byMonth = try #require((plan["cost"] as? [String: Any])?["byMonth"] as? [String: Any])
                    #expect(costs.count == byMonth.count)
                    for mark in costs {
                        let expected =
                            (byMonth[mark.label] as? NSNumber)?.doubleValue ?? Double(
                                byMonth[mark.label] as? String ?? "")
                            ?? .nan
                        #expect(abs(mark.value - expected) < 0.01, "cost of \(mark.label)")
                    }
                    // Supply in reference units, each accelerator weighed as the share cap weighs
                    // it; the line is what the workloads run on, the shares' own figure.
                    let supply = overview.marks(in: "supply")
                    let columns = supply.filter { $0.series != "in-use" }
                    #expect(!columns.isEmpty)
                    let weights = try Self.capacityWeights()
                    for (month, total) in Self.supplyByMonth(plan, weights: weights) {
                        let shown = columns.filter { $0.label == month }.reduce(0) { $0 + $1.value }
                        #expect(abs(shown - total) < 0.01, "supply in \(month): shown \(shown), API \(total)")
                    }
                    let inUse = supply.filter { $0.series == "in-use" }
                    let monthlyShares = Self.shares(plan)
                    #expect(inUse.count == plan["horizon"].flatMap { ($0 as? [String: Any])?["months"] as? Int })
                    for mark in inUse {
                        let expected = monthlyShares.filter { $0.month == mark.label }.reduce(0) { $0 + $1.inUse }
                        #expect(abs(mark.value - expected) < 0.01, "in use in \(mark.label)")
                    }
                    #expect(overview.dom.contains("reference units"))
                    #expect(overview.dom.contains("in use by the workloads"))
                    // Where the money goes: a bar per provider at its spend.
                    let spend = overview.marks(in: "spend")
                    let byProvider = try #require((plan["cost"] as? [String: Any])?["byProvider"] as? [String: Any])
                    #expect(spend.count == byProvider.count)
                    for mark in spend {
                        let expected =
                            (byProvider[mark.label] as? NSNumber)?.doubleValue
                            ?? Double(byProvider[mark.label] as? String ?? "") ?? .nan
                        #expect(abs(mark.value - expected) < 0.01, "spend at \(mark.label)")
                    }
                    // Its line names what the leases commit past the horizon, as the API has it.
                    let beyond = (plan["cost"] as? [String: Any])?["leasesBeyondHorizon"] as? NSNumber
                    let shownBeyond = overview.figures("spend-split").first.flatMap(Double.init)
                    #expect(shownBeyond != nil && abs((shownBeyond ?? .nan) - (beyond?.doubleValue ?? .nan)) < 0.01)
                    // The runs' Gantt: a bar per run, in its cluster, as long as its months.
                    let bars = overview.marks(in: "runs")
                    let planRuns = try #require(plan["runs"] as? [[String: Any]])
                    #expect(bars.count == planRuns.count)
                    for run in planRuns {
                        let name = run["workload"] as? String ?? ""
                        let bar = try #require(bars.first { $0.label == name }, "no bar for \(name)")
                        let start = YearMonth(parsing: run["start"] as? String ?? "")
                        let end = YearMonth(parsing: run["end"] as? String ?? "")
                        let months = try #require(start.flatMap { s in end.map { s.months(to: $0) + 1 } })
                        #expect(bar.value == Double(months), "\(name)")
                        #expect(bar.series?.isEmpty == false)
                    }
                    // Each provider's share, month by month, against the cap (in the legend).
                    let shares = overview.marks(in: "shares")
                    #expect(shares.count == monthlyShares.count)
                    for share in monthlyShares {
                        let shown = try #require(
                            shares.first { $0.series == share.provider && $0.label == share.month },
                            "no point for \(share.provider) in \(share.month)")
                        #expect(abs(shown.value - share.share) < 1e-4, "share of \(share.provider) in \(share.month)")
                    }
                    #expect(overview.dom.contains(">cap 50.0%</li>"))

                    // The plan: costs, the N-1 heat map and its table, marginal values.
                    let detail = try await open("/plans/\(planID)")
                    #expect(detail.figures("total-cost") == [planReply.json["totalCostUSD"] as? String ?? "?"])
                    let resilience = try #require(plan["resilience"] as? [[String: Any]])
                    let coverage = detail.figures("coverage").compactMap(Double.init)
                    #expect(coverage.count == resilience.count)
                    for (shown, loss) in zip(coverage, resilience) {
                        #expect(abs(shown - ((loss["criticalCoverage"] as? NSNumber)?.doubleValue ?? .nan)) < 1e-4)
                    }
                    let heat = detail.marks(in: "resilience")
                    #expect(!heat.isEmpty)
                    #expect(heat.allSatisfy { (0...1).contains($0.value) })
                    // The heat map tells the table's story: a loss with nothing short has every
                    // month at or above the requirement; a loss that strands a run does not.
                    for loss in resilience {
                        let provider = loss["provider"] as? String ?? ""
                        let required = (loss["requiredCoverage"] as? NSNumber)?.doubleValue ?? 1
                        let cells = heat.filter { $0.series == provider }.map(\.value)
                        let short = (loss["shortfallReferenceHours"] as? NSNumber)?.doubleValue ?? 0
                        let fates = (loss["runRestarts"] as? [[String: Any]] ?? []).compactMap { $0["fate"] as? String }
                        if short == 0 { #expect(cells.allSatisfy { $0 >= required - 1e-6 }, "without \(provider)") }
                        if fates.contains("lost") { #expect(cells.contains { $0 < required }, "without \(provider)") }
                    }
                    // Leases as the CLI lists them: on-demand months back to back with the same
                    // nodes on one row; the totals add up to the plan's.
                    let planLeases = plan["leases"] as? [[String: Any]] ?? []
                    let totals = detail.figures("lease-total").compactMap { Double($0) }
                    let planTotal = planLeases.reduce(0.0) { $0 + (($1["totalCost"] as? NSNumber)?.doubleValue ?? -1) }
                    #expect(abs(totals.reduce(0, +) - planTotal) < 0.01, "\(totals) \(planTotal)")
                    let runsOfMonths = Set(
                        planLeases.filter { $0["term"] as? String == "onDemand" }.map {
                            "\($0["offer"] ?? "") \($0["nodes"] ?? "") \(Self.addMonths($0["start"] as? String ?? "", 1))"
                        })
                    let continuing = planLeases.filter {
                        $0["term"] as? String == "onDemand"
                            && runsOfMonths.contains("\($0["offer"] ?? "") \($0["nodes"] ?? "") \($0["start"] ?? "")")
                    }
                    #expect(totals.count == planLeases.count - continuing.count && totals.count < planLeases.count)
                    // No risk analysis yet: the page says how to start one.
                    #expect(detail.dom.contains("No risk analysis of this plan yet"))
                    // The plan hands itself on: its exports download with the page's session.
                    #expect(detail.dom.contains("href=\"/plans/\(planID)/export/skypilot\""))
                    #expect(detail.dom.contains("action=\"/plans/\(planID)/export/kueue\""))
                    let download = try await c.call(
                        .get, "/plans/\(planID)/export/kueue?month=2027-06", token: nil, headers: ["Cookie": session])
                    #expect(download.status == 200)
                    #expect(download.header("Content-Disposition")?.contains("kueue-2027-06.yaml") == true)
                    #expect(download.text.hasPrefix("# file: 2027-06/manager.yaml"))
                    // Where each training run lives, as the plan says.
                    let runs = try #require(plan["runs"] as? [[String: Any]])
                    #expect(!runs.isEmpty)
                    #expect(detail.figures("run") == runs.compactMap { $0["workload"] as? String })
                    // Where batch jobs and replicas run: one row per workload and cluster of the placements.
                    let placements = try #require(plan["placements"] as? [[String: Any]])
                    let rows = Set(
                        placements.map {
                            "\($0["workload"] ?? "")|\($0["provider"] ?? "")|\($0["accelerator"] ?? "")|\($0["region"] ?? "")|\($0["fleet"] ?? "")|\($0["site"] ?? "")"
                        })
                    #expect(!placements.isEmpty)
                    #expect(detail.figures("placement").count == rows.count)
                    #expect(!detail.marks(in: "marginal").isEmpty)
                    // How the solver got there: a row per point of the plan's curve, in its order.
                    let progress = try #require((plan["solver"] as? [String: Any])?["progress"] as? [[String: Any]])
                    #expect(!progress.isEmpty)
                    #expect(detail.figures("progress") == progress.compactMap { $0["step"] as? String })
                    // The gap as the CLI's report writes it, to two decimals (0.66%, not 0.7%).
                    let gap = try #require(((plan["solver"] as? [String: Any])?["gap"] as? NSNumber)?.doubleValue)
                    #expect(detail.dom.contains(">\(String(format: "%.2f%%", gap * 100))</div>"))

                    // Leases by state, as the API counts them.
                    let leasePage = try await open("/leases")
                    for state in LeaseState.allCases {
                        let listed = try await c.call(
                            .get, "/v1/leases?state=\(state.rawValue)&limit=200", token: h.viewer)
                        let count = (listed.json["items"] as? [Any])?.count ?? -1
                        #expect(leasePage.figures("leases-\(state.rawValue)") == ["\(count)"], "\(state)")
                    }
                    // Grouped: the one signed lease under "Signed or running" after the rest, to
                    // sign; soonest to sign first in each: the start month's first day less the
                    // offer's lead time.
                    #expect(leasePage.figures("lease-group") == ["To sign", "Signed or running"])
                    let signBy = leasePage.figures("sign-by")
                    let toSign = Array(signBy.dropLast())
                    #expect(signBy.count == leases.count && toSign == toSign.sorted(), "\(signBy)")
                    let scenario = try Fixtures.frontierLab()
                    var calendar = Calendar(identifier: .gregorian)
                    calendar.timeZone = TimeZone(identifier: "UTC")!
                    let expected = leases.compactMap { lease -> String? in
                        guard let offer = scenario.offers.first(where: { $0.id.rawValue == lease["offer"] as? String }),
                            let start = (lease["start"] as? String).flatMap(YearMonth.init(parsing:)),
                            let first = calendar.date(
                                from: DateComponents(year: start.year, month: start.month, day: 1)),
                            let date = calendar.date(byAdding: .day, value: -offer.leadTimeDays, to: first)
                        else { return nil }
                        let d = calendar.dateComponents([.year, .month, .day], from: date)
                        return String(format: "%04d-%02d-%02d", d.year!, d.month!, d.day!)
                    }
                    #expect(expected.sorted() == signBy.sorted())
                    #expect(signBy.last == zip(leases, expected).first { $0.0["id"] as? String == first }?.1)
                    // The overview counts what to sign next: proposed leases (all but the one
                    // signed above) whose sign-by date is within 30 and 90 days, overdue included.
                    let proposedSignBy = zip(leases, expected).filter { $0.0["id"] as? String != first }.map(\.1)
                    func day(_ date: Date) -> String {
                        let d = calendar.dateComponents([.year, .month, .day], from: date)
                        return String(format: "%04d-%02d-%02d", d.year!, d.month!, d.day!)
                    }
                    let front = try await open("/")
                    for days in [30, 90] {
                        let limit = day(Date().addingTimeInterval(Double(days) * 86_400))
                        #expect(
                            front.figures("sign-\(days)") == ["\(proposedSignBy.filter { $0 <= limit }.count)"],
                            "\(days) days: \(proposedSignBy)")
                    }

                    // Incidents with the re-plan's cost change.
                    let incidents = try await c.call(.get, "/v1/incidents", token: h.viewer)
                    let incident = try #require((incidents.json["items"] as? [[String: Any]])?.first)
                    let replan = try await c.call(
                        .get, "/v1/plans/\(incident["replan"] as? String ?? "")", token: h.viewer)
                    let change =
                        (Decimal(string: replan.json["totalCostUSD"] as? String ?? "") ?? 0)
                        - (Decimal(string: planReply.json["totalCostUSD"] as? String ?? "") ?? 0)
                    let incidentPage = try await open("/incidents")
                    #expect(incidentPage.dom.contains(incident["summary"] as? String ?? "?"))
                    #expect(incidentPage.figures("cost-change") == ["\(change)"])

                    // The re-plan's page says what it answers and what changed against the plan it
                    // replaces: every run of either plan has a row, and the spend changes as above.
                    let replanID = try #require(incident["replan"] as? String)
                    let replanPage = try await open("/plans/\(replanID)")
                    #expect(replanPage.figures("incident") == [incident["id"] as? String ?? "?"])
                    #expect(replanPage.figures("spend-change") == ["\(change)"])
                    func workloads(_ plan: [String: Any]?) -> Set<String> {
                        Set((plan?["runs"] as? [[String: Any]] ?? []).compactMap { $0["workload"] as? String })
                    }
                    let changed = replanPage.figures("run-change").map { String($0.split(separator: ":")[0]) }
                    #expect(Set(changed) == workloads(plan).union(workloads(replan.json["plan"] as? [String: Any])))
                    #expect(changed.count == Set(changed).count)
                    // Any two plans side by side, the same figures.
                    let compared = try await open("/compare?a=\(planID)&b=\(replanID)")
                    #expect(compared.figures("spend-change") == ["\(change)"])
                    #expect(compared.figures("run-change") == replanPage.figures("run-change"))

                    // The charts are drawn: a screenshot of the overview is a real, non-blank image.
                    let png = try await Browser.screenshot(handOff.url(base, cookie: session, next: "/"))
                    #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
                    #expect(png.count > 30_000)

                    // No page scrolls sideways, on a phone (390 px) or a laptop (1440 px): wide
                    // tables and charts scroll inside their panels.
                    let pages = [
                        "/", "/plans", "/plans/\(planID)", "/plans/\(replanID)", "/compare?a=\(planID)&b=\(replanID)",
                        "/leases", "/incidents",
                    ].map { base + $0 }
                    for width in [390, 1440] {
                        let measured = try await Browser.widths(pages, cookie: session, width: width)
                        #expect(measured.count == pages.count, "\(measured)")
                        for (page, laidOut, _) in measured {
                            #expect(laidOut <= width, "\(page) lays out \(laidOut) px wide on a \(width) px screen")
                        }
                    }
                    // A planner's pages carry forms (what-if, accept, risk, move, incident): they
                    // fit a phone too.
                    let planner = try await c.signIn(h.planner)
                    let withForms = ["/plans", "/plans/\(replanID)", "/leases", "/incidents"].map { base + $0 }
                    let measured = try await Browser.widths(withForms, cookie: planner, width: 390)
                    #expect(measured.count == withForms.count, "\(measured)")
                    for (page, laidOut, forms) in measured {
                        #expect(laidOut <= 390, "\(page) lays out \(laidOut) px wide on a 390 px screen, as a planner")
                        #expect(forms == 0, "\(page): \(forms) form(s) wider than their box at 390 px")
                    }

                    // Without a token the dashboard asks for one; a bad token is refused; a token in
                    // the URL signs nobody in.
                    #expect(try await Browser.dom("\(base)/").contains("Sign in"))
                    #expect(
                        try await Browser.dom(handOff.url(base, cookie: "switchyard_session=sy_wrong", next: "/"))
                            .contains(
                                "not valid"))
                    // A sign-in form posted from another site's page signs nobody in (login CSRF),
                    // even with a good token.
                    let crossSite = try await Browser.dom(
                        try Browser.crossSiteSignIn(base, token: h.viewer, next: "/leases"))
                    #expect(
                        crossSite.contains("another site") && !crossSite.contains("Leases · Switchyard"), "\(crossSite)"
                    )
                    #expect(
                        !(try await Browser.dom("\(base)/login?token=\(h.viewer)&next=/leases")).contains(
                            "Leases · Switchyard"))
                }
            }
        }
    }

    static func usd(_ text: String?) -> String {
        let value = Double(text ?? "") ?? 0
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        formatter.locale = Locale(identifier: "en_US")
        return "$" + (formatter.string(from: NSNumber(value: value.rounded())) ?? "")
    }

    /// Reference units per month from the plan's leases and the owned hardware its sites host
    /// (whole accelerators), each accelerator weighed by `weights`.
    static func supplyByMonth(_ plan: [String: Any], weights: [String: Double]) -> [String: Double] {
        var totals: [String: Double] = [:]
        for lease in plan["leases"] as? [[String: Any]] ?? [] {
            guard let start = lease["start"] as? String, let months = lease["months"] as? Int,
                let count = lease["accelerators"] as? Int, let model = lease["accelerator"] as? String
            else { continue }
            for m in 0..<months { totals[addMonths(start, m), default: 0] += Double(count) * (weights[model] ?? .nan) }
        }
        let fleets = Dictionary(
            uniqueKeysWithValues: ((try? Fixtures.frontierLab())?.ownedFleets ?? []).map {
                ($0.id.rawValue, $0.accelerator.rawValue)
            })
        for use in plan["colocation"] as? [[String: Any]] ?? [] {
            guard let month = use["month"] as? String else { continue }
            for (fleet, count) in use["hosted"] as? [String: Any] ?? [:] {
                let accelerators = ((count as? NSNumber)?.doubleValue ?? 0).rounded()
                totals[month, default: 0] += accelerators * (fleets[fleet].flatMap { weights[$0] } ?? .nan)
            }
        }
        let horizon = plan["horizon"] as? [String: Any] ?? [:]
        let start = horizon["start"] as? String ?? ""
        let inHorizon = Set((0..<(horizon["months"] as? Int ?? 0)).map { addMonths(start, $0) })
        return totals.filter { inHorizon.contains($0.key) }
    }

    /// One reference unit per accelerator of each model, as the share cap counts it: the
    /// catalog's pre-training estimate against the example's reference.
    static func capacityWeights() throws -> [String: Double] {
        let scenario = try Fixtures.frontierLab()
        let speed = try #require(SpeedModel(scenario: scenario))
        return Dictionary(
            uniqueKeysWithValues: AcceleratorCatalog.merged(with: scenario.accelerators).keys.map {
                ($0.rawValue, speed.capacityWeight(of: $0))
            })
    }

    /// The plan's shares, as the API gives them: each provider's share of what runs by month.
    static func shares(_ plan: [String: Any]) -> [(provider: String, month: String, share: Double, inUse: Double)] {
        (plan["shares"] as? [[String: Any]] ?? []).compactMap { share in
            guard let provider = share["provider"] as? String, let month = share["month"] as? String,
                let value = ((share["shareInUse"] ?? share["share"]) as? NSNumber)?.doubleValue,
                let inUse = ((share["inUseReferenceCapacity"] ?? share["referenceCapacity"]) as? NSNumber)?.doubleValue
            else { return nil }
            return (provider, month, value, inUse)
        }
    }

    static func addMonths(_ month: String, _ n: Int) -> String {
        let parts = month.split(separator: "-").compactMap { Int($0) }
        let index = parts[0] * 12 + parts[1] - 1 + n
        return String(format: "%04d-%02d", index / 12, index % 12 + 1)
    }

}
