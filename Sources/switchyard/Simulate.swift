import ArgumentParser
import Foundation
import Scheduler
import Simulator
import SwitchyardCatalog
import SwitchyardModel

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Play a job trace forward on a mixed fleet, round by round, through supply incidents.",
        discussion: """
            Prints job completion times (average, median, p95), makespan, utilisation per model and
            provider, cost, deadlines met, preemptions and work lost. --compare runs a second policy
            on the same trace and prints both side by side with ratios.

            Examples:
              switchyard generate-trace --throughputs TABLE.json --jobs 300 --out trace.txt
              switchyard simulate --fleet examples/schedule/fleet.csv --gavel-trace trace.txt \\
                --gavel-throughputs TABLE.json --policy max-min-fairness --compare max-min-fairness-agnostic
              switchyard simulate ... --incident provider-c,3,6,0 --timeline timeline.csv
            """)

    @Option(help: "Fleet CSV: model, accelerators, pricePerAcceleratorHour, provider, domain.") var fleet: String?
    @Option(help: "Simulate the fleet a plan buys (with --plan): leases month by month, owned hardware, backups.")
    var scenario: String?
    @Option(help: "The plan (switchyard plan --format json), with --scenario.") var plan: String?
    @Option(help: "A job trace as CSV: id, arrivalSeconds, work, gang, weight, deadlineSeconds, throughput:<model>…")
    var trace: String?
    @Option(help: "A job trace in Gavel's 10-column format (instead of --trace).") var gavelTrace: String?
    @Option(help: "Gavel's throughput JSON for the trace's job types.") var gavelThroughputs: String?
    @Option(
        help: """
            The policy (default: fifo for a plan's own jobs, as a batch queue admits them; \
            max-min-fairness for traces).
            """)
    var policy: AllocationPolicy?
    @Option(help: "A second policy to run on the same trace.") var compare: AllocationPolicy?
    @Option(help: "Round length, seconds (default 360; 3600 for a plan's own jobs, which run for months).")
    var roundSeconds: Double?
    @Option(help: "Progress lost when a job moves to another model (checkpoint restore), seconds.")
    var checkpointSeconds: Double = 0
    @Option(
        help: "A supply incident: provider,startHour,durationHours,remainingFraction (repeatable; 0 = outage).")
    var incident: [String] = []
    @Option(help: "Write the per-round time series (running jobs, busy accelerators per model) here.") var timeline:
        String?

    func validate() throws {
        if (fleet == nil) == (scenario == nil) {
            throw ValidationError("give either --fleet or --scenario with --plan")
        }
        if (scenario == nil) != (plan == nil) { throw ValidationError("--scenario and --plan go together") }
        if trace != nil, gavelTrace != nil { throw ValidationError("give --trace or --gavel-trace, not both") }
        if trace == nil, gavelTrace == nil, scenario == nil {
            throw ValidationError(
                "give a trace (--trace or --gavel-trace), or --scenario and --plan to run its training workloads")
        }
        if gavelTrace != nil, gavelThroughputs == nil {
            throw ValidationError("--gavel-trace needs --gavel-throughputs")
        }
        guard round > 0, round <= 86_400 else {
            throw ValidationError("--round-seconds must be in (0, 86400]")
        }
        guard checkpointSeconds >= 0, checkpointSeconds < round else {
            throw ValidationError("--checkpoint-seconds must be >= 0 and shorter than a round")
        }
        _ = try incidents()
    }

    func incidents() throws -> [SupplyIncident] {
        try incident.enumerated().map { i, text in
            let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 4, !parts[0].isEmpty, let start = Double(parts[1]), start >= 0,
                let hours = Double(parts[2]),
                hours > 0, let fraction = Double(parts[3]), (0...1).contains(fraction)
            else {
                throw ValidationError(
                    "--incident \(i + 1) '\(text)': expected provider,startHour,durationHours,remainingFraction (e.g. neo-c,3,6,0)"
                )
            }
            return SupplyIncident(
                provider: ProviderID(parts[0]), startSeconds: start * 3600, durationSeconds: hours * 3600,
                remainingFraction: fraction)
        }
    }

    /// The policy: as given, else first come first served for a plan's own jobs (runs and
    /// services hold reservations; batch streams queue in their own pools) and max-min
    /// fairness for traces.
    var chosenPolicy: AllocationPolicy { policy ?? (ownJobs ? .fifo : .maxMinFairness) }

    /// Whether the jobs are the plan's own rather than a trace's.
    var ownJobs: Bool { scenario != nil && trace == nil && gavelTrace == nil }

    /// The round length: as given, else an hour for a plan's own jobs and 6 minutes for traces.
    var round: Double { roundSeconds ?? (ownJobs ? 3600 : 360) }

    func run() throws {
        var pools: [Pool]
        var providers: [ProviderID?]
        var planFleet: PlanFleet?
        var loaded: Scenario?
        if let fleet {
            (pools, providers) = try readInput(fleet) { try ScheduleInput.fleet(csv: $0) }
        } else {
            let scenario = try loadScenario(scenario!)
            loaded = scenario
            let bought = PlanFleet(
                scenario: scenario, plan: try PlanFile.load(path: plan!), ownJobs: trace == nil && gavelTrace == nil)
            (pools, providers, planFleet) = (bought.pools, bought.providers, bought)
        }
        // Without a domain column, a pool's scale-up domain is its model's (8-GPU node, NVL72 rack…).
        let catalog = AcceleratorCatalog.merged(with: [])
        for m in pools.indices where pools[m].domainSize == nil && planFleet == nil {
            pools[m].domainSize = catalog[pools[m].model]?.scaleUpDomain
        }
        let jobs: [SimulatedJob]
        if trace == nil, gavelTrace == nil, let planFleet {
            jobs = planFleet.jobs
        } else if let trace {
            jobs = try readInput(trace) { try ScheduleInput.trace(csv: $0, pools: pools) }
        } else {
            let table = try readInput(gavelThroughputs!) { try GavelThroughputs.parse(Data($0.utf8)) }
            let lines = try readInput(gavelTrace!) { try GavelTraceJob.parse($0) }
            let classes = try readInput(gavelTrace!) { _ in
                try JobClass.fromGavel(trace: lines, throughputs: table, pools: pools)
            }
            jobs = zip(lines, classes).map { job, c in
                SimulatedJob(
                    id: c.id, arrivalSeconds: job.arrivalSeconds, work: job.totalSteps, gang: c.gang,
                    weight: c.weight,
                    throughput: c.throughput)
            }
        }
        let events = try incidents()
        for e in events where !providers.contains(e.provider) {
            throw InputError(
                [
                    Diagnostic(
                        path: "--incident",
                        message: "no pool of provider '\(e.provider)' in the fleet's provider column")
                ],
                source: fleet ?? plan)
        }
        let recorder = TimelineRecorder()
        func simulate(_ policy: AllocationPolicy, record: Bool) throws -> SimulationMetrics {
            var simulator =
                planFleet?.simulator(policy: policy) ?? Simulator(pools: pools, providers: providers, policy: policy)
            simulator.roundSeconds = round
            simulator.checkpointSeconds = checkpointSeconds
            simulator.incidents = events
            if record, timeline != nil {
                simulator.onRound = { recorder.add($0) }
            }
            do {
                return try simulator.run(jobs)
            } catch let error as AllocationError {
                throw CLIFailure.solver(error.message)
            }
        }
        let first = try simulate(chosenPolicy, record: true)
        let second = try compare.map { try simulate($0, record: false) }
        if let timeline {
            try emit(recorder.csv(pools: pools, providers: providers, roundSeconds: round), to: timeline)
        }
        print(report(first, second, pools: pools, providers: providers, names: planFleet?.names, jobs: jobs.count))
        if let planFleet, let loaded, trace == nil, gavelTrace == nil {
            print()
            let outcomes = planFleet.outcomes(first, scenario: loaded, incidents: events)
            print(
                TextTable.render(
                    header: ["workload", "kind", chosenPolicy.rawValue],
                    rows: outcomes.map { [$0.workload.rawValue, $0.kind.rawValue, $0.summary] }))
        }
    }

    func report(
        _ a: SimulationMetrics, _ b: SimulationMetrics?, pools: [Pool], providers: [ProviderID?], names: [String]?,
        jobs: Int
    ) -> String {
        func hours(_ s: Double) -> String { String(format: "%.2f h", s / 3600) }
        func ratio(_ x: Double?, _ y: Double?) -> String {
            guard let x, let y, y > 0 else { return "-" }
            return String(format: "%.2f×", x / y)
        }
        var rows: [[String]] = []
        // A metric over finished jobs has no value when no job finished: "n/a", never 0.
        func row(_ name: String, _ f: (SimulationMetrics) -> Double?, _ format: (Double) -> String) {
            var cells = [name, f(a).map(format) ?? "n/a"]
            if let b { cells += [f(b).map(format) ?? "n/a", ratio(f(a), f(b))] }
            rows.append(cells)
        }
        func overFinished(_ metric: @escaping (SimulationMetrics) -> Double) -> (SimulationMetrics) -> Double? {
            { $0.completionTimes.isEmpty ? nil : metric($0) }
        }
        row("average JCT", overFinished { $0.averageJCT }, hours)
        row("median JCT", overFinished { $0.percentileJCT(50) }, hours)
        row("p95 JCT", overFinished { $0.percentileJCT(95) }, hours)
        row("makespan", overFinished { $0.makespanSeconds }, hours)
        row("cost", { $0.costUSD }, { String(format: "$%.0f", $0) })
        row("preemptions", { Double($0.preemptions) }, { String(format: "%.0f", $0) })
        row("work lost (steps)", { $0.workLost }, { String(format: "%.0f", $0) })
        row("jobs unfinished", { Double($0.unfinished.count) }, { String(format: "%.0f", $0) })
        if a.deadlinesMet.of > 0 {
            row(
                "deadlines met", { Double($0.deadlinesMet.met) / Double(max(1, $0.deadlinesMet.of)) },
                { String(format: "%.0f%%", $0 * 100) })
        }
        for (m, pool) in pools.enumerated() {
            let who = providers[m].map { " (\($0))" } ?? ""
            let label = names.map { $0[m] } ?? "\(pool.model)\(who)"
            row("utilisation \(label)", { $0.utilization[m] }, { String(format: "%.1f%%", $0 * 100) })
        }
        let header = ["\(jobs) jobs", chosenPolicy.rawValue] + (compare.map { [$0.rawValue, "ratio"] } ?? [])
        return TextTable.render(header: header, rows: rows, rightAligned: Set(1..<header.count))
    }
}
