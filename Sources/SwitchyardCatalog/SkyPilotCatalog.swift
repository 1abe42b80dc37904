import Foundation
import SwitchyardModel

/// SkyPilot's names for accelerators, and offers read from a catalog in SkyPilot's CSV columns.
///
/// SkyPilot keeps one catalog per cloud (`~/.sky/catalogs/…/vms.csv`) with the columns
/// `InstanceType, AcceleratorName, AcceleratorCount, vCPUs, MemoryGiB, Price, Region, SpotPrice,
/// GpuInfo, AvailabilityZone` (some clouds leave some out). A row is one instance type in one
/// region (or zone). It has a price but no quantity: how many nodes a supplier would lease is
/// the sourcing team's, so `parse` takes it as an argument.
public enum SkyPilotCatalog {
    /// Catalog models and the names SkyPilot gives them (first: the one exports write).
    public static let names: [(model: AcceleratorModelID, names: [String])] = [
        ("nvidia-a100-80gb", ["A100-80GB"]), ("nvidia-h100", ["H100", "H100-SXM", "H100-MEGA"]),
        ("nvidia-h200", ["H200"]), ("nvidia-b200", ["B200"]), ("nvidia-gb200", ["GB200"]),
        ("nvidia-b300", ["B300"]), ("nvidia-gb300", ["GB300"]), ("amd-mi300x", ["MI300X"]),
        ("amd-mi325x", ["MI325X"]), ("amd-mi355x", ["MI355X"]),
        ("google-tpu-v5e", ["tpu-v5-lite-podslice", "tpu-v5e"]), ("google-tpu-v5p", ["tpu-v5p-slice", "tpu-v5p"]),
        ("google-tpu-v6e", ["tpu-v6e-slice", "tpu-v6e"]), ("google-tpu-v7", ["tpu7x", "tpu-v7"]),
        ("aws-trainium2", ["Trainium2"]), ("nvidia-v100", ["V100", "V100-32GB"]), ("nvidia-p100", ["P100"]),
        ("nvidia-k80", ["K80"]),
    ]

    /// SkyPilot's name for a catalog model (the model's own id for one SkyPilot does not name).
    public static func name(of model: AcceleratorModelID) -> String {
        names.first { $0.model == model }?.names.first ?? model.rawValue
    }

    /// The catalog model SkyPilot's `name` stands for (case does not matter), or nil.
    public static func model(named name: String) -> AcceleratorModelID? {
        let key = name.lowercased()
        return names.first { $0.names.contains { $0.lowercased() == key } }?.model
    }

    /// The columns read; the rest of a SkyPilot catalog (vCPUs, MemoryGiB, GpuInfo) is ignored.
    public static let requiredColumns = ["InstanceType", "AcceleratorName", "AcceleratorCount", "Price", "Region"]
    static let knownColumns = requiredColumns + ["SpotPrice", "AvailabilityZone", "vCPUs", "MemoryGiB", "GpuInfo"]

    /// Offers of `provider` from a SkyPilot catalog: one per instance type with accelerators and
    /// region (zones of a region merge into one offer; its price is the lowest of theirs), each
    /// `availableNodes` nodes, on-demand at the row's price per instance-hour divided by its
    /// accelerators. Rows without accelerators (CPU instances) are skipped. Every bad row is
    /// reported as `line N, Column: message`; an accelerator SkyPilot names that the catalog
    /// does not know is an error that lists the names it does.
    public static func parse(_ text: String, provider: ProviderID, availableNodes: Int, leadTimeDays: Int = 0) throws
        -> [Offer]
    {
        let (names, records, found) = try CSV.table(text)
        var problems = found
        for column in requiredColumns where !names.contains(column) {
            var message = "missing SkyPilot column '\(column)'"
            if let guess = names.first(where: { $0.lowercased() == column.lowercased() }) {
                message += " (found '\(guess)': column names are case-sensitive)"
            }
            problems.append(Diagnostic(path: "line 1", message: message, line: 1))
        }
        if !problems.isEmpty { throw InputError(problems) }
        var rows: [Row] = []
        for record in records {
            guard record.fields.count == names.count else {
                problems.append(
                    Diagnostic(
                        path: "line \(record.line)",
                        message: "has \(record.fields.count) fields; the header has \(names.count)", line: record.line))
                continue
            }
            var cells: [String: String] = [:]
            for (name, raw) in zip(names, record.fields) { cells[name] = raw.trimmingCharacters(in: .whitespaces) }
            switch Row.read(cells, line: record.line) {
            case .success(let row?): rows.append(row)
            case .success(nil): continue
            case .failure(let list): problems += list.diagnostics
            }
        }
        if !problems.isEmpty { throw InputError(problems) }
        return offers(rows, provider: provider, availableNodes: availableNodes, leadTimeDays: leadTimeDays)
    }

    /// One priced instance type in one region.
    struct Row {
        var instanceType: String
        var model: AcceleratorModelID
        var count: Int
        var pricePerInstanceHour: Decimal
        var region: String

        /// A row, nil for one without accelerators, or what is wrong with it.
        static func read(_ cells: [String: String], line: Int) -> Result<Row?, DiagnosticList> {
            let accelerator = cells["AcceleratorName"] ?? ""
            if accelerator.isEmpty { return .success(nil) }
            var problems: [Diagnostic] = []
            let model = SkyPilotCatalog.model(named: accelerator)
            if model == nil {
                let known = SkyPilotCatalog.names.flatMap(\.names)
                var message = "unknown accelerator '\(accelerator)'"
                if let guess = closestMatch(to: accelerator, in: known) { message += " (did you mean '\(guess)'?)" }
                message += "; SkyPilot names the catalog knows: \(known.joined(separator: ", "))"
                problems.append(Diagnostic(path: "AcceleratorName", message: message, line: line))
            }
            let countText = cells["AcceleratorCount"] ?? ""
            let count = Double(countText).flatMap { $0 >= 1 && $0 == $0.rounded() && $0 < 1e6 ? Int($0) : nil }
            if count == nil {
                problems.append(
                    Diagnostic(
                        path: "AcceleratorCount", message: "'\(countText)' is not a whole number of accelerators",
                        line: line))
            }
            let priceText = cells["Price"] ?? ""
            let price = Decimal(string: priceText, locale: Locale(identifier: "en_US_POSIX"))
            if price == nil || price! <= 0 || priceText.contains(where: { !"0123456789.eE+-".contains($0) }) {
                problems.append(
                    Diagnostic(path: "Price", message: "'\(priceText)' is not a positive USD per hour", line: line))
            }
            let region = cells["Region"] ?? ""
            if region.isEmpty { problems.append(Diagnostic(path: "Region", message: "is empty", line: line)) }
            let instance = cells["InstanceType"] ?? ""
            if instance.isEmpty {
                problems.append(Diagnostic(path: "InstanceType", message: "is empty", line: line))
            }
            guard problems.isEmpty, let model, let count, let price else { return .failure(DiagnosticList(problems)) }
            return .success(
                Row(instanceType: instance, model: model, count: count, pricePerInstanceHour: price, region: region))
        }
    }

    /// Diagnostics as an `Error`, for `Result`.
    struct DiagnosticList: Error {
        var diagnostics: [Diagnostic]
        init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    }

    /// Rows merged per (instance type, region), the cheapest zone's price, in sorted order.
    static func offers(_ rows: [Row], provider: ProviderID, availableNodes: Int, leadTimeDays: Int) -> [Offer] {
        let groups = Dictionary(grouping: rows) { "\($0.instanceType)\u{0}\($0.region)" }
        return groups.keys.sorted().compactMap { key -> Offer? in
            guard let group = groups[key], let first = group.first else { return nil }
            let cheapest = group.map(\.pricePerInstanceHour).min() ?? first.pricePerInstanceHour
            var perAccelerator = cheapest / Decimal(first.count)
            var rounded = Decimal()
            NSDecimalRound(&rounded, &perAccelerator, 4, .plain)
            let id = KubeLikeID.make("\(provider)-\(first.instanceType)-\(first.region)")
            return Offer(
                id: OfferID(rawValue: id), provider: provider, accelerator: first.model,
                acceleratorsPerNode: first.count, region: RegionID(rawValue: first.region),
                availableNodes: availableNodes, leadTimeDays: leadTimeDays, minimumNodes: 1,
                pricePerAcceleratorHour: [.onDemand: rounded])
        }
    }
}

/// Identifiers made from free text: lower case letters, digits and `-`.
enum KubeLikeID {
    static func make(_ text: String) -> String {
        var out = ""
        for scalar in text.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
            } else if !out.hasSuffix("-") && !out.isEmpty {
                out += "-"
            }
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "offer" : out
    }
}
