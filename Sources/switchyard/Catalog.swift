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
                Speed is the estimate relative to the NVIDIA H100 for pre-training, fine-tuning
                and decode (docs/catalog.md has the model); a scenario's measured speeds
                override it. Below the models, every published measurement the estimate is
                calibrated against, with the estimate beside it and the error.

                Examples:
                  switchyard catalog accelerators
                  switchyard catalog accelerators --format csv > accelerators.csv
                """)

        @Option(help: "table, json or csv.")
        var format: Format = .table

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, csv }

        static let shownProfiles: [WorkloadProfile] = [.pretraining, .fineTuning, .decode]

        func run() throws {
            let specs = AcceleratorCatalog.builtin
            let byID = AcceleratorCatalog.merged(with: [])
            let speed = SpeedModel(accelerators: byID, reference: "nvidia-h100")!
            let calibration = AcceleratorCatalog.calibration.map { CalibrationRow(point: $0, accelerators: byID) }
            switch format {
            case .table:
                let header =
                    ["model", "vendor", "BF16 TF", "eff", "FP8 TF", "HBM GB", "HBM TB/s", "W", "domain", "stacks"]
                    + ["pretrain×", "fine-tune×", "decode×"]
                let rows = specs.filter { $0.system == nil }.map { s -> [String] in
                    [
                        s.id.rawValue, s.vendor, fmt(s.bf16DenseTFLOPS),
                        String(format: "%.1f%%", s.matmulEfficiency * 100),
                        s.fp8DenseTFLOPS.map(fmt) ?? "-", fmt(s.hbmGB), fmt(s.hbmTBps), s.powerW.map(fmt) ?? "n/a",
                        String(s.scaleUpDomain), s.stacks.map(\.rawValue).joined(separator: ","),
                    ] + Self.shownProfiles.map { String(format: "%.2f", speed.estimate(s, profile: $0)) }
                }
                print(TextTable.render(header: header, rows: rows, rightAligned: Set(2...12)))
                print(
                    "\nDense figures per chip; eff is measured matmul efficiency, or assumed where the notes say so.\n"
                        + "Speeds (×) are estimates relative to the NVIDIA H100. Sources: --format json.")
                let racks = specs.compactMap { s in s.system.map { (s, $0) } }
                if !racks.isEmpty {
                    print("\nRack-scale systems (figures for the whole rack):")
                    print(
                        TextTable.render(
                            header: ["model", "vendor", "built from", "BF16 TF", "FP8 TF", "HBM GB", "W"],
                            rows: racks.map { s, system in
                                [
                                    s.id.rawValue, s.vendor, "\(system.count) × \(system.chip)",
                                    Formatted.grouped(s.bf16DenseTFLOPS),
                                    s.fp8DenseTFLOPS.map(Formatted.grouped) ?? "-", Formatted.grouped(s.hbmGB),
                                    s.powerW.map(Formatted.grouped) ?? "n/a",
                                ]
                            }, rightAligned: Set(3...6)))
                }
                print("\nCalibration: published speed ratios between chips, the estimate of each, and its error")
                let calibrationRows = calibration.map { c -> [String] in
                    [
                        c.model, c.baseline, c.profile, String(format: "%.2f", c.measured),
                        String(format: "%.2f", c.estimate), String(format: "%+.1f%%", c.error * 100), c.published,
                        c.benchmark,
                    ]
                }
                print(
                    TextTable.render(
                        header: ["model", "vs", "profile", "measured", "estimate", "error", "published", "benchmark"],
                        rows: calibrationRows, rightAligned: Set(3...5)))
                let summary = CalibrationSummary(calibration)
                let mean = String(format: "%.1f%%", summary.meanAbsoluteError * 100)
                let worst = String(format: "%.1f%%", summary.worstAbsoluteError * 100)
                print(
                    "Error over \(calibration.count) points: mean |error| \(mean), worst \(worst) (\(summary.worst)).")
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                let document = CatalogDocument(
                    accelerators: specs.map { CatalogEntry(spec: $0, speed: speed) }, calibration: calibration,
                    calibrationSummary: CalibrationSummary(calibration))
                print(String(decoding: try encoder.encode(document), as: UTF8.self))
            case .csv:
                var lines = [
                    "id,name,vendor,bf16DenseTFLOPS,fp8DenseTFLOPS,hbmGB,hbmTBps,powerW,scaleUpDomain,stacks,matmulEfficiency,pretrainingSpeed,fineTuningSpeed,decodeSpeed,source"
                ]
                for s in specs {
                    let cells: [String] =
                        [
                            s.id.rawValue, s.name, s.vendor, fmt(s.bf16DenseTFLOPS), s.fp8DenseTFLOPS.map(fmt) ?? "",
                            fmt(s.hbmGB), fmt(s.hbmTBps), s.powerW.map(fmt) ?? "", String(s.scaleUpDomain),
                            s.stacks.map(\.rawValue).joined(separator: " "), fmt(s.matmulEfficiency),
                        ] + Self.shownProfiles.map { String(format: "%.4f", speed.estimate(s, profile: $0)) } + [
                            s.source
                        ]
                    lines.append(cells.map(csvCell).joined(separator: ","))
                }
                print(lines.joined(separator: "\n"))
            }
        }
    }
}

struct CatalogDocument: Encodable {
    let accelerators: [CatalogEntry]
    let calibration: [CalibrationRow]
    let calibrationSummary: CalibrationSummary
}

struct CatalogEntry: Encodable {
    let spec: AcceleratorSpec
    let pretrainingSpeed: Double
    let fineTuningSpeed: Double
    let decodeSpeed: Double
    init(spec: AcceleratorSpec, speed: SpeedModel) {
        self.spec = spec
        pretrainingSpeed = speed.estimate(spec, profile: .pretraining)
        fineTuningSpeed = speed.estimate(spec, profile: .fineTuning)
        decodeSpeed = speed.estimate(spec, profile: .decode)
    }
}

/// One calibration point with the estimate beside it.
struct CalibrationRow: Encodable {
    let model: String
    let baseline: String
    let profile: String
    let measured: Double
    let estimate: Double
    let error: Double
    let benchmark: String
    let published: String
    let source: String
    init(point: CalibrationPoint, accelerators: [AcceleratorModelID: AcceleratorSpec]) {
        model = point.model.rawValue
        baseline = point.baseline.rawValue
        profile = point.profile.name ?? "mix"
        measured = point.measured
        estimate = point.estimate(in: accelerators) ?? 0
        error = point.error(in: accelerators) ?? -1
        benchmark = point.benchmark
        published = point.published
        source = point.source
    }
}

/// Mean and worst absolute error over the calibration points.
struct CalibrationSummary: Encodable {
    let meanAbsoluteError: Double
    let worstAbsoluteError: Double
    let worst: String
    init(_ rows: [CalibrationRow]) {
        let errors = rows.map { abs($0.error) }
        meanAbsoluteError = errors.isEmpty ? 0 : errors.reduce(0, +) / Double(errors.count)
        let worstRow = rows.max { abs($0.error) < abs($1.error) }
        worstAbsoluteError = worstRow.map { abs($0.error) } ?? 0
        worst = worstRow.map { "\($0.model) vs \($0.baseline), \($0.profile)" } ?? "none"
    }
}

func fmt(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%g", value)
}

func csvCell(_ text: String) -> String {
    text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
        ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
}
