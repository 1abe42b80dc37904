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
}
