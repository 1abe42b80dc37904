import ArgumentParser
import Foundation
import Planner
import Risk
import SwitchyardCatalog
import SwitchyardModel

struct RiskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk",
        abstract: "Sample supply futures and say what a plan does in them: P(on time) per run, cost tails.",
        discussion: """
            Each sample draws incidents from the scenario's `risk` section
            (docs/scenario.md; providers it does not name get defaults from their
            failureProbability, printed), re-plans at each incident as `switchyard replan`
            would (knowing the incidents struck so far), and simulates the result through
            the outages. The report gives each run's probability of finishing on time with
            a 95% interval, each service's shortfall, the cost's mean, median, 95th
            percentile and CVaR95, and which providers and failure groups the missed
            deadlines come with. The same seed gives the same report.

            Examples:
              switchyard plan examples/frontier-lab.yaml --format json --out plan.json
              switchyard risk examples/frontier-lab.yaml --plan plan.json \\
                --samples 200 --seed 7
              switchyard risk examples/frontier-lab.yaml --plan cheap.json \\
                --plan n1.json --samples 200
              switchyard risk examples/frontier-lab.yaml --strategy as-written \\
                --strategy no-n-1 --samples 40 --frontier frontier.svg
            """)

    @Argument(help: "The scenario file the plan was made for.") var scenario: String
    @Option(
        help: """
            The plan, as written by `switchyard plan --format json`. Repeat to compare plans on the \
            same sampled futures.
            """)
    var plan: [String] = []
    @Option(
        help: """
            A sourcing strategy to plan from the scenario and compare on the same futures \
            (repeatable): as-written, no-n-1 (no resilience), no-cap (no share cap), \
            no-backups (no backup options).
            """)
    var strategy: [Strategy] = []
    @Option(help: "How many futures to sample.") var samples = 100
    @Option(help: "The sampling seed.") var seed: UInt64 = 1
    @Option(help: "Futures evaluated at once (default: the machine's cores); the report does not depend on it.")
    var jobs = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "text, markdown or json.") var format: PlanReport.Format = .text
    @Option(help: "Write the report here instead of standard output.") var out: String?
    @Option(
        help: """
            With two or more plans or strategies, also write the efficient frontier here as SVG: \
            P(all runs on time) against expected cost and against CVaR95.
            """)
    var frontier: String?
    @OptionGroup var limits: SolveLimits
    @Option(
        help: """
            The relative gap each future's re-plans stop at (the strategies are planned to --gap). \
            2% moves the example's mean cost by 0.02%, far inside its sampling error, and takes a \
            quarter off the time (README, Benchmarks).
            """)
    var replanGap = RiskAnalysis.replanGap

    func validate() throws {
        guard (1...1_000_000).contains(samples) else { throw ValidationError("--samples must be in 1...1000000") }
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be in 1...256") }
        guard replanGap >= 0, replanGap < 1 else { throw ValidationError("--replan-gap must be in [0, 1)") }
        guard !plan.isEmpty || !strategy.isEmpty else { throw ValidationError("give --plan or --strategy") }
        if frontier != nil, plan.count + strategy.count < 2 {
            throw ValidationError("--frontier compares plans: give two or more --plan or --strategy")
        }
    }

    func run() throws {
        let loaded = try loadScenario(scenario)
        var summaries: [(name: String, summary: RiskSummary)] = []
        for path in plan {
            let base = try PlanFile.load(path: path)
            do { try Planner.requireMade(base, for: loaded) } catch PlannerError.input(var problems) {
                problems.source = path
                throw problems
            }
            summaries.append((path, try summary(of: base, loaded, name: path)))
        }
        for chosen in strategy {
            let variant = chosen.apply(to: loaded)
            let base: Plan
            do {
                defer { limits.endStatusLine() }
                base = try limits.planner.plan(variant)
            }
            summaries.append((chosen.rawValue, try summary(of: base, variant, name: chosen.rawValue)))
        }
        if let frontier {
            try emit(RiskFrontier.svg(summaries, title: "Risk frontier: \(loaded.name)"), to: frontier)
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            struct Compared: Encodable {
                let plan: String
                let risk: RiskSummary
            }
            let data =
                summaries.count == 1
                ? try encoder.encode(summaries[0].summary)
                : try encoder.encode(["plans": summaries.map { Compared(plan: $0.name, risk: $0.summary) }])
            try emit(PlanFile.tidyNumbers(String(decoding: data, as: UTF8.self)) + "\n", to: out)
        case .text, .markdown:
            let markdown = format == .markdown
            guard summaries.count > 1 else {
                try emit(summaries[0].summary.render(markdown: markdown), to: out)
                return
            }
            let each = summaries.map {
                (markdown ? "# " : "") + "\($0.name)\n\n" + $0.summary.render(markdown: markdown)
            }
            try emit(
                RiskSummary.comparison(summaries, markdown: markdown) + "\n" + each.joined(separator: "\n"), to: out)
        }
    }

    /// One plan's risk over the samples (the same futures for every plan).
    func summary(of base: Plan, _ loaded: Scenario, name path: String) throws -> RiskSummary {
        // The futures' re-plans are counted by the bar, not each shown on the status line.
        var planner = limits.planner
        if limits.statusLine { planner.progress = nil }
        // The futures take the cores (`--jobs`): no second process per re-plan.
        planner.searchesBound = false
        planner.options.relativeGap = replanGap
        let analysis = RiskAnalysis(scenario: loaded, plan: base, seed: seed, planner: planner)
        let terminal = isatty(2) == 1 && !limits.quiet
        let total = samples
        let bar: @Sendable (Int) -> Void = { done in
            guard terminal else { return }
            let width = 30
            let filled = done * width / total
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data("\r\(bar) \(done)/\(total) futures of \(path)".utf8))
            if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
        }
        do {
            let outcomes = try analysis.run(samples: samples, workers: jobs, progress: bar)
            return RiskSummary(outcomes: outcomes, plan: base, scenario: loaded, seed: seed)
        } catch let error as RiskSampleError {
            throw CLIFailure.solver("\(path): \(error.description)")
        }
    }
}

/// A sourcing strategy built from one scenario, for comparing on the same futures.
enum Strategy: String, ExpressibleByArgument, CaseIterable {
    case asWritten = "as-written"
    case noN1 = "no-n-1"
    case noCap = "no-cap"
    case noBackups = "no-backups"

    /// The scenario this strategy plans.
    func apply(to scenario: Scenario) -> Scenario {
        var variant = scenario
        switch self {
        case .asWritten: break
        case .noN1: variant.policy.resilience = .none
        case .noCap: variant.policy.maxProviderShare = 1
        case .noBackups:
            for i in variant.offers.indices { variant.offers[i].backup = nil }
        }
        return variant
    }
}
