import Foundation
import SwitchyardCatalog
import SwitchyardModel

/// Reads a fleet and a job set from CSV for `switchyard schedule` (docs/scheduler.md).
///
/// Fleet: `model,accelerators[,pricePerAcceleratorHour]`. Jobs: `id[,count,gang,weight,
/// remainingWork,elapsedSeconds,deadlineSeconds]` and one `throughput:<model>` column per fleet
/// model (work per second of one job there; empty or 0: cannot run there). Every bad cell is
/// reported with its line and column.
public enum ScheduleInput {
    /// Parses the fleet.
    public static func pools(csv text: String) throws -> [Pool] { try fleet(csv: text).pools }

    /// Parses the fleet with each pool's provider (optional `provider` column), for simulations
    /// with supply incidents. A pool is (provider, region, model): the same model may be listed
    /// once per provider and region.
    public static func fleet(csv text: String) throws -> (pools: [Pool], providers: [ProviderID?]) {
        let (header, rows) = try table(
            text, required: ["model", "accelerators"],
            optional: ["pricePerAcceleratorHour", "provider", "region", "domain"])
        var problems: [Diagnostic] = []
        var pools: [Pool] = []
        var providers: [ProviderID?] = []
        for (line, cells) in rows {
            let model = cells[header["model"]!]
            let count = Int(cells[header["accelerators"]!])
            let price = header["pricePerAcceleratorHour"].map { Double(cells[$0].isEmpty ? "0" : cells[$0]) } ?? 0
            if model.isEmpty {
                problems.append(Diagnostic(path: "line \(line).model", message: "must not be empty", line: line))
            }
            if count == nil || count! < 1 {
                problems.append(
                    Diagnostic(path: "line \(line).accelerators", message: "must be a whole number >= 1", line: line))
            }
            if price == nil || !(price! >= 0) {
                problems.append(
                    Diagnostic(
                        path: "line \(line).pricePerAcceleratorHour", message: "must be a number >= 0", line: line))
            }
            let provider = header["provider"].flatMap { cells[$0].isEmpty ? nil : ProviderID(cells[$0]) }
            let region = header["region"].flatMap { cells[$0].isEmpty ? nil : cells[$0] }
            let pool = Pool(model: AcceleratorModelID(model), accelerators: 0, provider: provider, region: region)
            if let twin = pools.first(where: { ($0.model, $0.provider, $0.region) == (pool.model, provider, region) }) {
                problems.append(
                    Diagnostic(
                        path: "line \(line).model",
                        message:
                            "'\(twin.label)' is listed twice; a pool is (provider, region, model): give the rows different providers or regions",
                        line: line))
            }
            var domain: Int?
            if let index = header["domain"], !cells[index].isEmpty {
                domain = Int(cells[index])
                if domain == nil || domain! < 1 {
                    problems.append(
                        Diagnostic(path: "line \(line).domain", message: "must be a whole number >= 1", line: line))
                }
            }
            if let count, let price {
                pools.append(
                    Pool(
                        model: AcceleratorModelID(model), accelerators: count, pricePerAcceleratorHour: price,
                        domainSize: domain, provider: provider, region: region))
                providers.append(provider)
            }
        }
        if !problems.isEmpty { throw InputError(problems) }
        if pools.isEmpty { throw InputError([Diagnostic(path: "", message: "the fleet has no pools")]) }
        return (pools, providers)
    }

    /// Parses the jobs against the fleet's models.
    public static func classes(csv text: String, pools: [Pool]) throws -> [JobClass] {
        let (throughputColumns, columnOfPool) = throughputColumns(pools)
        let (header, rows) = try table(
            text, required: ["id"],
            optional: ["count", "gang", "weight", "remainingWork", "elapsedSeconds", "deadlineSeconds"]
                + throughputColumns)
        var problems: [Diagnostic] = []
        var classes: [JobClass] = []
        for (line, cells) in rows {
            func number(_ column: String, default value: Double?, minimum: Double, strictly: Bool = false) -> Double? {
                cellNumber(
                    header, cells, line, column, default: value, minimum: minimum, strictly: strictly,
                    problems: &problems)
            }
            let id = cells[header["id"]!]
            if id.isEmpty {
                problems.append(Diagnostic(path: "line \(line).id", message: "must not be empty", line: line))
            }
            let count = number("count", default: 1, minimum: 1)
            let gang = number("gang", default: 1, minimum: 1)
            let weight = number("weight", default: 1, minimum: 0, strictly: true)
            let remaining = number("remainingWork", default: 1, minimum: 0, strictly: true)
            let elapsed = number("elapsedSeconds", default: 0, minimum: 0)
            let deadline = number("deadlineSeconds", default: nil, minimum: 0, strictly: true)
            let perModel = throughputColumns.map { number($0, default: 0, minimum: 0) ?? 0 }
            let throughput = columnOfPool.map { perModel[$0] }
            for (name, value) in [("count", count), ("gang", gang)] where value.map({ $0 != $0.rounded() }) ?? false {
                problems.append(Diagnostic(path: "line \(line).\(name)", message: "must be a whole number", line: line))
            }
            guard let count, let gang, let weight, let remaining, let elapsed else { continue }
            classes.append(
                JobClass(
                    id: id, count: Int(count), gang: Int(gang), weight: weight, throughput: throughput,
                    remainingWork: remaining,
                    elapsedSeconds: elapsed, deadlineSeconds: deadline))
        }
        if !problems.isEmpty { throw InputError(problems) }
        return classes
    }

    /// One `throughput:<model>` column per model of the fleet (a job runs as fast on every pool
    /// of a model), and each pool's column.
    public static func throughputColumns(_ pools: [Pool]) -> (columns: [String], columnOfPool: [Int]) {
        var columns: [String] = []
        let columnOfPool = pools.map { pool -> Int in
            let name = "throughput:\(pool.model)"
            if let i = columns.firstIndex(of: name) { return i }
            columns.append(name)
            return columns.count - 1
        }
        return (columns, columnOfPool)
    }

    /// Header index by name, and the data rows with their lines; unknown and missing columns are errors.
    public static func table(_ text: String, required: [String], optional: [String]) throws -> (
        [String: Int], [(Int, [String])]
    ) {
        // RFC 4180 (quoted cells may hold commas); blank rows and rows starting with # are skipped,
        // and unquoted cells are trimmed.
        let records = CSV.parse(text).records.compactMap { record -> (Int, [String])? in
            let cells = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.allSatisfy(\.isEmpty) || cells[0].hasPrefix("#") { return nil }
            return (record.line, cells)
        }
        guard let (headerLine, names) = records.first else {
            throw InputError([Diagnostic(path: "", message: "the file is empty; expected a header row")])
        }
        var problems: [Diagnostic] = []
        var header: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            if required.contains(name) || optional.contains(name) {
                header[name] = i
            } else {
                var message = "unknown column '\(name)'"
                if let guess = closestMatch(to: name, in: required + optional) {
                    message += " (did you mean '\(guess)'?)"
                }
                problems.append(
                    Diagnostic(path: "line \(headerLine), column \(i + 1)", message: message, line: headerLine))
            }
        }
        for name in required where header[name] == nil {
            problems.append(
                Diagnostic(path: "line \(headerLine)", message: "missing required column '\(name)'", line: headerLine))
        }
        let rows = Array(records.dropFirst())
        for (line, cells) in rows where cells.count != names.count {
            problems.append(
                Diagnostic(
                    path: "line \(line)", message: "has \(cells.count) fields; the header has \(names.count)",
                    line: line))
        }
        if !problems.isEmpty { throw InputError(problems) }
        return (header, rows)
    }
}

/// The number in a CSV cell: `fallback` when the column or the cell is empty; otherwise a finite
/// number at least (or, `strictly`, above) `minimum`, or nil after recording the problem.
public func cellNumber(
    _ header: [String: Int], _ cells: [String], _ line: Int, _ column: String, default fallback: Double?,
    minimum: Double,
    strictly: Bool, problems: inout [Diagnostic]
) -> Double? {
    guard let index = header[column], !cells[index].isEmpty else { return fallback }
    let text = cells[index]
    guard let v = Double(text), v.isFinite, strictly ? v > minimum : v >= minimum else {
        problems.append(
            Diagnostic(
                path: "line \(line).\(column)",
                message: "must be a number \(strictly ? ">" : ">=") \(formatMinimum(minimum)), found '\(text)'",
                line: line))
        return nil
    }
    return v
}

private func formatMinimum(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
}
