/// How the batch streams sharing one cluster's month take turns in it: each stream's
/// gang-months become whole gangs over stretches of the month, so that at every moment the
/// streams together hold no more than the room the runs and service replicas leave.
///
/// The planner gives a batch stream gang-months per cluster and month (2.5: two jobs all month
/// and a third for half of it). This is the one schedule that turns those shares into gangs in
/// time, used by the planner (to cap shares that do not fit), the checker (to verify them) and
/// the simulator (each stream's pool, stretch by stretch), so the three agree.
///
/// Streams go largest gang first (then by workload), each through the month from its start: in
/// every stretch it takes as many gangs as the free room holds until its gang-months are met,
/// the last stretch split where they are. Streams of one gang size therefore fill the room like
/// McNaughton's wrap-around, and a smaller gang that divides the larger ones fills what they
/// leave; what cannot be placed is reported as `placed` below the share.
public enum BatchPacking {
    /// One stream's share of a cluster's month.
    public struct Share: Sendable, Equatable {
        public var workload: WorkloadID
        /// Accelerators per job.
        public var gang: Int
        /// Gang-months asked for.
        public var gangMonths: Double

        public init(workload: WorkloadID, gang: Int, gangMonths: Double) {
            self.workload = workload
            self.gang = gang
            self.gangMonths = gangMonths
        }
    }

    /// A stretch of the month, as fractions of it, with the gangs a stream holds in it.
    public struct Stretch: Sendable, Equatable {
        public var from: Double
        public var to: Double
        public var gangs: Int
    }

    /// What one share got: its stretches (in time order) and the gang-months they hold.
    public struct Placed: Sendable, Equatable {
        public var share: Share
        public var stretches: [Stretch]
        public var placed: Double
    }

    /// The least room (in steps of the smallest gang, found by bisection) in which `shares` all
    /// pack: at least their gang-months' accelerators, at most each share's gangs rounded up
    /// side by side (which always packs).
    public static func roomNeeded(_ shares: [Share]) -> Double {
        guard let step = shares.map(\.gang).filter({ $0 > 0 }).min().map(Double.init) else { return 0 }
        func fits(_ steps: Double) -> Bool {
            !pack(room: steps * step, shares: shares).contains { $0.placed < $0.share.gangMonths - 1e-6 }
        }
        let area = shares.reduce(0.0) { $0 + $1.gangMonths * Double($1.gang) }
        let most = shares.reduce(0.0) { $0 + ($1.gangMonths - 1e-6).rounded(.up) * Double($1.gang) }
        var (low, high) = ((area / step - 1e-9).rounded(.up), (most / step).rounded(.up))
        guard !fits(low) else { return low * step }
        while high - low > 1 {  // fits(high), not fits(low)
            let middle = ((low + high) / 2).rounded(.down)
            if fits(middle) { high = middle } else { low = middle }
        }
        return high * step
    }

    /// The shares of one cluster's month packed into `room` accelerators, in the order they
    /// were packed (largest gang first, then by workload).
    public static func pack(room: Double, shares: [Share]) -> [Placed] {
        // Free accelerators over the month: stretches [start, next start) with their room.
        var starts: [Double] = [0]
        var free: [Double] = [max(0, room)]
        let order = shares.sorted { ($0.gang, $1.workload) > ($1.gang, $0.workload) }
        return order.map { share in
            let gang = Double(share.gang)
            var need = share.gangMonths
            var stretches: [Stretch] = []
            var i = 0
            while i < starts.count, need > 1e-9, gang > 0 {
                let end = i + 1 < starts.count ? starts[i + 1] : 1
                let length = end - starts[i]
                let most = Int((free[i] / gang + 1e-6).rounded(.down))
                guard most > 0, length > 1e-12 else {
                    i += 1
                    continue
                }
                if Double(most) * length <= need + 1e-12 {
                    stretches.append(Stretch(from: starts[i], to: end, gangs: most))
                    free[i] -= Double(most) * gang
                    need -= Double(most) * length
                    i += 1
                    continue
                }
                // Fewer than `most` gangs for the whole stretch: `whole` gangs throughout and one
                // more until the gang-months are met, splitting the stretch there.
                let whole = Int((need / length).rounded(.down))
                let split = starts[i] + (need - Double(whole) * length)
                if split <= starts[i] + 1e-12 || split >= end - 1e-12 {
                    let gangs = split <= starts[i] + 1e-12 ? whole : whole + 1
                    if gangs > 0 { stretches.append(Stretch(from: starts[i], to: end, gangs: gangs)) }
                    free[i] -= Double(gangs) * gang
                } else {
                    starts.insert(split, at: i + 1)
                    free.insert(free[i], at: i + 1)
                    stretches.append(Stretch(from: starts[i], to: split, gangs: whole + 1))
                    free[i] -= Double(whole + 1) * gang
                    if whole > 0 {
                        stretches.append(Stretch(from: split, to: end, gangs: whole))
                        free[i + 1] -= Double(whole) * gang
                    }
                }
                need = 0
            }
            let placed = stretches.reduce(0.0) { $0 + Double($1.gangs) * ($1.to - $1.from) }
            return Placed(share: share, stretches: stretches, placed: placed)
        }
    }
}
