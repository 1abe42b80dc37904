import ArgumentParser
import Foundation
import Planner
import Risk
import Scheduler
import Simulator
import Solver
import SwitchyardCatalog
import SwitchyardModel
import Synchronization

/// Benchmarks over generated scenarios. Not a test: it measures, prints and asserts nothing.
@main
struct SwitchyardBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard-bench",
        abstract: "Measure Switchyard on generated scenarios.",
        subcommands: [
            PlanBench.self, AllocateBench.self, SimulateBench.self, GavelBench.self, RiskBench.self,
            RiskQueueBench.self,
        ])
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
    @Option(help: "Which N-1 modes to run: any of off, on, all (every loss case in the model).")
    var modes = "off,on,all"
    @Flag(help: "Print each plan's solver steps to standard error as they happen.") var progress = false
    @Option(help: "Processes a plan runs at once, as `switchyard plan --threads` (2: a bound search beside it).")
    var threads = min(2, ProcessInfo.processInfo.activeProcessorCount)
    @Option(
        help: """
            A `switchyard` program to run Cbc in, as the CLI does (a Cbc crash then costs one search, \
            not the benchmark). Default: the one beside this program, else Cbc in this process.
            """)
    var cbcChild: String?

    func mode(_ resilience: Bool, _ generate: Bool) -> String {
        resilience ? (generate ? "on" : "on, all cases in model") : "off"
    }

    static let shapes: [String: (Int, Int, Int, Int)] = [
        "small": (5, 20, 10, 12), "medium": (20, 200, 100, 24), "large": (50, 1000, 300, 36),
    ]

    func run() throws {
        let header =
            "| size | N-1 | variables | integer | constraints | nonzeros | build s | LP relax s | rounding s | branch&cut s | loss checks s | N-1 rounds (cases in model) | explain s | total s | gap at 10 s | at 60 s | gap | status |"
        var rows = [header, "|" + String(repeating: " ---: |", count: 18)]
        print(header)
        for size in sizes.split(separator: ",").map(String.init) {
            guard let (p, o, w, m) = Self.shapes[size] else { throw ValidationError("unknown size '\(size)'") }
            let allCases = allCasesSizes.split(separator: ",").map(String.init).contains(size)
            let wanted = Set(modes.split(separator: ",").map(String.init))
            let runs = [("off", false, true), ("on", true, true), ("all", true, false)]
            for (name, resilience, generate) in runs where wanted.contains(name) && (generate || allCases) {
                let scenario = ScenarioGenerator(
                    .init(seed: seed, providers: p, offers: o, workloads: w, months: m, resilience: resilience)
                ).generate()
                let clock = ContinuousClock.now
                let plan: Plan
                do {
                    var planner = Planner(options: SolveOptions(timeLimitSeconds: timeLimit, relativeGap: gap))
                    if let cbcChild {
                        planner.milpSolver = IsolatedCbcSolver(executable: URL(fileURLWithPath: cbcChild))
                    }
                    planner.generateLossCases = generate
                    planner.searchesBound = threads > 1
                    if progress {
                        planner.progress = { FileHandle.standardError.write(Data(("  " + $0 + "\n").utf8)) }
                    }
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
                        "| %@ | %@ | %d | %d | %d | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %d (%d) | %.2f | %.2f | %@ | %@ | %.2f%% | %@ |",
                    size,
                    mode(resilience, generate), s.variables, s.integerVariables, s.constraints, s.nonzeros,
                    s.buildSeconds,
                    s.relaxationSeconds, s.roundingSeconds, s.branchAndCutSeconds, s.lossCheckSeconds,
                    s.resilienceRounds,
                    s.lossCasesOptimised, s.explainSeconds, seconds, Self.gap(s, at: 10), Self.gap(s, at: 60),
                    s.gap * 100,
                    s.status)
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

extension PlanBench {
    /// The gap of the best plan and bound on the solve's curve `seconds` into it ("—" before the
    /// first plan of the final model; N-1 rounds before it are other models).
    static func gap(_ s: SolverReport, at seconds: Double) -> String {
        guard let point = s.progress?.last(where: { $0.seconds <= seconds }), let gap = s.gap(at: point) else {
            return "—"
        }
        return String(format: "%.2f%%", gap * 100)
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
        let pools = gavelCluster
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

struct GavelBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gavel",
        abstract: "Gavel's paper-scale comparison: aware vs agnostic max-min fairness on 108 GPUs.",
        discussion: """
            5,000 jobs of Gavel's synthetic mix (its throughput table) arriving at 4.8 an hour on
            36 K80 + 36 P100 + 36 V100, 6-minute rounds; average JCT over jobs 4,000–4,999 (by
            arrival: the steady state of a continuous stream, as Gavel's paper measures), for
            single-accelerator and multi-accelerator traces, with each simulation's wall time. Then
            the wall time of one `switchyard simulate` process with a one-job trace (reading the
            1.2 MB table is most of it), median of 5.
            """)

    @Option(help: "Gavel's throughput JSON.") var throughputs = "../shared/data/gavel/simulation_throughputs.json"
    @Option(help: "Jobs in the stream.") var jobs = 5000
    @Option(help: "Mean arrivals per hour.") var jobsPerHour = 4.8
    @Option(help: "Measured jobs, by arrival index: FROM-TO.") var window = "4000-4999"
    @Option(help: "The switchyard program, for the one-job timing.") var switchyard = ".build/release/switchyard"

    func run() throws {
        guard let data = FileManager.default.contents(atPath: throughputs) else {
            throw ValidationError("cannot read \(throughputs)")
        }
        let bounds = window.split(separator: "-").compactMap { Int($0) }
        guard bounds.count == 2, bounds[0] <= bounds[1], bounds[1] < jobs else {
            throw ValidationError("--window must be FROM-TO inside the stream")
        }
        let table = try GavelThroughputs.parse(data)
        let pools = gavelCluster
        print("| trace | policy | average JCT h (jobs \(window)) | makespan h | wall s |")
        print("| --- | --- | ---: | ---: | ---: |")
        for multi in [false, true] {
            var generator = GavelTraceGenerator(throughputs: table)
            generator.jobs = jobs
            generator.jobsPerHour = jobsPerHour
            generator.multiGPU = multi
            let trace = try generator.generate()
            let classes = try JobClass.fromGavel(trace: trace, throughputs: table, pools: pools)
            let simulated = zip(trace, classes).map { job, c in
                SimulatedJob(
                    id: c.id, arrivalSeconds: job.arrivalSeconds, work: job.totalSteps, gang: c.gang,
                    weight: c.weight, throughput: c.throughput)
            }
            let byArrival = SimulatedJob.arrivalOrder(simulated)
            let measured = byArrival[bounds[0]...bounds[1]]
            var averages: [Double] = []
            for policy in [AllocationPolicy.maxMinFairness, .maxMinFairnessAgnostic] {
                let simulator = Simulator(pools: pools, policy: policy)
                let start = ContinuousClock.now
                let metrics = try simulator.run(simulated)
                let wall = ContinuousClock.now - start
                let times = measured.compactMap { j in metrics.finishSeconds[j].map { $0 - simulated[j].arrivalSeconds }
                }
                let average = times.isEmpty ? .nan : times.reduce(0, +) / Double(times.count)
                averages.append(average)
                print(
                    String(
                        format: "| %@ | %@ | %.2f%@ | %.0f | %.2f |", multi ? "multi-GPU" : "single-GPU",
                        policy.rawValue, average / 3600,
                        times.count < measured.count ? " (\(measured.count - times.count) unfinished)" : "",
                        metrics.makespanSeconds / 3600,
                        Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18))
            }
            print(
                String(
                    format: "| %@ | agnostic ÷ aware | %.2f× | | |", multi ? "multi-GPU" : "single-GPU",
                    averages[1] / averages[0]))
        }
        try oneJob(table: data)
    }

    /// One `switchyard simulate` process with a one-job Gavel trace: median wall time of 5.
    func oneJob(table: Data) throws {
        guard FileManager.default.isExecutableFile(atPath: switchyard) else {
            print("(no \(switchyard): one-job timing skipped)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gavel-bench-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fleet = dir.appendingPathComponent("fleet.csv")
        try "model,accelerators\nnvidia-k80,36\nnvidia-p100,36\nnvidia-v100,36\n".write(
            to: fleet, atomically: true, encoding: .utf8)
        var generator = GavelTraceGenerator(throughputs: try GavelThroughputs.parse(table))
        generator.jobs = 1
        let trace = dir.appendingPathComponent("one.txt")
        try GavelTraceGenerator.text(try generator.generate()).write(to: trace, atomically: true, encoding: .utf8)
        func median(_ arguments: [String]) throws -> Double {
            var walls: [Double] = []
            for _ in 0..<5 {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: switchyard)
                process.arguments = arguments
                process.standardOutput = FileHandle.nullDevice
                let start = ContinuousClock.now
                try process.run()
                process.waitUntilExit()
                let wall = ContinuousClock.now - start
                guard process.terminationStatus == 0 else { throw ValidationError("switchyard \(arguments[0]) failed") }
                walls.append(Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18)
            }
            return walls.sorted()[2]
        }
        let simulate = try median([
            "simulate", "--fleet", fleet.path, "--gavel-trace", trace.path, "--gavel-throughputs", throughputs,
        ])
        // In this process: reading the table and simulating the job, without starting a program.
        let clock = ContinuousClock.now
        let parsed = try GavelThroughputs.parse(try Data(contentsOf: URL(fileURLWithPath: throughputs)))
        let lines = try GavelTraceJob.parse(try String(contentsOf: trace, encoding: .utf8))
        let pools = gavelCluster
        let classes = try JobClass.fromGavel(trace: lines, throughputs: parsed, pools: pools)
        _ = try Simulator(pools: pools, policy: .maxMinFairness).run(
            zip(lines, classes).map { line, c in
                SimulatedJob(
                    id: c.id, arrivalSeconds: line.arrivalSeconds, work: line.totalSteps, throughput: c.throughput)
            })
        let inProcess = ContinuousClock.now - clock
        print(
            String(
                format: "\nin-process (read the table, simulate one job): %.3f s",
                Double(inProcess.components.seconds) + Double(inProcess.components.attoseconds) * 1e-18))
        // The same program doing nothing: what starting a process costs from here.
        let start = try median(["--help"])
        print(
            String(
                format:
                    "one-job `switchyard simulate` with Gavel's table: %.3f s (median of 5); `switchyard --help`: %.3f s",
                simulate, start))
    }
}

/// Gavel's simulated cluster: 36 each of K80, P100 and V100.
let gavelCluster = ["nvidia-k80", "nvidia-p100", "nvidia-v100"].map {
    Pool(model: AcceleratorModelID($0), accelerators: 36)
}

final class RoundCounter: @unchecked Sendable {
    // @unchecked: the simulator calls back on its own thread, one round after another; the lock
    // covers the read after it returns.
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

struct RiskBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk",
        abstract: "Time `switchyard risk` on the example: sampled futures, a re-plan per incident, a simulation each.",
        discussion: """
            Samples that draw the same incidents share one evaluation; --workers futures are
            evaluated at once (each re-plan's MILP in a solver process of its own).
            """)

    @Option(help: "The scenario.") var scenario = "examples/frontier-lab.yaml"
    @Option(help: "How many futures.") var samples = 200
    @Option(help: "The sampling seed.") var seed: UInt64 = 1
    @Option(help: "Each re-plan's time limit, seconds.") var timeLimit: Double = 30
    @Option(help: "The relative gap each re-plan stops at (the plan is made at 1%).") var gap = RiskAnalysis.replanGap
    @Option(help: "Futures evaluated at once; one row per value.") var workers: [Int] = [1, 2]
    @Option(help: "The solver child (`switchyard`), as the CLI runs Cbc; none: in this process.")
    var cbcChild: String?
    @Option(help: "Then time each distinct future alone (two at a time, nothing shared); print the N slowest.")
    var slowest = 0

    func run() throws {
        let loaded = try ScenarioFile.load(path: scenario)
        var planner = Planner(options: SolveOptions(timeLimitSeconds: timeLimit, relativeGap: 0.01))
        if let cbcChild { planner.milpSolver = IsolatedCbcSolver(executable: URL(fileURLWithPath: cbcChild)) }
        let clock = ContinuousClock.now
        let plan = try planner.plan(loaded)
        let planned = ContinuousClock.now - clock
        planner.options.relativeGap = gap
        print(
            "| samples | workers | distinct futures | re-plans | plan s | risk s | s per sample | P(all runs on time) | mean cost ± standard error |"
        )
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for count in workers {
            let start = ContinuousClock.now
            let outcomes = try RiskAnalysis(scenario: loaded, plan: plan, seed: seed, planner: planner).run(
                samples: samples, workers: count)
            let wall = ContinuousClock.now - start
            func seconds(_ d: Duration) -> Double {
                Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
            }
            let futures = Set(outcomes.map { RiskAnalysis.key(of: $0.incidents) })
            // Re-plans made: one per distinct beginning of a future (futures that begin alike
            // share them), of the incidents the distinct futures hold in all.
            let beginnings = Set(
                outcomes.flatMap { o in
                    (1..<(o.incidents.count + 1)).map { RiskAnalysis.key(of: Array(o.incidents.prefix($0))) }
                })
            let struck = Dictionary(outcomes.map { (RiskAnalysis.key(of: $0.incidents), $0.incidents.count) }) { a, _ in
                a
            }
            let summary = RiskSummary(outcomes: outcomes, plan: plan, scenario: loaded, seed: seed)
            print(
                String(
                    format: "| %d | %d | %d | %d of %d | %.1f | %.1f | %.3f | %.1f%% | $%.0f ± %.0f |", samples, count,
                    futures.count, beginnings.count, struck.values.reduce(0, +), seconds(planned), seconds(wall),
                    seconds(wall) / Double(samples), summary.allOnTime * 100, summary.cost.meanUSD,
                    summary.cost.standardErrorUSD))
        }
        if slowest > 0 { try timeEach(loaded, plan: plan, planner: planner) }
    }

    /// Each distinct future evaluated alone, two at a time; the slowest printed with what they drew.
    func timeEach(_ loaded: Scenario, plan: Plan, planner: Planner) throws {
        let futures = RiskAnalysis(scenario: loaded, plan: plan, seed: seed, planner: planner).futures(samples: samples)
        let times = Mutex<[(seconds: Double, sample: Int)]>([])
        let samplesOf = futures.sampleCounts
        DispatchQueue.concurrentPerform(iterations: 2) { w in
            for f in stride(from: w, to: futures.firstSamples.count, by: 2) {
                let alone = RiskAnalysis(scenario: loaded, plan: plan, seed: seed, planner: planner)
                let start = ContinuousClock.now
                _ = try? alone.evaluate(samples: [futures.firstSamples[f]])
                let took = ContinuousClock.now - start
                let s = Double(took.components.seconds) + Double(took.components.attoseconds) * 1e-18
                times.withLock { $0.append((s, f)) }
            }
        }
        let all = times.withLock { $0 }.sorted { ($0.seconds, $0.sample) > ($1.seconds, $1.sample) }
        print(
            String(
                format: "Each future alone: %.1f s in all, %.2f s mean; the %d slowest:",
                all.map(\.seconds).reduce(0, +),
                all.map(\.seconds).reduce(0, +) / Double(max(1, all.count)), min(slowest, all.count)))
        for (seconds, f) in all.prefix(slowest) {
            let drawn = futures.drawn[futures.firstSamples[f]].map {
                "\($0.incident.provider) \($0.incident.kind.rawValue) from \($0.incident.from) for \($0.incident.months ?? 0)"
            }
            print(String(format: "  %6.1f s  (%d samples)  ", seconds, samplesOf[f]) + drawn.joined(separator: "; "))
        }
    }
}
