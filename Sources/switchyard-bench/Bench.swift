import ArgumentParser
import Foundation
import Planner
import Solver
import SwitchyardCatalog
import SwitchyardModel

/// Benchmarks over generated scenarios. Not a test: it measures, prints and asserts nothing.
@main
struct SwitchyardBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard-bench",
        abstract: "Measure Switchyard on generated scenarios.",
        subcommands: [PlanBench.self])
}

struct PlanBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan generated scenarios of three sizes, N-1 on and off; print model size, time and gap.",
        discussion: """
            Sizes (providers, offers, workloads, months): small 5/20/10/12, medium 20/200/100/24,
            large 50/1000/300/36. Each run plans one scenario generated with --seed, to a 1% gap.

            Example:
              make bench
              SWITCHYARD_BENCHMARKS=1 swift run -c release switchyard-bench plan --sizes small,medium
            """)

    @Option(help: "Comma-separated sizes: small, medium, large.") var sizes = "small,medium,large"
    @Option(help: "Generator seed.") var seed: UInt64 = 1
    @Option(help: "Time limit per plan, seconds.") var timeLimit: Double = 120
    @Option(help: "Relative gap to stop at.") var gap: Double = 0.01
    @Option(help: "Write the rows as Markdown to this file too.") var markdown: String?
    @Option(
        help: """
            Sizes that also run N-1 with every provider-loss case in the model from the start (the \
            comparison for constraint generation). On large it ran over 7 minutes without a plan.
            """)
    var allCasesSizes = "small,medium"

    func mode(_ resilience: Bool, _ generate: Bool) -> String {
        resilience ? (generate ? "on" : "on, all cases in model") : "off"
    }

    static let shapes: [String: (Int, Int, Int, Int)] = [
        "small": (5, 20, 10, 12), "medium": (20, 200, 100, 24), "large": (50, 1000, 300, 36),
    ]

    func run() throws {
        let header =
            "| size | N-1 | variables | integer | constraints | nonzeros | build s | LP relax s | rounding s | branch&cut s | loss checks s | N-1 rounds (cases in model) | explain s | total s | gap | status |"
        var rows = [header, "|" + String(repeating: " ---: |", count: 16)]
        print(header)
        for size in sizes.split(separator: ",").map(String.init) {
            guard let (p, o, w, m) = Self.shapes[size] else { throw ValidationError("unknown size '\(size)'") }
            let allCases = allCasesSizes.split(separator: ",").map(String.init).contains(size)
            for (resilience, generate) in [(false, true), (true, true), (true, false)] where generate || allCases {
                let scenario = ScenarioGenerator(
                    .init(seed: seed, providers: p, offers: o, workloads: w, months: m, resilience: resilience)
                ).generate()
                let clock = ContinuousClock.now
                let plan: Plan
                do {
                    var planner = Planner(options: SolveOptions(timeLimitSeconds: timeLimit, relativeGap: gap))
                    planner.generateLossCases = generate
                    plan = try planner.plan(scenario)
                } catch {
                    let row = "| \(size) | \(mode(resilience, generate)) | \(error) |"
                    print(row)
                    rows.append(row)
                    continue
                }
                let total = ContinuousClock.now - clock
                let s = plan.solver
                let seconds = Double(total.components.seconds) + Double(total.components.attoseconds) * 1e-18
                let row = String(
                    format:
                        "| %@ | %@ | %d | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %d (%d) | %.2f | %.2f | %.2f%% | %@ |",
                    size,
                    mode(resilience, generate), s.variables, s.integerVariables, s.constraints, s.nonzeros,
                    s.buildSeconds,
                    s.relaxationSeconds, s.roundingSeconds, s.branchAndCutSeconds, s.lossCheckSeconds,
                    s.resilienceRounds,
                    s.lossCasesOptimised, s.explainSeconds, seconds, s.gap * 100, s.status)
                print(row)
                fflush(nil)
                rows.append(row)
            }
        }
        if let markdown {
            try (rows.joined(separator: "\n") + "\n").write(toFile: markdown, atomically: true, encoding: .utf8)
        }
    }
}
