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
            Prints job completion times (average, median, p95), makespan, utilisation per
            pool (a pool is a model at a provider in a region), cost billed to the second,
            deadlines met, preemptions and work lost, as a table or JSON. --compare runs a
            second policy on the same trace and prints both side by side with ratios;
            --measure-jobs measures completion times over a window of jobs; --jobs-out
            writes one row per job.

            Examples:
              switchyard generate-trace --throughputs TABLE.json --jobs 300 \\
                --out trace.txt
              switchyard simulate --fleet examples/schedule/fleet.csv \\
                --gavel-trace trace.txt --gavel-throughputs TABLE.json \\
                --policy max-min-fairness --compare max-min-fairness-agnostic
              switchyard simulate ... --incident provider-c,3,6,0 \\
                --timeline timeline.csv
              switchyard simulate --scenario examples/frontier-lab.yaml \\
                --plan plan.json \\
                --incident examples/incident-coreweave-outage.yaml
              switchyard simulate ... --format json --measure-jobs 4000-4999 \\
                --jobs-out jobs.csv

            TABLE.json is Gavel's simulation_throughputs.json (from Gavel's repository,
            not shipped here).
            """)

    @Option(help: "Fleet CSV: model, accelerators[, pricePerAcceleratorHour, provider, region, domain].") var fleet:
        String?
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
    @Option(help: "Progress lost restoring a job's checkpoint on another pool than it last ran on (a move), seconds.")
    var checkpointSeconds: Double = 0
    @Option(help: "Progress lost when a job first starts (loading, compiling), seconds.")
    var startupSeconds: Double = 0
    @Option(help: "Progress lost when a job resumes on its own pool after time without it, seconds.")
    var resumeSeconds: Double = 0
    @Option(help: "table or json.") var format: Format = .table
    @Option(help: "Write one row per job (arrival, start, finish, JCT, seconds on each pool) as CSV here.")
    var jobsOut: String?
    @Option(
        help: """
            Measure completion times over these jobs only, by index in arrival order from 0: FROM-TO \
            (Gavel's paper measures jobs 4000-4999 of a continuous stream).
            """)
    var measureJobs: String?

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }
    @Option(
        help: """
            A supply incident (repeatable): an incident file as replan reads it (an outage, in \
            months of the scenario's horizon; with --scenario), or \
            provider,startHour,durationHours,remainingFraction (0 = outage).
            """)
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
        for (name, value) in [
            ("--checkpoint-seconds", checkpointSeconds), ("--startup-seconds", startupSeconds),
            ("--resume-seconds", resumeSeconds),
        ] where !(value >= 0 && value < round) {
            throw ValidationError("\(name) must be >= 0 and shorter than a round")
        }
        _ = try incidents()
        _ = try window()
    }

    /// The measured jobs' indices in arrival order, from `--measure-jobs FROM-TO`.
    func window() throws -> ClosedRange<Int>? {
        guard let measureJobs else { return nil }
        let parts = measureJobs.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let from = Int(parts[0]), let to = Int(parts[1]), from >= 0, to >= from else {
            throw ValidationError(
                "--measure-jobs '\(measureJobs)': expected FROM-TO, whole numbers, FROM <= TO (e.g. 4000-4999)")
        }
        return from...to
    }

    func incidents() throws -> [SupplyIncident] {
        try incident.enumerated().map { i, text in
            if !text.contains(","), let file = try incidentFile(text) { return file }
            let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 4, !parts[0].isEmpty, let start = Double(parts[1]), start >= 0,
                let hours = Double(parts[2]),
                hours > 0, let fraction = Double(parts[3]), (0...1).contains(fraction)
            else {
                throw ValidationError(
                    "--incident \(i + 1) '\(text)': expected provider,startHour,durationHours,remainingFraction (e.g. neo-c,3,6,0) or an incident file (.yaml or .json)"
                )
            }
            return SupplyIncident(
                provider: ProviderID(parts[0]), startSeconds: start * 3600, durationSeconds: hours * 3600,
                remainingFraction: fraction)
        }
    }

    /// An incident file (`replan --incident`'s YAML or JSON) on the simulator's clock, or nil
    /// when `text` names no file. Its months need the scenario's horizon, and only an outage
    /// changes what a fleet delivers: a slip or a site's power changes what the plan can sign,
    /// so it is re-planned first.
    func incidentFile(_ text: String) throws -> SupplyIncident? {
        guard FileManager.default.fileExists(atPath: text) || DocumentFormat(path: text) != nil else { return nil }
        guard let path = scenario else {
            throw ValidationError(
                "--incident \(text): an incident file is in months of a scenario's horizon; give --scenario and "
                    + "--plan, or with --fleet write provider,startHour,durationHours,remainingFraction")
        }
        let scenario = try loadScenario(path)
        let incident = try Incident.load(path: text, scenario: scenario)
        guard let outage = SupplyIncident(incident, scenario: scenario) else {
            throw InputError(
                [
                    Diagnostic(
                        path: "kind",
                        message: "simulate plays outages; a \(incident.kind.rawValue) changes what the plan can sign: "
                            + "re-plan it first (switchyard replan … --incident \(text)) and simulate the re-plan")
                ], source: text)
        }
        return outage
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
            simulator.startupSeconds = startupSeconds
            simulator.resumeSeconds = resumeSeconds
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
        var first = try simulate(chosenPolicy, record: true)
        var second = try compare.map { try simulate($0, record: false) }
        let planCost = PlanCost(planFleet, incidents: events, billed: first.costUSD)
        if let planCost {
            first.costUSD = planCost.total
            second?.costUSD = planCost.total
        }
        let labels = pools.indices.map { m in
            planFleet?.names[m]
                ?? Pool(model: pools[m].model, accelerators: 0, provider: providers[m], region: pools[m].region).label
        }
        if let timeline {
            try emit(recorder.csv(pools: pools, names: labels), to: timeline)
        }
        let window = try window()
        if let window, window.upperBound >= jobs.count {
            throw InputError(
                [
                    Diagnostic(
                        path: "--measure-jobs",
                        message:
                            "jobs \(window.lowerBound)-\(window.upperBound) asked for; the trace has \(jobs.count) (0-\(jobs.count - 1))"
                    )
                ],
                source: trace ?? gavelTrace)
        }
        let measured = [first, second].compactMap { $0 }.map { Measured($0, jobs: jobs, window: window) }
        if let jobsOut { try emit(jobRows(first, jobs: jobs, labels: labels), to: jobsOut) }
        let outcomes: [WorkloadOutcome] =
            if let planFleet, let loaded, trace == nil, gavelTrace == nil {
                planFleet.outcomes(first, scenario: loaded, incidents: events)
            } else { [] }
        switch format {
        case .json:
            print(
                json(
                    measured, labels: labels, outcomes: outcomes, jobs: jobs.count, window: window, planCost: planCost))
        case .table:
            print(report(measured, labels: labels, jobs: jobs.count, window: window))
            printPlanLines(planCost: planCost, outcomes: outcomes)
        }
    }

    /// Under the table, for a plan's own jobs: what it cost, and each workload's outcome.
    func printPlanLines(planCost: PlanCost?, outcomes: [WorkloadOutcome]) {
        if let planCost {
            print()
            print(TextWrap.wrap(planCost.sentence).joined(separator: "\n"))
        }
        if !outcomes.isEmpty {
            print()
            print(
                TextTable.render(
                    header: ["workload", "kind", chosenPolicy.rawValue],
                    rows: outcomes.map { [$0.workload.rawValue, $0.kind.rawValue, $0.summary] }))
            print()
            print(
                TextWrap.wrap(
                    "A cluster's utilisation is of what the plan leaves free in it beside the runs' reservations, "
                        + "the batch streams' pools and the services' replicas (capacity bought for N-1 cover, "
                        + "the rest of a whole node or of a lease's term): idle unless a trace uses it."
                ).joined(separator: "\n"))
        }
    }

    /// One row per job of a run: `id, arrivalSeconds, startSeconds, finishSeconds, jctSeconds,
    /// poolSeconds` (pool=seconds, separated by `;`); empty cells where it never started or finished.
    func jobRows(_ m: SimulationMetrics, jobs: [SimulatedJob], labels: [String]) -> String {
        func cell(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "" }
        var lines = ["id,arrivalSeconds,startSeconds,finishSeconds,jctSeconds,poolSeconds"]
        for (j, job) in jobs.enumerated() {
            let finish = j < m.finishSeconds.count ? m.finishSeconds[j] : nil
            let pools = (j < m.poolSeconds.count ? m.poolSeconds[j] : [:]).sorted { $0.key < $1.key }
                .map { "\(labels[$0.key])=\(String(format: "%.3f", $0.value))" }.joined(separator: ";")
            lines.append(
                [
                    csvCell(job.id), cell(job.arrivalSeconds), cell(j < m.startSeconds.count ? m.startSeconds[j] : nil),
                    cell(finish), cell(finish.map { $0 - job.arrivalSeconds }), csvCell(pools),
                ].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func json(
        _ runs: [Measured], labels: [String], outcomes: [WorkloadOutcome], jobs: Int, window: ClosedRange<Int>?,
        planCost: PlanCost? = nil
    ) -> String {
        let policies = [chosenPolicy] + (compare.map { [$0] } ?? [])
        // Seconds to the millisecond: more digits are floating noise, not information.
        func seconds(_ v: Double) -> DocumentNode { .number((v * 1000).rounded() / 1000) }
        func optional(_ v: Double?) -> DocumentNode { v.map { seconds($0) } ?? .null }
        let entries: [DocumentNode] = zip(policies, runs).map { policy, r in
            .map([
                ("policy", .text(policy.rawValue)),
                ("measuredJobs", .number(r.measuredJobs)),
                ("averageJCTSeconds", optional(r.averageJCT)), ("medianJCTSeconds", optional(r.medianJCT)),
                ("p95JCTSeconds", optional(r.p95JCT)), ("makespanSeconds", optional(r.makespan)),
                ("costUSD", .number((r.metrics.costUSD * 100).rounded() / 100)),
                ("billedSeconds", seconds(r.metrics.billedSeconds)),
                ("preemptions", .number(r.metrics.preemptions)),
                ("workLost", .number((r.metrics.workLost * 1000).rounded() / 1000)),
                ("unfinished", .list(r.unfinished.map { .text($0) })),
                (
                    "unschedulable",
                    .list(r.metrics.unschedulable.map { .map([("id", .text($0.id)), ("reason", .text($0.reason))]) })
                ),
                (
                    "deadlinesMet",
                    .map([("met", .number(r.metrics.deadlinesMet.met)), ("of", .number(r.metrics.deadlinesMet.of))])
                ),
                (
                    "utilization",
                    .map(
                        labels.indices.map { (labels[$0], .number((r.metrics.utilization[$0] * 1e6).rounded() / 1e6)) })
                ),
            ])
        }
        var fields: [(String, DocumentNode)] = [("jobs", .number(jobs))]
        if let planCost {
            func usd(_ v: Double) -> DocumentNode { .number((v * 100).rounded() / 100) }
            fields.append(
                (
                    "planCost",
                    .map([
                        ("spendUSD", usd(planCost.spend)), ("exercisedUSD", usd(planCost.exercised)),
                        ("billedPoolsUSD", usd(planCost.billed)),
                    ])
                ))
        }
        if let window {
            fields.append(
                ("measure", .map([("from", .number(window.lowerBound)), ("to", .number(window.upperBound))])))
        }
        fields += [("roundSeconds", .number(round)), ("runs", .list(entries))]
        if !outcomes.isEmpty {
            fields.append(
                (
                    "workloads",
                    .list(
                        outcomes.map { o in
                            var f: [(String, DocumentNode)] = [
                                ("workload", .text(o.workload.rawValue)), ("kind", .text(o.kind.rawValue)),
                            ]
                            if let v = o.onTime { f.append(("onTime", .bool(v))) }
                            if let v = o.lateSeconds { f.append(("lateSeconds", seconds(v))) }
                            if let v = o.workDoneInWindow { f.append(("workDoneInWindow", .number(v))) }
                            if let v = o.capacityHeld { f.append(("capacityHeld", .number(v))) }
                            f.append(("summary", .text(o.summary)))
                            return .map(f)
                        })
                ))
        }
        return DocumentWriter.write(.map(fields), format: .json)
    }

    func report(_ runs: [Measured], labels: [String], jobs: Int, window: ClosedRange<Int>?) -> String {
        func hours(_ s: Double) -> String { Formatted.hours(seconds: s) }
        func ratio(_ x: Double?, _ y: Double?) -> String {
            guard let x, let y, y > 0 else { return "-" }
            return String(format: "%.2f×", x / y)
        }
        let a = runs[0]
        let b = runs.count > 1 ? runs[1] : nil
        var rows: [[String]] = []
        // A metric over finished jobs has no value when no job finished: "n/a", never 0.
        func row(_ name: String, _ f: (Measured) -> Double?, _ format: (Double) -> String) {
            var cells = [name, f(a).map(format) ?? "n/a"]
            if let b { cells += [f(b).map(format) ?? "n/a", ratio(f(a), f(b))] }
            rows.append(cells)
        }
        row("average JCT", { $0.averageJCT }, hours)
        row("median JCT", { $0.medianJCT }, hours)
        row("p95 JCT", { $0.p95JCT }, hours)
        row("makespan", { $0.makespan }, hours)
        row("cost", { $0.metrics.costUSD }, Formatted.dollars)
        row("preemptions", { Double($0.metrics.preemptions) }, Formatted.grouped)
        row("work lost (steps)", { $0.metrics.workLost }, Formatted.grouped)
        row("jobs unfinished", { Double($0.unfinished.count) }, Formatted.grouped)
        if a.metrics.deadlinesMet.of > 0 {
            row(
                "deadlines met", { Double($0.metrics.deadlinesMet.met) / Double(max(1, $0.metrics.deadlinesMet.of)) },
                // Rounded down: 1,171 of 1,176 is 99.5%, never "100%" beside jobs that missed.
                { Formatted.coverage($0) })
        }
        for m in labels.indices {
            row("utilisation \(labels[m])", { $0.metrics.utilization[m] }, { String(format: "%.1f%%", $0 * 100) })
        }
        let jobsLabel = window.map { "jobs \($0.lowerBound)-\($0.upperBound) of \(jobs)" } ?? "\(jobs) jobs"
        let header =
            [jobsLabel, chosenPolicy.rawValue]
            + (compare.map { [$0.rawValue, "ratio \(chosenPolicy.rawValue) ÷ \($0.rawValue)"] } ?? [])
        var text = TextTable.render(header: header, rows: rows, rightAligned: Set(1..<header.count))
        if b != nil {
            text +=
                "\n\nA ratio below 1× means \(chosenPolicy.rawValue) has the lower value (lower is better for every row but utilisation and deadlines met)."
        }
        for run in runs where !run.metrics.unschedulable.isEmpty {
            text += "\n\nNever ran (no pool can hold them):"
            for u in run.metrics.unschedulable { text += "\n  \(u.id): \(u.reason)" }
            break
        }
        return text
    }
}

/// A run's metrics over the measured jobs (all, or a window of them by arrival).
struct Measured {
    let metrics: SimulationMetrics
    let measuredJobs: Int
    let averageJCT: Double?
    let medianJCT: Double?
    let p95JCT: Double?
    let makespan: Double?
    let unfinished: [String]

    init(_ metrics: SimulationMetrics, jobs: [SimulatedJob], window: ClosedRange<Int>?) {
        self.metrics = metrics
        let byArrival = SimulatedJob.arrivalOrder(jobs)
        let chosen = window.map { Array(byArrival[$0.clamped(to: 0...(max(0, jobs.count - 1)))]) } ?? byArrival
        measuredJobs = chosen.count
        let times = chosen.compactMap { j in metrics.finishSeconds[j].map { $0 - jobs[j].arrivalSeconds } }.sorted()
        averageJCT = times.isEmpty ? nil : times.reduce(0, +) / Double(times.count)
        medianJCT = SimulationMetrics.percentile(50, ofSorted: times)
        p95JCT = SimulationMetrics.percentile(95, ofSorted: times)
        makespan = times.isEmpty ? nil : metrics.makespanSeconds
        unfinished = chosen.filter { metrics.finishSeconds[$0] == nil }.map { jobs[$0].id }
    }
}

/// What a simulation of a plan's own jobs costs: what the plan owes whatever the jobs do plus the
/// backups the incidents exercised, the same for every policy (`PlanFleet.cost`); beside it what
/// billing the pools by the second would give.
struct PlanCost {
    let spend: Double
    let exercised: Double
    let billed: Double
    var total: Double { spend + exercised }

    /// Nil unless the fleet is a plan's with its own jobs.
    init?(_ fleet: PlanFleet?, incidents: [SupplyIncident], billed: Double) {
        guard let fleet, fleet.ownJobs else { return nil }
        (spend, exercised) = fleet.cost(incidents: incidents)
        self.billed = billed
    }

    var sentence: String {
        "Cost: the plan's spend \(Formatted.dollars(spend)), owed whatever the jobs do (leases for their whole "
            + "terms, colocation, backup fees), plus \(Formatted.dollars(exercised)) of backups exercised during the "
            + "incidents. Billed by the second at each cluster's blended lease rate, the pools alone would be "
            + "\(Formatted.dollars(billed))."
    }
}
