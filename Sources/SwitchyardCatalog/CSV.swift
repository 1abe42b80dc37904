import SwitchyardModel

/// A small RFC 4180 reader: quoted fields, doubled quotes, CRLF or LF line ends.
public enum CSV {
    /// One parsed record with the 1-based line it starts on.
    public struct Record: Sendable {
        /// Source line.
        public let line: Int
        /// Fields in order.
        public let fields: [String]
    }

    /// Records of `text`; blank lines are skipped. Throws nothing: an unterminated quote ends at EOF
    /// and is reported by the caller as a field problem.
    public static func parse(_ text: String) -> (records: [Record], unterminatedQuoteLine: Int?) {
        var records: [Record] = []
        var field = ""
        var fields: [String] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var quoteLine: Int?
        var iterator = Array(text.unicodeScalars)[...]
        func endRecord() {
            fields.append(field)
            field = ""
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
        }
        while let c = iterator.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if iterator.first == "\"" {
                        field.unicodeScalars.append("\"")
                        iterator.removeFirst()
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                inQuotes = true
                quoteLine = line
            case ",":
                fields.append(field)
                field = ""
            case "\r":
                continue
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return (records, inQuotes ? quoteLine : nil)
    }

    /// A file with a header row: the header's names (trimmed), the records after it, and a
    /// problem for a quote never closed.
    ///
    /// - Throws: `InputError` when there is no header row.
    public static func table(_ text: String) throws -> (names: [String], rows: [Record], problems: [Diagnostic]) {
        let (records, openQuote) = parse(text)
        var problems: [Diagnostic] = []
        if let openQuote {
            problems.append(
                Diagnostic(path: "line \(openQuote)", message: "a quoted field is never closed", line: openQuote))
        }
        guard let header = records.first else {
            throw InputError([Diagnostic(path: "", message: "the file is empty; expected a header row")])
        }
        return (header.fields.map { $0.trimmingCharacters(in: .whitespaces) }, Array(records.dropFirst()), problems)
    }
}

/// Checks that a trace's arrival times never go backwards, one row at a time: each arrival is
/// compared with the latest seen so far, and a late one is reported with its line and column.
public struct ArrivalOrder: Sendable {
    private var latest = 0.0

    /// A check that has seen no arrival yet.
    public init() {}

    /// Notes `arrival` (on `line`, in `column`), recording a problem when it is before the latest.
    public mutating func note(_ arrival: Double, line: Int, column: String, problems: inout [Diagnostic]) {
        if arrival < latest {
            problems.append(
                Diagnostic(
                    path: "line \(line).\(column)", message: "\(arrival) is before the previous job's \(latest)",
                    line: line))
        }
        latest = max(latest, arrival)
    }
}
