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

            Example:
              switchyard import-offers quotes.csv \\
                --scenario examples/frontier-lab.yaml --out merged.yaml
            """)

    @Argument(help: "The CSV file of offers.") var csv: String
    @Option(help: "The scenario to merge into.") var scenario: String
    @Option(help: "Where to write the merged scenario (default: standard output).") var out: String?

    func run() throws {
        guard let data = FileManager.default.contents(atPath: csv) else {
            throw CLIFailure.io("\(csv): \(ScenarioFile.readFailure(csv))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError([Diagnostic(path: "", message: "not UTF-8 text")], source: csv)
        }
        let offers: [Offer]
        do {
            offers = try OffersCSV.parse(text)
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
