import Testing

@testable import SwitchyardServer

/// Chart labels that never round a value misleadingly.
@Suite struct ChartsTests {
    @Test(arguments: [
        (1_250.0, "1.25k"), (3_750, "3.75k"), (1_000, "1k"), (12_345, "12.3k"), (125_000, "125k"),
        (1_500_000, "1.5M"), (154_935_375, "155M"), (2_000_000_000, "2B"), (950, "950"), (-3_750, "-3.75k"),
    ])
    func compactLabelsKeepThreeSignificantDigits(value: Double, label: String) {
        #expect(Charts.compact(value) == label)
    }

    /// A share above the cap never reads as the cap: 50.02% in red, not 50.0%.
    @Test func aShareAboveTheCapIsNotRoundedDownToIt() {
        let svg = Charts.shares(
            id: "shares", title: "Peak provider share", rows: [("crusoe", 0.500_117), ("aws", 0.5)], cap: 0.5)
        let text = svg.description
        #expect(text.contains(">50.02%</text>"), "\(text)")
        #expect(text.contains(">50.0%</text>"))
        #expect(text.contains("fill=\"#dc2626\" data-label=\"crusoe\""))
    }
}

/// The Overview's Gantt of training runs, by hand.
@Suite struct GanttTests {
    /// Two runs in one cluster and one in another: two rows; each bar spans its months, coloured
    /// by its fate, with its deadline as a line at the end of the deadline month.
    @Test func runsAreBarsPerClusterColouredByTheirFate() {
        let months = ["2027-01", "2027-02", "2027-03", "2027-04"]
        let svg = Charts.gantt(
            id: "runs", title: "Runs", months: months,
            runs: [
                .init(run: "a", cluster: "c1", start: 0, end: 1, finish: 1, deadline: 2, slackMonths: 1),
                .init(run: "b", cluster: "c1", start: 2, end: 3, finish: 3, deadline: 3, slackMonths: 0),
                .init(run: "c", cluster: "c0", start: 1, end: 3, finish: nil, deadline: 2, slackMonths: nil),
            ]
        ).description
        #expect(svg.components(separatedBy: "class=\"label\">c0</text>").count == 2)
        #expect(svg.components(separatedBy: "class=\"label\">c1</text>").count == 2)
        #expect(
            svg.contains("fill=\"#16a34a\" data-label=\"a\" data-series=\"c1\" data-start=\"2027-01\" data-value=\"2\"")
        )
        #expect(svg.contains("fill=\"#f59e0b\" data-label=\"b\""))
        #expect(svg.contains("fill=\"#dc2626\" data-label=\"c\""))
        #expect(svg.contains("c on c0, 2027-02 to 2027-04: does not finish, deadline 2027-03"))
        #expect(svg.components(separatedBy: "class=\"deadline\"").count == 4)
    }
}
