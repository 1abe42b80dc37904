import Foundation
import SwitchyardCatalog
import SwitchyardModel

/// What a risk analysis found, from its samples' outcomes: per run the probability of finishing
/// on time with a 95% interval, per service its shortfall, the cost's distribution and tail, and
/// which providers and failure groups the missed deadlines come with.
public struct RiskSummary: Sendable, Equatable, Codable {
    public struct RunRisk: Sendable, Equatable, Codable {
        public var workload: WorkloadID
        /// Share of samples in which it finished by its deadline.
        public var onTime: Double
        /// Wilson 95% interval of that probability.
        public var low: Double
        public var high: Double
        /// Its standard error, sqrt(p(1 − p)/n).
        public var standardError: Double
        /// Samples late but finished inside the horizon, with the mean days late; samples not
        /// finished inside it.
        public var lateFinished: Int
        public var meanLateDays: Double?
        public var unfinished: Int
    }
    public struct ServiceRisk: Sendable, Equatable, Codable {
        public var workload: WorkloadID
        /// Share of its capacity short in its worst month: mean and 95th percentile over samples.
        public var expectedShort: Double
        public var p95Short: Double
    }
    public struct CostRisk: Sendable, Equatable, Codable {
        public var meanUSD: Double
        public var p50USD: Double
        public var p95USD: Double
        /// Mean of the worst 5% of samples (conditional value at risk).
        public var cvar95USD: Double
        /// Standard error of the mean.
        public var standardErrorUSD: Double
        /// The plan's own spend, with nothing going wrong.
        public var planUSD: Double
    }
    public struct Attribution: Sendable, Equatable, Codable {
        /// A provider, or `group ID`.
        public var source: String
        /// Samples in which it struck.
        public var samples: Int
        /// Missed run deadlines in those samples, each shared equally among the sources that
        /// struck in its sample.
        public var missedDeadlines: Double
    }

    public var samples: Int
    public var seed: UInt64
    /// Samples in which nothing struck.
    public var quiet: Int
    /// Samples in which some re-plan found no plan (met on the plan as it stood).
    public var unanswered: Int
    /// Share of samples in which every run finished on time, with its Wilson 95% interval.
    public var allOnTime: Double
    public var allOnTimeLow: Double
    public var allOnTimeHigh: Double
    public var runs: [RunRisk]
    public var services: [ServiceRisk]
    public var cost: CostRisk
    public var attribution: [Attribution]
    /// The providers whose risk is the default (`RiskModel.defaults`), stated.
    public var defaults: [String]

    /// The summary of `outcomes` (sample order), for `plan` under `scenario`'s risk model.
    public init(outcomes: [SampleOutcome], plan: Plan, scenario: Scenario, seed: UInt64) {
        let n = outcomes.count
        samples = n
        self.seed = seed
        quiet = outcomes.filter { $0.incidents.isEmpty }.count
        unanswered = outcomes.filter { $0.unanswered > 0 }.count
        let allMet = outcomes.filter { $0.onTime.values.allSatisfy { $0 } }.count
        allOnTime = n > 0 ? Double(allMet) / Double(n) : 0
        (allOnTimeLow, allOnTimeHigh) = Self.wilson(successes: allMet, of: n)
        let runIDs = Set(outcomes.flatMap(\.onTime.keys)).sorted()
        runs = runIDs.map { w in
            let onTime = outcomes.filter { $0.onTime[w] == true }.count
            let p = n > 0 ? Double(onTime) / Double(n) : 0
            let (low, high) = Self.wilson(successes: onTime, of: n)
            let late = outcomes.compactMap { $0.lateDays[w] }
            return RunRisk(
                workload: w, onTime: p, low: low, high: high,
                standardError: n > 0 ? (p * (1 - p) / Double(n)).squareRoot() : 0, lateFinished: late.count,
                meanLateDays: late.isEmpty ? nil : late.reduce(0, +) / Double(late.count),
                unfinished: n - onTime - late.count)
        }
        services = Set(outcomes.flatMap(\.serviceShort.keys)).sorted().map { w in
            let short = outcomes.map { $0.serviceShort[w] ?? 0 }
            return ServiceRisk(
                workload: w, expectedShort: short.reduce(0, +) / Double(max(1, n)),
                p95Short: Self.quantile(short, 0.95))
        }
        let costs = outcomes.map(\.costUSD)
        let mean = costs.reduce(0, +) / Double(max(1, n))
        let variance = n > 1 ? costs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1) : 0
        let sorted = costs.sorted()
        let tail = sorted.suffix(max(1, Int((Double(n) * 0.05).rounded(.up))))
        cost = CostRisk(
            meanUSD: mean, p50USD: Self.quantile(costs, 0.5), p95USD: Self.quantile(costs, 0.95),
            cvar95USD: tail.isEmpty ? 0 : tail.reduce(0, +) / Double(tail.count),
            standardErrorUSD: n > 0 ? (variance / Double(n)).squareRoot() : 0,
            planUSD: NSDecimalNumber(decimal: plan.cost.total).doubleValue)
        var struck: [String: Int] = [:]
        var missed: [String: Double] = [:]
        for outcome in outcomes {
            let sources = Set(outcome.incidents.map(\.source))
            for source in sources { struck[source, default: 0] += 1 }
            let misses = Double(outcome.onTime.values.filter { !$0 }.count)
            guard misses > 0, !sources.isEmpty else { continue }
            for source in sources { missed[source, default: 0] += misses / Double(sources.count) }
        }
        attribution = struck.keys.sorted().map {
            Attribution(source: $0, samples: struck[$0]!, missedDeadlines: missed[$0] ?? 0)
        }
        let stated = Set((scenario.risk?.providers ?? []).map(\.provider))
        defaults = scenario.providers.filter { !stated.contains($0.id) }.map {
            "\($0.id): outage with probability \(Formatted.percent($0.failureProbability)) over the horizon, "
                + "from a month drawn uniformly, lasting 30/91/182 days with probability 0.5/0.3/0.2, delivering nothing"
        }
    }

    /// Several plans' summaries over the same samples (the same seed draws the same futures for
    /// each: common random numbers, so their differences are not sampling noise), one row each:
    /// P(every run on time) with its interval ("P(all on time)", so the table fits 100 columns),
    /// expected cost, p95 and CVaR95.
    public static func comparison(_ rows: [(name: String, summary: RiskSummary)], markdown: Bool = false) -> String {
        let header = [
            "plan", "P(all on time)", "95% interval", "expected cost", "p95 cost", "CVaR95", "if nothing fails",
        ]
        let cells = rows.map { row -> [String] in
            let s = row.summary
            return [
                row.name, Formatted.percent(s.allOnTime),
                "\(Formatted.percent(s.allOnTimeLow))–\(Formatted.percent(s.allOnTimeHigh))",
                Formatted.dollars(s.cost.meanUSD), Formatted.dollars(s.cost.p95USD),
                Formatted.dollars(s.cost.cvar95USD),
                Formatted.dollars(s.cost.planUSD),
            ]
        }
        if markdown {
            return ([header] + [header.map { _ in "---" }] + cells).map { "| " + $0.joined(separator: " | ") + " |" }
                .joined(separator: "\n") + "\n"
        }
        return TextTable.render(header: header, rows: cells, rightAligned: Set(1..<header.count)) + "\n"
    }

    /// The Wilson score interval at 95% for `successes` of `n`.
    static func wilson(successes: Int, of n: Int) -> (Double, Double) {
        guard n > 0 else { return (0, 1) }
        let z = 1.959_963_984_540_054
        let p = Double(successes) / Double(n)
        let nn = Double(n)
        let centre = p + z * z / (2 * nn)
        let spread = z * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot()
        let scale = 1 + z * z / nn
        return (max(0, (centre - spread) / scale), min(1, (centre + spread) / scale))
    }

    /// The q-quantile by the nearest-rank rule (the smallest value with at least q of the
    /// samples at or below it).
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = max(1, Int((q * Double(sorted.count)).rounded(.up)))
        return sorted[min(sorted.count, rank) - 1]
    }

    /// The summary as text (`markdown`: headings and bullet lines).
    public func render(markdown: Bool = false) -> String {
        var lines: [String] = []
        func heading(_ title: String) {
            lines.append(markdown ? "## \(title)" : title)
            if !markdown { lines.append(String(repeating: "═", count: title.count)) }
        }
        // Prose wraps at the reports' 100 columns on a terminal; markdown keeps one line a bullet.
        func line(_ text: String) { lines += markdown ? ["- \(text)"] : TextWrap.wrap(text) }
        heading("Risk over \(Formatted.grouped(Double(samples))) sampled futures (seed \(seed))")
        line(
            "\(Formatted.grouped(Double(quiet))) had no incident; in the others the plan was re-planned at each incident, "
                + "as `switchyard replan` would, and simulated through it.")
        if unanswered > 0 {
            line(
                "In \(unanswered) of them a re-plan found no plan: they met that incident on the plan as it stood, "
                    + "not re-planned.")
        }
        line(
            "Every run on time in \(Formatted.percent(allOnTime)) of them (95% interval "
                + "\(Formatted.percent(allOnTimeLow))–\(Formatted.percent(allOnTimeHigh))).")
        for run in runs {
            var text =
                "\(run.workload) finishes on time with probability \(Formatted.percent(run.onTime)) "
                + "(95% interval \(Formatted.percent(run.low))–\(Formatted.percent(run.high)), "
                + "standard error \(Formatted.percent(run.standardError)))"
            if run.lateFinished > 0, let days = run.meanLateDays {
                text += "; late in \(run.lateFinished) sample(s), by \(Formatted.grouped(days)) days on average"
            }
            if run.unfinished > 0 { text += "; not finished inside the horizon in \(run.unfinished) sample(s)" }
            line(text + ".")
        }
        for service in services {
            line(
                "\(service.workload) is short \(Formatted.percent(service.expectedShort)) of its capacity in its worst "
                    + "month on average, \(Formatted.percent(service.p95Short)) at the 95th percentile.")
        }
        line(
            "Cost, the plan's spend and its reactions': mean \(Formatted.dollars(cost.meanUSD)) "
                + "(± \(Formatted.dollars(cost.standardErrorUSD)) standard error), median \(Formatted.dollars(cost.p50USD)), "
                + "95th percentile \(Formatted.dollars(cost.p95USD)), CVaR95 \(Formatted.dollars(cost.cvar95USD)); "
                + "\(Formatted.dollars(cost.planUSD)) if nothing goes wrong.")
        if !attribution.isEmpty {
            lines.append("")
            heading("Where the misses come from")
            for a in attribution {
                line(
                    "\(a.source): struck in \(a.samples) sample(s), with \(Formatted.grouped(a.missedDeadlines)) "
                        + "missed run deadline(s) to its share.")
            }
        }
        if !defaults.isEmpty {
            lines.append("")
            heading("Defaults (no `risk` entry)")
            for d in defaults { line(d) }
        }
        lines.append("")
        line(
            "Standard errors shrink with the square root of the samples: four times as many halve them.")
        return lines.joined(separator: "\n") + "\n"
    }
}
