import Foundation
import SwitchyardModel

/// Measured throughputs in Gavel's JSON format (OSDI 2020, `simulation_throughputs.json`).
///
/// Only isolated throughputs (`"null"` entries) are kept: Switchyard does not space-share an
/// accelerator between jobs. Worker types map to accelerator models by name (`v100` →
/// `nvidia-v100`); `*_unconsolidated` variants are dropped because Switchyard keeps a gang in one
/// scale-up domain.
public struct GavelThroughputs: Sendable, Equatable {
    /// A job type: model name and scale factor (accelerators per job).
    public struct JobType: Hashable, Sendable, Comparable, CustomStringConvertible {
        /// E.g. `ResNet-50 (batch size 64)`.
        public var model: String
        /// Accelerators per job: 1, 2, 4 or 8.
        public var scaleFactor: Int
        /// A job type.
        public init(model: String, scaleFactor: Int) {
            self.model = model
            self.scaleFactor = scaleFactor
        }
        public var description: String { "('\(model)', \(scaleFactor))" }
        public static func < (a: Self, b: Self) -> Bool { (a.model, a.scaleFactor) < (b.model, b.scaleFactor) }

        /// Parses Gavel's key text `('ResNet-18 (batch size 16)', 1)`.
        public init?(key: String) {
            let trimmed = key.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("('"), trimmed.hasSuffix(")"),
                let comma = trimmed.range(of: "',", options: .backwards)
            else { return nil }
            let name = trimmed[trimmed.index(trimmed.startIndex, offsetBy: 2)..<comma.lowerBound]
            let number = trimmed[comma.upperBound..<trimmed.index(before: trimmed.endIndex)]
                .trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, let scale = Int(number), scale >= 1 else { return nil }
            self.init(model: String(name), scaleFactor: scale)
        }
    }

    /// Steps per second alone, per accelerator model and job type.
    public var throughput: [AcceleratorModelID: [JobType: Double]]

    /// The default map from Gavel worker types to catalog models.
    public static let defaultWorkerModels: [String: AcceleratorModelID] = [
        "k80": "nvidia-k80", "p100": "nvidia-p100", "v100": "nvidia-v100",
    ]

    /// Parses the JSON; every malformed entry is reported with its path.
    public static func parse(_ data: Data, workerModels: [String: AcceleratorModelID] = defaultWorkerModels) throws
        -> GavelThroughputs
    {
        let root = try DocumentParser.parse(data, format: .json)
        guard case .mapping(let workers, _) = root else {
            throw InputError([Diagnostic(path: "", message: "expected a mapping of worker types")])
        }
        var problems: [Diagnostic] = []
        var table: [AcceleratorModelID: [JobType: Double]] = [:]
        for (worker, jobs) in workers {
            if worker.hasSuffix("_unconsolidated") { continue }
            guard let model = workerModels[worker] else {
                problems.append(
                    Diagnostic(
                        path: worker,
                        message: "unknown worker type; known: \(workerModels.keys.sorted().joined(separator: ", "))",
                        line: jobs.line))
                continue
            }
            guard case .mapping(let entries, _) = jobs else {
                problems.append(Diagnostic(path: worker, message: "expected a mapping of job types", line: jobs.line))
                continue
            }
            var rows: [JobType: Double] = [:]
            for (key, value) in entries {
                let path = "\(worker).\(key)"
                guard let jobType = JobType(key: key) else {
                    problems.append(
                        Diagnostic(
                            path: path, message: "expected a key like ('ResNet-50 (batch size 64)', 1)",
                            line: value.line))
                    continue
                }
                var reader = DocumentReader()
                guard let fields = reader.fields(value, at: path, allowed: Self.allowedPairKeys(entries: value)) else {
                    problems += reader.diagnostics
                    continue
                }
                guard let isolated = reader.required(fields, "null", DocumentReader.double) else {
                    problems += reader.diagnostics
                    continue
                }
                if isolated < 0 {
                    problems.append(Diagnostic(path: "\(path).null", message: "must be >= 0", line: value.line))
                    continue
                }
                rows[jobType] = isolated
            }
            table[model] = rows
        }
        if !problems.isEmpty { throw InputError(problems) }
        return GavelThroughputs(throughput: table)
    }

    static func allowedPairKeys(entries: DocumentNode) -> [String] {
        guard case .mapping(let pairs, _) = entries else { return ["null"] }
        return ["null"] + pairs.map(\.key).filter { $0.hasPrefix("(") }
    }

    /// Every job type with a throughput on every model in the table.
    public var jobTypes: [JobType] {
        let sets = throughput.values.map { Set($0.keys) }
        guard let first = sets.first else { return [] }
        return sets.dropFirst().reduce(first) { $0.intersection($1) }.sorted()
    }

    /// Speed of `jobType` on each model relative to `reference` (1 on the reference); models where
    /// the job does not run (throughput 0 or missing) are left out.
    public func relativeSpeeds(of jobType: JobType, reference: AcceleratorModelID) -> [AcceleratorModelID: Double] {
        guard let base = throughput[reference]?[jobType], base > 0 else { return [:] }
        var result: [AcceleratorModelID: Double] = [:]
        for (model, rows) in throughput {
            if let t = rows[jobType], t > 0 { result[model] = t / base }
        }
        return result
    }
}
