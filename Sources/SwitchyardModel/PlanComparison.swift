import Foundation

/// What differs between two plans: a re-plan against the plan it replaced, or any two plans side
/// by side. Runs are compared per workload (a re-plan may continue a run in a second cluster, so
/// a workload can have two rows), leases per offer, term, start and length.
public struct PlanComparison: Sendable {
    /// How one training run changed.
    public enum RunChangeKind: String, Sendable, CaseIterable {
        /// Placed in the first plan, not in the second: its work is short.
        case lost
        /// Finishes by its deadline in the first plan, not in the second.
        case late
        /// In another cluster (or clusters).
        case moved
        /// Same cluster, other months.
        case rescheduled
        /// Not placed in the first plan, placed in the second.
        case placed
        case unchanged
    }

    /// One training run in both plans.
    public struct RunChange: Sendable {
        public var workload: WorkloadID
        public var before: [TrainingRun]
        public var after: [TrainingRun]
        public var kind: RunChangeKind
    }

    /// Nodes of one offer, term, start and length in each plan (where they differ).
    public struct LeaseChange: Sendable {
        public var offer: OfferID
        public var provider: ProviderID
        public var accelerator: AcceleratorModelID
        public var term: CommitmentTerm
        public var start: YearMonth
        public var months: Int
        public var nodesBefore: Int
        public var nodesAfter: Int
        /// The second plan's cost of these leases less the first's.
        public var costChange: Decimal
    }

    public var costBefore: Decimal
    public var costAfter: Decimal
    /// Unmet demand in reference-hours.
    public var shortBefore: Double
    public var shortAfter: Double
    /// Every run of either plan, worst change first (then by workload).
    public var runs: [RunChange]
    /// Leases whose nodes differ, by start, offer and term (consecutive on-demand months with the
    /// same change on one row).
    public var leases: [LeaseChange]

    /// The second plan's total less the first's.
    public var costChange: Decimal { costAfter - costBefore }

    /// `after` against `before`.
    public init(before: Plan, after: Plan) {
        costBefore = before.cost.total
        costAfter = after.cost.total
        shortBefore = before.shortfalls.reduce(0) { $0 + $1.referenceHours }
        shortAfter = after.shortfalls.reduce(0) { $0 + $1.referenceHours }
        runs = Self.runChanges(before.runs, after.runs)
        leases = Self.leaseChanges(before.leases, after.leases)
    }

    static func runChanges(_ before: [TrainingRun], _ after: [TrainingRun]) -> [RunChange] {
        let was = Dictionary(grouping: before, by: \.workload)
        let now = Dictionary(grouping: after, by: \.workload)
        let order = RunChangeKind.allCases
        return Set(was.keys).union(now.keys).map { w -> RunChange in
            let a = (was[w] ?? []).sorted { $0.start < $1.start }
            let b = (now[w] ?? []).sorted { $0.start < $1.start }
            return RunChange(workload: w, before: a, after: b, kind: kind(a, b))
        }
        .sorted {
            (order.firstIndex(of: $0.kind)!, $0.workload.rawValue) < (
                order.firstIndex(of: $1.kind)!, $1.workload.rawValue
            )
        }
    }

    static func kind(_ before: [TrainingRun], _ after: [TrainingRun]) -> RunChangeKind {
        if after.isEmpty { return before.isEmpty ? .unchanged : .lost }
        if before.isEmpty { return .placed }
        if onTime(before), !onTime(after) { return .late }
        if Set(before.map(\.cluster)) != Set(after.map(\.cluster)) { return .moved }
        let months = { (runs: [TrainingRun]) in runs.map { "\($0.start)–\($0.end)" } }
        return months(before) == months(after) ? .unchanged : .rescheduled
    }

    /// Whether the run's last segment finishes by its deadline.
    static func onTime(_ runs: [TrainingRun]) -> Bool {
        guard let last = runs.max(by: { $0.end < $1.end }), let finish = last.finish else { return false }
        return finish <= last.deadline
    }

    struct LeaseKey: Hashable, Comparable {
        let start: YearMonth
        let offer: String
        let term: String
        let months: Int
        static func < (a: LeaseKey, b: LeaseKey) -> Bool {
            (a.start, a.offer, a.term, a.months) < (b.start, b.offer, b.term, b.months)
        }
    }

    static func leaseChanges(_ before: [Lease], _ after: [Lease]) -> [LeaseChange] {
        func key(_ l: Lease) -> LeaseKey {
            LeaseKey(start: l.start, offer: l.offer.rawValue, term: l.term.rawValue, months: l.months)
        }
        var changes: [LeaseKey: LeaseChange] = [:]
        for (lease, sign) in before.map({ ($0, -1) }) + after.map({ ($0, 1) }) {
            var change =
                changes[key(lease)]
                ?? LeaseChange(
                    offer: lease.offer, provider: lease.provider, accelerator: lease.accelerator, term: lease.term,
                    start: lease.start, months: lease.months, nodesBefore: 0, nodesAfter: 0, costChange: 0)
            if sign < 0 { change.nodesBefore += lease.nodes } else { change.nodesAfter += lease.nodes }
            change.costChange += sign < 0 ? -lease.totalCost : lease.totalCost
            changes[key(lease)] = change
        }
        let differing = changes.filter { $0.value.nodesBefore != $0.value.nodesAfter }.map(\.value)
        // Consecutive on-demand months of one offer with the same change are one row, as the
        // plan report lists leases.
        var merged: [LeaseChange] = []
        for change in differing.sorted(by: {
            ($0.offer.rawValue, $0.term.rawValue, $0.start) < ($1.offer.rawValue, $1.term.rawValue, $1.start)
        }) {
            if change.term == .onDemand, let last = merged.last, last.term == .onDemand, last.offer == change.offer,
                last.nodesBefore == change.nodesBefore, last.nodesAfter == change.nodesAfter,
                last.start.adding(months: last.months) == change.start
            {
                merged[merged.count - 1].months += change.months
                merged[merged.count - 1].costChange += change.costChange
            } else {
                merged.append(change)
            }
        }
        return merged.sorted { sortKey($0) < sortKey($1) }
    }

    static func sortKey(_ change: LeaseChange) -> LeaseKey {
        LeaseKey(start: change.start, offer: change.offer.rawValue, term: change.term.rawValue, months: change.months)
    }
}
