import Foundation
import SwitchyardCatalog
import SwitchyardModel

/// Renders a re-plan: what changed first, then the new plan.
public enum ReplanReport {
    /// The re-plan in `format`.
    public static func render(_ replan: Replan, format: PlanReport.Format) -> String {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let document = Document(
                incident: .init(replan.incident), costBefore: replan.before.cost.total,
                costAfter: replan.after.cost.total + replan.strandedCost, stranded: replan.stranded,
                released: replan.released,
                costDelta: replan.costDelta, shortfallDeltaReferenceHours: replan.shortfallDelta, atRisk: replan.atRisk,
                slackChanges: replan.slackChanges, plan: replan.after)
            return (try? encoder.encode(document)).map {
                PlanFile.tidyNumbers(String(decoding: $0, as: UTF8.self)) + "\n"
            }
                ?? "{}"
        case .text, .markdown:
            let lines = delta(replan)
            let plan = PlanReport.render(replan.after, format: format)
            if format == .markdown {
                return "# Re-plan after \(describe(replan.incident))\n\n"
                    + lines.map { "- \($0)" }.joined(separator: "\n") + "\n\n" + plan
            }
            let title = "Re-plan after \(describe(replan.incident))"
            return
                ([title, String(repeating: "═", count: title.count)] + lines.flatMap { TextWrap.wrap($0) } + ["", ""])
                .joined(separator: "\n")
                + plan
        }
    }

    static func describe(_ incident: Incident) -> String {
        let span = incident.months.map { " for \($0) month(s)" } ?? ""
        switch incident.kind {
        case .outage:
            return
                "\(incident.provider) outage from \(incident.from)\(span), delivering \(Int(incident.deliveredFraction * 100))%"
        case .slip:
            return "\(incident.provider) deliveries slipping \(incident.months ?? 0) month(s) from \(incident.from)"
        case .sitePower:
            return
                "\(incident.site?.rawValue ?? "site") at \(incident.provider) keeping \(Int(incident.deliveredFraction * 100))% of its power from \(incident.from)\(span)"
        }
    }

    static func delta(_ r: Replan) -> [String] {
        var lines = [
            "Spend: \(Formatted.money(r.before.cost.total)) before, \(Formatted.money(r.after.cost.total + r.strandedCost)) after (\(r.costDelta >= 0 ? "+" : "")\(Formatted.money(r.costDelta)))."
        ]
        let before = r.before.shortfalls.reduce(0) { $0 + $1.referenceHours }
        let after = r.after.shortfalls.reduce(0) { $0 + $1.referenceHours }
        lines.append(
            "Unmet demand: \(Formatted.shortfall(before)) reference-hours before, \(Formatted.shortfall(after)) after.")
        let exercised = Set(r.after.exercisedBackups.map(\.offer))
        if !exercised.isEmpty {
            lines.append("Backups exercised: \(exercised.sorted().map(\.rawValue).joined(separator: ", ")).")
        }
        let moved = r.kept.filter { kept in
            !r.before.leases.contains { $0.offer == kept.offer && $0.start == kept.start }
        }
        if !moved.isEmpty { lines.append("Leases moved by the slip: \(moved.count) (still paid in full).") }
        if !r.stranded.isEmpty {
            lines.append(
                "Committed leases slipped past the horizon: \(r.stranded.count), \(Formatted.money(r.strandedCost)) still owed for nothing delivered within it."
            )
        }
        if !r.released.isEmpty {
            lines.append(
                "On-demand leases slipped past the horizon: \(r.released.count), released (month to month: nothing is owed)."
            )
        }
        let added = r.added
        if !added.isEmpty {
            lines.append(
                "New leases: \(added.count), \(Formatted.money(added.reduce(0) { $0 + $1.totalCost })) committed.")
        }
        lines += slackLines(r)
        if r.atRisk.isEmpty {
            lines.append("No deadline or service month is newly at risk.")
        } else {
            for s in r.atRisk {
                lines.append(
                    "At risk: \(s.workload) \(s.month.map { "in \($0)" } ?? "by its deadline") short \(Formatted.shortfall(s.referenceHours)) reference-hours (\(String(format: "%.1f", s.fraction * 100))%): \(s.reason)."
                )
            }
        }
        return lines
    }

    /// One line per run whose finish or slack moved: the slack it lost (or gained), and when it
    /// now finishes.
    static func slackLines(_ r: Replan) -> [String] {
        r.slackChanges.map { change in
            let was = change.finishBefore.map { "before: \($0)" } ?? "before: not finishing"
            guard let finish = change.finishAfter, let after = change.slackAfter else {
                return "\(change.workload) no longer finishes its work by its deadline, \(change.deadline) (\(was))."
            }
            let slack =
                change.slackLost.map { lost in
                    lost > 0
                        ? "loses \(lost) month(s) of slack, \(after) left"
                        : lost < 0
                            ? "gains \(-lost) month(s) of slack, \(after) left" : "keeps \(after) month(s) of slack"
                } ?? "\(after) month(s) of slack"
            return "\(change.workload) \(slack): finishes \(finish) (\(was)), deadline \(change.deadline)."
        }
    }

    struct Document: Encodable {
        struct IncidentFields: Encodable {
            var provider: String
            var kind: String
            var from: String
            var months: Int?
            var deliveredFraction: Double
            var site: String?
            init(_ i: Incident) {
                provider = i.provider.rawValue
                kind = i.kind.rawValue
                from = i.from.description
                months = i.months
                deliveredFraction = i.deliveredFraction
                site = i.site?.rawValue
            }
        }
        var incident: IncidentFields
        var costBefore: Decimal
        var costAfter: Decimal
        var stranded: [Lease]
        var released: [Lease]
        var costDelta: Decimal
        var shortfallDeltaReferenceHours: Double
        var atRisk: [Shortfall]
        var slackChanges: [Replan.SlackChange]
        var plan: Plan
    }
}
