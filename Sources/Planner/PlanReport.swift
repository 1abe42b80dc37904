import Foundation
import SwitchyardCatalog
import SwitchyardModel

/// Renders a plan for people (text, Markdown) and programs (JSON). The sections are built once
/// and rendered by each format, so text and Markdown always say the same thing.
public enum PlanReport {
    /// Report formats.
    public enum Format: String, CaseIterable, Sendable { case text, markdown, json }

    /// The plan in `format`.
    public static func render(_ plan: Plan, format: Format) -> String {
        switch format {
        case .json: return PlanFile.encode(plan)
        case .text: return renderText(sections(plan))
        case .markdown: return renderMarkdown(sections(plan), title: "Sourcing plan: \(plan.scenario)")
        }
    }

    /// A titled block: sentences, then an optional table.
    struct Section {
        var title: String
        var lines: [String] = []
        var header: [String] = []
        var rows: [[String]] = []
        var numericColumns: Set<Int> = []
    }

    static func renderText(_ sections: [Section]) -> String {
        var out: [String] = []
        for section in sections {
            out.append(section.title)
            out.append(String(repeating: "═", count: section.title.count))
            out += section.lines.flatMap { TextWrap.wrap($0) }
            if !section.header.isEmpty {
                if !section.lines.isEmpty { out.append("") }
                out.append(
                    TextTable.render(
                        header: section.header, rows: section.rows, rightAligned: section.numericColumns,
                        width: TextWrap.reportWidth))
            }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    static func renderMarkdown(_ sections: [Section], title: String) -> String {
        var out = ["# \(title)", ""]
        for section in sections {
            out.append("## \(section.title)")
            out.append("")
            out += section.lines.map { "- \($0)" }
            if !section.lines.isEmpty { out.append("") }
            if !section.header.isEmpty {
                out.append("| " + section.header.joined(separator: " | ") + " |")
                out.append(
                    "|"
                        + section.header.indices.map { section.numericColumns.contains($0) ? " ---: |" : " --- |" }
                        .joined())
                for row in section.rows {
                    out.append(
                        "| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
                    )
                }
                out.append("")
            }
        }
        return out.joined(separator: "\n")
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
