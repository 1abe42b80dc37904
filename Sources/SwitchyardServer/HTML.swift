/// Markup that escapes by default: the literal parts of an `HTML` string are markup, and every
/// interpolated value is text, escaped for HTML and SVG, unless it is `HTML` itself (already
/// built this way) or asked for with `raw:`. A missed escape cannot happen by forgetting a call.
///
/// ```swift
/// let name = "<script>"
/// let cell: HTML = "<td>\(name)</td>"          // <td>&lt;script&gt;</td>
/// let row: HTML = "<tr>\(cell)</tr>"            // HTML inside HTML stays markup
/// ```
struct HTML: ExpressibleByStringInterpolation, CustomStringConvertible, Sendable, Equatable {
    /// The markup.
    private(set) var markup: String

    /// Markup taken as it is: for text that is already markup (a stylesheet, a built chart).
    init(raw markup: String) { self.markup = markup }

    init(stringLiteral value: String) { markup = value }

    init(stringInterpolation: StringInterpolation) { markup = stringInterpolation.markup }

    var description: String { markup }

    static func + (lhs: HTML, rhs: HTML) -> HTML { HTML(raw: lhs.markup + rhs.markup) }

    static func += (lhs: inout HTML, rhs: HTML) { lhs.markup += rhs.markup }

    /// Joins pieces of markup.
    static func joined(_ pieces: [HTML], separator: HTML = "") -> HTML {
        HTML(raw: pieces.map(\.markup).joined(separator: separator.markup))
    }

    struct StringInterpolation: StringInterpolationProtocol {
        var markup = ""

        init(literalCapacity: Int, interpolationCount: Int) { markup.reserveCapacity(literalCapacity * 2) }

        mutating func appendLiteral(_ literal: String) { markup += literal }

        /// Markup built as `HTML`: kept.
        mutating func appendInterpolation(_ html: HTML) { markup += html.markup }

        /// Optional markup: kept, or nothing.
        mutating func appendInterpolation(_ html: HTML?) { markup += html?.markup ?? "" }

        /// Text: escaped.
        mutating func appendInterpolation(_ text: String) { markup += esc(text) }

        /// Any other value: its description, escaped.
        mutating func appendInterpolation<T: CustomStringConvertible>(_ value: T) { markup += esc(value.description) }

        /// Markup given as a string, on purpose: kept.
        mutating func appendInterpolation(raw markup: String) { self.markup += markup }
    }
}
