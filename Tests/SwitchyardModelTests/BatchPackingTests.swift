import SwitchyardModel
import Testing

/// Batch streams taking turns in a cluster's month, solved by hand.
@Suite struct BatchPackingTests {
    func share(_ workload: WorkloadID, _ gang: Int, _ gangMonths: Double) -> BatchPacking.Share {
        BatchPacking.Share(workload: workload, gang: gang, gangMonths: gangMonths)
    }

    func stretches(_ packed: [BatchPacking.Placed], _ workload: WorkloadID) -> [[Double]] {
        packed.first { $0.share.workload == workload }!.stretches.map { [$0.from, $0.to, Double($0.gangs)] }
    }

    /// Two streams of 1.5 gang-months of 8 in 24 accelerators (three gangs at once): `a` runs
    /// two jobs for the first half of the month and one for the second; `b` takes what is left,
    /// one then two. Together they hold all 24 all month.
    @Test func twoStreamsOfOneGangSizeWrapAround() {
        let packed = BatchPacking.pack(room: 24, shares: [share("b", 8, 1.5), share("a", 8, 1.5)])
        #expect(packed.map(\.share.workload) == ["a", "b"])
        #expect(stretches(packed, "a") == [[0, 0.5, 2], [0.5, 1, 1]])
        #expect(stretches(packed, "b") == [[0, 0.5, 1], [0.5, 1, 2]])
        #expect(packed.allSatisfy { abs($0.placed - 1.5) < 1e-12 })
        #expect(BatchPacking.roomNeeded([share("a", 8, 1.5), share("b", 8, 1.5)]) == 24)
    }

    /// A gang of 256 for half the month and two gang-months of 128 in 384: the large job first,
    /// then the small ones beside it (one) and after it (three).
    @Test func aSmallerGangFillsWhatALargerOneLeaves() {
        let packed = BatchPacking.pack(room: 384, shares: [share("small", 128, 2), share("large", 256, 0.5)])
        #expect(stretches(packed, "large") == [[0, 0.5, 1]])
        #expect(stretches(packed, "small") == [[0, 0.5, 1], [0.5, 1, 3]])
        #expect(abs(packed[1].placed - 2) < 1e-12)
        #expect(BatchPacking.roomNeeded([share("small", 128, 2), share("large", 256, 0.5)]) == 384)
    }

    /// 2.5 gang-months of 64 need three gangs at once for half the month: in 128 only two
    /// fit, so only 2 are placed; half a gang-month of 8 needs a whole gang's room (8), not 4.
    @Test func whatDoesNotFitIsReported() {
        let packed = BatchPacking.pack(room: 128, shares: [share("s", 64, 2.5)])
        #expect(packed[0].placed == 2)
        #expect(BatchPacking.roomNeeded([share("s", 64, 2.5)]) == 192)
        #expect(BatchPacking.pack(room: 4, shares: [share("t", 8, 0.5)])[0].placed == 0)
        #expect(BatchPacking.roomNeeded([share("t", 8, 0.5)]) == 8)
    }
}
