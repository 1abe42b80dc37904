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
