import ArgumentParser
import Foundation
import Planner
import SwitchyardCatalog
import SwitchyardModel

struct ReplanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replan",
        abstract: "Re-plan after a supply incident: keep what is signed, exercise backups, sign what is missing.",
        discussion: """
            The incident file names the provider, the kind (outage, slip, site-power), the
            first month and, optionally, how long and how much is still delivered
            (docs/planner.md). The report starts with what changed: cost, coverage,
            deadlines now at risk.

            Examples:
              switchyard plan examples/frontier-lab.yaml --format json --out plan.json
              switchyard replan examples/frontier-lab.yaml --plan plan.json \\
                --incident examples/incident-coreweave-outage.yaml
            """)

    @Argument(help: "The scenario file the plan was made for.") var scenario: String
    @Option(help: "The plan, as written by `switchyard plan --format json`.") var plan: String
    @Option(help: "The incident file (YAML or JSON).") var incident: String
    @OptionGroup var report: ReportOptions
    @OptionGroup var limits: SolveLimits

    func run() throws {
        let loaded = try loadScenario(scenario)
        let before = try PlanFile.load(path: plan)
        let event = try Incident.load(path: incident, scenario: loaded)
        let result: Replan
        do {
            defer { limits.endStatusLine() }
            result = try limits.planner.replan(loaded, plan: before, incident: event)
        }
        if report.check { try verify(result.after, against: loaded, after: event) }
        try emit(ReplanReport.render(result, format: report.format), to: report.out)
    }
}
