import Foundation
import SwitchyardModel

/// Reads and writes plans as JSON: stable key order, documented in docs/planner.md.
public enum PlanFile {
    /// The plan as key-sorted JSON, pretty unless `compact` (for storage and the API).
    public static func encode(_ plan: Plan, compact: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            compact ? [.sortedKeys, .withoutEscapingSlashes] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(plan) else { return "{}" }
        return tidyNumbers(String(decoding: data, as: UTF8.self)) + "\n"
    }

    /// JSON text with floating-point noise taken out of its numbers: every number of more than 15
    /// significant digits is written as the shortest text of its 15-digit rounding
    /// (`0.9999999999999999` → `1`, `400.00000000000006` → `400`, `2457.6000000000004` →
    /// `2457.6`). Fifteen digits is all a decimal read back into a Double keeps for certain;
    /// strings are left alone.
    public static func tidyNumbers(_ json: String) -> String {
        var out = ""
        out.reserveCapacity(json.utf8.count)
        var inString = false
        var escaped = false
        var number = ""
        func flush() {
            guard !number.isEmpty else { return }
            // Whole numbers are exact as written; only fractions and exponents carry noise.
            let mantissa = number.prefix { $0 != "e" && $0 != "E" }
            let digits = mantissa.filter(\.isNumber).drop { $0 == "0" }.count
            if digits > 15, mantissa.contains("."), let value = Double(number),
                let tidy = Double(String(format: "%.15g", value))
            {
                out += tidy == tidy.rounded() && abs(tidy) < 1e15 ? String(Int64(tidy)) : "\(tidy)"
            } else {
                out += number
            }
            number = ""
        }
        for c in json {
            if inString {
                out.append(c)
                if escaped {
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    inString = false
                }
            } else if c.isNumber || c == "-" || c == "." || c == "e" || c == "E" || c == "+" {
                number.append(c)
            } else {
                flush()
                if c == "\"" { inString = true }
                out.append(c)
            }
        }
        flush()
        return out
    }

    /// Reads a plan written by `encode`.
    ///
    /// - Throws: `InputError` naming the file and what is wrong.
    public static func load(path: String) throws -> Plan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError([Diagnostic(path: "", message: "cannot be read (no such file?)")], source: path)
        }
        do {
            return try decode(data)
        } catch var error as InputError {
            error.source = path
            throw error
        }
    }

    /// Reads a plan written by `encode` from bytes.
    ///
    /// - Throws: `InputError` saying what is wrong.
    public static func decode(_ data: Data) throws -> Plan {
        do {
            return try JSONDecoder().decode(Plan.self, from: data)
        } catch let error as DecodingError {
            throw InputError([describe(error)])
        } catch {
            throw InputError([Diagnostic(path: "", message: "not a plan: \(error)")])
        }
    }

    static func describe(_ error: DecodingError) -> Diagnostic {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(
                in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return Diagnostic(
                path: path(context.codingPath + [key]),
                message: "missing field: is this a plan written by `switchyard plan --format json`?")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return Diagnostic(path: path(context.codingPath), message: "wrong type: \(context.debugDescription)")
        case .dataCorrupted(let context):
            return Diagnostic(
                path: path(context.codingPath), message: "not valid plan JSON: \(context.debugDescription)")
        @unknown default:
            return Diagnostic(path: "", message: "not a plan")
        }
    }
}
