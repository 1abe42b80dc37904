import Foundation
import SwitchyardModel

extension PlanReport {
    /// The report's sections, in reading order; optional ones appear when they have content.
    static func sections(_ plan: Plan) -> [Section] {
        [
            overviewSection(plan),
            runsSection(plan),
            placementsSection(plan),
            leasesSection(plan),
            colocationSection(plan),
            backupsSection(plan),
            exercisedBackupsSection(plan),
            allocationSection(plan),
            shortfallsSection(plan),
            costByProviderSection(plan),
            spendByMonthSection(plan),
            sharesSection(plan),
            resilienceSection(plan),
            marginalValuesSection(plan),
            bindingSection(plan),
            solverSection(plan),
        ].compactMap { $0 }
    }

    /// Status, spend and the explanation's summary.
    static func overviewSection(_ plan: Plan) -> Section {
        let c = plan.cost
        var overview = Section(title: "Overview")
        overview.lines = [
            "\(plan.scenario): \(plan.horizon.start) to \(plan.horizon.end) (\(plan.horizon.months) months), solver \(plan.solver.statusSentence())",
            "Spend \(Formatted.money(c.total)): leases \(Formatted.money(c.leases)) (of which \(Formatted.money(c.leasesBeyondHorizon)) committed past the horizon), colocation \(Formatted.money(c.colocation)), backup fees \(Formatted.money(c.backupFees))"
                + (c.backupExercise > 0 ? ", backups exercised \(Formatted.money(c.backupExercise))" : "") + ".",
            "Expected backup exercise \(Formatted.money(c.expectedExercise)); \(penaltyText(plan)); objective \(Formatted.money(c.objective)).",
        ]
        overview.lines += runLines(plan)
        overview.lines += plan.explanation.summary
        return overview
    }

    /// The shortfall penalty, split into the plan's own shortfalls and what the provider-loss
    /// cases would leave short (the same rate prices both, so the split is by reference-hours).
    static func penaltyText(_ plan: Plan) -> String {
        let total = plan.cost.shortfallPenalty
        let own = plan.shortfalls.reduce(0) { $0 + $1.referenceHours }
        let lossCases = plan.resilience.reduce(0) { $0 + $1.shortfallReferenceHours }
        let cap = plan.cost.capPenalty.flatMap { $0 > 0 ? "; above-cap penalty \(Formatted.money($0))" : nil } ?? ""
        guard total > 0, lossCases > 0 else { return "shortfall penalty \(Formatted.money(total))" + cap }
        let lossShare = total * Decimal(lossCases / (own + lossCases))
        return "shortfall penalty \(Formatted.money(total)): \(Formatted.money(total - lossShare)) in the plan, "
            + "\(Formatted.money(lossShare)) priced in provider-loss cases (see N-1)" + cap
    }

    /// Where each training run lives, when it starts and finishes, and its slack to the deadline.
    static func runsSection(_ plan: Plan) -> Section? {
        guard !plan.runs.isEmpty else { return nil }
        var runs = Section(title: "Training runs (each one gang of one model in one cluster)")
        runs.header = ["run", "cluster", "accel", "from", "to", "finishes", "deadline", "slack"]
        runs.numericColumns = [2, 7]
        runs.lines = ["Slack: whole months from the month a run finishes to its deadline."]
        runs.rows = plan.runs.map {
            [
                $0.workload.rawValue, $0.cluster, "\($0.accelerators)", $0.start.description, $0.end.description,
                $0.finish?.description ?? "-", $0.deadline.description, $0.slackMonths.map(String.init) ?? "-",
            ]
        }
        return runs
    }

    /// Where batch streams' jobs and services' replicas run: whole gangs per cluster, one row per
    /// workload and cluster with the months it is used and the most gangs held at once.
    static func placementsSection(_ plan: Plan) -> Section? {
        guard !plan.placements.isEmpty else { return nil }
        var section = Section(title: "Batch jobs and service replicas (whole gangs, each in one cluster)")
        section.header = ["workload", "cluster", "gang", "from", "to", "months", "most gangs", "gang-months"]
        section.numericColumns = [2, 5, 6, 7]
        section.rows = plan.placementSummary.map {
            [
                $0.workload.rawValue, $0.cluster, "\($0.gang)", $0.from.description, $0.to.description, "\($0.months)",
                "\($0.mostGangs)", Formatted.grouped(Double($0.gangMonths)),
            ]
        }
        return section
    }

    /// One sentence per training run for the overview: where it lives and whether it is on time.
    static func runLines(_ plan: Plan) -> [String] {
        Dictionary(grouping: plan.runs, by: \.workload).sorted { $0.key < $1.key }.map { workload, stretches in
            let places = stretches.map { "\($0.cluster) \($0.start)…\($0.end)" }.joined(separator: ", then ")
            let last = stretches.last!
            let gang = Formatted.grouped(Double(last.accelerators))
            guard let finish = last.finish else {
                return
                    "\(workload) runs on \(gang) \(last.accelerator) (\(places)) and does not finish by its \(last.deadline) deadline (see Shortfalls)."
            }
            let slack = last.slackMonths ?? 0
            return "\(workload) runs on \(gang) \(last.accelerator) (\(places)), finishing in \(finish): on time, "
                + (slack == 0
                    ? "in its deadline month."
                    : "\(slack) month\(slack == 1 ? "" : "s") before its \(last.deadline) deadline.")
        }
    }

    /// The leases to sign, on-demand runs merged.
    static func leasesSection(_ plan: Plan) -> Section {
        var leases = Section(title: "Leases to sign (consecutive on-demand months with the same nodes on one row)")
        leases.header = [
            "provider", "offer", "model", "nodes", "term", "start", "months", "$/acc-h", "total",
        ]
        leases.numericColumns = [3, 6, 7, 8]
        leases.rows = Lease.rows(plan.leases).map {
            [
                $0.lease.provider.rawValue, $0.lease.offer.rawValue, $0.lease.accelerator.rawValue, "\($0.lease.nodes)",
                $0.lease.term.rawValue, $0.lease.start.description, "\($0.months)",
                "\($0.lease.pricePerAcceleratorHour)", Formatted.money($0.total),
            ]
        }
        if plan.leases.isEmpty { leases.lines = ["None."] }
        return leases
    }

    /// Colocation power rented and what it hosts.
    static func colocationSection(_ plan: Plan) -> Section? {
        guard !plan.colocation.isEmpty else { return nil }
        var colo = Section(title: "Colocation")
        colo.header = ["site", "provider", "from", "to", "kW (max)", "hosts (max)", "cost"]
        colo.numericColumns = [4, 6]
        for (site, rows) in Dictionary(grouping: plan.colocation, by: \.site).sorted(by: { $0.key < $1.key }) {
            let hosts = Dictionary(rows.flatMap { $0.hosted.map { ($0.key, $0.value) } }, uniquingKeysWith: max)
            colo.rows.append([
                site.rawValue, rows[0].provider.rawValue, rows.map(\.month).min()!.description,
                rows.map(\.month).max()!.description, String(format: "%.0f", rows.map(\.powerKW).max()!),
                hosts.sorted { $0.key < $1.key }.map { "\($0.key) ×\(Int($0.value.rounded()))" }.joined(
                    separator: ", "),
                Formatted.money(rows.reduce(0) { $0 + $1.cost }),
            ])
        }
        return colo
    }

    /// Backup options held.
    static func backupsSection(_ plan: Plan) -> Section? {
        guard !plan.backups.isEmpty else { return nil }
        var backups = Section(title: "Backup options to hold")
        backups.header = ["provider", "offer", "model", "nodes (max)", "from", "to", "fees"]
        backups.numericColumns = [3, 6]
        for (offer, rows) in Dictionary(grouping: plan.backups, by: \.offer).sorted(by: { $0.key < $1.key }) {
            backups.rows.append([
                rows[0].provider.rawValue, offer.rawValue, rows[0].accelerator.rawValue,
                "\(rows.map(\.nodes).max()!)",
                rows.map(\.month).min()!.description, rows.map(\.month).max()!.description,
                Formatted.money(rows.reduce(0) { $0 + $1.fee }),
            ])
        }
        return backups
    }

    /// Backups exercised (re-plans only).
    static func exercisedBackupsSection(_ plan: Plan) -> Section? {
        guard !plan.exercisedBackups.isEmpty else { return nil }
        var exercised = Section(title: "Backups exercised")
        exercised.header = ["offer", "from", "to", "nodes (max)", "cost"]
        exercised.numericColumns = [3, 4]
        for (offer, rows) in Dictionary(grouping: plan.exercisedBackups, by: \.offer).sorted(by: { $0.key < $1.key }
        ) {
            exercised.rows.append([
                offer.rawValue, rows.map(\.month).min()!.description, rows.map(\.month).max()!.description,
                String(format: "%.1f", rows.map(\.nodes).max()!), Formatted.money(rows.reduce(0) { $0 + $1.cost }),
            ])
        }
        return exercised
    }

    /// Accelerator-months by workload and model.
    static func allocationSection(_ plan: Plan) -> Section {
        var allocation = Section(title: "Allocation (accelerator-months by workload and model; full table in JSON)")
        let standby = plan.allocation.contains { ($0.standbyReferenceAccelerators ?? 0) > 0 }
        allocation.header =
            ["workload", "model", "first", "last", "acc-months", "ref-months"]
            + (standby ? ["served", "standby"] : [])
        allocation.numericColumns = standby ? [4, 5, 6, 7] : [4, 5]
        for (_, rows) in Dictionary(grouping: plan.allocation, by: { "\($0.workload)\u{0}\($0.accelerator)" }).sorted(
            by: { $0.key < $1.key })
        {
            let reference = rows.reduce(0) { $0 + $1.referenceAccelerators }
            let held = rows.reduce(0) { $0 + ($1.standbyReferenceAccelerators ?? 0) }
            allocation.rows.append(
                [
                    rows[0].workload.rawValue, rows[0].accelerator.rawValue, rows.map(\.month).min()!.description,
                    rows.map(\.month).max()!.description, Formatted.grouped(rows.reduce(0) { $0 + $1.accelerators }),
                    Formatted.grouped(reference),
                ] + (standby ? [Formatted.grouped(reference - held), Formatted.grouped(held)] : []))
        }
        if standby {
            allocation.lines = [
                "Served and standby are ref-months too. Standby: what a service holds beyond its capacity so that it keeps it when a provider is lost (N-1); it serves no demand until then."
            ]
        }
        return allocation
    }

    /// Demand left unmet, with reasons.
    static func shortfallsSection(_ plan: Plan) -> Section {
        var shortfalls = Section(title: "Shortfalls")
        if plan.shortfalls.isEmpty {
            shortfalls.lines = ["None: every workload gets what it asked for."]
        } else {
            shortfalls.header = ["workload", "month", "ref-hours short", "share", "why"]
            shortfalls.numericColumns = [2, 3]
            shortfalls.rows = plan.shortfalls.map {
                [
                    $0.workload.rawValue, $0.month?.description ?? "window", Formatted.shortfall($0.referenceHours),
                    String(format: "%.1f%%", $0.fraction * 100), $0.reason,
                ]
            }
        }
        // The cap's own shortfall: what runs above it, which the penalty prices like unmet demand.
        if let above = aboveCapLine(plan) {
            shortfalls.lines = plan.shortfalls.isEmpty ? ["No demand is unmet. " + above] : [above]
        }
        return shortfalls
    }

    /// Spend by provider and by model.
    static func costByProviderSection(_ plan: Plan) -> Section {
        let c = plan.cost
        var byProvider = Section(title: "Cost by provider and model")
        byProvider.header = ["provider or model", "spend", "share of spend"]
        byProvider.numericColumns = [1, 2]
        let total = c.total == 0 ? 1 : c.total
        for (provider, amount) in c.byProvider.sorted(by: { $0.value > $1.value }) {
            byProvider.rows.append([provider.rawValue, Formatted.money(amount), Formatted.percent(amount / total)])
        }
        for (model, amount) in c.byModel.sorted(by: { $0.value > $1.value }) {
            byProvider.rows.append([model.rawValue, Formatted.money(amount), Formatted.percent(amount / total)])
        }
        return byProvider
    }

    /// Spend by month.
    static func spendByMonthSection(_ plan: Plan) -> Section {
        let c = plan.cost
        var byMonth = Section(title: "Spend by month (commitments spread over the months they run)")
        byMonth.header = ["month", "spend"]
        byMonth.numericColumns = [1]
        byMonth.rows = c.byMonth.sorted { $0.key < $1.key }.map { [$0.key.description, Formatted.money($0.value)] }
        return byMonth
    }

    /// Each supplier's share of what runs against the cap.
    static func sharesSection(_ plan: Plan) -> Section {
        var shares = Section(title: "Supplier shares of what runs (reference units) vs the cap")
        shares.header = ["provider", "max share", "mean share", "months at cap", "months above", "cap"]
        shares.numericColumns = Set(1..<shares.header.count)
        for (provider, rows) in Dictionary(grouping: plan.shares, by: \.provider).sorted(by: { $0.key < $1.key }) {
            let atCap = rows.filter { $0.cap < 1 && $0.share >= $0.cap - 1e-6 }.count
            let above = rows.filter { ($0.aboveCap ?? 0) > 0 }.count
            shares.rows.append(
                [
                    provider.rawValue, Formatted.percent(rows.map(\.share).max()!),
                    Formatted.percent(rows.map(\.share).reduce(0, +) / Double(rows.count)), "\(atCap)", "\(above)",
                    Formatted.percent(rows.map(\.cap).min()!, digits: 0),
                ])
        }
        if let line = aboveCapLine(plan) { shares.lines = [line] }
        return shares
    }

    /// Where the plan runs a provider above the cap on what runs (whole gangs, or too few
    /// suppliers, left nothing to balance it), and what it is priced at. Nil when every month is
    /// within the cap.
    static func aboveCapLine(_ plan: Plan) -> String? {
        let above = plan.shares.filter { ($0.aboveCap ?? 0) > 0 }
        guard
            let top = above.max(by: { ($0.share, $1.month, $1.provider) < ($1.share, $0.month, $0.provider) })
        else { return nil }
        let units = above.reduce(0.0) { $0 + ($1.aboveCap ?? 0) }
        // Rounded up, so a share above the cap never reads as the cap.
        let most = String(format: "%.2f%%", (top.share * 10_000).rounded(.up) / 100)
        return "The plan runs above the \(Formatted.percent(top.cap, digits: 0)) share cap on what runs in "
            + "\(above.count) provider-month(s), \(Formatted.shortfall(units)) reference-unit-months in all, the most "
            + "\(top.provider) at \(most) in \(top.month): no placement of whole gangs with the suppliers there are "
            + "balanced it for less than the shortfall penalty, which prices it "
            + "(\(Formatted.money(plan.cost.capPenalty ?? 0)))."
    }

    /// The N-1 table.
    static func resilienceSection(_ plan: Plan) -> Section? {
        guard !plan.resilience.isEmpty else { return nil }
        var n1 = Section(title: "N-1: if one provider delivers nothing")
        n1.header = [
            "provider lost", "covered (horizon)", "required (monthly)", "short (ref-h)", "exercise cost",
            "backups exercised",
        ]
        n1.numericColumns = [1, 2, 3, 4]
        n1.rows = plan.resilience.map { row in
            let used = Dictionary(grouping: row.exercised, by: \.offer).map {
                "\($0.key) ≤\(Int($0.value.map(\.nodes).max()!.rounded(.up)))"
            }
            return [
                row.provider.rawValue, Formatted.coverage(row.criticalCoverage),
                Formatted.percent(row.requiredCoverage, digits: 0), Formatted.shortfall(row.shortfallReferenceHours),
                Formatted.money(row.exerciseCost), used.sorted().joined(separator: ", ").ifEmpty("none"),
            ]
        }
        // What the columns measure: coverage is over the whole horizon, the requirement holds in
        // every month, so a loss can cover more than required overall and still be short.
        n1.lines = [
            "Covered: critical reference-hours still delivered without the provider ÷ critical demand, over the horizon (rounded down). Short: reference-hours below the required share, summed over the months (services) and windows (runs, batch streams) that fall below it; a loss can cover more than required over the horizon and still be short in some months."
        ]
        // Training runs cannot be spread over the others: each stays, restarts whole, or is lost.
        n1.lines += plan.resilience.flatMap { row in row.runRestarts.map { runFate($0, without: row.provider) } }
        return n1
    }

    /// One run's fate in one provider's loss, as a sentence.
    static func runFate(_ r: RunRestart, without provider: ProviderID) -> String {
        guard let cluster = r.cluster, let start = r.start, let finish = r.finish else {
            return "Without \(provider), \(r.workload) is lost: no cluster of another provider holds its gang "
                + "for the months its work needs with what the plan holds there; its work is short in that loss."
        }
        let slack = r.slackMonths.map {
            $0 == 0 ? "in its deadline month" : "\($0) month\($0 == 1 ? "" : "s") before its deadline"
        }
        if r.fate == .stays {
            return "Without \(provider), \(r.workload) stays on \(cluster) (\(start) to \(finish))."
        }
        let delay =
            r.delayMonths.map {
                $0 == 0 ? "no later than planned" : "\($0) month\($0 == 1 ? "" : "s") later than planned"
            } ?? ""
        let when = r.onTime ? "on time" + (slack.map { ", " + $0 } ?? "") : "past its deadline"
        return "Without \(provider), \(r.workload) restarts on \(cluster) from \(start), finishing \(finish) "
            + "(\(delay)): \(when)."
    }

    /// Marginal value of one more accelerator per model.
    static func marginalValuesSection(_ plan: Plan) -> Section {
        var marginal = Section(title: "Marginal value of one more accelerator (USD per accelerator-month)")
        marginal.header = ["model", "mean", "max", "month of max"]
        marginal.numericColumns = [1, 2]
        for (model, rows) in Dictionary(grouping: plan.explanation.marginalValues, by: \.accelerator).sorted(by: {
            $0.key < $1.key
        }) {
            let top = rows.max { $0.usdPerAcceleratorMonth < $1.usdPerAcceleratorMonth }!
            marginal.rows.append([
                model.rawValue,
                Formatted.money(usd(rows.map(\.usdPerAcceleratorMonth).reduce(0, +) / Double(rows.count))),
                Formatted.money(usd(top.usdPerAcceleratorMonth)),
                top.usdPerAcceleratorMonth > 0 ? top.month.description : "-",
            ])
        }
        return marginal
    }

    /// What binds and what relaxing it would save.
    static func bindingSection(_ plan: Plan) -> Section {
        var binding = Section(title: "What binds, and what relaxing it would save")
        if plan.explanation.binding.isEmpty {
            binding.lines = ["Nothing binds: no cap, budget or availability limits the plan."]
        } else {
            binding.header = ["constraint", "subject", "months", "saving (sum)", "for"]
            binding.numericColumns = [2, 3]
            let groups = Dictionary(grouping: plan.explanation.binding, by: { "\($0.kind.rawValue)\u{0}\($0.subject)" })
            binding.rows = groups.values.map { rows in
                [
                    rows[0].kind.rawValue, rows[0].subject, "\(rows.count)",
                    Formatted.money(usd(rows.map(\.savingUSD).reduce(0, +))),
                    rows[0].relaxation + (rows[0].month == nil ? "" : " in each month"),
                ]
            }.sorted { $0[0] == $1[0] ? $0[1] < $1[1] : $0[0] < $1[0] }
        }
        return binding
    }

    /// How the solve went.
    static func solverSection(_ plan: Plan) -> Section {
        var solver = Section(title: "Solver")
        let s = plan.solver
        solver.lines = [
            "\(s.variables) variables (\(s.integerVariables) integer), \(s.constraints) constraints, \(s.nonzeros) nonzeros; "
                + String(
                    format:
                        "build %.2f s, solve %.2f s (LP relaxation %.2f, rounding %.2f, branch and cut %.2f, loss checks %.2f), explain %.2f s, gap %.3f%%, %d nodes",
                    s.buildSeconds, s.solveSeconds, s.relaxationSeconds, s.roundingSeconds, s.branchAndCutSeconds,
                    s.lossCheckSeconds, s.explainSeconds, s.gap * 100, s.nodes)
        ]
        if let line = progressLine(s) { solver.lines.append(line) }
        if s.resilienceRounds > 0 {
            solver.lines.append(
                "N-1 by constraint generation: \(s.resilienceRounds) round(s) (on the relaxation, then on rounded plans); \(s.lossCasesOptimised) provider-loss case(s) optimised with the plan, \(plan.resilience.count - s.lossCasesOptimised) checked against it."
            )
        }
        return solver
    }

    /// The plan and its gap over time, from the solve's curve: "Over time: 0.3 s $1,260,955,313
    /// (rounded, 17.95%); …". At most eight points (the first four and the last four).
    static func progressLine(_ s: SolverReport) -> String? {
        let points = (s.progress ?? []).filter { $0.objectiveUSD != nil }
        guard !points.isEmpty else { return nil }
        func text(_ p: SolverProgressPoint) -> String {
            let gap = s.gap(at: p).map { String(format: ", %.2f%%", $0 * 100) } ?? ""
            return String(format: "%.1f s ", p.seconds) + Formatted.money(p.objectiveUSD ?? 0)
                + " (\(p.step.rawValue)\(gap))"
        }
        let shown =
            points.count <= 8 ? points.map(text) : points.prefix(4).map(text) + ["…"] + points.suffix(4).map(text)
        return "Over time: " + shown.joined(separator: "; ")
    }
}
