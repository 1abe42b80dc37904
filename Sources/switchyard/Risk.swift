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
            Each sample draws incidents from the scenario's `risk` section (docs/scenario.md;
            providers it does not name get defaults from their failureProbability, printed),
            re-plans at each incident as `switchyard replan` would (knowing the incidents struck
            so far), and simulates the result through the outages. The report gives each run's
            probability of finishing on time with a 95% interval, each service's shortfall, the
            cost's mean, median, 95th percentile and CVaR95, and which providers and failure
            groups the missed deadlines come with. The same seed gives the same report.

            Examples:
              switchyard plan examples/frontier-lab.yaml --format json --out plan.json
              switchyard risk examples/frontier-lab.yaml --plan plan.json --samples 200 --seed 7
            """)

    @Argument(help: "The scenario file the plan was made for.") var scenario: String
    @Option(help: "The plan, as written by `switchyard plan --format json`.") var plan: String
    @Option(help: "How many futures to sample.") var samples = 100
    @Option(help: "The sampling seed.") var seed: UInt64 = 1
    @Option(help: "text, markdown or json.") var format: PlanReport.Format = .text
    @Option(help: "Write the report here instead of standard output.") var out: String?
    @OptionGroup var limits: SolveLimits

    func validate() throws {
        guard (1...1_000_000).contains(samples) else { throw ValidationError("--samples must be in 1...1000000") }
    }

    func run() throws {
        let loaded = try loadScenario(scenario)
        let base = try PlanFile.load(path: plan)
        guard base.scenarioFingerprint == fingerprint(of: loaded) else {
            throw InputError(
                [
                    Diagnostic(
                        path: "scenarioFingerprint",
                        message:
                            "the plan was made for another scenario (or this one changed since); re-run `switchyard plan` first"
                    )
                ], source: plan)
        }
        let analysis = RiskAnalysis(scenario: loaded, plan: base, seed: seed, planner: limits.planner)
        let terminal = isatty(2) == 1
        func bar(_ done: Int) {
            guard terminal else { return }
            let width = 30
            let filled = done * width / samples
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            FileHandle.standardError.write(Data("\r\(bar) \(done)/\(samples) futures".utf8))
            if done == samples { FileHandle.standardError.write(Data("\n".utf8)) }
        }
        let outcomes: [SampleOutcome]
        do {
            outcomes = try analysis.run(samples: samples, progress: bar)
        } catch let error as RiskSampleError {
            throw CLIFailure.solver(error.description)
        }
        let summary = RiskSummary(outcomes: outcomes, plan: base, scenario: loaded, seed: seed)
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(summary)
            try emit(PlanFile.tidyNumbers(String(decoding: data, as: UTF8.self)) + "\n", to: out)
        case .text, .markdown:
            try emit(summary.render(markdown: format == .markdown), to: out)
        }
    }
}
