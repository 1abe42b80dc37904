import Foundation

/// Writes a `DocumentNode` as YAML or JSON text, in the node's key order.
///
/// Quoted scalars are written as JSON strings (valid YAML too), so text that looks like a number,
/// a boolean or a date always reads back as text.
public enum DocumentWriter {
    /// The document as text in `format`, ending in a newline.
    public static func write(_ node: DocumentNode, format: DocumentFormat) -> String {
        var out = ""
        switch format {
        case .json: writeJSON(node, indent: 0, into: &out)
        case .yaml: writeYAML(node, indent: 0, into: &out, inList: false)
        }
        if !out.hasSuffix("\n") { out += "\n" }
        return out
    }

    static func scalarText(_ text: String, quoted: Bool) -> String {
        quoted ? jsonString(text) : text
    }

    /// A scalar as JSON: plain YAML scalars that are not JSON literals (`2027-07`, `yes`) become
    /// strings, so a document read from YAML always writes valid JSON.
    static func jsonScalar(_ text: String, quoted: Bool) -> String {
        if quoted { return jsonString(text) }
        if text.isEmpty || text == "~" { return "null" }
        if text == "true" || text == "false" || text == "null" { return text }
        if text.range(of: #"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$"#, options: .regularExpression) != nil {
            return text
        }
        return jsonString(text)
    }

    /// `s` as a JSON string literal, escaped so that it also reads back as YAML.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where !yamlPrintable(c):
                // Control characters and the like, escaped so the text reads back as JSON and YAML.
                out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// What YAML keeps as itself inside a quoted scalar: its printable set less the characters it
    /// reads as line breaks (NEL, U+2028, U+2029). The rest must be escaped.
    static func yamlPrintable(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x2028, 0x2029: false
        case 0x20...0x7E, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    static func writeJSON(_ node: DocumentNode, indent: Int, into out: inout String) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch node {
        case .scalar(let text, let quoted, _):
            out += jsonScalar(text, quoted: quoted)
        case .sequence(let items, _):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                writeJSON(item, indent: indent + 1, into: &out)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += closePad + "]"
        case .mapping(let pairs, _):
            if pairs.isEmpty {
                out += "{}"
                return
            }
            out += "{\n"
            for (i, pair) in pairs.enumerated() {
                out += pad + jsonString(pair.key) + ": "
                writeJSON(pair.value, indent: indent + 1, into: &out)
                out += i + 1 < pairs.count ? ",\n" : "\n"
            }
            out += closePad + "}"
        }
    }

    static func yamlKey(_ key: String) -> String {
        let plain = key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
        return plain && !key.isEmpty ? key : jsonString(key)
    }

    /// Block YAML. `inList` means the caller already wrote "- " for this node's first line.
    static func writeYAML(_ node: DocumentNode, indent: Int, into out: inout String, inList: Bool) {
        let pad = String(repeating: "  ", count: indent)
        switch node {
        case .scalar(let text, let quoted, _):
            out += scalarText(text, quoted: quoted) + "\n"
        case .sequence(let items, _):
            if items.isEmpty {
                out += "[]\n"
                return
            }
            if inList { out += "\n" }
            for item in items {
                out += pad + "- "
                if case .sequence(let inner, _) = item, !inner.isEmpty {
                    out += "\n"
                    writeYAML(item, indent: indent + 1, into: &out, inList: false)
                } else {
                    writeYAML(item, indent: indent + 1, into: &out, inList: true)
                }
            }
        case .mapping(let pairs, _):
            if pairs.isEmpty {
                out += "{}\n"
                return
            }
            for (i, pair) in pairs.enumerated() {
                if !(inList && i == 0) { out += pad }
                out += yamlKey(pair.key) + ":"
                if pair.value.isInline {
                    out += " "
                } else {
                    out += "\n"
                }
                writeYAML(pair.value, indent: indent + 1, into: &out, inList: false)
            }
        }
    }
}

extension DocumentNode {
    /// Scalars and empty collections sit on their key's line.
    var isInline: Bool {
        switch self {
        case .scalar: true
        case .sequence(let items, _): items.isEmpty
        case .mapping(let pairs, _): pairs.isEmpty
        }
    }
}
