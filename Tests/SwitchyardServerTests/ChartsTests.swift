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

    /// A share above the cap never reads as the cap: 50.02% in red, not 50.0%; a share at the
    /// cap reads as the cap, in the provider's colour; a month without supply has no point.
    @Test func aShareAboveTheCapIsNotRoundedDownToIt() {
        let svg = Charts.lines(
            id: "shares", title: "Provider share by month", labels: ["2027-01", "2027-02"],
            series: [
                .init(name: "crusoe", values: [0.500_117, .nan], colour: "#16a34a"),
                .init(name: "aws", values: [0.5, 0.25], colour: "#2563eb"),
            ],
            maximum: Charts.shareScale([.init(name: "crusoe", values: [0.500_117])], cap: 0.5), cap: 0.5,
            format: { Charts.share($0, cap: 0.5) }
        ).description
        #expect(svg.contains("<title>crusoe, 2027-01: 50.02%</title>"), "\(svg)")
        #expect(svg.contains("<title>aws, 2027-01: 50.0%</title>"))
        #expect(svg.contains("fill=\"#dc2626\" data-series=\"crusoe\" data-label=\"2027-01\""))
        #expect(svg.contains("fill=\"#2563eb\" data-series=\"aws\" data-label=\"2027-01\""))
        #expect(!svg.contains("data-series=\"crusoe\" data-label=\"2027-02\""))
        #expect(svg.contains(">cap 50.0%</li>"))
    }

    /// One provider's models are shades of its colour, from the colour itself to lighter ones.
    @Test func aProvidersModelsAreShadesOfItsColour() {
        #expect(Charts.shade("#2563eb", 0, of: 3) == "#2563eb")
        #expect(Charts.shade("#2563eb", 1, of: 1) == "#2563eb")
        let lighter = Charts.shade("#2563eb", 2, of: 3)
        #expect(lighter == "#9db9f6", "\(lighter)")
        #expect(Charts.shade("#000000", 1, of: 2) == "#8c8c8c")
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
