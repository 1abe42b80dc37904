import ArgumentParser
import Foundation
import Scheduler
import SwitchyardCatalog
import SwitchyardModel

extension AllocationPolicy: ExpressibleByArgument {}

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Divide a mixed fleet's time among job types under a placement policy.",
        discussion: """
            Prints, for each job type, the share of time each of its jobs gets on each
            model, its effective throughput, and that throughput relative to an equal share
            of the cluster. Policies:
            \(AllocationPolicy.allCases.map(\.rawValue).joined(separator: ", ")). File
            formats: docs/scheduler.md.

            Examples:
              switchyard schedule --fleet examples/schedule/fleet.csv \\
                --jobs examples/schedule/jobs.csv
              switchyard schedule --fleet examples/schedule/fleet.csv \\
                --jobs examples/schedule/jobs.csv \\
                --policy max-min-fairness-agnostic --format json
            """)

    @Option(help: "Fleet CSV: model, accelerators[, pricePerAcceleratorHour, provider, region, domain].") var fleet:
        String
    @Option(help: "Jobs CSV: id, count, gang, weight, remainingWork, … and throughput:<model> columns.")
    var jobs: String?
    @Option(help: "A job trace in Gavel's 10-column format (instead of --jobs); needs --gavel-throughputs.")
    var gavelTrace: String?
    @Option(help: "Gavel's throughput JSON, for --gavel-trace (worker types k80, p100, v100 → nvidia-k80, …).")
    var gavelThroughputs: String?

    func validate() throws {
        if (jobs == nil) == (gavelTrace == nil) { throw ValidationError("give either --jobs or --gavel-trace") }
        if gavelTrace != nil, gavelThroughputs == nil {
            throw ValidationError("--gavel-trace needs --gavel-throughputs")
        }
    }
    @Option(help: "The policy.") var policy: AllocationPolicy = .maxMinFairness
    @Option(help: "table or json.") var format: Format = .table
    @Option(help: "Write here instead of standard output.") var out: String?

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    func run() throws {
        let pools = try readInput(fleet) { try ScheduleInput.pools(csv: $0) }
        let classes: [JobClass]
        if let jobs {
            classes = try readInput(jobs) { try ScheduleInput.classes(csv: $0, pools: pools) }
        } else {
            let table = try readInput(gavelThroughputs!) { try GavelThroughputs.parse(Data($0.utf8)) }
            let trace = try readInput(gavelTrace!) { try GavelTraceJob.parse($0) }
            classes = try readInput(gavelTrace!) { _ in
                try JobClass.fromGavel(trace: trace, throughputs: table, pools: pools)
            }
        }
        let result: AllocationResult
        do {
            result = try Allocator().allocate(classes, pools: pools, policy: policy)
        } catch let error as AllocationError {
            throw CLIFailure.solver(error.message)
        }
        try emit(render(result, classes: classes, pools: pools), to: out)
    }

    func render(_ r: AllocationResult, classes: [JobClass], pools: [Pool]) -> String {
        switch format {
        case .json:
            var rows: [DocumentNode] = []
            for (k, c) in classes.enumerated() {
                var fields: [(String, DocumentNode)] = [
                    ("id", .text(c.id)), ("count", .number(c.count)),
                    ("fractions", .map(pools.indices.map { (pools[$0].label, .number(r.fractions[k][$0])) })),
                    ("throughput", .number(r.throughput[k])),
                    ("equalShareThroughput", .number(r.equalShareThroughput[k])),
                ]
                if let reason = r.unschedulable[k] { fields.append(("unschedulable", .text(reason))) }
                rows.append(.map(fields))
            }
            return DocumentWriter.write(
                .map([("policy", .text(policy.rawValue)), ("seconds", .number(r.seconds)), ("jobs", .list(rows))]),
                format: .json)
        case .table:
            let header = ["job type", "jobs"] + pools.map(\.label) + ["throughput", "vs equal share"]
            let rows = classes.enumerated().map { k, c -> [String] in
                if let reason = r.unschedulable[k] {
                    return [c.id, "\(c.count)"] + pools.map { _ in "-" } + ["unschedulable", reason]
                }
                return [c.id, "\(c.count)"] + pools.indices.map { String(format: "%.3f", r.fractions[k][$0]) } + [
                    String(format: "%.3f", r.throughput[k]),
                    String(format: "%.2f×", r.throughput[k] / max(1e-12, r.equalShareThroughput[k])),
                ]
            }
            return "Policy \(policy.rawValue): share of each job's time on each pool\n\n"
                + TextTable.render(header: header, rows: rows, rightAligned: Set(1..<(header.count - 0)))
        }
    }
}

/// Reads a text input file, parsing it with `parse`; problems name the file.
func readInput<T>(_ path: String, _ parse: (String) throws -> T) throws -> T {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw InputError([Diagnostic(path: "", message: ScenarioFile.readFailure(path))], source: path)
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw InputError([Diagnostic(path: "", message: "not UTF-8 text")], source: path)
    }
    do {
        return try parse(text)
    } catch var error as InputError {
        error.source = path
        throw error
    }
}
