import ArgumentParser
import Foundation
import Planner
import Solver
import SwitchyardCatalog
import SwitchyardModel

extension PlanReport.Format: ExpressibleByArgument {}

/// Options every planning command shares.
struct SolveLimits: ParsableArguments {
    @Option(help: "Stop the MILP after this many seconds and report the best plan found.")
    var timeLimit: Double = 120

    @Option(help: "Stop once the plan is proven within this relative gap of optimal (0.01 = 1%).")
    var gap: Double = 0.01

    @Option(
        help: ArgumentHelp(
            "Processes the solve runs at once: 2 also searches for a better bound on a second core "
                + "(the plan is the same either way). Default: $SWITCHYARD_THREADS, else 2 where there "
                + "are two cores.",
            valueName: "1|2"))
    var threads: Int = Self.defaultThreads

    /// `SWITCHYARD_THREADS` when it is 1 or 2 (a shared machine, or tests running many plans at
    /// once), else 2 where there are two cores.
    static var defaultThreads: Int {
        if let set = ProcessInfo.processInfo.environment["SWITCHYARD_THREADS"], let n = Int(set), n == 1 || n == 2 {
            return n
        }
        return min(2, ProcessInfo.processInfo.activeProcessorCount)
    }

    func validate() throws {
        guard timeLimit > 0, timeLimit <= 86_400 else {
            throw ValidationError("--time-limit must be in (0, 86400] seconds")
        }
        guard gap >= 0, gap < 1 else { throw ValidationError("--gap must be in [0, 1)") }
        guard threads == 1 || threads == 2 else { throw ValidationError("--threads must be 1 or 2") }
    }

    @Flag(help: "Show the solver's own log (on standard error).") var solverLog = false

    @Flag(help: "Show each step of the solve and its time on standard error.") var progress = false

    @Flag(help: "No progress line on a terminal (there is none when standard error is not one).")
    var quiet = false

    /// Whether the solve's latest step is shown on one line that rewrites itself: on a terminal,
    /// unless `--quiet`, or `--progress` asks for every step.
    var statusLine: Bool { !progress && !quiet && isatty(2) == 1 }

    var planner: Planner {
        var planner = Planner(
            options: SolveOptions(timeLimitSeconds: timeLimit, relativeGap: gap, logLevel: solverLog ? 1 : 0))
        planner.searchesBound = threads > 1
        if progress {
            planner.progress = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        } else if statusLine {
            planner.progress = { line in
                let shown = line.count > 79 ? String(line.prefix(78)) + "…" : line
                FileHandle.standardError.write(Data(("\r" + shown + "\u{1B}[K").utf8))
            }
        }
        return planner
    }

    /// Clears the status line once the solve is over (nothing when there is none).
    func endStatusLine() {
        if statusLine { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// How `plan` and `replan` report: the format, where to write it, and whether to check the plan.
struct ReportOptions: ParsableArguments {
    @Option(help: "text, markdown or json.") var format: PlanReport.Format = .text
    @Option(help: "Write the report here instead of standard output.") var out: String?
    @Flag(help: "Also run the independent checker and fail (exit 3) if the plan violates anything.")
    var check = false
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Choose the leases, colocation and backup options that meet demand at least cost.",
        discussion: """
            Prints the plan: leases to sign, colocation, backups, allocation, cost,
            supplier shares, the N-1 table and the explanation. Unmet demand is part of the
            plan (a priced shortfall, with the reason), never an error.

            Examples:
              switchyard plan examples/frontier-lab.yaml
              switchyard plan examples/frontier-lab.yaml --format json --out plan.json
              switchyard plan big.yaml --time-limit 30 --gap 0.02
              switchyard plan examples/frontier-lab.yaml --write-model frontier.mps
            """)

    @Argument(help: "The scenario file.") var scenario: String
    @OptionGroup var report: ReportOptions
    @OptionGroup var limits: SolveLimits

    @Option(
        help: ArgumentHelp(
            "Write the whole MILP (every provider-loss case in it) as free MPS (.mps) or CPLEX LP (.lp) for another solver, and stop without solving.",
            valueName: "file"))
    var writeModel: String?

    func validate() throws {
        if let writeModel, LinearProgram.ModelFormat(path: writeModel) == nil {
            throw ValidationError("--write-model: name a file ending in .mps or .lp, not '\(writeModel)'")
        }
    }

    func run() throws {
        let loaded = try loadScenario(scenario)
        if let writeModel, let format = LinearProgram.ModelFormat(path: writeModel) {
            let program = try Planner().model(loaded)
            try emit(program.modelFile(format, name: loaded.name), to: writeModel)
            say(
                "Wrote \(writeModel): \(program.variableCount) variables (\(program.integerCount) integer), "
                    + "\(program.constraintCount) constraints, \(program.nonzeroCount) nonzeros; minimise, "
                    + "objective in USD.")
            return
        }
        let plan: Plan
        do {
            defer { limits.endStatusLine() }
            plan = try limits.planner.plan(loaded)
        }
        if report.check { try verify(plan, against: loaded) }
        try emit(PlanReport.render(plan, format: report.format), to: report.out)
    }
}

/// Runs the independent checker; a violation is a solver failure (exit 3).
func verify(_ plan: Plan, against scenario: Scenario, after incident: Incident? = nil) throws {
    let violations = PlanChecker(scenario: scenario, incident: incident).check(plan)
    if !violations.isEmpty {
        throw CLIFailure.solver(
            "the plan fails the independent check:\n" + violations.map { "  - \($0)" }.joined(separator: "\n"))
    }
}
