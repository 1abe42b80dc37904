import Foundation

/// A lease as a planner signs it: one row, with a run of on-demand months of one offer and the
/// same nodes, back to back, merged (the plan lists each on-demand month as a lease of its own).
public struct LeaseRow: Sendable {
    /// The first month's lease.
    public var lease: Lease
    /// The last month the row covers the start of.
    public var last: YearMonth
    public var months: Int
    public var total: Decimal
}

extension Lease {
    /// `leases` as rows to sign, by provider, start and offer (the plan report's and the
    /// dashboard's lease tables).
    public static func rows(_ leases: [Lease]) -> [LeaseRow] {
        let sorted = leases.sorted {
            ($0.provider, $0.offer, $0.term, $0.start) < ($1.provider, $1.offer, $1.term, $1.start)
        }
        var rows: [LeaseRow] = []
        for lease in sorted {
            if lease.term == .onDemand, let previous = rows.last, previous.lease.term == .onDemand,
                previous.lease.offer == lease.offer, previous.lease.nodes == lease.nodes,
                previous.last.adding(months: 1) == lease.start
            {
                rows[rows.count - 1].last = lease.start
                rows[rows.count - 1].months += 1
                rows[rows.count - 1].total += lease.totalCost
            } else {
                rows.append(LeaseRow(lease: lease, last: lease.start, months: lease.months, total: lease.totalCost))
            }
        }
        return rows.sorted {
            ($0.lease.provider, $0.lease.start, $0.lease.offer) < ($1.lease.provider, $1.lease.start, $1.lease.offer)
        }
    }
}
