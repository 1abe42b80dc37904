import Foundation
import SwitchyardModel

/// The efficient frontier of plans compared on the same futures, as SVG: P(every run on time)
/// across, against expected cost (left) and CVaR95 (right). Each plan is a point with its 95%
/// interval as a horizontal bar; the plans no other beats on both axes (at least as likely to
/// finish everything on time and no dearer, one of them strictly) are joined by a line, the
/// frontier. A plan off that line pays more for no better chance.
public enum RiskFrontier {
    /// The plans on the frontier for the cost `cost` picks, in order of P(all on time).
    public static func efficient(_ rows: [(name: String, summary: RiskSummary)], cost: (RiskSummary) -> Double)
        -> [String]
    {
        let dominated = rows.filter { row in
            rows.contains { other in
                other.name != row.name && other.summary.allOnTime >= row.summary.allOnTime
                    && cost(other.summary) <= cost(row.summary)
                    && (other.summary.allOnTime > row.summary.allOnTime || cost(other.summary) < cost(row.summary))
            }
        }.map(\.name)
        return rows.filter { !dominated.contains($0.name) }
            .sorted {
                ($0.summary.allOnTime, cost($0.summary), $0.name) < ($1.summary.allOnTime, cost($1.summary), $1.name)
            }
            .map(\.name)
    }

    /// Two panels side by side, 880 × 380, self-contained (no script, no external style).
    public static func svg(_ rows: [(name: String, summary: RiskSummary)], title: String = "Risk frontier") -> String {
        let width = 880.0
        let height = 380.0
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
            + "width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\" "
            + "role=\"img\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
        out += panel(rows, x: 0, width: width / 2, height: height, label: "expected cost") { $0.cost.meanUSD }
        out += panel(rows, x: width / 2, width: width / 2, height: height, label: "CVaR95 (the worst 5% of futures)") {
            $0.cost.cvar95USD
        }
        return out + "</svg>\n"
    }

    /// One panel: axes, ticks, each plan's point and interval, the frontier line.
    static func panel(
        _ rows: [(name: String, summary: RiskSummary)], x: Double, width: Double, height: Double, label: String,
        cost: (RiskSummary) -> Double
    ) -> String {
        let (left, right, top, bottom) = (x + 80, x + width - 20, 40.0, height - 50)
        let lowP = min(rows.map(\.summary.allOnTimeLow).min() ?? 0, 0.9)
        let pRange = (floor(lowP * 10) / 10, 1.0)
        let costs = rows.map { cost($0.summary) }
        let (low, high, step) = niceRange(costs.min() ?? 0, costs.max() ?? 1)
        func px(_ p: Double) -> Double { left + (right - left) * (p - pRange.0) / max(1e-9, pRange.1 - pRange.0) }
        func py(_ c: Double) -> Double { bottom - (bottom - top) * (c - low) / max(1e-9, high - low) }
        var out = "<g class=\"panel\" data-cost=\"\(escape(label))\">"
        out += text(x + width / 2, 20, label + " against P(all runs on time)", anchor: "middle", weight: "bold")
        out += "<line x1=\"\(f(left))\" y1=\"\(f(bottom))\" x2=\"\(f(right))\" y2=\"\(f(bottom))\" stroke=\"#64748b\"/>"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(bottom))\" stroke=\"#64748b\"/>"
        // Ticks on round values only, so no label rounds what it marks.
        let pStep = pRange.1 - pRange.0 > 0.3 ? 0.1 : 0.05
        for i in 0...Int(((pRange.1 - pRange.0) / pStep).rounded()) {
            let p = pRange.0 + Double(i) * pStep
            out += text(px(p), bottom + 16, Formatted.percent(p, digits: 0), anchor: "middle")
        }
        for i in 0...Int(((high - low) / step).rounded()) {
            let c = low + Double(i) * step
            out += text(left - 6, py(c) + 4, money(c), anchor: "end")
            out +=
                "<line x1=\"\(f(left))\" y1=\"\(f(py(c)))\" x2=\"\(f(right))\" y2=\"\(f(py(c)))\" stroke=\"#e2e8f0\"/>"
        }
        out += text((left + right) / 2, height - 12, "P(all runs on time), with its 95% interval", anchor: "middle")
        let frontier = efficient(rows, cost: cost)
        let points = frontier.compactMap { name in rows.first { $0.name == name } }
            .map { "\(f(px($0.summary.allOnTime))),\(f(py(cost($0.summary))))" }
        if points.count > 1 {
            out +=
                "<polyline class=\"frontier\" points=\"\(points.joined(separator: " "))\" fill=\"none\" "
                + "stroke=\"#2563eb\" stroke-width=\"2\"/>"
        }
        // Labels of points that (nearly) coincide are stacked, not drawn over each other.
        var labelBelow = -Double.infinity
        for row in rows.sorted(by: { (cost($0.summary), $0.name) > (cost($1.summary), $1.name) }) {
            let (cx, cy) = (px(row.summary.allOnTime), py(cost(row.summary)))
            let labelY = max(cy - 8, labelBelow + 14)
            labelBelow = labelY
            let on = frontier.contains(row.name)
            out +=
                "<line x1=\"\(f(px(row.summary.allOnTimeLow)))\" y1=\"\(f(cy))\" x2=\"\(f(px(row.summary.allOnTimeHigh)))\" "
                + "y2=\"\(f(cy))\" stroke=\"#94a3b8\"/>"
            out +=
                "<circle class=\"plan\" data-plan=\"\(escape(row.name))\" data-efficient=\"\(on)\" cx=\"\(f(cx))\" "
                + "cy=\"\(f(cy))\" r=\"5\" fill=\"\(on ? "#2563eb" : "#ffffff")\" stroke=\"#2563eb\" stroke-width=\"2\">"
                + "<title>\(escape(row.name)): \(Formatted.percent(row.summary.allOnTime)) all on time, "
                + "\(Formatted.dollars(cost(row.summary)))</title></circle>"
            // Right of the point, or left of it in the right half, so a long name stays inside.
            let leftward = cx > (left + right) / 2
            out += text(leftward ? cx - 8 : cx + 8, labelY, row.name, anchor: leftward ? "end" : "start")
        }
        return out + "</g>"
    }

    /// An axis range around the values on multiples of a round step (1, 2, 2.5 or 5 times a
    /// power of ten, about a quarter of the range), and that step.
    static func niceRange(_ low: Double, _ high: Double) -> (Double, Double, Double) {
        let span = max(high - low, max(abs(high), 1) * 0.02) * 1.2
        let raw = span / 4
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let from = floor((low - span * 0.05) / step) * step
        let to = ceil((high + span * 0.05) / step) * step
        return (from, max(to, from + step), step)
    }

    /// `$156M`, `$1.2B`, `$350k`: an axis label.
    static func money(_ usd: Double) -> String {
        let magnitude = abs(usd)
        let (scale, suffix) =
            magnitude >= 1e9 ? (1e9, "B") : magnitude >= 1e6 ? (1e6, "M") : magnitude >= 1e3 ? (1e3, "k") : (1, "")
        let value = usd / scale
        let digits = abs(value) >= 100 ? 0 : abs(value) >= 10 ? 1 : 2
        var text = String(format: "%.\(digits)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return (usd < 0 ? "-$" : "$") + text.replacingOccurrences(of: "-", with: "") + suffix
    }

    static func text(_ x: Double, _ y: Double, _ content: String, anchor: String, weight: String = "normal") -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" fill=\"#0f172a\">"
            + "\(escape(content))</text>"
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
