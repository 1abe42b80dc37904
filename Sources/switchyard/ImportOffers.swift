import ArgumentParser
import Foundation
import SwitchyardCatalog
import SwitchyardModel

struct ImportOffers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-offers",
        abstract: "Merge offers from a CSV file into a scenario (same id: replaced).",
        discussion: """
            Columns (header row, any order): \(OffersCSV.columns.joined(separator: ", ")).
            The first six are required; prices are USD per accelerator-hour; an empty price
            means the term is not offered. Nothing is written unless the merged scenario
            validates.

            With --format skypilot the file is a SkyPilot catalog (columns InstanceType,
            AcceleratorName, AcceleratorCount, Price, Region; the rest ignored) of one
            provider: an offer per instance type and region, on demand at Price divided by
            AcceleratorCount, of --nodes nodes each.

            Examples:
              switchyard import-offers quotes.csv \\
                --scenario examples/frontier-lab.yaml --out merged.yaml
              switchyard import-offers vms.csv --format skypilot --provider nebius \\
                --nodes 32 --scenario examples/frontier-lab.yaml --out merged.yaml
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case switchyard, skypilot }

    @Argument(help: "The CSV file of offers.") var csv: String
    @Option(help: "The scenario to merge into.") var scenario: String
    @Option(help: "Where to write the merged scenario (default: standard output).") var out: String?
    @Option(help: "switchyard (the columns above) or skypilot (a SkyPilot catalog).") var format: Format = .switchyard
    @Option(help: "With --format skypilot: the provider whose catalog it is.") var provider: String?
    @Option(help: "With --format skypilot: nodes available in each offer.") var nodes: Int?
    @Option(help: "With --format skypilot: each offer's lead time in days.") var leadTimeDays = 0

    func validate() throws {
        guard format == .skypilot else {
            if provider != nil || nodes != nil {
                throw ValidationError("--provider and --nodes go with --format skypilot")
            }
            return
        }
        guard let provider, !provider.isEmpty else { throw ValidationError("--format skypilot needs --provider") }
        guard let nodes else {
            throw ValidationError("--format skypilot needs --nodes (a SkyPilot catalog has no quantities)")
        }
        guard nodes >= 1 else { throw ValidationError("--nodes must be at least 1") }
        guard leadTimeDays >= 0 else { throw ValidationError("--lead-time-days must not be negative") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: csv) else {
            throw CLIFailure.io("\(csv): \(ScenarioFile.readFailure(csv))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError([Diagnostic(path: "", message: "not UTF-8 text")], source: csv)
        }
        let offers: [Offer]
        do {
            switch format {
            case .switchyard: offers = try OffersCSV.parse(text)
            case .skypilot:
                offers = try SkyPilotCatalog.parse(
                    text, provider: ProviderID(provider ?? ""), availableNodes: nodes ?? 0, leadTimeDays: leadTimeDays)
            }
        } catch var error as InputError {
            error.source = csv
            throw error
        }
        var merged = try loadScenario(scenario)
        for offer in offers {
            if let index = merged.offers.firstIndex(where: { $0.id == offer.id }) {
                merged.offers[index] = offer
            } else {
                merged.offers.append(offer)
            }
        }
        let problems = merged.validate(accelerators: AcceleratorCatalog.merged(with: merged.accelerators))
        if !problems.isEmpty { throw InputError(problems, source: "\(scenario) + \(csv)") }
        let format = out.flatMap(DocumentFormat.init(path:)) ?? DocumentFormat(path: scenario) ?? .yaml
        try emit(ScenarioFile.text(merged, format: format), to: out)
        if out != nil { writeError("merged \(offers.count) offers; the scenario now has \(merged.offers.count)") }
    }
}
