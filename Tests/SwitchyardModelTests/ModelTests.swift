import Foundation
import SwitchyardTesting
import Synchronization
import Testing

@testable import SwitchyardModel

@Suite struct YearMonthTests {
    @Test func parsesOnlyWellFormedMonths() {
        #expect(YearMonth(parsing: "2027-01") == YearMonth(year: 2027, month: 1))
        for bad in ["2027-1", "2027-13", "2027-00", "27-01", "2027/01", "", "2027-01-01", "abcd-ef"] {
            #expect(YearMonth(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func arithmeticCrossesYears() {
        let m = YearMonth(year: 2027, month: 11)
        #expect(m.adding(months: 3).description == "2028-02")
        #expect(m.adding(months: -11).description == "2026-12")
        #expect(m.months(to: YearMonth(year: 2029, month: 1)) == 14)
    }

    @Test func horizonPeriodsAndLeadTimes() {
        let h = Horizon(start: YearMonth(year: 2027, month: 1), months: 24)
        #expect(h.end.description == "2028-12")
        #expect(h.period(of: YearMonth(year: 2028, month: 12)) == 23)
        #expect(h.period(of: YearMonth(year: 2029, month: 1)) == nil)
        #expect(h.firstPeriod(afterLeadTimeDays: 0) == 0)
        #expect(h.firstPeriod(afterLeadTimeDays: 30) == 1)
        #expect(h.firstPeriod(afterLeadTimeDays: 31) == 2)
        #expect(h.firstPeriod(afterLeadTimeDays: 120) == 4)
    }
}

@Suite struct SuggestionTests {
    @Test func suggestsCloseNamesOnly() {
        #expect(closestMatch(to: "corewave", in: ["coreweave", "nebius"]) == "coreweave")
        #expect(closestMatch(to: "zzz", in: ["coreweave", "nebius"]) == nil)
        #expect(editDistance("kitten", "sitting") == 3)
    }
}

@Suite struct ValidationTests {
    let catalog: [AcceleratorModelID: AcceleratorSpec] = [
        "nvidia-h100": AcceleratorSpec(
            id: "nvidia-h100", name: "H100", vendor: "NVIDIA", bf16DenseTFLOPS: 989, fp8DenseTFLOPS: nil, hbmGB: 80,
            hbmTBps: 3.35, powerW: 700, scaleUpDomain: 8, stacks: [.cuda], matmulEfficiency: 0.78, source: "test"),
        "google-tpu-v7": AcceleratorSpec(
            id: "google-tpu-v7", name: "TPU", vendor: "Google", bf16DenseTFLOPS: 2307, fp8DenseTFLOPS: nil,
            hbmGB: 192, hbmTBps: 7.37, powerW: nil, scaleUpDomain: 9216, stacks: [.xla], matmulEfficiency: 0.7,
            source: "test"),
    ]

    func scenario() -> Scenario {
        Scenario(
            name: "t", horizon: Horizon(start: YearMonth(year: 2027, month: 1), months: 12),
            providers: [Provider(id: "coreweave", kind: .neocloud)],
            offers: [
                Offer(
                    id: "a", provider: "coreweave", accelerator: "nvidia-h100", acceleratorsPerNode: 8, region: "us",
                    availableNodes: 10, pricePerAcceleratorHour: [.onDemand: 3])
            ],
            workloads: [
                Workload(
                    id: "w", demand: .service(capacity: 10),
                    window: MonthWindow(start: YearMonth(year: 2027, month: 1), end: YearMonth(year: 2027, month: 12)),
                    stacks: [.cuda])
            ])
    }

    @Test func validScenarioHasNoProblems() {
        #expect(scenario().validate(accelerators: catalog).isEmpty)
    }

    @Test func reportsEveryProblemWithItsPath() {
        var s = scenario()
        s.offers[0].provider = "corewave"
        s.offers[0].pricePerAcceleratorHour[.onDemand] = -1
        s.offers.append(s.offers[0])  // duplicate id
        s.workloads[0].stacks = ["cuda"]
        s.workloads[0].speed = ["google-tpu-v7": 2]  // a CUDA workload cannot have a TPU speed
        s.policy.maxProviderShare = 0
        let paths = s.validate(accelerators: catalog).map(\.path)
        #expect(paths.contains("offers[0].provider"))
        #expect(paths.contains("offers[0].prices.onDemand"))
        #expect(paths.contains("offers[1].id"))
        #expect(paths.contains("workloads[0].speed.google-tpu-v7"))
        #expect(paths.contains("policy.maxProviderShare"))
        let provider = s.validate(accelerators: catalog).first { $0.path == "offers[0].provider" }!
        #expect(provider.message == "no provider 'corewave' (did you mean 'coreweave'?)")
    }

    @Test func unknownAcceleratorSuggestsTheCatalogName() {
        var s = scenario()
        s.offers[0].accelerator = "nvidia-h10"
        let problem = s.validate(accelerators: catalog).first { $0.path == "offers[0].accelerator" }
        #expect(problem?.message.contains("did you mean 'nvidia-h100'") == true)
    }
}

@Suite struct TruthfulNumberTests {
    /// A shortfall never reads as nothing, a coverage never reads as more than it is.
    @Test func shortfallsAndCoverageAreNeverRoundedAway() {
        #expect(Formatted.shortfall(0) == "0")
        #expect(Formatted.shortfall(0.3) == "0.30")
        #expect(Formatted.shortfall(0.001) == "<0.01")
        #expect(Formatted.shortfall(351_267.5695) == "351,268")
        #expect(Formatted.coverage(0.9998) == "99.9%")
        #expect(Formatted.coverage(0.8) == "80.0%")
        #expect(Formatted.coverage(1) == "100.0%")
    }

    /// Report prose breaks at spaces within 100 columns, continuation lines indented.
    @Test func prosWrapsAtSpacesWithinTheWidth() {
        let line = (1...40).map { "word\($0)" }.joined(separator: " ")
        let wrapped = TextWrap.wrap(line, width: 30)
        #expect(wrapped.count > 1)
        #expect(wrapped.allSatisfy { $0.count <= 30 })
        #expect(wrapped.dropFirst().allSatisfy { $0.hasPrefix("  word") })
        #expect(wrapped.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ") == line)
        #expect(TextWrap.wrap("short") == ["short"])
        let long = "x" + String(repeating: "y", count: 40)
        #expect(TextWrap.wrap("a " + long + " b", width: 20) == ["a", "  " + long, "  b"])
    }

    /// Hours as `simulate` prints them: separators and one decimal past 10 h, two below.
    @Test func hoursReadAsHours() {
        #expect(Formatted.hours(seconds: 14_086.70 * 3600) == "14,086.7 h")
        #expect(Formatted.hours(seconds: 2.345 * 3600) == "2.35 h")
        #expect(Formatted.hours(seconds: 10 * 3600) == "10.0 h")
        #expect(Formatted.hours(seconds: 99.96 * 3600) == "100.0 h")
        #expect(Formatted.hours(seconds: -12.5 * 3600) == "-12.5 h")
        #expect(Formatted.dollars(29_262_148) == "$29,262,148")
    }
}

@Suite struct TextTableTests {
    /// Wider than the width, a last text column goes under each row; numbers never move, and a
    /// table that fits is drawn as it is.
    @Test func aLongLastTextColumnGoesUnderItsRow() {
        let header = ["subject", "saving", "for"]
        let rows = [["a", "$1", String(repeating: "why ", count: 10)], ["b", "$22", ""]]
        let narrow = TextTable.render(header: header, rows: rows, rightAligned: [1], width: 30)
        #expect(
            narrow == """
                subject  saving
                ───────  ──────
                a            $1
                    for: why why why why why
                      why why why why why
                b           $22
                """)
        let fits = TextTable.render(header: header, rows: rows, rightAligned: [1], width: 100)
        #expect(fits == TextTable.render(header: header, rows: rows, rightAligned: [1]))
        // A numeric last column stays where it is, however wide.
        let numbers = TextTable.render(header: ["a", "b"], rows: [["x", "1"]], rightAligned: [1], width: 1)
        #expect(numbers == TextTable.render(header: ["a", "b"], rows: [["x", "1"]], rightAligned: [1]))
    }
}

/// Two plans compared: each run's fate (lost and late first), leases whose nodes differ.
@Suite struct PlanComparisonTests {
    func run(_ w: String, _ provider: String, _ start: Int, _ end: Int, deadline: Int = 10) -> TrainingRun {
        TrainingRun(
            workload: WorkloadID(rawValue: w), provider: ProviderID(rawValue: provider), accelerator: "nvidia-h100",
            region: "us-east", accelerators: 512, start: YearMonth(year: 2027, month: start),
            end: YearMonth(year: 2027, month: end), referenceHours: 1, finish: YearMonth(year: 2027, month: end),
            deadline: YearMonth(year: 2027, month: deadline), slackMonths: deadline - end)
    }

    func lease(_ offer: String, nodes: Int, start: Int = 1) -> Lease {
        Lease(
            offer: OfferID(rawValue: offer), provider: "a", accelerator: "nvidia-h100", nodes: nodes,
            accelerators: 8 * nodes, term: .oneYear, start: YearMonth(year: 2027, month: start), months: 12,
            pricePerAcceleratorHour: 2, monthlyCost: Decimal(nodes * 100), totalCost: Decimal(nodes * 1200),
            costBeyondHorizon: 0)
    }

    @Test func eachRunSaysWhatHappenedToIt() {
        let before = [
            run("kept", "a", 1, 3), run("moved", "a", 1, 3), run("later", "a", 1, 3), run("lost", "a", 1, 3),
            run("late", "a", 1, 3, deadline: 4),
        ]
        let after = [
            run("kept", "a", 1, 3), run("moved", "b", 1, 3), run("later", "a", 2, 4),
            // Continued in a second cluster after an outage, finishing past its deadline.
            run("late", "a", 1, 2, deadline: 4), run("late", "b", 4, 5, deadline: 4), run("new", "b", 1, 2),
        ]
        let changes = PlanComparison.runChanges(before, after)
        #expect(
            changes.map { "\($0.workload.rawValue):\($0.kind.rawValue)" } == [
                "lost:lost", "late:late", "moved:moved", "later:rescheduled", "new:placed", "kept:unchanged",
            ])
        #expect(changes.first { $0.workload == "late" }?.after.count == 2)
    }

    @Test func leasesDifferByNodesPerOfferTermAndStart() {
        let changes = PlanComparison.leaseChanges(
            [lease("x", nodes: 4), lease("y", nodes: 2), lease("z", nodes: 1)],
            [lease("x", nodes: 4), lease("y", nodes: 5), lease("w", nodes: 3, start: 2)])
        #expect(
            changes.map { "\($0.offer.rawValue) \($0.nodesBefore)→\($0.nodesAfter)" } == ["y 2→5", "z 1→0", "w 0→3"])
        #expect(changes.map(\.costChange) == [3600, -1200, 3600])
    }

    @Test func consecutiveOnDemandMonthsWithTheSameChangeAreOneRow() {
        func month(_ m: Int, nodes: Int) -> Lease {
            var l = lease("od", nodes: nodes, start: m)
            l.term = .onDemand
            l.months = 1
            return l
        }
        let changes = PlanComparison.leaseChanges(
            [], [month(1, nodes: 2), month(2, nodes: 2), month(3, nodes: 2), month(4, nodes: 5), month(6, nodes: 5)])
        #expect(
            changes.map { "\($0.start) \($0.months) \($0.nodesAfter)" } == [
                "2027-01 3 2", "2027-04 1 5", "2027-06 1 5",
            ])
        #expect(changes.first?.costChange.description == "7200")
    }
}

/// A what-if's changes, made on a copy of the scenario, by hand.
@Suite struct WhatIfTests {
    /// Scaling an offer's prices scales each term's and its backup's; its nodes replace the
    /// offer's (its minimum never above them); the cap replaces the policy's. The scenario given
    /// is unchanged, and each change reads as a sentence against it.
    @Test func changesAreMadeOnACopyAndReadAsSentences() throws {
        let scenario = Fixtures.criticalRunWithBackups(exercisePrice: 4)
        let whatIf = WhatIf(
            maxProviderShare: 0.4,
            offers: [.init(offer: "b-h100", priceFactor: 1.25), .init(offer: "a-h100", availableNodes: 10)])
        #expect(whatIf.problems(in: scenario).isEmpty)
        let changed = try whatIf.applied(to: scenario)
        #expect(changed.policy.maxProviderShare == 0.4 && scenario.policy.maxProviderShare == 1)
        let b = try #require(changed.offers.first { $0.id == "b-h100" })
        #expect(b.pricePerAcceleratorHour == [.onDemand: Decimal(string: "3.75")!])
        #expect(b.backup?.feePerNodeMonth == 125 && b.backup?.exercisePricePerAcceleratorHour == 5)
        #expect(changed.offers.first { $0.id == "a-h100" }?.availableNodes == 10)
        #expect(scenario.offers.first { $0.id == "a-h100" }?.availableNodes == 80)
        #expect(
            whatIf.sentences(for: scenario) == [
                "supplier cap 40.0% instead of 100.0%", "a-h100 offers 10 nodes instead of 80",
                "b-h100's prices +25.0%",
            ])
    }

    /// Each problem names its field; nothing is applied while there is one.
    @Test func whatDoesNotApplyIsRefusedByField() {
        let scenario = Fixtures.criticalRunWithBackups(exercisePrice: 4)
        let bad = WhatIf(
            maxProviderShare: 0,
            offers: [
                .init(offer: "c-h100", priceFactor: 2), .init(offer: "a-h100", priceFactor: -1),
                .init(offer: "a-h100", availableNodes: -2),
            ])
        #expect(
            bad.problems(in: scenario).map(\.path) == [
                "maxProviderShare", "offers[0].offer", "offers[1].priceFactor", "offers[2].offer",
                "offers[2].availableNodes",
            ])
        #expect(throws: InputError.self) { try bad.applied(to: scenario) }
        #expect(WhatIf().problems(in: scenario).map(\.path) == [""])
    }
}

/// The tests' heavy work (`heavy`) runs in the test's own task, on threads that are not the
/// async runtime's, never more bodies at once than the machine has cores.
@Suite struct HeavyWorkTests {
    @Test func heavyWorkIsTheTestsOwnOffTheRuntimesThreadsAndBounded() async throws {
        let inside = try await heavy { (Test.current?.name, isHeavyWorkThread) }
        #expect(inside.0 == "heavyWorkIsTheTestsOwnOffTheRuntimesThreadsAndBounded()")
        #expect(inside.1)
        #expect(!(try await onOwnThread { isHeavyWorkThread }))
        final class Running: Sendable { let count = Mutex((now: 0, most: 0)) }
        let running = Running()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await heavy {
                        running.count.withLock { $0 = ($0.now + 1, max($0.most, $0.now + 1)) }
                        Thread.sleep(forTimeInterval: 0.05)
                        running.count.withLock { $0.now -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        let most = running.count.withLock { $0.most }
        #expect(most >= 1 && most <= ProcessInfo.processInfo.activeProcessorCount)
    }
}
