import ArgumentParser
import Foundation
import SwitchyardCatalog
import SwitchyardModel

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check scenario and incident files and report every problem with its path.",
        discussion: """
            An incident file (a provider, a kind, a first month) is checked against the one \
            scenario among the files, or the one --scenario names.

            Examples:
              switchyard validate examples/frontier-lab.yaml
              switchyard validate examples/*.yaml
              switchyard validate a.yaml b.json --format json
            """)

    @Argument(help: "Scenario or incident files (.yaml, .yml or .json).")
    var files: [String]

    @Option(help: "The scenario incident files are checked against (default: the one scenario among the files).")
    var scenario: String?

    @Option(help: "Report format: text or json.")
    var format: ReportFormat = .text

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func run() throws {
        var failed: [InputError] = []
        var unreadable = false
        var report: [DocumentNode] = []
        func record(_ file: String, _ outcome: Result<String, InputError>) {
            switch outcome {
            case .success(let summary):
                if format == .text { print("\(file): ok (\(summary))") }
                report.append(.map([("file", .text(file)), ("ok", .bool(true)), ("summary", .text(summary))]))
            case .failure(var error):
                error.source = file
                failed.append(error)
                report.append(Self.problems(of: error, in: file))
            }
        }
        // Scenarios first, so that incidents can be checked against the one given; reported in
        // the order the files were named.
        var scenarios: [String: Scenario] = [:]
        var outcomes: [Int: Result<String, InputError>] = [:]
        var incidents: [Int] = []
        for (i, file) in files.enumerated() {
            guard isReadableFile(file) else {
                unreadable = true
                outcomes[i] = .failure(InputError([Diagnostic(path: "", message: ScenarioFile.readFailure(file))]))
                continue
            }
            if Self.isIncident(file) {
                incidents.append(i)
                continue
            }
            do {
                let scenario = try ScenarioFile.load(path: file)
                scenarios[file] = scenario
                outcomes[i] = .success(Self.summary(of: scenario))
            } catch let error as InputError {
                outcomes[i] = .failure(error)
            }
        }
        for i in incidents { outcomes[i] = incidentOutcome(files[i], scenarios: scenarios) }
        for (i, file) in files.enumerated() { if let outcome = outcomes[i] { record(file, outcome) } }
        if format == .json { print(DocumentWriter.write(.list(report), format: .json), terminator: "") }
        guard failed.isEmpty else {
            // Text: the root renders each file's problems; JSON: they are in the report already.
            throw format == .text
                ? CLIFailure.invalidFiles(failed, unreadable: unreadable) : ExitCode(unreadable ? 2 : 1)
        }
    }

    static func summary(of scenario: Scenario) -> String {
        "\(scenario.providers.count) providers, \(scenario.offers.count) offers, "
            + "\(scenario.colocation.count) colocation sites, \(scenario.ownedFleets.count) owned fleets, "
            + "\(scenario.workloads.count) workloads over \(scenario.horizon.months) months"
    }

    /// An incident file checked against `--scenario`, or the one scenario among the files.
    func incidentOutcome(_ file: String, scenarios: [String: Scenario]) -> Result<String, InputError> {
        let against: Scenario
        if let path = scenario {
            guard let loaded = scenarios[path] ?? (try? ScenarioFile.load(path: path)) else {
                return .failure(
                    InputError([Diagnostic(path: "", message: "--scenario \(path) could not be loaded (validate it)")]))
            }
            against = loaded
        } else if scenarios.count == 1, let only = scenarios.values.first {
            against = only
        } else {
            let message =
                "an incident file, checked against its scenario: give exactly one scenario file beside it "
                + "or --scenario (found \(scenarios.count)); `switchyard replan` takes it with --incident"
            return .failure(InputError([Diagnostic(path: "", message: message)]))
        }
        do {
            let incident = try Incident.load(path: file, scenario: against)
            return .success(
                "incident: \(incident.kind.rawValue) at \(incident.provider) from \(incident.from), in \(against.name)")
        } catch let error as InputError {
            return .failure(error)
        } catch {
            return .failure(InputError([Diagnostic(path: "", message: "\(error)")]))
        }
    }

    /// Whether a readable file is an incident rather than a scenario: a mapping with a `kind`
    /// and no scenario sections.
    static func isIncident(_ file: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: file),
            let root = try? DocumentParser.parse(data, format: DocumentFormat(path: file) ?? .yaml),
            case .mapping(let fields, _) = root
        else { return false }
        let keys = Set(fields.map(\.key))
        return keys.contains("kind") && keys.isDisjoint(with: ["providers", "workloads", "horizon", "offers"])
    }

    static func problems(of error: InputError, in file: String) -> DocumentNode {
        .map([
            ("file", .text(file)), ("ok", .bool(false)),
            (
                "problems",
                .list(
                    error.diagnostics.map { d in
                        var fields: [(String, DocumentNode)] = [("path", .text(d.path)), ("message", .text(d.message))]
                        if let line = d.line { fields.append(("line", .number(line))) }
                        return .map(fields)
                    })
            ),
        ])
    }
}
