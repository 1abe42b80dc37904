import Foundation

/// How Switchyard writes numbers for people: one place for the CLI, the reports and the
/// dashboard, so the same amount reads the same everywhere. Locale-independent (a plan printed
/// in Berlin reads as one printed in Boston) and built without formatter objects, so it is cheap
/// and safe to call from any thread.
public enum Formatted {
    /// `$1,234,567` for amounts of $100 or more, `$12.50` (cents) below; `-$` for negatives.
    public static func money(_ value: Decimal) -> String {
        money(NSDecimalNumber(decimal: value).doubleValue)
    }

    /// `money` for a Double amount.
    public static func money(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let magnitude = abs(value)
        let text: String
        if magnitude < 100, magnitude != magnitude.rounded() {
            let cents = (magnitude * 100).rounded()
            text = grouped(Double(Int64(cents / 100))) + String(format: ".%02d", Int64(cents) % 100)
        } else {
            text = grouped(magnitude)
        }
        return (value < 0 && text != "0" && text != "0.00" ? "-$" : "$") + text
    }

    /// Whole dollars with separators: `$1,234,567` (the dashboard's cards and tables).
    public static func dollars(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let text = grouped(abs(value))
        return (value < 0 && text != "0" ? "-$" : "$") + text
    }

    /// A whole number with thousands separators: `351,268` (rounded half away from zero).
    public static func grouped(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let rounded = value.rounded()
        guard abs(rounded) < 9e18 else { return String(format: "%.0f", rounded) }
        let digits = String(Int64(abs(rounded)))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (rounded < 0 ? "-" : "") + out
    }

    /// A duration in hours from seconds: two decimals below 10 h (`2.35 h`), then one, with
    /// thousands separators (`14,086.7 h`).
    public static func hours(seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let hours = seconds / 3600
        if abs(hours) < 10 { return String(format: "%.2f h", hours) }
        let tenths = (abs(hours) * 10).rounded()
        let whole = (tenths / 10).rounded(.down)
        return (hours < 0 ? "-" : "") + grouped(whole) + String(format: ".%d h", Int(tenths - whole * 10))
    }

    /// An amount that must never read as nothing when it is something (a shortfall): `0` only
    /// for zero, two decimals below 1 (`0.37`), then whole numbers with separators.
    public static func shortfall(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        if value == 0 { return "0" }
        if abs(value) < 1 { return String(format: "%.2f", value) == "0.00" ? "<0.01" : String(format: "%.2f", value) }
        return grouped(value)
    }

    /// A coverage fraction as a percentage rounded down, so 99.98% never reads as 100.0%.
    public static func coverage(_ fraction: Double, digits: Int = 1) -> String {
        guard fraction.isFinite else { return "-" }
        let scale = pow(10, Double(digits))
        // 1e-9: a fraction computed as 0.7999999999 is 80%, not 79.9%.
        return String(format: "%.\(digits)f%%", ((fraction * 100 + 1e-9) * scale).rounded(.down) / scale)
    }

    /// A fraction as a percentage with `digits` decimals: `percent(0.1234)` is `12.3%`.
    public static func percent(_ fraction: Double, digits: Int = 1) -> String {
        guard fraction.isFinite else { return "-" }
        return String(format: "%.\(digits)f%%", fraction * 100)
    }

    /// `percent` of a Decimal fraction.
    public static func percent(_ fraction: Decimal, digits: Int = 1) -> String {
        percent(NSDecimalNumber(decimal: fraction).doubleValue, digits: digits)
    }

    /// A Unix time in milliseconds as `2026-11-29 22:07 UTC`.
    public static func utcMinute(milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min))
    }
}

/// Fixed-width text tables for terminal reports: a header, a rule, and rows, with the numeric
/// columns right-aligned. Trailing spaces are never written.
public enum TextTable {
    /// The table as lines joined by newlines (no final newline). With a `width`, a table wider
    /// than it whose last column is text (a reason, a list) gives that column its own line under
    /// each row, `    name: text`, wrapped at the width; numbers stay in their columns.
    public static func render(header: [String], rows: [[String]], rightAligned: Set<Int> = [], width: Int? = nil)
        -> String
    {
        if let width, let last = header.indices.last, last > 0, !rightAligned.contains(last),
            tableWidth(header: header, rows: rows) > width
        {
            let table = render(
                header: Array(header.dropLast()), rows: rows.map { Array($0.prefix(last)) }, rightAligned: rightAligned)
            var lines = table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var out = Array(lines.prefix(2))
            lines.removeFirst(min(2, lines.count))
            for (row, line) in zip(rows, lines) {
                out.append(line)
                if row.count > last, !row[last].isEmpty {
                    out += TextWrap.wrap("    \(header[last]): \(row[last])", width: width)
                }
            }
            return out.joined(separator: "\n")
        }
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (i, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: max(0, (i < widths.count ? widths[i] : 0) - cell.count))
                text += (i == 0 ? "" : "  ") + (rightAligned.contains(i) ? pad + cell : cell + pad)
            }
            while text.last == " " { text.removeLast() }
            return text
        }
        let rule = widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }

    /// The width of the table as `render` draws it without a width.
    static func tableWidth(header: [String], rows: [[String]]) -> Int {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        return widths.reduce(0, +) + 2 * max(0, widths.count - 1)
    }
}

/// Prose for a terminal: a line longer than `width` is broken at spaces, its continuation
/// lines indented by two more spaces than it, so reports read at 100 columns.
public enum TextWrap {
    /// The width reports wrap at.
    public static let reportWidth = 100

    /// `line` as one or more lines of at most `width` characters (a word longer than that
    /// stays whole on its own line).
    public static func wrap(_ line: String, width: Int = reportWidth) -> [String] {
        guard line.count > width else { return [line] }
        let lead = String(line.prefix { $0 == " " })
        let continuation = lead + "  "
        var lines: [String] = []
        var current = lead
        for word in line.dropFirst(lead.count).split(separator: " ", omittingEmptySubsequences: true) {
            let prefix = lines.isEmpty ? lead : continuation
            if current.count > prefix.count, current.count + 1 + word.count > width {
                lines.append(current)
                current = continuation + word
            } else {
                current += (current.count > prefix.count ? " " : "") + word
            }
        }
        lines.append(current)
        return lines
    }
}
