import ArgumentParser
import Foundation
import Planner
import Scheduler
import Simulator
import Solver
import SwitchyardCatalog
import SwitchyardModel

/// Benchmarks over generated scenarios. Not a test: it measures, prints and asserts nothing.
@main
struct SwitchyardBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard-bench",
        abstract: "Measure Switchyard on generated scenarios.",
        subcommands: [PlanBench.self, AllocateBench.self, SimulateBench.self])
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

struct AllocateBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allocate",
        abstract: "Time heterogeneity-aware max-min fairness for 1k, 10k and 100k jobs over 3 and 12 models.",
        discussion: """
            Jobs are drawn from 83 job types (as many as Gavel's throughput table has keys) with
            deterministic synthetic throughputs; each run groups the jobs into types and solves the LP.
            Reports the best of --repeats runs.
            """)

    @Option(help: "Runs per size; the best is reported.") var repeats = 5
    @Option(help: "Also time the same LP in Python with cvxpy (bench/allocate_cvxpy.py); needs python3 with cvxpy.")
    var cvxpy: String?

    func run() throws {
        print("| jobs | models | job types | group ms | LP ms | total ms | cvxpy LP ms | cvxpy ÷ Swift LP |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for models in [3, 12] {
            for jobs in [1_000, 10_000, 100_000] {
                var rng = SplitMix64(seed: 7)
                let pools = (0..<models).map { Pool(model: AcceleratorModelID("m\($0)"), accelerators: 64 + 8 * $0) }
                let types = (0..<83).map { t in
                    JobClass(
                        id: "t\(t)", gang: [1, 1, 1, 2, 4, 8][t % 6], weight: 1,
                        throughput: (0..<models).map { _ in rng.uniform() < 0.1 ? 0 : rng.uniform(0.5, 10) })
                }
                let all = (0..<jobs).map { _ in types[rng.int(types.count)] }
                var best = (group: Double.infinity, lp: Double.infinity, count: 0)
                var last: (JobGrouping, AllocationResult)?
                for _ in 0..<max(1, repeats) {
                    let start = ContinuousClock.now
                    let grouping = JobGrouping(all, policy: .maxMinFairness)
                    let grouped = ContinuousClock.now
                    let result = try Allocator().allocate(grouping.classes, pools: pools, policy: .maxMinFairness)
                    let done = ContinuousClock.now
                    let g = milliseconds(grouped - start)
                    let l = milliseconds(done - grouped)
                    if g + l < best.group + best.lp { best = (g, l, grouping.classes.count) }
                    last = (grouping, result)
                }
                var python = ("-", "-")
                if let script = cvxpy, let (grouping, result) = last {
                    let ms = try timeCvxpy(script: script, classes: grouping.classes, pools: pools, result: result)
                    python = (String(format: "%.2f", ms), String(format: "%.1f×", ms / best.lp))
                }
                print(
                    String(
                        format: "| %d | %d | %d | %.2f | %.2f | %.2f | %@ | %@ |", jobs, models, best.count, best.group,
                        best.lp, best.group + best.lp, python.0, python.1))
            }
        }
    }

    /// Exports the grouped problem and runs the cvxpy version on it; returns its best milliseconds.
    func timeCvxpy(script: String, classes: [JobClass], pools: [Pool], result: AllocationResult) throws -> Double {
        let problem: [String: Any] = [
            "pools": pools.map { ["accelerators": $0.accelerators] },
            "classes": classes.map {
                ["count": $0.count, "gang": $0.gang, "weight": $0.weight, "throughput": $0.throughput]
            },
            "equalShare": result.equalShareThroughput,
        ]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("allocate-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: path) }
        try JSONSerialization.data(withJSONObject: problem).write(to: path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, path.path, "--repeats", String(max(1, repeats))]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // HiGHS prints a banner first: the answer is the last line.
        let last = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        guard process.terminationStatus == 0,
            let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any],
            let ms = object["ms"] as? Double
        else { throw ValidationError("the cvxpy run failed (is cvxpy installed? pip install cvxpy)") }
        return ms
    }

    func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) * 1e-15
    }
}

struct SimulateBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Time simulations of 1,000 and 10,000 Gavel-like jobs on a 108-accelerator, 3-model cluster.",
        discussion: "Aware max-min fairness, 6-minute rounds, traces from Gavel's throughput table.")

    @Option(help: "Gavel's throughput JSON.") var throughputs = "../shared/data/gavel/simulation_throughputs.json"
    @Option(help: "Mean arrivals per hour.") var jobsPerHour: Double = 30
    @Option(help: "Comma-separated job counts.") var jobs = "1000,10000"

    func run() throws {
        guard let data = FileManager.default.contents(atPath: throughputs) else {
            throw ValidationError("cannot read \(throughputs)")
        }
        let table = try GavelThroughputs.parse(data)
        let pools = ["nvidia-k80", "nvidia-p100", "nvidia-v100"].map {
            Pool(model: AcceleratorModelID($0), accelerators: 36)
        }
        print("| jobs | jobs/hour | rounds | simulated hours | average JCT h | wall s |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: |")
        for count in jobs.split(separator: ",").compactMap({ Int($0) }) {
            var generator = GavelTraceGenerator(throughputs: table)
            generator.jobs = count
            generator.jobsPerHour = jobsPerHour
            let trace = try generator.generate()
            let classes = try JobClass.fromGavel(trace: trace, throughputs: table, pools: pools)
            let simulated = zip(trace, classes).map { job, c in
                SimulatedJob(
                    id: c.id, arrivalSeconds: job.arrivalSeconds, work: job.totalSteps, gang: c.gang,
                    throughput: c.throughput)
            }
            let rounds = RoundCounter()
            var simulator = Simulator(pools: pools, policy: .maxMinFairness)
            simulator.onRound = { _ in rounds.increment() }
            let start = ContinuousClock.now
            let metrics = try simulator.run(simulated)
            let wall = ContinuousClock.now - start
            print(
                String(
                    format: "| %d | %.0f | %d | %.0f | %.2f | %.2f |", count, jobsPerHour, rounds.value,
                    metrics.makespanSeconds / 3600,
                    metrics.averageJCT / 3600,
                    Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18))
        }
    }
}

final class RoundCounter: @unchecked Sendable {
    // @unchecked: the simulator calls back on its own thread, one round after another; the lock
    // covers the read after it returns.
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
