import Foundation
import SwitchyardModel
import Yams

/// A parsed YAML or JSON document: the one tree both formats read into and write from, with the
/// source line of every node so problems can say where they are.
public indirect enum DocumentNode: Sendable, Equatable {
    /// A scalar; `quoted` when the source quoted it (then it is always a string).
    case scalar(String, quoted: Bool, line: Int?)
    /// A list.
    case sequence([DocumentNode], line: Int?)
    /// A mapping, in source order.
    case mapping([(key: String, value: DocumentNode)], line: Int?)

    /// The 1-based source line, when parsed from text.
    public var line: Int? {
        switch self {
        case .scalar(_, _, let line), .sequence(_, let line), .mapping(_, let line): line
        }
    }

    /// What the node is, for messages: `a list`, `a mapping`, `a text value`.
    var kindDescription: String {
        switch self {
        case .scalar(let text, let quoted, _):
            if !quoted, text.isEmpty || text == "~" || text == "null" { return "nothing (null)" }
            return "'\(text.count > 40 ? String(text.prefix(40)) + "…" : text)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }

    public static func == (lhs: DocumentNode, rhs: DocumentNode) -> Bool {
        switch (lhs, rhs) {
        case let (.scalar(a, qa, _), .scalar(b, qb, _)): a == b && qa == qb
        case let (.sequence(a, _), .sequence(b, _)): a == b
        case let (.mapping(a, _), .mapping(b, _)):
            a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }
}

/// The format of a scenario or plan file.
public enum DocumentFormat: String, Sendable, CaseIterable {
    /// YAML 1.1 (what people write).
    case yaml
    /// JSON (what programs exchange).
    case json

    /// The format a path's extension names, or nil for an unknown extension.
    public init?(path: String) {
        switch (path as NSString).pathExtension.lowercased() {
        case "yaml", "yml": self = .yaml
        case "json": self = .json
        default: return nil
        }
    }
}

/// Reads text into a `DocumentNode`, turning every parser failure into a located diagnostic.
public enum DocumentParser {
    /// The largest input accepted, so that a mistaken path to a huge file fails fast.
    public static let maximumBytes = 64 << 20

    /// Parses raw bytes as UTF-8 YAML or JSON.
    ///
    /// - Throws: `InputError` naming what is wrong (not text, empty, malformed with line and column).
    public static func parse(_ data: Data, format: DocumentFormat) throws -> DocumentNode {
        if data.count > maximumBytes {
            throw InputError([
                Diagnostic(path: "", message: "file is \(data.count) bytes; the limit is \(maximumBytes)")
            ])
        }
        guard let text = String(data: data, encoding: .utf8), !text.contains("\u{0}") else {
            throw InputError([Diagnostic(path: "", message: "not UTF-8 text (is this a binary file?)")])
        }
        return try parse(text, format: format)
    }

    /// Parses text as YAML or JSON.
    public static func parse(_ text: String, format: DocumentFormat) throws -> DocumentNode {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw InputError([Diagnostic(path: "", message: "the file is empty")])
        }
        if format == .json {
            do {
                _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            } catch {
                throw InputError([jsonDiagnostic(error, text: text)])
            }
            if let line = trailingCommaLine(json: text) {
                throw InputError([
                    Diagnostic(
                        path: "", message: "malformed JSON at line \(line): a comma before a closing ] or }",
                        line: line)
                ])
            }
        }
        let source = format == .json ? try yamlEscapes(json: text) : text
        let root: Yams.Node?
        let parser: Yams.Parser
        do {
            // The encoding is named: its default is looked up in the environment on every parse.
            parser = try Yams.Parser(yaml: source, resolver: .default, constructor: .default, encoding: .utf8)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw InputError([yamlDiagnostic(error, format: format)])
        } catch {
            throw InputError([Diagnostic(path: "", message: "malformed \(format.rawValue): \(error)")])
        }
        guard let root else {
            throw InputError([Diagnostic(path: "", message: "the file holds no document (only comments?)")])
        }
        // Aliases are counted before anything is expanded: a 482-byte file of nested aliases
        // ("billion laughs") expands to billions of nodes. Anchored nodes are measured once (an
        // alias is a copy of its anchored node, anchor and all), so this costs the file's own
        // size, not its expansion. The parser is kept alive meanwhile: it owns the anchors.
        let limit = ExpansionLimit(nodes: maximumNodes, bytes: max(maximumExpandedBytes, 2 * text.utf8.count))
        let expanded = withExtendedLifetime(parser) {
            var sizes: [ObjectIdentifier: ExpansionLimit] = [:]
            return expandedSize(root, limit: limit, sizes: &sizes)
        }
        let over =
            expanded.nodes > limit.nodes
            ? "\(limit.nodes) nodes" : expanded.bytes > limit.bytes ? "\(limit.bytes) bytes of text" : nil
        if let over {
            throw InputError([
                Diagnostic(
                    path: "",
                    message:
                        "the file's YAML aliases expand to more than \(over); refused before expanding them (a scenario needs no aliases at all)"
                )
            ])
        }
        var budget = maximumNodes
        return try convert(root, budget: &budget)
    }

    /// The most nodes a document may hold with its aliases expanded. The large generated
    /// scenario (1,000 offers, 300 workloads) has about 40,000.
    static let maximumNodes = 1_000_000

    /// The most bytes of text (keys and values) a document may hold with its aliases expanded,
    /// unless the file itself is over half of it: aliases may at most double a larger file. A
    /// count of nodes alone let one long anchored text, aliased 10,000 times, become 100 MB.
    static let maximumExpandedBytes = 16 << 20

    /// What a document holds with its aliases expanded.
    struct ExpansionLimit {
        var nodes: Int
        var bytes: Int
    }

    /// Nodes and bytes of text of `node` with aliases expanded, counting each anchored node once
    /// and stopping just past the limit.
    private static func expandedSize(
        _ node: Yams.Node, limit: ExpansionLimit, sizes: inout [ObjectIdentifier: ExpansionLimit]
    ) -> ExpansionLimit {
        let key = node.anchor.map(ObjectIdentifier.init)
        if let key, let known = sizes[key] { return known }
        var size = ExpansionLimit(nodes: 1, bytes: 0)
        func add(_ child: Yams.Node) {
            guard size.nodes <= limit.nodes, size.bytes <= limit.bytes else { return }
            let more = expandedSize(child, limit: limit, sizes: &sizes)
            size.nodes += more.nodes
            size.bytes += more.bytes
        }
        switch node {
        case .scalar(let scalar): size.bytes = scalar.string.utf8.count
        case .alias: break
        case .sequence(let sequence): for child in sequence { add(child) }
        case .mapping(let mapping):
            for (k, v) in mapping {
                add(k)
                add(v)
            }
        }
        size = ExpansionLimit(nodes: min(size.nodes, limit.nodes + 1), bytes: min(size.bytes, limit.bytes + 1))
        if let key { sizes[key] = size }
        return size
    }

    /// The line of a comma that closes a list or an object (`[1,]`, `{"a": 1,}`), outside strings:
    /// JSON has none, but Foundation's reader and the YAML parser behind it let it pass.
    static func trailingCommaLine(json text: String) -> Int? {
        var line = 1
        var inString = false
        var escaped = false
        var commaLine: Int?
        for byte in text.utf8 {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                if byte == UInt8(ascii: "\n") { line += 1 }
                continue
            }
            switch byte {
            case UInt8(ascii: "\n"): line += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): continue
            case UInt8(ascii: ","): commaLine = line
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                if let commaLine { return commaLine }
            case UInt8(ascii: "\""):
                inString = true
                commaLine = nil
            default: commaLine = nil
            }
            if byte != UInt8(ascii: ",") && byte != UInt8(ascii: "\n") { commaLine = nil }
        }
        return nil
    }

    /// JSON writes characters beyond the Basic Multilingual Plane as UTF-16 surrogate pairs
    /// (`\\ud83d\\ude80`); YAML, whose parser reads JSON here, needs `\\U0001F680`. Lone surrogates
    /// name no character and are refused.
    static func yamlEscapes(json text: String) throws -> String {
        guard text.range(of: #"\\u[dD][89a-fA-F]"#, options: .regularExpression) != nil else { return text }
        var out = ""
        var scalars = Array(text.unicodeScalars)[...]
        var backslashes = 0
        while let c = scalars.popFirst() {
            if c == "\\", backslashes % 2 == 0, scalars.first == "u", let high = hex4(scalars.dropFirst()),
                (0xD800...0xDFFF).contains(high)
            {
                let rest = scalars.dropFirst(5)
                guard (0xD800...0xDBFF).contains(high), rest.starts(with: ["\\", "u"]),
                    let low = hex4(rest.dropFirst(2)), (0xDC00...0xDFFF).contains(low)
                else {
                    throw InputError([
                        Diagnostic(
                            path: "",
                            message: "malformed JSON: \\u\(String(high, radix: 16)) is half of a surrogate pair")
                    ])
                }
                let scalar = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                out += String(format: "\\U%08X", scalar)
                scalars = rest.dropFirst(6)
                backslashes = 0
                continue
            }
            backslashes = c == "\\" ? backslashes + 1 : 0
            out.unicodeScalars.append(c)
        }
        return out
    }

    private static func hex4(_ s: ArraySlice<Unicode.Scalar>) -> UInt32? {
        let digits = s.prefix(4)
        guard digits.count == 4 else { return nil }
        return UInt32(String(String.UnicodeScalarView(digits)), radix: 16)
    }

    private static func convert(_ node: Yams.Node, budget: inout Int) throws -> DocumentNode {
        budget -= 1
        if budget < 0 {
            throw InputError([Diagnostic(path: "", message: "document too large after expanding aliases")])
        }
        let line = node.mark?.line
        switch node {
        case .scalar(let scalar):
            let quoted = scalar.style != .plain && scalar.style != .any
            return .scalar(scalar.string, quoted: quoted, line: line)
        case .sequence(let sequence):
            return .sequence(try sequence.map { try convert($0, budget: &budget) }, line: line)
        case .mapping(let mapping):
            var pairs: [(key: String, value: DocumentNode)] = []
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw InputError([
                        Diagnostic(path: "", message: "mapping keys must be plain text", line: key.mark?.line)
                    ])
                }
                pairs.append((keyScalar.string, try convert(value, budget: &budget)))
            }
            return .mapping(pairs, line: line)
        case .alias:
            throw InputError([Diagnostic(path: "", message: "unresolved YAML alias", line: line)])
        }
    }

    private static func yamlDiagnostic(_ error: YamlError, format: DocumentFormat) -> Diagnostic {
        let name = format.rawValue.uppercased()
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            var message = "malformed \(name) at line \(mark.line), column \(mark.column): \(problem)"
            if let context { message += " (\(context.text))" }
            return Diagnostic(path: "", message: message, line: mark.line)
        case let .duplicatedKeysInMapping(duplicates, context):
            return Diagnostic(
                path: "",
                message: "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) (\(context.text))",
                line: context.mark.line)
        case let .reader(problem, offset, _, _):
            return Diagnostic(
                path: "", message: "unreadable \(name): \(problem)" + (offset.map { " at byte \($0)" } ?? ""))
        default:
            return Diagnostic(path: "", message: "malformed \(name): \(error)")
        }
    }

    private static func jsonMessage(_ error: Error) -> String {
        let ns = error as NSError
        return (ns.userInfo[NSDebugDescriptionErrorKey] as? String) ?? ns.localizedDescription
    }

    /// The parser's complaint with its place as line and column: Foundation names a byte offset
    /// ("around character 22"), which is turned into the line and column a person looks for.
    static func jsonDiagnostic(_ error: Error, text: String) -> Diagnostic {
        let message = jsonMessage(error)
        guard let range = message.range(of: #"around character [0-9]+"#, options: .regularExpression),
            let offset = Int(message[range].split(separator: " ").last ?? "")
        else { return Diagnostic(path: "", message: "malformed JSON: \(message)") }
        var line = 1
        var column = 1
        for byte in text.utf8.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        let reason = message[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        return Diagnostic(
            path: "", message: "malformed JSON at line \(line), column \(column): \(reason)", line: line)
    }
}
