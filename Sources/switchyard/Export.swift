import ArgumentParser
import Export
import Foundation
import Planner
import SwitchyardCatalog
import SwitchyardModel

/// `switchyard export`: a plan in the formats of the systems that run the jobs.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a plan as Kueue manifests or SkyPilot tasks.",
        discussion: "docs/export.md maps each plan field to each manifest field.",
        subcommands: [Kueue.self, SkyPilot.self])

    /// The plan and scenario every export reads, and where it writes.
    struct Inputs: ParsableArguments {
        @Option(help: "The scenario file the plan was made for.") var scenario: String
        @Option(help: "The plan, as written by `switchyard plan --format json`.") var plan: String
        @Option(help: "The directory to write (created if missing).") var out: String

        /// The scenario and its plan; a plan of another scenario is an input error.
        func load() throws -> (Scenario, Plan) {
            let loaded = try loadScenario(scenario)
            try requireReadable(plan)
            let made = try PlanFile.load(path: plan)
            do { try Planner.requireMade(made, for: loaded) } catch PlannerError.input(var problems) {
                problems.source = plan
                throw problems
            }
            return (loaded, made)
        }
    }

    struct Kueue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "kueue",
            abstract: "Kueue v1beta2 manifests: flavors, queues and quotas per cluster and month.",
            discussion: """
                Writes MONTH/manager.yaml (and MONTH/workers/CLUSTER.yaml when the month spans
                several clusters, for MultiKueue) and changes.md, what moves month to month.

                Examples:
                  switchyard export kueue --scenario examples/frontier-lab.yaml \\
                    --plan plan.json --month 2027-05 --out kueue
                  switchyard export kueue --scenario examples/frontier-lab.yaml \\
                    --plan plan.json --all-months --out kueue
                """)

        @OptionGroup var inputs: Inputs
        @Option(help: "The month to write, YYYY-MM (default: the horizon's first).") var month: String?
        @Flag(help: "Write every month of the horizon.") var allMonths = false

        func validate() throws {
            if month != nil && allMonths { throw ValidationError("give --month or --all-months, not both") }
            if let month, YearMonth(parsing: month) == nil {
                throw ValidationError("--month '\(month)' is not a month (YYYY-MM, e.g. 2027-05)")
            }
        }

        func run() throws {
            let (scenario, plan) = try inputs.load()
            let horizon = scenario.horizon
            var months = [horizon.start]
            if allMonths {
                months = (0..<horizon.months).map(horizon.month(ofPeriod:))
            } else if let month, let parsed = YearMonth(parsing: month) {
                guard horizon.period(of: parsed) != nil else {
                    throw InputError(
                        [
                            Diagnostic(
                                path: "--month",
                                message: "\(parsed) is outside the horizon, \(horizon.start) to \(horizon.end)")
                        ],
                        source: inputs.scenario)
                }
                months = [parsed]
            }
            let files = KueueExport.files(scenario: scenario, plan: plan, months: months)
            try write(files, to: inputs.out)
        }
    }

    struct SkyPilot: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "skypilot",
            abstract: "A SkyPilot task per training run, with its N-1 restart cluster.",
            discussion: """
                Example:
                  switchyard export skypilot --scenario examples/frontier-lab.yaml \\
                    --plan plan.json --out sky
                """)

        @OptionGroup var inputs: Inputs

        func run() throws {
            let (scenario, plan) = try inputs.load()
            let files = SkyPilotExport.files(scenario: scenario, plan: plan)
            if files.isEmpty { writeError("the plan places no training runs: nothing to write") }
            try write(files, to: inputs.out)
        }
    }
}

/// Writes files under `directory`, each whole or not at all, and names them on stderr.
func write(_ files: [ExportedFile], to directory: String) throws {
    let root = URL(fileURLWithPath: directory)
    for file in files {
        let url = root.appendingPathComponent(file.path)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.text.utf8).write(to: url, options: .atomic)
        } catch {
            throw CLIFailure.io("cannot write \(url.path): \(error.localizedDescription)")
        }
    }
    writeError("wrote \(files.count) file(s) under \(directory): " + files.map(\.path).joined(separator: ", "))
}
