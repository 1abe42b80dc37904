import Foundation
import Hummingbird
import SwitchyardModel
import SwitchyardStore

extension Dashboard {
    /// What changed from one plan to another (`PlanComparison`): spend and unmet demand, each
    /// training run (lost and late first), and the leases whose nodes differ. `before` and
    /// `after` label the two plans in headings ("before", "A"): plan ids read badly in capitals.
    static func comparison(_ c: PlanComparison, before: String, after: String) -> HTML {
        var html: HTML = "<div class=\"cards\">"
        html += card("Spend \(before)", usd(c.costBefore), figure: "spend-before", raw: c.costBefore.description)
        html += card("Spend \(after)", usd(c.costAfter), figure: "spend-after", raw: c.costAfter.description)
        let change = c.costChange
        html += card(
            "Change", (change >= 0 ? "+" : "") + usd(change), figure: "spend-change", raw: change.description)
        html += card(
            "Unmet demand (ref-h)", "\(Formatted.shortfall(c.shortBefore)) → \(Formatted.shortfall(c.shortAfter))",
            figure: "short-change", raw: Charts.number(c.shortAfter - c.shortBefore))
        html += "</div>"
        if !c.runs.isEmpty {
            html += "<table><tr><th>Run</th><th>Change</th><th>\(before)</th><th>\(after)</th></tr>"
            for run in c.runs {
                html += "<tr data-figure=\"run-change\" data-value=\"\(run.workload.rawValue):\(run.kind.rawValue)\">"
                html += "<td>\(run.workload.rawValue)</td>"
                html += "<td><span class=\"badge change-\(run.kind.rawValue)\">\(run.kind.rawValue)</span></td>"
                html += "<td>\(describe(run.before))</td><td>\(describe(run.after))</td></tr>"
            }
            html += "</table>"
        }
        if c.leases.isEmpty {
            html += "<p class=\"muted\">The same leases in both.</p>"
        } else {
            html += "<table><tr><th>Start</th><th>Offer</th><th>Provider</th><th>Term</th><th class=\"n\">Months</th>"
            html += "<th class=\"n\">Nodes \(before)</th><th class=\"n\">Nodes \(after)</th>"
            html += "<th class=\"n\">Cost change</th></tr>"
            for lease in c.leases {
                html +=
                    "<tr data-figure=\"lease-change\" data-value=\"\(lease.offer.rawValue):\(lease.nodesBefore)→\(lease.nodesAfter)\">"
                html += "<td>\(lease.start.description)</td><td>\(lease.offer.rawValue)</td>"
                html += "<td>\(lease.provider.rawValue)</td><td>\(lease.term.rawValue)</td>"
                html += "<td class=\"n\">\(lease.months)</td><td class=\"n\">\(lease.nodesBefore)</td>"
                html += "<td class=\"n\">\(lease.nodesAfter)</td>"
                html += "<td class=\"n\">\(lease.costChange >= 0 ? "+" : "")\(usd(lease.costChange))</td></tr>"
            }
            html += "</table>"
        }
        return html
    }

    /// A run's stretches: "cluster, 2027-01–2027-08 (finishes 2027-08, deadline 2027-10)"; "-"
    /// where it is not placed.
    static func describe(_ runs: [TrainingRun]) -> String {
        guard let last = runs.last else { return "-" }
        let stretches = runs.map { "\($0.cluster), \($0.start)–\($0.end)" }.joined(separator: "; then ")
        let finish = last.finish.map { "finishes \($0)" } ?? "does not finish"
        return "\(stretches) (\(finish), deadline \(last.deadline))"
    }
}

extension SwitchyardServer {
    /// A re-plan's page opens with what it answers: the incident, and what changed against the
    /// plan it replaces.
    func replanPanel(_ record: PlanRecord, plan: Plan) async throws -> HTML {
        guard let parent = record.parentPlan, let base = try await planRecord(parent) else { return "" }
        let incident = try await store.incidents(after: nil, limit: 200).items.first { $0.replanId == record.id }
        var html: HTML = "<h2>What changed</h2><div class=\"panel\">"
        if let incident {
            html += "<p data-figure=\"incident\" data-value=\"\(incident.id)\">After <b>\(incident.summary)</b> "
            html += "(recorded \(Dashboard.time(incident.createdAtMilliseconds))), against "
            html += "<a href=\"/plans/\(parent)\">\(parent)</a>.</p>"
        } else {
            html += "<p>Against <a href=\"/plans/\(parent)\">\(parent)</a>.</p>"
        }
        let (before, _) = try await loadPlan(base)
        html += Dashboard.comparison(PlanComparison(before: before, after: plan), before: "before", after: "after")
        return html + "</div>"
    }

    /// Two plans side by side: `/compare?a=ID&b=ID`, or a form to pick them.
    func comparePage(_ a: String?, _ b: String?) async throws -> Response {
        let plans = try await store.plans(after: nil, limit: 200).items
        var body: HTML = "<h1>Compare plans</h1>"
        body += "<form class=\"export\" method=\"get\" action=\"/compare\"><label>Plan <select name=\"a\">"
        for p in plans { body += "<option\(raw: p.id == a ? " selected" : "")>\(p.id)</option>" }
        body += "</select></label> <label>against <select name=\"b\">"
        for p in plans { body += "<option\(raw: p.id == b ? " selected" : "")>\(p.id)</option>" }
        body += "</select></label> <button type=\"submit\">Compare</button></form>"
        guard let a, let b else {
            return Dashboard.html("Compare", active: "/plans", body)
        }
        guard let first = try await planRecord(a), let second = try await planRecord(b) else {
            body +=
                "<div class=\"panel\"><div class=\"empty\">No plan \(try await planRecord(a) == nil ? a : b).</div></div>"
            return Dashboard.html("Compare", active: "/plans", body, status: .notFound)
        }
        let (before, _) = try await loadPlan(first)
        let (after, _) = try await loadPlan(second)
        body +=
            "<div class=\"panel\"><p>A is <a href=\"/plans/\(a)\">\(a)</a>, B is <a href=\"/plans/\(b)\">\(b)</a>.</p>"
        if first.scenarioVersion != second.scenarioVersion {
            body += "<p class=\"muted\">Plans of scenario v\(first.scenarioVersion) and v\(second.scenarioVersion).</p>"
        }
        body += Dashboard.comparison(PlanComparison(before: before, after: after), before: "A", after: "B")
        return Dashboard.html("Compare \(a) and \(b)", active: "/plans", body + "</div>")
    }
}
