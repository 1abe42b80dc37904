import ArgumentParser
import Foundation
import SwitchyardCatalog
import SwitchyardModel

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check scenario files and report every problem with its path.",
        discussion: """
            Examples:
              switchyard validate examples/frontier-lab.yaml
              switchyard validate a.yaml b.json --format json
            """)

    @Argument(help: "Scenario files (.yaml, .yml or .json).")
    var files: [String]

    @Option(help: "Report format: text or json.")
    var format: ReportFormat = .text

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    func run() throws {
        var failed: [InputError] = []
        var report: [DocumentNode] = []
        for file in files {
            do {
                let scenario = try ScenarioFile.load(path: file)
                let summary =
                    "\(scenario.providers.count) providers, \(scenario.offers.count) offers, "
                    + "\(scenario.colocation.count) colocation sites, \(scenario.ownedFleets.count) owned fleets, "
                    + "\(scenario.workloads.count) workloads over \(scenario.horizon.months) months"
                if format == .text { print("\(file): ok (\(summary))") }
                report.append(.map([("file", .text(file)), ("ok", .bool(true)), ("summary", .text(summary))]))
            } catch let error as InputError {
                var error = error
                error.source = file
                failed.append(error)
                report.append(
                    .map([
                        ("file", .text(file)), ("ok", .bool(false)),
                        (
                            "problems",
                            .list(
                                error.diagnostics.map { d in
                                    var fields: [(String, DocumentNode)] = [
                                        ("path", .text(d.path)), ("message", .text(d.message)),
                                    ]
                                    if let line = d.line { fields.append(("line", .number(line))) }
                                    return .map(fields)
                                })
                        ),
                    ]))
            }
        }
        if format == .json { print(DocumentWriter.write(.list(report), format: .json), terminator: "") }
        guard failed.isEmpty else {
            // Text: the root renders each file's problems; JSON: they are in the report already.
            throw format == .text ? CLIFailure.invalidFiles(failed) : ExitCode(1)
        }
    }
}
