import Foundation
import SwitchyardModel

/// Renders a plan for people (text, Markdown) and programs (JSON). The sections are built once
/// and rendered by each format, so text and Markdown always say the same thing.
public enum PlanReport {
    /// Report formats.
    public enum Format: String, CaseIterable, Sendable { case text, markdown, json }

    /// The plan in `format`.
    public static func render(_ plan: Plan, format: Format) -> String {
        switch format {
        case .json: return PlanFile.encode(plan)
        case .text: return renderText(sections(plan))
        case .markdown: return renderMarkdown(sections(plan), title: "Sourcing plan: \(plan.scenario)")
        }
    }

    /// A titled block: sentences, then an optional table.
    struct Section {
        var title: String
        var lines: [String] = []
        var header: [String] = []
        var rows: [[String]] = []
        var numericColumns: Set<Int> = []
    }

    static func sections(_ plan: Plan) -> [Section] {
        var result: [Section] = []
        let c = plan.cost
        var overview = Section(title: "Overview")
        overview.lines = [
            "\(plan.scenario): \(plan.horizon.start) to \(plan.horizon.end) (\(plan.horizon.months) months), solver \(plan.solver.status)"
                + (plan.solver.gap > 1e-9 ? String(format: " with a %.2f%% gap", plan.solver.gap * 100) : ""),
            "Spend \(money(c.total)): leases \(money(c.leases)) (of which \(money(c.leasesBeyondHorizon)) committed past the horizon), colocation \(money(c.colocation)), backup fees \(money(c.backupFees))"
                + (c.backupExercise > 0 ? ", backups exercised \(money(c.backupExercise))" : "") + ".",
            "Expected backup exercise \(money(c.expectedExercise)); shortfall penalty \(money(c.shortfallPenalty)); objective \(money(c.objective)).",
        ]
        overview.lines += plan.explanation.summary
        result.append(overview)

        var leases = Section(title: "Leases to sign (consecutive on-demand months with the same nodes on one row)")
        leases.header = [
            "provider", "offer", "model", "nodes", "accel", "term", "start", "months", "$/acc-h", "per month", "total",
        ]
        leases.numericColumns = [3, 4, 7, 8, 9, 10]
        leases.rows = groupedLeases(plan.leases).map {
            [
                $0.lease.provider.rawValue, $0.lease.offer.rawValue, $0.lease.accelerator.rawValue, "\($0.lease.nodes)",
                "\($0.lease.accelerators)", $0.lease.term.rawValue,
                $0.last == $0.lease.start ? $0.lease.start.description : "\($0.lease.start)…\($0.last)",
                "\($0.months)", "\($0.lease.pricePerAcceleratorHour)", money($0.lease.monthlyCost), money($0.total),
            ]
        }
        if plan.leases.isEmpty { leases.lines = ["None."] }
        result.append(leases)

        if !plan.colocation.isEmpty {
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
                    money(rows.reduce(0) { $0 + $1.cost }),
                ])
            }
            result.append(colo)
        }

        if !plan.backups.isEmpty {
            var backups = Section(title: "Backup options to hold")
            backups.header = ["provider", "offer", "model", "nodes (max)", "from", "to", "fees"]
            backups.numericColumns = [3, 6]
            for (offer, rows) in Dictionary(grouping: plan.backups, by: \.offer).sorted(by: { $0.key < $1.key }) {
                backups.rows.append([
                    rows[0].provider.rawValue, offer.rawValue, rows[0].accelerator.rawValue,
                    "\(rows.map(\.nodes).max()!)",
                    rows.map(\.month).min()!.description, rows.map(\.month).max()!.description,
                    money(rows.reduce(0) { $0 + $1.fee }),
                ])
            }
            result.append(backups)
        }

        if !plan.exercisedBackups.isEmpty {
            var exercised = Section(title: "Backups exercised")
            exercised.header = ["offer", "from", "to", "nodes (max)", "cost"]
            exercised.numericColumns = [3, 4]
            for (offer, rows) in Dictionary(grouping: plan.exercisedBackups, by: \.offer).sorted(by: { $0.key < $1.key }
            ) {
                exercised.rows.append([
                    offer.rawValue, rows.map(\.month).min()!.description, rows.map(\.month).max()!.description,
                    String(format: "%.1f", rows.map(\.nodes).max()!), money(rows.reduce(0) { $0 + $1.cost }),
                ])
            }
            result.append(exercised)
        }

        var allocation = Section(title: "Allocation (accelerator-months by workload and model; full table in JSON)")
        allocation.header = ["workload", "model", "first", "last", "acc-months", "ref-months"]
        allocation.numericColumns = [4, 5]
        for (key, rows) in Dictionary(grouping: plan.allocation, by: { "\($0.workload)\u{0}\($0.accelerator)" }).sorted(
            by: { $0.key < $1.key })
        {
            _ = key
            allocation.rows.append([
                rows[0].workload.rawValue, rows[0].accelerator.rawValue, rows.map(\.month).min()!.description,
                rows.map(\.month).max()!.description, String(format: "%.0f", rows.reduce(0) { $0 + $1.accelerators }),
                String(format: "%.0f", rows.reduce(0) { $0 + $1.referenceAccelerators }),
            ])
        }
        result.append(allocation)

        var shortfalls = Section(title: "Shortfalls")
        if plan.shortfalls.isEmpty {
            shortfalls.lines = ["None: every workload gets what it asked for."]
        } else {
            shortfalls.header = ["workload", "month", "ref-hours short", "share", "why"]
            shortfalls.numericColumns = [2, 3]
            shortfalls.rows = plan.shortfalls.map {
                [
                    $0.workload.rawValue, $0.month?.description ?? "window", String(format: "%.0f", $0.referenceHours),
                    String(format: "%.1f%%", $0.fraction * 100), $0.reason,
                ]
            }
        }
        result.append(shortfalls)

        var byProvider = Section(title: "Cost by provider and model")
        byProvider.header = ["provider or model", "spend", "share of spend"]
        byProvider.numericColumns = [1, 2]
        let total = c.total == 0 ? 1 : c.total
        for (provider, amount) in c.byProvider.sorted(by: { $0.value > $1.value }) {
            byProvider.rows.append([provider.rawValue, money(amount), percent(amount / total)])
        }
        for (model, amount) in c.byModel.sorted(by: { $0.value > $1.value }) {
            byProvider.rows.append([model.rawValue, money(amount), percent(amount / total)])
        }
        result.append(byProvider)

        var byMonth = Section(title: "Spend by month (commitments spread over the months they run)")
        byMonth.header = ["month", "spend"]
        byMonth.numericColumns = [1]
        byMonth.rows = c.byMonth.sorted { $0.key < $1.key }.map { [$0.key.description, money($0.value)] }
        result.append(byMonth)

        var shares = Section(title: "Supplier shares of capacity (reference units) vs the cap")
        shares.header = ["provider", "max share", "mean share", "months at cap", "cap"]
        shares.numericColumns = [1, 2, 3, 4]
        for (provider, rows) in Dictionary(grouping: plan.shares, by: \.provider).sorted(by: { $0.key < $1.key }) {
            let atCap = rows.filter { $0.share >= $0.cap - 1e-6 }.count
            shares.rows.append([
                provider.rawValue, String(format: "%.1f%%", rows.map(\.share).max()! * 100),
                String(format: "%.1f%%", rows.map(\.share).reduce(0, +) / Double(rows.count) * 100), "\(atCap)",
                String(format: "%.0f%%", rows[0].cap * 100),
            ])
        }
        result.append(shares)

        if !plan.resilience.isEmpty {
            var n1 = Section(title: "N-1: if one provider delivers nothing")
            n1.header = [
                "provider lost", "critical covered", "required", "short (ref-h)", "exercise cost", "backups exercised",
            ]
            n1.numericColumns = [1, 2, 3, 4]
            n1.rows = plan.resilience.map { row in
                let used = Dictionary(grouping: row.exercised, by: \.offer).map {
                    "\($0.key) ≤\(Int($0.value.map(\.nodes).max()!.rounded(.up)))"
                }
                return [
                    row.provider.rawValue, String(format: "%.1f%%", row.criticalCoverage * 100),
                    String(format: "%.0f%%", row.requiredCoverage * 100),
                    String(format: "%.0f", row.shortfallReferenceHours),
                    money(row.exerciseCost), used.sorted().joined(separator: ", ").ifEmpty("none"),
                ]
            }
            result.append(n1)
        }

        var marginal = Section(title: "Marginal value of one more accelerator (USD per accelerator-month)")
        marginal.header = ["model", "mean", "max", "month of max"]
        marginal.numericColumns = [1, 2]
        for (model, rows) in Dictionary(grouping: plan.explanation.marginalValues, by: \.accelerator).sorted(by: {
            $0.key < $1.key
        }) {
            let top = rows.max { $0.usdPerAcceleratorMonth < $1.usdPerAcceleratorMonth }!
            marginal.rows.append([
                model.rawValue, money(usd(rows.map(\.usdPerAcceleratorMonth).reduce(0, +) / Double(rows.count))),
                money(usd(top.usdPerAcceleratorMonth)), top.usdPerAcceleratorMonth > 0 ? top.month.description : "-",
            ])
        }
        result.append(marginal)

        var binding = Section(title: "What binds, and what relaxing it would save")
        if plan.explanation.binding.isEmpty {
            binding.lines = ["Nothing binds: no cap, budget or availability limits the plan."]
        } else {
            binding.header = ["constraint", "subject", "months", "saving (sum)", "for"]
            binding.numericColumns = [2, 3]
            let groups = Dictionary(grouping: plan.explanation.binding, by: { "\($0.kind)\u{0}\($0.subject)" })
            binding.rows = groups.values.map { rows in
                [
                    rows[0].kind, rows[0].subject, "\(rows.count)", money(usd(rows.map(\.savingUSD).reduce(0, +))),
                    rows[0].relaxation + (rows[0].month == nil ? "" : " in each month"),
                ]
            }.sorted { $0[0] == $1[0] ? $0[1] < $1[1] : $0[0] < $1[0] }
        }
        result.append(binding)

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
        if s.resilienceRounds > 0 {
            solver.lines.append(
                "N-1 by constraint generation: \(s.resilienceRounds) round(s); \(s.lossCasesOptimised) provider-loss case(s) optimised with the plan, \(plan.resilience.count - s.lossCasesOptimised) checked against it."
            )
        }
        result.append(solver)
        return result
    }

    /// Leases with runs of on-demand months (same offer, same nodes, back to back) merged.
    static func groupedLeases(_ leases: [Lease]) -> [(lease: Lease, last: YearMonth, months: Int, total: Decimal)] {
        let sorted = leases.sorted {
            ($0.provider, $0.offer, $0.term, $0.start) < ($1.provider, $1.offer, $1.term, $1.start)
        }
        var groups: [(lease: Lease, last: YearMonth, months: Int, total: Decimal)] = []
        for lease in sorted {
            if lease.term == .onDemand, let previous = groups.last, previous.lease.term == .onDemand,
                previous.lease.offer == lease.offer, previous.lease.nodes == lease.nodes,
                previous.last.adding(months: 1) == lease.start
            {
                groups[groups.count - 1] = (
                    previous.lease, lease.start, previous.months + 1, previous.total + lease.totalCost
                )
            } else {
                groups.append((lease, lease.start, lease.months, lease.totalCost))
            }
        }
        return groups.sorted {
            ($0.lease.provider, $0.lease.start, $0.lease.offer) < ($1.lease.provider, $1.lease.start, $1.lease.offer)
        }
    }

    static func renderText(_ sections: [Section]) -> String {
        var out: [String] = []
        for section in sections {
            out.append(section.title)
            out.append(String(repeating: "═", count: section.title.count))
            out += section.lines
            if !section.header.isEmpty {
                if !section.lines.isEmpty { out.append("") }
                out.append(table(section.header, section.rows, numeric: section.numericColumns))
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    static func renderMarkdown(_ sections: [Section], title: String) -> String {
        var out = ["# \(title)", ""]
        for section in sections {
            out.append("## \(section.title)")
            out.append("")
            out += section.lines.map { "- \($0)" }
            if !section.lines.isEmpty { out.append("") }
            if !section.header.isEmpty {
                out.append("| " + section.header.joined(separator: " | ") + " |")
                out.append(
                    "|"
                        + section.header.indices.map { section.numericColumns.contains($0) ? " ---: |" : " --- |" }
                        .joined())
                for row in section.rows {
                    out.append(
                        "| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
                    )
                }
                out.append("")
            }
        }
        return out.joined(separator: "\n")
    }

    /// A fixed-width table.
    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int>) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (i, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: max(0, widths[i] - cell.count))
                text +=
                    (i == 0 ? "" : "  ") + (numeric.contains(i) ? pad + cell : cell + (i == cells.count - 1 ? "" : pad))
            }
            return text
        }
        return
            ([line(header), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")] + rows.map(line))
            .joined(separator: "\n")
    }

    /// `$1,234,567` for large amounts, cents below $100.
    public static func money(_ value: Decimal) -> String {
        let number = NSDecimalNumber(decimal: value).doubleValue
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.numberStyle = .decimal
        formatter.usesGroupingSeparator = true
        formatter.groupingSeparator = ","
        formatter.groupingSize = 3
        formatter.maximumFractionDigits = abs(number) < 100 ? 2 : 0
        formatter.minimumFractionDigits = abs(number) < 100 && number != number.rounded() ? 2 : 0
        let text = formatter.string(from: NSNumber(value: abs(number))) ?? "\(abs(number))"
        return (number < 0 ? "-$" : "$") + text
    }

    /// A whole number with thousands separators: `351,268`.
    static func grouped(_ value: Double) -> String {
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.numberStyle = .decimal
        formatter.usesGroupingSeparator = true
        formatter.groupingSeparator = ","
        formatter.groupingSize = 3
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: value.rounded())) ?? "\(Int(value.rounded()))"
    }

    static func percent(_ value: Decimal) -> String {
        String(format: "%.1f%%", NSDecimalNumber(decimal: value).doubleValue * 100)
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}

/// Reads and writes plans as JSON: stable key order, documented in docs/planner.md.
public enum PlanFile {
    /// The plan as key-sorted JSON, pretty unless `compact` (for storage and the API).
    public static func encode(_ plan: Plan, compact: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            compact ? [.sortedKeys, .withoutEscapingSlashes] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(plan) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Reads a plan written by `encode`.
    ///
    /// - Throws: `InputError` naming the file and what is wrong.
    public static func load(path: String) throws -> Plan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError([Diagnostic(path: "", message: "cannot be read (no such file?)")], source: path)
        }
        do {
            return try decode(data)
        } catch var error as InputError {
            error.source = path
            throw error
        }
    }

    /// Reads a plan written by `encode` from bytes.
    ///
    /// - Throws: `InputError` saying what is wrong.
    public static func decode(_ data: Data) throws -> Plan {
        do {
            return try JSONDecoder().decode(Plan.self, from: data)
        } catch let error as DecodingError {
            throw InputError([describe(error)])
        } catch {
            throw InputError([Diagnostic(path: "", message: "not a plan: \(error)")])
        }
    }

    static func describe(_ error: DecodingError) -> Diagnostic {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(
                in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return Diagnostic(
                path: path(context.codingPath + [key]),
                message: "missing field: is this a plan written by `switchyard plan --format json`?")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return Diagnostic(path: path(context.codingPath), message: "wrong type: \(context.debugDescription)")
        case .dataCorrupted(let context):
            return Diagnostic(
                path: path(context.codingPath), message: "not valid plan JSON: \(context.debugDescription)")
        @unknown default:
            return Diagnostic(path: "", message: "not a plan")
        }
    }
}
