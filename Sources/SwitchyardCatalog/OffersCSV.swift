import Foundation
import SwitchyardModel

/// Imports offers from CSV, one offer a row, as a sourcing team keeps them in a spreadsheet.
///
/// Columns (header row required, any order): `id, provider, accelerator, acceleratorsPerNode,
/// region, availableNodes`, optional `leadTimeDays, minimumNodes, onDemand, oneYear, threeYear,
/// backupNodes, backupFeePerNodeMonth, backupExercisePrice`. Prices are USD per accelerator-hour;
/// an empty price cell means the term is not offered.
public enum OffersCSV {
    /// The columns a file may have.
    public static let columns = [
        "id", "provider", "accelerator", "acceleratorsPerNode", "region", "availableNodes", "leadTimeDays",
        "minimumNodes", "onDemand", "oneYear", "threeYear", "backupNodes", "backupFeePerNodeMonth",
        "backupExercisePrice",
    ]
    static let requiredColumns = Array(columns.prefix(6))

    /// Parses offers; every bad cell is reported as `line N, column: message`.
    public static func parse(_ text: String) throws -> [Offer] {
        let (names, rows, found) = try CSV.table(text)
        var problems = found
        for (i, name) in names.enumerated() where !columns.contains(name) {
            var message = "unknown column '\(name)'"
            if let guess = closestMatch(to: name, in: columns) { message += " (did you mean '\(guess)'?)" }
            problems.append(Diagnostic(path: "line 1, column \(i + 1)", message: message, line: 1))
        }
        for name in requiredColumns where !names.contains(name) {
            problems.append(Diagnostic(path: "line 1", message: "missing required column '\(name)'", line: 1))
        }
        if !problems.isEmpty { throw InputError(problems) }

        var offers: [Offer] = []
        for record in rows {
            if record.fields.count != names.count {
                problems.append(
                    Diagnostic(
                        path: "line \(record.line)",
                        message: "has \(record.fields.count) fields; the header has \(names.count)", line: record.line))
                continue
            }
            var pairs: [(key: String, value: DocumentNode)] = []
            for (name, raw) in zip(names, record.fields) {
                let value = raw.trimmingCharacters(in: .whitespaces)
                if value.isEmpty { continue }
                pairs.append((name, .scalar(value, quoted: false, line: record.line)))
            }
            var reader = DocumentReader()
            if let offer = readRow(&reader, pairs, line: record.line) { offers.append(offer) }
            problems += reader.diagnostics
        }
        if !problems.isEmpty { throw InputError(problems) }
        return offers
    }

    static func readRow(_ r: inout DocumentReader, _ pairs: [(key: String, value: DocumentNode)], line: Int) -> Offer? {
        var cells: [String: DocumentNode] = [:]
        for pair in pairs { cells[pair.key] = pair.value }
        var prices: [(key: String, value: DocumentNode)] = []
        for term in CommitmentTerm.allCases {
            if let cell = cells.removeValue(forKey: term.rawValue) { prices.append((term.rawValue, cell)) }
        }
        var backup: [(key: String, value: DocumentNode)] = []
        for (column, key) in [
            ("backupNodes", "availableNodes"), ("backupFeePerNodeMonth", "feePerNodeMonth"),
            ("backupExercisePrice", "exercisePrice"),
        ] {
            if let cell = cells.removeValue(forKey: column) { backup.append((key, cell)) }
        }
        var fields = pairs.filter { cells[$0.key] != nil }
        fields.append(("prices", .mapping(prices, line: line)))
        if !backup.isEmpty { fields.append(("backup", .mapping(backup, line: line))) }
        return ScenarioCodec.readOffer(&r, .mapping(fields, line: line), "line \(line)")
    }
}
