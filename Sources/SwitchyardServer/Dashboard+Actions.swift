import Foundation
import Hummingbird
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardStore

/// Who is looking at a dashboard page, for the forms it shows: a planner signed in with a
/// session gets the forms (each carrying the session's form value); a viewer, or a client reading
/// pages with a bearer header, gets none.
struct PageUser: Sendable {
    /// The value every form on the page carries (`FormGuard`); nil without a session.
    var formValue: String?
    var role: Role

    init(_ request: Request, _ context: AppContext) {
        role = context.actor?.role ?? .viewer
        formValue = request.cookies[AuthMiddleware.cookie].map { FormGuard.value(session: $0.value) }
    }

    init(role: Role, formValue: String?) {
        self.role = role
        self.formValue = formValue
    }

    /// Whether the page shows its forms.
    var acts: Bool { role >= .planner && formValue != nil }

    /// The hidden field every form carries.
    var hidden: HTML { "<input type=\"hidden\" name=\"csrf\" value=\"\(formValue ?? "")\">" }
}

/// Refuses a dashboard form that another site made a browser post (CSRF). The session cookie is
/// SameSite=Strict, so a current browser does not send it with another site's form at all; two
/// checks more, as for signing in (`SignInGuard`):
/// - where the browser says who sent the form (`Sec-Fetch-Site`, `Origin`), it must be this site;
/// - the form carries a value derived from the session (SHA-256 of a fixed prefix and the
///   session's id), which another site can neither read nor compute: the session's id is in an
///   HttpOnly cookie only.
enum FormGuard {
    static func value(session: String) -> String { sha256Hex("switchyard-dashboard-form\n" + session) }

    /// Why the form is refused, or nil when it came from this dashboard's own page.
    static func refusal(_ request: Request, formValue: String?) -> String? {
        if SignInGuard.isCrossSite(request) {
            return "This form came from another site's page: open this dashboard and use its own form."
        }
        guard let formValue, let session = request.cookies[AuthMiddleware.cookie]?.value,
            SignInGuard.constantTimeEqual(formValue, value(session: session))
        else { return "This form is from another session or has expired: reload the page and try again." }
        return nil
    }
}

extension SwitchyardServer {
    /// The dashboard's writes, as forms: accept a plan, move a lease, record an incident. Each posts
    /// to its page's path, passes the same store rules as the API (role from the session's token,
    /// the version the page showed as If-Match), and answers 303 to the page, or the page of the
    /// refusal with its status and reasons, nothing changed.
    func addDashboardActions(_ router: Router<AppContext>) {
        router.post("/plans/:id/accept") { request, context -> Response in
            let id = try pathID(context)
            return try await formAction(request, context, back: "/plans/\(id)") { form, actor in
                _ = try await store.acceptPlan(id, ifMatch: try Self.version(form), actor: actor)
            }
        }
        router.post("/plans/:id/reject") { request, context -> Response in
            let id = try pathID(context)
            return try await formAction(request, context, back: "/plans/\(id)") { form, actor in
                _ = try await store.rejectPlan(
                    id, ifMatch: try Self.version(form), reason: form["reason"] ?? "", actor: actor)
            }
        }
        router.post("/leases/:id/transitions") { request, context -> Response in
            let id = try pathID(context)
            return try await formAction(request, context, back: "/leases") { form, actor in
                guard let to = form["to"].flatMap(LeaseState.init(rawValue:)) else {
                    throw InputError([
                        Diagnostic(
                            path: "to", message: "choose the state to move the lease to (\(form["to"] ?? "none given"))"
                        )
                    ])
                }
                _ = try await store.transitionLease(
                    id, to: to, ifMatch: try Self.version(form), note: form["note"] ?? "", actor: actor)
            }
        }
        router.post("/plans/:id/risk") { request, context -> Response in
            let id = try pathID(context)
            return try await formAction(request, context, back: "/plans/\(id)") { form, actor in
                let (samples, seed) = try Self.riskAsked(form)
                _ = try await queued {
                    try await store.submitRisk(
                        plan: id, samples: samples, seed: seed, timeLimitSeconds: options.planTimeLimitSeconds,
                        actor: actor, limits: options.jobLimits)
                }
            }
        }
        router.post("/plans/what-if") { request, context -> Response in
            try await formAction(request, context, back: "/plans") { form, actor in
                let whatIf = try Self.whatIf(form)
                _ = try await queued {
                    try await store.submitPlan(
                        timeLimitSeconds: options.planTimeLimitSeconds, relativeGap: options.planGap, whatIf: whatIf,
                        actor: actor,
                        limits: options.jobLimits)
                }
            }
        }
        router.post("/incidents") { request, context -> Response in
            try await formAction(request, context, back: "/incidents") { form, actor in
                let (plan, incident) = try Self.incident(form)
                _ = try await queued {
                    try await store.recordIncident(
                        plan: plan, incident: incident, timeLimitSeconds: options.planTimeLimitSeconds,
                        relativeGap: options.planGap, actor: actor, limits: options.jobLimits)
                }
            }
        }
    }

    /// Reads a posted form, checks that it came from this dashboard, runs `act` and answers 303 to
    /// `back`; a refusal is a page saying why, with its status.
    func formAction(
        _ request: Request, _ context: AppContext, back: String,
        _ act: ([String: String], Actor) async throws -> Void
    ) async throws -> Response {
        let body = String(buffer: try await Self.body(request, context))
        let form = Self.formFields(body)
        if let refusal = FormGuard.refusal(request, formValue: form["csrf"]) {
            return Self.refusalPage(.forbidden, refusal, [], back: back)
        }
        do {
            try await act(form, try context.requireActor())
        } catch let error as StoreError {
            let problem = Problem.from(error)
            return Self.refusalPage(problem.status, problem.detail, problem.errors, back: back)
        } catch let error as InputError {
            return Self.refusalPage(.unprocessableContent, "The form has a problem.", error.diagnostics, back: back)
        } catch let problem as Problem {
            return Self.refusalPage(problem.status, problem.detail, problem.errors, back: back)
        }
        return Response(status: .seeOther, headers: [.location: back, .cacheControl: "no-store"])
    }

    /// `application/x-www-form-urlencoded` fields; the last of a repeated name wins.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            fields[decoded(parts[0])] = parts.count > 1 ? decoded(parts[1]) : ""
        }
        return fields
    }

    /// The risk form's samples (1 to the store's most) and seed (0 or more).
    static func riskAsked(_ form: [String: String]) throws -> (Int, Int64) {
        var problems: [Diagnostic] = []
        let samples = Int(form["samples"] ?? "200") ?? 0
        if !(1...Store.maximumRiskSamples).contains(samples) {
            problems.append(
                Diagnostic(path: "samples", message: "must be a whole number from 1 to \(Store.maximumRiskSamples)"))
        }
        let seed = Int64(form["seed"] ?? "1") ?? -1
        if seed < 0 { problems.append(Diagnostic(path: "seed", message: "must be a whole number, 0 or more")) }
        guard problems.isEmpty else { throw InputError(problems) }
        return (samples, seed)
    }

    /// The what-if form's changes: a cap in percent, and one offer's price change in percent
    /// and nodes available; blank fields change nothing (the store checks the rest against the
    /// scenario).
    static func whatIf(_ form: [String: String]) throws -> WhatIf {
        func text(_ name: String) -> String? {
            form[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        }
        var problems: [Diagnostic] = []
        var whatIf = WhatIf()
        if let cap = text("cap") {
            if let percent = Double(cap) {
                whatIf.maxProviderShare = percent / 100
            } else {
                problems.append(Diagnostic(path: "cap", message: "not a percentage: '\(cap)'"))
            }
        }
        var change = WhatIf.OfferChange(offer: OfferID(rawValue: text("offer") ?? ""))
        if let price = text("priceChange") {
            if let percent = Double(price) {
                change.priceFactor = 1 + percent / 100
            } else {
                problems.append(Diagnostic(path: "priceChange", message: "not a percentage: '\(price)'"))
            }
        }
        if let nodes = text("availableNodes") {
            if let n = Int(nodes) {
                change.availableNodes = n
            } else {
                problems.append(Diagnostic(path: "availableNodes", message: "not a whole number of nodes: '\(nodes)'"))
            }
        }
        if change.priceFactor != nil || change.availableNodes != nil {
            if change.offer.rawValue.isEmpty {
                problems.append(Diagnostic(path: "offer", message: "choose the offer whose price or nodes change"))
            }
            whatIf.offers = [change]
        }
        guard problems.isEmpty else { throw InputError(problems) }
        return whatIf
    }

    /// The version the page showed (`version`), as If-Match: a change since refuses the form.
    static func version(_ form: [String: String]) throws -> Precondition? {
        guard let text = form["version"], !text.isEmpty else { return nil }
        guard let version = Int64(text) else {
            throw InputError([Diagnostic(path: "version", message: "not a version number: '\(text)'")])
        }
        return .version(version)
    }

    /// The incident form's plan and incident, as the API takes them (the store validates it
    /// against the plan's scenario).
    static func incident(_ form: [String: String]) throws -> (String, DocumentNode) {
        func text(_ name: String) -> String? { form[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard let plan = text("plan") else {
            throw InputError([Diagnostic(path: "plan", message: "choose the plan the incident strikes")])
        }
        var fields: [String: Any] = [:]
        for name in ["provider", "kind", "from", "site"] { fields[name] = text(name) }
        var problems: [Diagnostic] = []
        if let months = text("months") {
            if let n = Int(months) {
                fields["months"] = n
            } else {
                problems.append(Diagnostic(path: "months", message: "not a whole number of months: '\(months)'"))
            }
        }
        if let delivered = text("deliveredFraction") {
            if let x = Double(delivered) {
                fields["deliveredFraction"] = x
            } else {
                problems.append(Diagnostic(path: "deliveredFraction", message: "not a number: '\(delivered)'"))
            }
        }
        guard problems.isEmpty else { throw InputError(problems) }
        let json = String(
            decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
        return (plan, try DocumentParser.parse(json, format: .json))
    }

    /// A refused form: why, each reason with its field, and the way back.
    static func refusalPage(
        _ status: HTTPResponse.Status, _ detail: String, _ errors: [Diagnostic], back: String
    ) -> Response {
        var body: HTML = "<section class=\"panel\"><h1>Not done</h1><p data-figure=\"refusal\">\(detail)</p>"
        if !errors.isEmpty {
            body += "<ul>"
            for error in errors { body += "<li><code>\(error.path)</code>: \(error.message)</li>" }
            body += "</ul>"
        }
        body += "<p class=\"muted\">Nothing was changed. <a href=\"\(back)\">Back</a></p></section>"
        return Dashboard.html("Not done", active: "", body, status: status)
    }
}

extension SwitchyardServer {
    /// A plan waiting for a decision: the button that accepts it (its leases proposed, the plan
    /// it supersedes withdrawn) and the one that rejects it (with a reason), for a planner.
    static func acceptForm(_ record: PlanRecord, user: PageUser) -> HTML {
        guard user.acts, record.state == .ready else { return "" }
        return """
            <form class="act panel" method="post" action="/plans/\(record.id)/accept" data-figure="accept-form">\(user.hidden)
            <input type="hidden" name="version" value="\(String(record.version))">
            <button type="submit">Accept this plan</button>
            <span class="muted">Its leases become proposals to sign; the plan it replaces is superseded and its unsigned proposals withdrawn.</span></form>
            <form class="act panel" method="post" action="/plans/\(record.id)/reject" data-figure="reject-form">\(user.hidden)
            <input type="hidden" name="version" value="\(String(record.version))">
            <label>Reason <input name="reason" maxlength="500" placeholder="for the audit log"></label>
            <button type="submit" class="secondary">Reject this plan</button>
            <span class="muted">It is kept, marked rejected, and can no longer be accepted.</span></form>
            """
    }

    /// Queuing a risk analysis of a plan: how many futures, which seed.
    static func riskForm(_ id: String, user: PageUser) -> HTML {
        guard user.acts else { return "" }
        return """
            <form class="act panel" method="post" action="/plans/\(id)/risk" data-figure="risk-form">\(user.hidden)
            <label>Futures <input name="samples" type="number" min="1" max="\(String(Store.maximumRiskSamples))" value="200"></label>
            <label>Seed <input name="seed" type="number" min="0" value="1"></label>
            <button type="submit">Analyse supply risk</button>
            <span class="muted">Each sampled future's incidents are re-planned and simulated, as a job; the result shows here.</span></form>
            """
    }

    /// Planning a what-if of the scenario as it is: another cap, one offer's prices or nodes.
    /// The plan runs as a job; the plans page lists it beside the current plan to compare.
    static func whatIfForm(_ scenario: Scenario, user: PageUser) -> HTML {
        guard user.acts else { return "" }
        let offers = HTML.joined(
            scenario.offers.map { o -> HTML in
                "<option value=\"\(o.id.rawValue)\">\(o.id.rawValue) (\(o.provider.rawValue), \(o.accelerator.rawValue), \(String(o.availableNodes)) nodes)</option>"
            })
        let cap = String(format: "%g", scenario.policy.maxProviderShare * 100)
        return """
            <form class="act titled panel" method="post" action="/plans/what-if" data-figure="what-if-form">\(user.hidden)
            <h2>What if…</h2>
            <label>Supplier cap % <input name="cap" type="number" min="1" max="100" step="any" placeholder="\(cap)"></label>
            <label>Offer <select name="offer"><option value="">(none)</option>\(offers)</select></label>
            <label>Its prices ± % <input name="priceChange" type="number" min="-99" max="1000" step="any" placeholder="0"></label>
            <label>Its nodes <input name="availableNodes" type="number" min="0" step="1" placeholder="as offered"></label>
            <button type="submit">Plan the what-if</button>
            <p class="muted">Planned as a job on the scenario with these changes, which stays as it is; the plan is listed on the Plans page to compare with the current one, and cannot be accepted.</p></form>
            """
    }

    /// A lease's next states, as a choice and a button; nothing for a lease in a final state.
    static func moveForm(_ lease: LeaseRecord, user: PageUser) -> HTML {
        guard user.acts, !lease.state.next.isEmpty else { return "" }
        let options = HTML.joined(lease.state.next.map { "<option value=\"\($0.rawValue)\">\($0.rawValue)</option>" })
        return """
            <form class="act" method="post" action="/leases/\(lease.id)/transitions" data-figure="move-form" data-value="\(lease.id)">\(user.hidden)
            <input type="hidden" name="version" value="\(String(lease.version))">
            <select name="to" aria-label="Move \(lease.id) to">\(options)</select><button type="submit">Move</button></form>
            """
    }

    /// Recording an incident against a plan (the current one first): a provider, what happened,
    /// from which month, for how long, and how much it still delivers. The re-plan is queued as
    /// a job, as `POST /v1/incidents` does.
    func incidentForm(user: PageUser) async throws -> HTML {
        guard user.acts else { return "" }
        let plans = try await store.plans(after: nil, limit: 50).items.filter { $0.state != .superseded }
        let current = try await store.currentPlan()
        let ordered = (current.map { [$0] } ?? []) + plans.filter { $0.id != current?.id }
        guard let first = ordered.first else { return "" }
        let (_, scenario) = try await store.snapshot(version: first.scenarioVersion)
        let planOptions = HTML.joined(
            ordered.map { p -> HTML in
                "<option value=\"\(p.id)\">\(p.id) (\(p.state.rawValue))</option>"
            })
        let providers = HTML.joined(
            scenario.providers.map { "<option value=\"\($0.id.rawValue)\">\($0.id.rawValue)</option>" })
        let kinds = HTML.joined(
            Incident.Kind.allCases.map { "<option value=\"\($0.rawValue)\">\($0.rawValue)</option>" })
        return """
            <form class="act titled panel" method="post" action="/incidents" data-figure="incident-form">\(user.hidden)
            <h2>Record an incident</h2>
            <label>Plan <select name="plan">\(planOptions)</select></label>
            <label>Provider <select name="provider">\(providers)</select></label>
            <label>What <select name="kind">\(kinds)</select></label>
            <label>From <input name="from" type="month" value="\(scenario.horizon.start.description)" required></label>
            <label>Months <input name="months" type="number" min="1" step="1" placeholder="to the end"></label>
            <label>Still delivered <input name="deliveredFraction" type="number" min="0" max="1" step="0.05" value="0"></label>
            <button type="submit">Record and re-plan</button>
            <p class="muted">An outage: the provider delivers that fraction of its leased capacity for those months. A slip: its deliveries start that many months late. The re-plan runs as a job and shows below.</p></form>
            """
    }
}
