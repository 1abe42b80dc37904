import Foundation
import SwitchyardModel

/// Reads typed values out of a `DocumentNode`, collecting every problem with its path instead of
/// stopping at the first. Readers for scenarios, incidents and plans build on it.
///
/// Each `read…` returns nil after recording a diagnostic; callers carry on so later problems are
/// reported too.
public struct DocumentReader {
    /// Problems found so far, in document order.
    public private(set) var diagnostics: [Diagnostic] = []

    /// Whether text must be written as text: in JSON a number or `true` where text is expected is
    /// a mistake; in YAML `name: 2027` is the text "2027".
    public var strictText: Bool

    /// An empty reader; `strictText` for JSON input.
    public init(strictText: Bool = false) {
        self.strictText = strictText
    }

    /// Records a problem.
    ///
    /// At most `maximumDiagnostics` are kept, then one line says how many more there were: a
    /// document whose aliases repeat one mistake thousands of times gets a readable answer, not
    /// megabytes of the same line.
    public mutating func fail(_ path: String, _ message: String, line: Int?) {
        if diagnostics.count < Self.maximumDiagnostics {
            diagnostics.append(Diagnostic(path: path, message: message, line: line))
            return
        }
        omitted += 1
        let summary = Diagnostic(path: "", message: "and \(omitted) more problem(s) not listed")
        if diagnostics.count == Self.maximumDiagnostics {
            diagnostics.append(summary)
        } else {
            diagnostics[diagnostics.count - 1] = summary
        }
    }

    /// The most problems listed for one document.
    public static let maximumDiagnostics = 200
    private var omitted = 0

    /// Text from the input as a message quotes it: at most 64 characters.
    public static func quoted(_ text: String) -> String {
        text.count <= 64 ? text : String(text.prefix(61)) + "…"
    }

    /// A mapping's fields, checked against the keys the schema allows.
    public struct Fields {
        /// The mapping's path.
        public let path: String
        /// Its line.
        public let line: Int?
        let values: [String: DocumentNode]

        /// The path of one of its fields.
        public func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        /// Whether the key is present and not null.
        public func has(_ key: String) -> Bool {
            guard let node = values[key] else { return false }
            return !DocumentReader.isNull(node)
        }
        /// The raw node of a field.
        public subscript(key: String) -> DocumentNode? { values[key] }
    }

    static func isNull(_ node: DocumentNode) -> Bool {
        if case .scalar(let text, false, _) = node { return text.isEmpty || text == "~" || text == "null" }
        return false
    }

    /// Opens a mapping, reporting every key that is not in `allowed` (typos must not pass silently).
    public mutating func fields(_ node: DocumentNode, at path: String, allowed: [String]) -> Fields? {
        guard case .mapping(let pairs, let line) = node else {
            fail(path, "expected a mapping of fields, found \(node.kindDescription)", line: node.line)
            return nil
        }
        var values: [String: DocumentNode] = [:]
        for (key, value) in pairs {
            if !allowed.contains(key) {
                let shown = Self.quoted(key)
                let keyPath = path.isEmpty ? shown : "\(path).\(shown)"
                var message = "unknown field '\(shown)'"
                if key.count <= 64, let guess = closestMatch(to: key, in: allowed) {
                    message += " (did you mean '\(guess)'?)"
                }
                fail(keyPath, message, line: value.line)
                continue
            }
            values[key] = value
        }
        return Fields(path: path, line: line, values: values)
    }

    /// A required field read with `read`; reports `missing required field` when absent.
    public mutating func required<T>(
        _ fields: Fields, _ key: String, _ read: (inout DocumentReader, DocumentNode, String) -> T?
    ) -> T? {
        guard let node = fields[key], !Self.isNull(node) else {
            fail(fields.path(key), "missing required field", line: fields.line)
            return nil
        }
        return read(&self, node, fields.path(key))
    }

    /// An optional field read with `read`; nil when absent or null.
    public mutating func optional<T>(
        _ fields: Fields, _ key: String, _ read: (inout DocumentReader, DocumentNode, String) -> T?
    ) -> T? {
        guard let node = fields[key], !Self.isNull(node) else { return nil }
        return read(&self, node, fields.path(key))
    }

    /// A list; each element read with `read`, failures skipped after being reported.
    public mutating func list<T>(
        _ node: DocumentNode, _ path: String, _ read: (inout DocumentReader, DocumentNode, String) -> T?
    ) -> [T]? {
        guard case .sequence(let items, _) = node else {
            fail(path, "expected a list, found \(node.kindDescription)", line: node.line)
            return nil
        }
        var result: [T] = []
        for (index, item) in items.enumerated() {
            if let value = read(&self, item, "\(path)[\(index)]") { result.append(value) }
        }
        return result
    }

    /// A mapping from free keys to values (`speed: { google-tpu-v7: 2.2 }`).
    public mutating func dictionary<T>(
        _ node: DocumentNode, _ path: String, _ read: (inout DocumentReader, DocumentNode, String) -> T?
    ) -> [(String, T)]? {
        guard case .mapping(let pairs, _) = node else {
            fail(path, "expected a mapping, found \(node.kindDescription)", line: node.line)
            return nil
        }
        var result: [(String, T)] = []
        for (key, value) in pairs {
            if let v = read(&self, value, path.isEmpty ? key : "\(path).\(key)") { result.append((key, v)) }
        }
        return result
    }

    /// Text.
    public mutating func string(_ node: DocumentNode, _ path: String) -> String? {
        guard case .scalar(let text, let quoted, _) = node, quoted || !strictText else {
            fail(path, "expected text, found \(node.kindDescription)", line: node.line)
            return nil
        }
        return text
    }

    /// A finite number; `1e999` and `NaN` are rejected.
    public mutating func double(_ node: DocumentNode, _ path: String) -> Double? {
        guard case .scalar(let text, let quoted, _) = node, !quoted else {
            fail(path, "expected a number, found \(node.kindDescription)", line: node.line)
            return nil
        }
        guard let value = Double(text.replacingOccurrences(of: "_", with: "")) else {
            fail(path, "expected a number, found '\(text)'", line: node.line)
            return nil
        }
        guard value.isFinite, abs(value) < 1e15 else {
            fail(path, "\(text) is too large (at most 1e15)", line: node.line)
            return nil
        }
        return value
    }

    /// A whole number within ±1e12.
    public mutating func int(_ node: DocumentNode, _ path: String) -> Int? {
        guard let value = double(node, path) else { return nil }
        guard value.rounded() == value else {
            fail(path, "expected a whole number, found \(value)", line: node.line)
            return nil
        }
        guard abs(value) <= 1e12 else {
            fail(path, "\(value) is too large (at most 1e12)", line: node.line)
            return nil
        }
        return Int(value)
    }

    /// A money amount, kept exact from its text: 0, or at least 1e-9 in size (Decimal keeps no
    /// smaller amounts: `1e-130` would become NaN).
    public mutating func decimal(_ node: DocumentNode, _ path: String) -> Decimal? {
        guard let value = double(node, path), case .scalar(let text, _, _) = node else { return nil }
        guard value == 0 || abs(value) >= 1e-9 else {
            fail(path, "\(text) is too small for an amount in USD (0, or at least 1e-9)", line: node.line)
            return nil
        }
        return Decimal(string: text.replacingOccurrences(of: "_", with: ""), locale: Locale(identifier: "en_US_POSIX"))
            ?? Decimal(value)
    }

    /// `true` or `false`.
    public mutating func bool(_ node: DocumentNode, _ path: String) -> Bool? {
        if case .scalar(let text, false, _) = node {
            switch text.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: break
            }
        }
        fail(path, "expected true or false, found \(node.kindDescription)", line: node.line)
        return nil
    }

    /// A month, `YYYY-MM`.
    public mutating func yearMonth(_ node: DocumentNode, _ path: String) -> YearMonth? {
        guard let text = string(node, path) else { return nil }
        guard let month = YearMonth(parsing: text) else {
            fail(path, "expected a month as YYYY-MM, found '\(text)'", line: node.line)
            return nil
        }
        return month
    }

    /// One of an enum's raw values.
    public mutating func choice<E: RawRepresentable & CaseIterable>(_ node: DocumentNode, _ path: String) -> E?
    where E.RawValue == String {
        guard let text = string(node, path) else { return nil }
        guard let value = E(rawValue: text) else {
            let options = E.allCases.map(\.rawValue)
            var message = "'\(Self.quoted(text))' is not one of \(options.joined(separator: ", "))"
            if text.count <= 64, let guess = closestMatch(to: text, in: options) {
                message += " (did you mean '\(guess)'?)"
            }
            fail(path, message, line: node.line)
            return nil
        }
        return value
    }

    /// An identifier: non-empty text.
    public mutating func identifier<Tag>(_ node: DocumentNode, _ path: String) -> Identifier<Tag>? {
        guard let text = string(node, path) else { return nil }
        guard !text.isEmpty, !text.contains(where: { $0.isWhitespace || $0.isNewline }),
            !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            fail(
                path, "an identifier must be non-empty text without spaces or control characters, found '\(text)'",
                line: node.line)
            return nil
        }
        return Identifier(rawValue: text)
    }
}

/// Adapts a reader method to the `(inout reader, node, path)` shape the field helpers take.
public typealias FieldRead<T> = @Sendable (inout DocumentReader, DocumentNode, String) -> T?

extension DocumentReader {
    static let string: FieldRead<String> = { $0.string($1, $2) }
    static let double: FieldRead<Double> = { $0.double($1, $2) }
    static let int: FieldRead<Int> = { $0.int($1, $2) }
    static let decimal: FieldRead<Decimal> = { $0.decimal($1, $2) }
    static let bool: FieldRead<Bool> = { $0.bool($1, $2) }
    static let yearMonth: FieldRead<YearMonth> = { $0.yearMonth($1, $2) }
    static func id<Tag>() -> FieldRead<Identifier<Tag>> { { $0.identifier($1, $2) } }
    static func choice<E: RawRepresentable & CaseIterable & Sendable>() -> FieldRead<E> where E.RawValue == String {
        { $0.choice($1, $2) }
    }
    static func list<T>(_ element: @escaping FieldRead<T>) -> FieldRead<[T]> { { $0.list($1, $2, element) } }
}
