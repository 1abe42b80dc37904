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
        // Byte by byte: a plan's JSON runs to megabytes, and every byte that matters is ASCII.
        var out: [UInt8] = []
        out.reserveCapacity(json.utf8.count)
        var inString = false
        var escaped = false
        var number: [UInt8] = []
        func flush() {
            guard !number.isEmpty else { return }
            // Whole numbers are exact as written; only fractions and exponents carry noise.
            let mantissa = number.prefix { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
            let digits = mantissa.filter { (0x30...0x39).contains($0) }.drop { $0 == UInt8(ascii: "0") }.count
            if digits > 15, mantissa.contains(UInt8(ascii: ".")),
                let value = Double(String(decoding: number, as: UTF8.self)),
                let tidy = Double(String(format: "%.15g", value))
            {
                out += Array((tidy == tidy.rounded() && abs(tidy) < 1e15 ? String(Int64(tidy)) : "\(tidy)").utf8)
            } else {
                out += number
            }
            number.removeAll(keepingCapacity: true)
        }
        for byte in json.utf8 {
            if inString {
                out.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if (0x30...0x39).contains(byte) || "-.eE+".utf8.contains(byte) {
                number.append(byte)
            } else {
                flush()
                if byte == UInt8(ascii: "\"") { inString = true }
                out.append(byte)
            }
        }
        flush()
        return String(decoding: out, as: UTF8.self)
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
