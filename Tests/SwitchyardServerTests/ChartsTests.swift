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
}
