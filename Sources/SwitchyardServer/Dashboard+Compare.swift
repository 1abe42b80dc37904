import Foundation
import Hummingbird
import Risk
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
        for (name, plan) in [("A", before), ("B", after)] {
            guard let whatIf = plan.whatIf else { continue }
            body += "<p data-figure=\"compare-what-if\" data-value=\"\(name)\"><strong>\(name) is a what-if:</strong> "
            body += HTML.joined(whatIf.map { "\($0)" }, separator: "; ") + ".</p>"
        }
        if first.scenarioVersion != second.scenarioVersion {
            body += "<p class=\"muted\">Plans of scenario v\(first.scenarioVersion) and v\(second.scenarioVersion).</p>"
        }
        body += Dashboard.comparison(PlanComparison(before: before, after: after), before: "A", after: "B")
        return Dashboard.html("Compare \(a) and \(b)", active: "/plans", body + "</div>")
    }

    /// Supply risk against cost across plans (`RiskFrontier`): each plan's latest risk analysis,
    /// those on the same futures (one scenario version, sample count and seed: the largest such
    /// set, then the newest) side by side, with the frontier drawn once there are two.
    func riskFrontierPanel(_ plans: [PlanRecord]) async throws -> HTML {
        var analysed: [(record: PlanRecord, summary: RiskSummary)] = []
        let latestOf = try await store.latestRiskAnalyses(plans: plans.map(\.id))
        for plan in plans {
            guard let latest = latestOf[plan.id],
                let summary = try? JSONDecoder().decode(RiskSummary.self, from: Data(latest.body.utf8))
            else { continue }
            analysed.append((plan, summary))
        }
        guard !analysed.isEmpty else { return "" }
        let sets = Dictionary(grouping: analysed) {
            "\($0.record.scenarioVersion) \($0.summary.samples) \($0.summary.seed)"
        }.values.map { $0.sorted { $0.record.id < $1.record.id } }
        let newest = { (set: [(record: PlanRecord, summary: RiskSummary)]) in
            set.map(\.record.createdAtMilliseconds).max() ?? 0
        }
        // Ties (the same size, made in the same millisecond) go to the smallest plan id, not to
        // the dictionary's order.
        let chosen = sets.max {
            ($0.count, newest($0), $1[0].record.id) < ($1.count, newest($1), $0[0].record.id)
        }!
        let first = chosen[0]
        let rows = chosen.map { (name: $0.record.id, summary: $0.summary) }
        let efficient = Set(RiskFrontier.efficient(rows) { $0.cost.meanUSD })
        var html: HTML = "<h2>Supply risk against cost</h2><div class=\"panel\"><p class=\"muted\">"
        html +=
            "\(chosen.count) plan\(chosen.count == 1 ? "" : "s") of scenario v\(first.record.scenarioVersion) on the same "
        html += "\(first.summary.samples) sampled futures (seed \(first.summary.seed)): the chance that every run "
        html += "finishes on time against what the plan costs across them. A plan off the frontier pays more "
        html += "for no better chance."
        if analysed.count > chosen.count {
            html += " \(analysed.count - chosen.count) other analysed plan(s), on other futures, are left out."
        }
        html += "</p>"
        if rows.count >= 2 {
            html += "<div class=\"chart\" data-figure=\"risk-frontier-chart\">"
            html += HTML(raw: RiskFrontier.svg(rows, title: "Supply risk against cost"))
            html += "</div>"
        }
        html += "<table><tr><th>Plan</th><th class=\"n\">P(all runs on time)</th><th class=\"n\">95% interval</th>"
        html += "<th class=\"n\">Expected cost</th><th class=\"n\">CVaR95</th><th>On the frontier</th></tr>"
        for (record, summary) in chosen {
            let on = efficient.contains(record.id)
            html += "<tr data-figure=\"risk-frontier\" data-value=\"\(record.id):\(on ? "yes" : "no")\">"
            html += "<td><a href=\"/plans/\(record.id)\">\(record.id)</a></td>"
            html += "<td class=\"n\">\(Formatted.percent(summary.allOnTime))</td>"
            html +=
                "<td class=\"n\">\(Formatted.percent(summary.allOnTimeLow))–\(Formatted.percent(summary.allOnTimeHigh))</td>"
            html += "<td class=\"n\">\(Dashboard.usd(summary.cost.meanUSD))</td>"
            html += "<td class=\"n\">\(Dashboard.usd(summary.cost.cvar95USD))</td><td>\(on ? "yes" : "no")</td></tr>"
        }
        return html + "</table></div>"
    }
}
