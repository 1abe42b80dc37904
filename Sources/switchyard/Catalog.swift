import ArgumentParser
import Foundation
import SwitchyardCatalog
import SwitchyardModel

struct Catalog: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show bundled reference data.",
        subcommands: [Accelerators.self])

    struct Accelerators: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The accelerator models Switchyard knows, with specs, estimated speed and sources.",
            discussion: """
                Speed is the default estimate relative to the NVIDIA H100 for training (compute bound)
                and serving (compute and memory bandwidth); a scenario's measured speeds override it.

                Examples:
                  switchyard catalog accelerators
                  switchyard catalog accelerators --format csv > accelerators.csv
                """)

        @Option(help: "table, json or csv.")
        var format: Format = .table

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

        func run() throws {
            let specs = AcceleratorCatalog.builtin
            let speed = SpeedModel(accelerators: AcceleratorCatalog.merged(with: []), reference: "nvidia-h100")!
            switch format {
            case .table:
                let header = [
                    "model", "vendor", "BF16 TF", "FP8 TF", "HBM GB", "HBM TB/s", "W", "domain", "stacks", "train×",
                    "serve×",
                ]
                let rows = specs.map { s -> [String] in
                    [
                        s.id.rawValue, s.vendor, fmt(s.bf16DenseTFLOPS), s.fp8DenseTFLOPS.map(fmt) ?? "-", fmt(s.hbmGB),
                        fmt(s.hbmTBps), s.powerW.map(fmt) ?? "n/a", String(s.scaleUpDomain),
                        s.stacks.map(\.rawValue).joined(separator: ","),
                        s.system == nil ? String(format: "%.2f", speed.estimate(s, serving: false)) : "-",
                        s.system == nil ? String(format: "%.2f", speed.estimate(s, serving: true)) : "-",
                    ]
                }
                print(TextTable.render(header: header, rows: rows, rightAligned: Set(2...10)))
                print(
                    "\nDense figures per chip (rack rows: the whole NVL72). Sources: switchyard catalog accelerators --format json"
                )
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                let entries = specs.map { CatalogEntry(spec: $0, speed: speed) }
                print(String(decoding: try encoder.encode(entries), as: UTF8.self))
            case .csv:
                var lines = [
                    "id,name,vendor,bf16DenseTFLOPS,fp8DenseTFLOPS,hbmGB,hbmTBps,powerW,scaleUpDomain,stacks,matmulEfficiency,trainingSpeed,servingSpeed,source"
                ]
                for s in specs {
                    let cells: [String] = [
                        s.id.rawValue, s.name, s.vendor, fmt(s.bf16DenseTFLOPS), s.fp8DenseTFLOPS.map(fmt) ?? "",
                        fmt(s.hbmGB), fmt(s.hbmTBps), s.powerW.map(fmt) ?? "", String(s.scaleUpDomain),
                        s.stacks.map(\.rawValue).joined(separator: " "), fmt(s.matmulEfficiency),
                        String(format: "%.4f", speed.estimate(s, serving: false)),
                        String(format: "%.4f", speed.estimate(s, serving: true)), s.source,
                    ]
                    lines.append(cells.map(csvCell).joined(separator: ","))
                }
                print(lines.joined(separator: "\n"))
            }
        }
    }
}

struct CatalogEntry: Encodable {
    let spec: AcceleratorSpec
    let trainingSpeed: Double
    let servingSpeed: Double
    init(spec: AcceleratorSpec, speed: SpeedModel) {
        self.spec = spec
        trainingSpeed = speed.estimate(spec, serving: false)
        servingSpeed = speed.estimate(spec, serving: true)
    }
}

func fmt(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%g", value)
}

func csvCell(_ text: String) -> String {
    text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
        ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
}
