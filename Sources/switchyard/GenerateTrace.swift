import ArgumentParser
import Foundation
import SwitchyardCatalog
import SwitchyardModel

struct GenerateTrace: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-trace",
        abstract: "Write a seeded job trace in Gavel's format with Gavel's synthetic job mix.",
        discussion: """
            Job types come from the throughput table; durations on a V100 follow Gavel's
            mix; arrivals are Poisson. The same options always give the same trace.

            Example:
              switchyard generate-trace \\
                --throughputs ../shared/data/gavel/simulation_throughputs.json \\
                --jobs 1000 --out trace.txt
            """)

    @Option(help: "Gavel's throughput JSON.") var throughputs: String
    @Option(help: "How many jobs.") var jobs: Int = 100
    @Option(help: "Mean arrivals per hour.") var jobsPerHour: Double = 60
    @Option(help: "Random stream seed.") var seed: UInt64 = 1
    @Flag(inversion: .prefixedNo, help: "Include gangs of 2, 4 and 8.") var multiGPU = true
    @Option(help: "Write here instead of standard output.") var out: String?

    func validate() throws {
        guard (1...1_000_000).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 1000000") }
        guard jobsPerHour > 0, jobsPerHour.isFinite else { throw ValidationError("--jobs-per-hour must be > 0") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: throughputs) else {
            throw InputError(
                [Diagnostic(path: "", message: ScenarioFile.readFailure(throughputs))], source: throughputs)
        }
        var generator = GavelTraceGenerator(throughputs: try GavelThroughputs.parse(data))
        generator.seed = seed
        generator.jobs = jobs
        generator.jobsPerHour = jobsPerHour
        generator.multiGPU = multiGPU
        try emit(GavelTraceGenerator.text(try generator.generate()), to: out)
    }
}
