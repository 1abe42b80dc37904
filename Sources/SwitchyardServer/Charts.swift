import Foundation
import SwitchyardModel

/// Inline SVG charts for the dashboard: no script, no external files. Every mark carries a
/// `<title>` with its exact figure, so hovering shows it and tests can read it.
enum Charts {
    /// A colour per series, stable for a given index.
    static let palette = [
        "#2563eb", "#f97316", "#16a34a", "#dc2626", "#9333ea", "#0891b2", "#ca8a04", "#db2777", "#4b5563", "#65a30d",
        "#7c3aed", "#0d9488",
    ]

    struct Series {
        var name: String
        var values: [Double]
        /// Its fill; nil: the palette's colour for its index.
        var colour: String?
        /// What each value stands for beside the chart's unit (a segment's accelerators), in its title.
        var notes: [String]?

        init(name: String, values: [Double], colour: String? = nil, notes: [String]? = nil) {
            self.name = name
            self.values = values
            self.colour = colour
            self.notes = notes
        }
    }

    /// A line drawn over columns (a demand against the supply stacked beneath it).
    struct Line {
        var id: String
        var name: String
        var values: [Double]
    }

    /// Stacked columns: one column per label, one segment per series; with `line`, a dark line
    /// over them with a point per label carrying its figure.
    static func stackedColumns(
        id: String, title: String, labels: [String], series: [Series], unit: String, line: Line? = nil,
        width: Int = 880, height: Int = 300
    ) -> HTML {
        let totals = labels.indices.map { i in
            series.reduce(0) { $0 + ($1.values.indices.contains(i) ? $1.values[i] : 0) }
        }
        let maxTotal = niceCeiling(max(totals.max() ?? 0, line?.values.max() ?? 0))
        let plot = Frame(width: width, height: height)
        var svg = plot.open(id: id, title: title)
        svg += plot.yAxis(max: maxTotal, unit: unit)
        let slot = plot.innerWidth / Double(max(labels.count, 1))
        let barWidth = max(2, slot * 0.72)
        for (i, label) in labels.enumerated() {
            var y = plot.bottom
            let x = plot.left + Double(i) * slot + (slot - barWidth) / 2
            for (s, item) in series.enumerated() {
                let value = item.values.indices.contains(i) ? item.values[i] : 0
                guard value > 0, maxTotal > 0 else { continue }
                let h = value / maxTotal * plot.innerHeight
                y -= h
                let note = item.notes.flatMap { $0.indices.contains(i) ? " (\($0[i]))" : nil } ?? ""
                svg += "<rect class=\"mark\" x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(barWidth))\" height=\"\(f(h))\" "
                svg +=
                    "fill=\"\(item.colour ?? palette[s % palette.count])\" data-series=\"\(esc(item.name))\" data-label=\"\(esc(label))\" "
                svg += "data-value=\"\(number(value))\"><title>\(esc(item.name)), \(esc(label)): "
                svg += "\(esc(Formatted.grouped(value))) \(esc(unit))\(esc(note))</title></rect>"
            }
            if i % plot.labelStep(count: labels.count) == 0 {
                svg +=
                    "<text x=\"\(f(x + barWidth / 2))\" y=\"\(f(plot.bottom + 16))\" class=\"tick\" text-anchor=\"middle\">\(esc(label))</text>"
            }
        }
        if let line, maxTotal > 0 {
            let points = labels.indices.map { i in
                (
                    x: plot.left + (Double(i) + 0.5) * slot,
                    y: plot.bottom - (line.values.indices.contains(i) ? line.values[i] : 0) / maxTotal
                        * plot.innerHeight
                )
            }
            svg += "<polyline points=\"\(points.map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " "))\" "
            svg += "fill=\"none\" stroke=\"#111827\" stroke-width=\"2\"/>"
            for (i, point) in points.enumerated() {
                let value = line.values.indices.contains(i) ? line.values[i] : 0
                svg += "<circle class=\"mark\" cx=\"\(f(point.x))\" cy=\"\(f(point.y))\" r=\"3\" fill=\"#111827\" "
                svg +=
                    "data-series=\"\(esc(line.id))\" data-label=\"\(esc(labels[i]))\" data-value=\"\(number(value))\">"
                svg +=
                    "<title>\(esc(line.name)), \(esc(labels[i])): \(esc(Formatted.grouped(value))) \(esc(unit))</title></circle>"
            }
        }
        var keys = series.enumerated().map {
            Key(name: $0.element.name, colour: $0.element.colour ?? palette[$0.offset % palette.count])
        }
        if let line { keys.append(Key(name: line.name, colour: "#111827", isLine: true)) }
        return HTML(raw: svg + "</svg>" + legend(keys))
    }

    /// One line per series over the labels, from 0 to `maximum`, with a dashed line at `cap`;
    /// a point above the cap is a larger red dot ringed in black, and its figure rounded up
    /// (`format`), so it never reads as the cap itself.
    static func lines(
        id: String, title: String, labels: [String], series: [Series], maximum: Double, cap: Double,
        format: (Double) -> String, width: Int = 880, height: Int = 260
    ) -> HTML {
        let plot = Frame(width: width, height: height)
        var svg = plot.open(id: id, title: title)
        svg += plot.yAxis(max: maximum, unit: "", format: { percent($0) })
        let slot = plot.innerWidth / Double(max(labels.count, 1))
        func y(_ value: Double) -> Double { plot.bottom - min(1, max(0, value / maximum)) * plot.innerHeight }
        let capY = y(cap)
        svg +=
            "<line x1=\"\(f(plot.left))\" x2=\"\(f(Double(width) - plot.right))\" y1=\"\(f(capY))\" y2=\"\(f(capY))\" "
        svg += "stroke=\"#111827\" stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/>"
        svg +=
            "<text x=\"\(f(Double(width) - plot.right - 4))\" y=\"\(f(capY - 5))\" text-anchor=\"end\" class=\"tick\">"
        svg += "cap \(esc(percent(cap)))</text>"
        for (s, item) in series.enumerated() {
            let colour = item.colour ?? palette[s % palette.count]
            let points = labels.indices.compactMap { i -> (i: Int, x: Double, v: Double)? in
                guard item.values.indices.contains(i), item.values[i].isFinite else { return nil }
                return (i, plot.left + (Double(i) + 0.5) * slot, item.values[i])
            }
            svg += "<polyline points=\"\(points.map { "\(f($0.x)),\(f(y($0.v)))" }.joined(separator: " "))\" "
            svg += "fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
            for point in points {
                let over = point.v > cap + 1e-9
                svg += "<circle class=\"mark\" cx=\"\(f(point.x))\" cy=\"\(f(y(point.v)))\" r=\"\(over ? 5 : 2.5)\" "
                svg += over ? "stroke=\"#111827\" stroke-width=\"2\" " : ""
                svg += "fill=\"\(over ? "#dc2626" : colour)\" data-series=\"\(esc(item.name))\" "
                svg += "data-label=\"\(esc(labels[point.i]))\" data-value=\"\(number(point.v))\">"
                svg += "<title>\(esc(item.name)), \(esc(labels[point.i])): \(esc(format(point.v)))</title></circle>"
            }
        }
        for i in labels.indices where i % plot.labelStep(count: labels.count) == 0 {
            svg += "<text x=\"\(f(plot.left + (Double(i) + 0.5) * slot))\" y=\"\(f(plot.bottom + 16))\" class=\"tick\" "
            svg += "text-anchor=\"middle\">\(esc(labels[i]))</text>"
        }
        var keys = series.enumerated().map {
            Key(name: $0.element.name, colour: $0.element.colour ?? palette[$0.offset % palette.count], isLine: true)
        }
        keys.append(Key(name: "cap \(percent(cap))", colour: "#111827", isLine: true, dashed: true))
        return HTML(raw: svg + "</svg>" + legend(keys))
    }

    /// `base` (#rrggbb) mixed with white: shade 0 of n is the colour itself, the last of n the
    /// lightest (a little over half way to white), so one provider's models read as one family.
    static func shade(_ base: String, _ index: Int, of count: Int) -> String {
        guard count > 1, index > 0, base.count == 7, let rgb = Int(base.dropFirst(), radix: 16) else { return base }
        let t = 0.55 * Double(index) / Double(count - 1)
        let parts = [(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff].map {
            Int((Double($0) + (255 - Double($0)) * t).rounded())
        }
        return "#" + parts.map { String(format: "%02x", $0) }.joined()
    }

    /// Simple columns with their value labels; each column's title gives its figure as `exact`
    /// writes it (the axis's `format` by default), as the CLI's report does.
    static func columns(
        id: String, title: String, labels: [String], values: [Double], unit: String,
        format: @escaping (Double) -> String, exact: ((Double) -> String)? = nil,
        width: Int = 880, height: Int = 260
    ) -> HTML {
        let maxValue = niceCeiling(values.max() ?? 0)
        let plot = Frame(width: width, height: height)
        var svg = plot.open(id: id, title: title)
        svg += plot.yAxis(max: maxValue, unit: unit, format: format)
        let slot = plot.innerWidth / Double(max(labels.count, 1))
        let barWidth = max(2, slot * 0.72)
        for (i, (label, value)) in zip(labels, values).enumerated() {
            let h = maxValue > 0 ? max(0, value) / maxValue * plot.innerHeight : 0
            let x = plot.left + Double(i) * slot + (slot - barWidth) / 2
            svg +=
                "<rect class=\"mark\" x=\"\(f(x))\" y=\"\(f(plot.bottom - h))\" width=\"\(f(barWidth))\" height=\"\(f(h))\" "
            svg += "fill=\"\(palette[0])\" data-label=\"\(esc(label))\" data-value=\"\(number(value))\">"
            svg += "<title>\(esc(label)): \(esc((exact ?? format)(value)))</title></rect>"
            if i % plot.labelStep(count: labels.count) == 0 {
                svg +=
                    "<text x=\"\(f(x + barWidth / 2))\" y=\"\(f(plot.bottom + 16))\" class=\"tick\" text-anchor=\"middle\">\(esc(label))</text>"
            }
        }
        return HTML(raw: svg + "</svg>")
    }

    /// A share as the plan report writes it: above the cap to two decimals rounded up, so it
    /// never reads as the cap itself (50.02%, not 50.0%).
    static func share(_ share: Double, cap: Double) -> String {
        share > cap + 1e-9 ? String(format: "%.2f%%", (share * 10_000).rounded(.up) / 100) : percent(share)
    }

    /// The share chart's top: a tenth above the larger of the cap and the highest share, on a
    /// round figure, never above 100%.
    static func shareScale(_ series: [Series], cap: Double) -> Double {
        let highest = series.flatMap(\.values).filter(\.isFinite).max() ?? 0
        return min(1, (max(cap, highest) * 1.1 * 10).rounded(.up) / 10)
    }

    /// Horizontal bars, one per row, scaled to `maximum`; with `cap`, a dashed line there and
    /// bars beyond it in red.
    static func bars(
        id: String, title: String, rows: [(name: String, share: Double)], maximum: Double, cap: Double? = nil,
        format: (Double) -> String, describe: (String, Double) -> String, labelWidth: Double = 150
    ) -> HTML {
        let width = 880
        let rowHeight = 30
        let left = labelWidth
        let right = Double(width) - 90
        let height = rows.count * rowHeight + (cap == nil ? 14 : 40)
        var svg =
            "<svg id=\"\(id)\" class=\"chart\" role=\"img\" aria-label=\"\(esc(title))\" viewBox=\"0 0 \(width) \(height)\" "
        svg += "width=\"100%\" preserveAspectRatio=\"xMinYMin meet\"><title>\(esc(title))</title>"
        for (i, row) in rows.enumerated() {
            let y = Double(i * rowHeight + 10)
            let w = maximum > 0 ? (right - left) * min(1, max(0, row.share / maximum)) : 0
            let over = cap.map { row.share > $0 + 1e-9 } ?? false
            svg +=
                "<text x=\"\(f(left - 8))\" y=\"\(f(y + 17))\" text-anchor=\"end\" class=\"label\">\(esc(row.name))</text>"
            svg +=
                "<rect x=\"\(f(left))\" y=\"\(f(y + 4))\" width=\"\(f(right - left))\" height=\"18\" fill=\"#eef2f7\"/>"
            svg += "<rect class=\"mark\" x=\"\(f(left))\" y=\"\(f(y + 4))\" width=\"\(f(w))\" height=\"18\" "
            svg +=
                "fill=\"\(over ? "#dc2626" : palette[0])\" data-label=\"\(esc(row.name))\" data-value=\"\(number(row.share))\">"
            svg += "<title>\(esc(describe(row.name, row.share)))</title></rect>"
            svg += "<text x=\"\(f(left + w + 6))\" y=\"\(f(y + 17))\" class=\"value\">\(esc(format(row.share)))</text>"
        }
        if let cap {
            let capX = left + (right - left) * min(1, cap / maximum)
            svg +=
                "<line x1=\"\(f(capX))\" x2=\"\(f(capX))\" y1=\"4\" y2=\"\(height - 24)\" stroke=\"#111827\" stroke-dasharray=\"5 4\"/>"
            svg +=
                "<text x=\"\(f(capX))\" y=\"\(height - 8)\" text-anchor=\"middle\" class=\"tick\">cap \(percent(cap))</text>"
        }
        return HTML(raw: svg + "</svg>")
    }

    /// One run's bar in the Gantt: its cluster, the months it holds its gang (indices into the
    /// horizon), the month its work finishes and its deadline.
    struct RunBar {
        var run: String
        var cluster: String
        var start: Int
        var end: Int
        var finish: Int?
        var deadline: Int
        var slackMonths: Int?
    }

    /// Training runs as bars over the horizon, one row per cluster (runs of one cluster share
    /// it), with each run's deadline as a tick: green on time with slack, amber on time in its
    /// deadline month, red late or unfinished. A bar's `data-value` is its months, `data-start`
    /// its first.
    static func gantt(id: String, title: String, months: [String], runs: [RunBar]) -> HTML {
        let clusters = Array(Set(runs.map(\.cluster))).sorted()
        let left = 230.0
        let right = 860.0
        let rowHeight = 34.0
        let height = Int(Double(clusters.count) * rowHeight + 66)
        let cell = (right - left) / Double(max(months.count, 1))
        func x(_ month: Int) -> Double { left + Double(month) * cell }
        var svg =
            "<svg id=\"\(id)\" class=\"chart\" role=\"img\" aria-label=\"\(esc(title))\" viewBox=\"0 0 880 \(height)\" "
        svg += "width=\"100%\" preserveAspectRatio=\"xMinYMin meet\"><title>\(esc(title))</title>"
        for (r, cluster) in clusters.enumerated() {
            let y = Double(r) * rowHeight + 8
            svg +=
                "<text x=\"\(f(left - 8))\" y=\"\(f(y + 19))\" text-anchor=\"end\" class=\"label\">\(esc(cluster))</text>"
            svg +=
                "<rect x=\"\(f(left))\" y=\"\(f(y + 4))\" width=\"\(f(right - left))\" height=\"22\" fill=\"#eef2f7\"/>"
            for run in runs.filter({ $0.cluster == cluster }).sorted(by: { ($0.start, $0.run) < ($1.start, $1.run) }) {
                let late = run.finish.map { $0 > run.deadline } ?? true
                let colour = late ? "#dc2626" : (run.slackMonths ?? 0) > 0 ? "#16a34a" : "#f59e0b"
                let fate =
                    late
                    ? (run.finish == nil ? "does not finish" : "finishes \(months[run.finish!]), late")
                    : "finishes \(months[run.finish!]), \(run.slackMonths ?? 0) month(s) of slack"
                svg += "<rect class=\"mark\" x=\"\(f(x(run.start)))\" y=\"\(f(y + 4))\" "
                svg += "width=\"\(f(x(run.end + 1) - x(run.start)))\" height=\"22\" fill=\"\(colour)\" "
                svg += "data-label=\"\(esc(run.run))\" data-series=\"\(esc(cluster))\" "
                svg += "data-start=\"\(esc(months[run.start]))\" data-value=\"\(run.end - run.start + 1)\">"
                svg +=
                    "<title>\(esc(run.run)) on \(esc(cluster)), \(esc(months[run.start])) to \(esc(months[run.end])): "
                    + "\(esc(fate)), deadline \(esc(months[run.deadline]))</title></rect>"
                svg +=
                    "<text x=\"\(f(x(run.start) + 6))\" y=\"\(f(y + 19))\" class=\"label\" fill=\"#ffffff\">\(esc(run.run))</text>"
                let d = x(run.deadline + 1)
                svg +=
                    "<line class=\"deadline\" x1=\"\(f(d))\" y1=\"\(f(y))\" x2=\"\(f(d))\" y2=\"\(f(y + 30))\" "
                    + "stroke=\"#0f172a\" stroke-width=\"2\"><title>\(esc(run.run)): deadline \(esc(months[run.deadline]))</title></line>"
            }
        }
        let axisY = Double(clusters.count) * rowHeight + 22
        let step = max(1, months.count / 8)
        for (i, month) in months.enumerated() where i % step == 0 {
            svg +=
                "<text x=\"\(f(x(i) + cell / 2))\" y=\"\(f(axisY))\" text-anchor=\"middle\" class=\"tick\">\(esc(month))</text>"
        }
        svg +=
            "<text x=\"\(f(left))\" y=\"\(f(axisY + 20))\" class=\"tick\">bar: the months a run holds its gang · "
            + "black line: the end of its deadline month</text>"
        svg +=
            "<text x=\"\(f(left))\" y=\"\(f(axisY + 36))\" class=\"tick\">green: slack left · amber: on time in its "
            + "deadline month · red: late or unfinished</text>"
        return HTML(raw: svg + "</svg>")
    }

    /// A grid of cells coloured from red (0) to green (1).
    static func heatMap(
        id: String, title: String, rows: [String], columns: [String], values: [[Double?]], required: Double = 1
    ) -> HTML {
        let left = 150.0
        let cell = min(44.0, 700.0 / Double(max(columns.count, 1)))
        let width = Int(left + cell * Double(columns.count) + 20)
        let height = Int(Double(rows.count) * 28 + 60)
        var svg =
            "<svg id=\"\(id)\" class=\"chart\" role=\"img\" aria-label=\"\(esc(title))\" viewBox=\"0 0 \(width) \(height)\" "
        svg +=
            "width=\"100%\" style=\"max-width:\(width)px\" preserveAspectRatio=\"xMinYMin meet\"><title>\(esc(title))</title>"
        for (r, row) in rows.enumerated() {
            let y = Double(r * 28 + 6)
            svg +=
                "<text x=\"\(f(left - 8))\" y=\"\(f(y + 18))\" text-anchor=\"end\" class=\"label\">without \(esc(row))</text>"
            for (c, column) in columns.enumerated() {
                let x = left + Double(c) * cell
                guard let value = values[r][c] else {
                    svg +=
                        "<rect x=\"\(f(x + 1))\" y=\"\(f(y))\" width=\"\(f(cell - 2))\" height=\"26\" fill=\"#f3f4f6\">"
                    svg += "<title>without \(esc(row)), \(esc(column)): no critical demand</title></rect>"
                    continue
                }
                svg += "<rect class=\"mark\" x=\"\(f(x + 1))\" y=\"\(f(y))\" width=\"\(f(cell - 2))\" height=\"26\" "
                svg +=
                    "fill=\"\(heat(value, required: required))\" data-row=\"\(esc(row))\" data-series=\"\(esc(row))\" data-label=\"\(esc(column))\" data-value=\"\(number(value))\">"
                svg +=
                    "<title>without \(esc(row)), \(esc(column)): \(percent(value)) of critical work covered</title></rect>"
            }
        }
        let axisY = Double(rows.count * 28 + 22)
        for (c, column) in columns.enumerated() where columns.count <= 18 || c % max(1, columns.count / 9) == 0 {
            svg +=
                "<text x=\"\(f(left + Double(c) * cell + cell / 2))\" y=\"\(f(axisY))\" text-anchor=\"middle\" class=\"tick\">\(esc(column))</text>"
        }
        svg +=
            "<text x=\"\(f(left))\" y=\"\(f(axisY + 24))\" class=\"tick\">green: at or above the \(percent(required)) required · amber: below it · red: none covered · grey: no critical demand</text>"
        return HTML(raw: svg + "</svg>")
    }

    /// Thresholded at the requirement: green at or above it, amber below it, red where nothing
    /// is covered (the N-1 table's "short" is the amber and red months).
    static func heat(_ value: Double, required: Double) -> String {
        if value >= required - 1e-9 { return "#16a34a" }
        return value > 1e-9 ? "#f59e0b" : "#dc2626"
    }

    /// One entry of a chart's legend: a swatch for an area, a stroke for a line.
    struct Key {
        var name: String
        var colour: String
        var isLine = false
        var dashed = false
    }

    static func legend(_ names: [String]) -> String {
        legend(names.enumerated().map { Key(name: $0.element, colour: palette[$0.offset % palette.count]) })
    }

    static func legend(_ keys: [Key]) -> String {
        "<ul class=\"legend\">"
            + keys.map { key in
                let kind = key.isLine ? (key.dashed ? "swatch line dashed" : "swatch line") : "swatch"
                let style = key.isLine ? "border-color:\(key.colour)" : "background:\(key.colour)"
                return "<li><span class=\"\(kind)\" style=\"\(style)\"></span>\(esc(key.name))</li>"
            }.joined() + "</ul>"
    }

    /// The plotting area of a chart with axes.
    struct Frame {
        var width: Int
        var height: Int
        var left = 70.0
        var top = 12.0
        var bottomMargin = 28.0
        var right = 12.0

        init(width: Int, height: Int) {
            self.width = width
            self.height = height
        }

        var bottom: Double { Double(height) - bottomMargin }

        /// Label every n-th column so labels (about 55 units wide) never overlap.
        func labelStep(count: Int) -> Int {
            max(1, Int((Double(count) * 55 / innerWidth).rounded(.up)))
        }
        var innerWidth: Double { Double(width) - left - right }
        var innerHeight: Double { bottom - top }

        func open(id: String, title: String) -> String {
            "<svg id=\"\(id)\" class=\"chart\" role=\"img\" aria-label=\"\(esc(title))\" viewBox=\"0 0 \(width) \(height)\" "
                + "width=\"100%\" preserveAspectRatio=\"xMinYMin meet\"><title>\(esc(title))</title>"
        }

        func yAxis(max: Double, unit: String, format: ((Double) -> String)? = nil) -> String {
            var out = ""
            for step in 0...4 {
                let value = max * Double(step) / 4
                let y = bottom - innerHeight * Double(step) / 4
                out +=
                    "<line x1=\"\(f(left))\" x2=\"\(f(Double(width) - right))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"#e5e7eb\"/>"
                out += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" class=\"tick\">"
                out += "\(esc(format?(value) ?? compact(value)))</text>"
            }
            return out
        }
    }

    /// Rounds up to 1, 2 or 5 × a power of ten.
    static func niceCeiling(_ x: Double) -> Double {
        guard x > 0 else { return 1 }
        let power = pow(10, floor(log10(x)))
        for m in [1.0, 2, 2.5, 5, 10] where m * power >= x { return m * power }
        return 10 * power
    }

    static func f(_ x: Double) -> String { String(format: "%.1f", x) }

    /// A figure as written in data attributes and titles: integers plain, else up to 4 decimals.
    static func number(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        return String(format: "%.4f", x).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }

    static func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }

    /// A solver's gap to two decimals, as the CLI's report writes it: 0.655 reads 0.66%, not
    /// 0.7% beside a report saying 0.66%.
    static func gapPercent(_ x: Double) -> String { String(format: "%.2f%%", x * 100) }

    /// 1.25k, 3.4M: thousands, millions and billions to three significant digits.
    static func compact(_ x: Double) -> String {
        switch abs(x) {
        case 1e9...: significant(x / 1e9) + "B"
        case 1e6...: significant(x / 1e6) + "M"
        case 1e3...: significant(x / 1e3) + "k"
        default: number(x)
        }
    }

    /// Three significant digits, trailing zeros dropped: 1.25, 12.5, 125, 3 (a tick at 1,250 reads
    /// "1.25k", never "1.2k" or "1.3k").
    static func significant(_ x: Double) -> String {
        let digits = abs(x) >= 100 ? 0 : abs(x) >= 10 ? 1 : 2
        var text = String(format: "%.\(digits)f", x)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}

/// Escapes text for HTML and SVG. The charts build SVG from numbers they format themselves and
/// escape each text they place; everything else goes through `HTML`'s interpolation.
///
/// It walks Unicode scalars, never Characters: a grapheme cluster can hold a markup character
/// (U+0600, a "prepend" mark, followed by `<` is one Character), and comparing Characters would
/// let it through raw. A browser parses scalars, so the escaper must too.
func esc(_ s: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in s.unicodeScalars {
        switch scalar {
        case "&": out.append(contentsOf: "&amp;".unicodeScalars)
        case "<": out.append(contentsOf: "&lt;".unicodeScalars)
        case ">": out.append(contentsOf: "&gt;".unicodeScalars)
        case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
        case "'": out.append(contentsOf: "&#39;".unicodeScalars)
        default: out.append(scalar)
        }
    }
    return String(out)
}
