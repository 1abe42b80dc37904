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

    /// Parses the JSON (with a JSON parser: the published table is 1.2 MB); every malformed
    /// entry is reported with its path, in path order.
    public static func parse(_ data: Data, workerModels: [String: AcceleratorModelID] = defaultWorkerModels) throws
        -> GavelThroughputs
    {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "not valid JSON"
            throw InputError([Diagnostic(path: "", message: "not valid JSON: \(reason)")])
        }
        guard let workers = root as? [String: Any] else {
            throw InputError([Diagnostic(path: "", message: "expected a mapping of worker types")])
        }
        var problems: [Diagnostic] = []
        var table: [AcceleratorModelID: [JobType: Double]] = [:]
        for worker in workers.keys.sorted() where !worker.hasSuffix("_unconsolidated") {
            guard let model = workerModels[worker] else {
                problems.append(
                    Diagnostic(
                        path: worker,
                        message: "unknown worker type; known: \(workerModels.keys.sorted().joined(separator: ", "))"))
                continue
            }
            guard let entries = workers[worker] as? [String: Any] else {
                problems.append(Diagnostic(path: worker, message: "expected a mapping of job types"))
                continue
            }
            var rows: [JobType: Double] = [:]
            for key in entries.keys.sorted() {
                let path = "\(worker).\(key)"
                guard let jobType = JobType(key: key) else {
                    problems.append(
                        Diagnostic(path: path, message: "expected a key like ('ResNet-50 (batch size 64)', 1)"))
                    continue
                }
                // Besides "null" (alone), an entry holds pairs keyed by the co-located job type.
                guard let fields = entries[key] as? [String: Any] else {
                    problems.append(Diagnostic(path: path, message: "expected a mapping with a \"null\" entry"))
                    continue
                }
                if let unknown = fields.keys.sorted().first(where: { $0 != "null" && !$0.hasPrefix("(") }) {
                    problems.append(
                        Diagnostic(path: "\(path).\(unknown)", message: "unknown field; expected null or a job type"))
                    continue
                }
                guard let value = fields["null"] else {
                    problems.append(Diagnostic(path: "\(path).null", message: "missing: the isolated throughput"))
                    continue
                }
                // JSON true and false come back as NSNumbers of type "c" (char): not throughputs.
                guard !(value is String), let number = value as? NSNumber, String(cString: number.objCType) != "c",
                    number.doubleValue.isFinite
                else {
                    problems.append(Diagnostic(path: "\(path).null", message: "must be a number"))
                    continue
                }
                if number.doubleValue < 0 {
                    problems.append(Diagnostic(path: "\(path).null", message: "must be >= 0"))
                    continue
                }
                rows[jobType] = number.doubleValue
            }
            table[model] = rows
        }
        if !problems.isEmpty { throw InputError(problems) }
        return GavelThroughputs(throughput: table)
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
