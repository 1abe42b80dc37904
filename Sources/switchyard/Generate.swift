import ArgumentParser
import Foundation
import SwitchyardCatalog
import SwitchyardModel

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a synthetic scenario: deterministic for a given seed and size.",
        discussion: """
            Used by tests and benchmarks. The same options always give the same file.

            Examples:
              switchyard generate --providers 20 --offers 200 --workloads 100 \\
                --months 24 --out medium.yaml
              switchyard generate --seed 7 --no-resilience --format json
            """)

    @Option(help: "Random stream seed.") var seed: UInt64 = 1
    @Option(help: "Number of providers.") var providers: Int = 5
    @Option(help: "Number of offers.") var offers: Int = 20
    @Option(help: "Number of workloads.") var workloads: Int = 10
    @Option(help: "Horizon length in months.") var months: Int = 12
    @Option(help: "Peak demand as a fraction of the capacity on offer.") var load: Double = 0.45
    @Flag(inversion: .prefixedNo, help: "Ask for N-1 resilience in the policy.") var resilience = true
    @Option(help: "yaml or json (default: from --out, else yaml).") var format: String?
    @Option(help: "Write here instead of standard output.") var out: String?

    func validate() throws {
        for (name, value, limit) in [
            ("providers", providers, 1000), ("offers", offers, 100_000), ("workloads", workloads, 100_000),
            ("months", months, 120),
        ]
        where value < 1 || value > limit {
            throw ValidationError("--\(name) must be between 1 and \(limit), got \(value)")
        }
        if !(load > 0 && load <= 5) { throw ValidationError("--load must be > 0 and <= 5, got \(load)") }
        if let format, DocumentFormat(rawValue: format) == nil {
            throw ValidationError("--format must be yaml or json, got '\(format)'")
        }
    }

    func run() throws {
        let scenario = ScenarioGenerator(
            .init(
                seed: seed, providers: providers, offers: offers, workloads: workloads, months: months,
                resilience: resilience, load: load)
        ).generate()
        let chosen =
            format.flatMap(DocumentFormat.init(rawValue:)) ?? out.flatMap(DocumentFormat.init(path:)) ?? .yaml
        try emit(ScenarioFile.text(scenario, format: chosen), to: out)
    }
}
