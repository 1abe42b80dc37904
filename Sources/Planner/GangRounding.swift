import Solver

/// Whole gangs for batch streams and services, from a solution of the model in which every
/// lease, backup and run is fixed and only the gang counts and lanes are fractional, split per
/// workload, cluster and period (g[w,c,t], `SourcingModel.gangsByCluster`).
///
/// The first candidate rounds each g down, then up in the clusters that still have room for a
/// whole gang (largest fraction first), then places what is still short, in whole gangs, in
/// any cluster of the workload with room: the same month first, and for a batch stream any
/// other month of its window (nearest first), since a stream's work may move. What still finds
/// no room is bought: nodes added to the cheapest lease of a cluster that covers the month and
/// has nodes left on offer (the shortfall penalty is what the gang would otherwise cost).
/// Rounding up and buying can raise a provider's share past its cap or spend past a budget,
/// so the second candidate rounds down only, on the leases as they were: it takes load away
/// and is feasible whenever the first is not.
struct GangRounding {
    let model: SourcingModel

    /// Candidates, best first: the values of the gang counts and lanes, and of the lease
    /// variables (`leases` with what was bought added).
    func candidates(from values: [Double], leases: [Int: Double]) -> [(gangs: [Int: Double], leases: [Int: Double])] {
        var packer = Packer(model: model, values: values, leases: leases)
        let floor = model.gangFixings(packer.whole)
        packer.roundUp()
        packer.fill(buying: false)
        let placed = (model.gangFixings(packer.whole), packer.leases)
        packer.fill(buying: true)
        let bought = (model.gangFixings(packer.whole), packer.leases)
        return [bought, placed, (floor, leases)]
    }
}

/// The working state of `GangRounding`: whole gangs so far, room left per cluster and period,
/// gangs still short per workload and period, and the leases (with what was bought).
private struct Packer {
    let model: SourcingModel
    let values: [Double]
    var leases: [Int: Double]
    var whole: [SourcingModel.GangKey: Double] = [:]
    /// The solution's gangs per workload, cluster and period (`SourcingModel.gangsByCluster`).
    let split: [SourcingModel.GangKey: Double]
    /// Accelerators free in each (cluster, period).
    var slack: [PeriodKey: Double] = [:]
    /// Accelerators of each (model, period) that no workload uses: a gang placed in a cluster
    /// also takes from its model's supply, which workloads of gang 1 share without being in a
    /// cluster, so room in the cluster alone is not room.
    var free: [PeriodKey: Double] = [:]
    /// Reference accelerators short in each (workload, period), against the solution's
    /// fractional gangs.
    var short: [PeriodKey: Double] = [:]
    /// Gangs the solution had in each (workload, period) beyond the whole ones: where the LP
    /// wanted a batch stream's work, so where what is short goes first.
    var fractions: [PeriodKey: Double] = [:]
    /// Active nodes of each (offer, period) in the solution, plus what was bought.
    var activeNodes: [PeriodKey: Double] = [:]
    /// Reference capacity each (provider, period) may still add under the share cap (absent:
    /// no cap). Adding at one provider only loosens the others' caps.
    var headroom: [PeriodKey: Double] = [:]
    let shareRatio: Double?
    let keys: [SourcingModel.GangKey]

    init(model: SourcingModel, values: [Double], leases: [Int: Double]) {
        self.model = model
        self.values = values
        self.leases = leases
        let lp = model.lp
        for (key, row) in model.clusterRows {
            // The row is `load - supply <= 0`: the room left is -activity.
            slack[key] = -lp.terms(of: row).reduce(0.0) { $0 + $1.1 * values[$1.0.index] }
        }
        let handles = model.handles
        for m in model.input.models.indices {
            for t in 0..<model.input.periods {
                let supplied = -handles.supplySources(model: m, period: t).reduce(0.0) {
                    $0 + $1.1 * values[$1.0.index]
                }
                if supplied > 0 { free[PeriodKey(m, t)] = supplied }
            }
        }
        for (key, x) in model.allocation { free[PeriodKey(key.model, key.period), default: 0] -= values[x.index] }
        for (o, periods) in model.active.enumerated() {
            for (t, act) in periods.enumerated() { if let act { activeNodes[PeriodKey(o, t)] = values[act.index] } }
        }
        let cap = model.input.scenario.policy.maxProviderShare
        shareRatio = cap < 1 ? cap / (1 - cap) : nil
        if let shareRatio {
            for t in 0..<model.input.periods {
                let capacity = model.input.providers.indices.compactMap { p in
                    model.providerCapacity[PeriodKey(p, t)].map { (p, values[$0.index]) }
                }
                let total = capacity.reduce(0.0) { $0 + $1.1 }
                for (p, own) in capacity { headroom[PeriodKey(p, t)] = shareRatio * (total - own) - own }
            }
        }
        let split = model.gangsByCluster { values[$0.index] }
        self.split = split
        keys = split.keys.sorted { ($0.workload, $0.cluster, $0.period) < ($1.workload, $1.cluster, $1.period) }
        // The cluster rows count lanes; room is what the gangs placed in them leave. Summed in
        // the groups' fixed order: float sums in dictionary order differ between processes.
        for group in model.laneGroups {
            for lane in group.lanes {
                slack[PeriodKey(lane.cluster, group.period), default: 0] += values[lane.lane.index] * Double(group.gang)
            }
        }
        for key in keys {
            let value = split[key]!
            let down = max(0, (value + 1e-6).rounded(.down))
            whole[key] = down
            slack[PeriodKey(key.cluster, key.period), default: 0] -= down * gang(key.workload)
            free[modelKey(key), default: 0] += (value - down) * gang(key.workload)
            short[shortKey(key), default: 0] += (value - down) * served(key)
            fractions[PeriodKey(key.workload, key.period), default: 0] += value - down
        }
    }

    func gang(_ w: Int) -> Double { Double(model.input.workloads[w].gang) }

    /// The (model, period) a gang key takes supply from.
    func modelKey(_ key: SourcingModel.GangKey) -> PeriodKey {
        PeriodKey(model.input.clusters[key.cluster].model, key.period)
    }

    /// Accelerators a gang of `key` can still take: its cluster's room within its model's.
    func room(_ key: SourcingModel.GangKey) -> Double {
        min(slack[PeriodKey(key.cluster, key.period)] ?? 0, free[modelKey(key)] ?? 0)
    }

    /// What a gang of `key` makes up for: its service's capacity in its month, or its batch
    /// stream's work over the whole window (keyed by the window's first month), since the
    /// stream's work may move between months and rounding each month up would overshoot it.
    func shortKey(_ key: SourcingModel.GangKey) -> PeriodKey {
        let w = key.workload
        return model.input.workloads[w].demand.isBatch
            ? PeriodKey(w, model.input.window(of: w).lowerBound) : PeriodKey(w, key.period)
    }

    /// Reference accelerators one gang of `key` serves (its model's speed for the workload).
    func served(_ key: SourcingModel.GangKey) -> Double {
        gang(key.workload) * model.input.speeds[key.workload][model.input.clusters[key.cluster].model]
    }

    /// One more gang of `key` if its cluster has room and its provider's share cap allows it;
    /// charged to `shortKey`'s deficit.
    mutating func place(_ key: SourcingModel.GangKey, for shortKey: PeriodKey) -> Bool {
        guard canPlace(key) else { return false }
        let cluster = model.input.clusters[key.cluster]
        let reference = model.input.weights[cluster.model] * gang(key.workload)
        let share = PeriodKey(cluster.provider, key.period)
        if let shareRatio {
            for (other, room) in headroom where other.period == key.period {
                headroom[other] = other == share ? room - reference : room + shareRatio * reference
            }
        }
        whole[key, default: 0] += 1
        slack[PeriodKey(key.cluster, key.period), default: 0] -= gang(key.workload)
        free[modelKey(key), default: 0] -= gang(key.workload)
        short[shortKey, default: 0] -= served(key)
        return true
    }

    /// Whether one more gang of `key` fits: under its bound, in its cluster's room (unless
    /// `ignoringRoom`) and under its provider's share cap.
    func canPlace(_ key: SourcingModel.GangKey, ignoringRoom: Bool = false) -> Bool {
        let cluster = model.input.clusters[key.cluster]
        let reference = model.input.weights[cluster.model] * gang(key.workload)
        guard let bound = model.gangRoom(key), (whole[key] ?? 0) + 1 <= bound else { return false }
        return (ignoringRoom || room(key) + 1e-6 >= gang(key.workload))
            && (shareRatio == nil || (headroom[PeriodKey(cluster.provider, key.period)] ?? 0) + 1e-6 >= reference)
    }

    /// Up where the solution had a fraction and the cluster has room, largest fraction first.
    mutating func roundUp() {
        var order: [(fraction: Double, key: SourcingModel.GangKey)] = []
        for key in keys {
            let fraction = split[key]! - whole[key]!
            if fraction > 1e-6 { order.append((fraction, key)) }
        }
        order.sort { a, b in
            a.fraction != b.fraction
                ? a.fraction > b.fraction
                : (a.key.workload, a.key.cluster, a.key.period) < (b.key.workload, b.key.cluster, b.key.period)
        }
        for (_, key) in order where (short[shortKey(key)] ?? 0) > 1e-6 {
            _ = place(key, for: shortKey(key))
        }
    }

    /// What is still short, in whole gangs wherever the workload's clusters have room (and,
    /// `buying`, where nodes can be added to make room).
    mutating func fill(buying: Bool) {
        let input = model.input
        for shortKey in short.keys.sorted(by: { ($0.index, $0.period) < ($1.index, $1.period) }) {
            let w = shortKey.index
            var periods = [shortKey.period]
            if input.workloads[w].demand.isBatch {
                // The months the solution had most of a gang in first, then the nearest.
                func fraction(_ t: Int) -> Double { fractions[PeriodKey(w, t)] ?? 0 }
                periods = input.window(of: w).sorted {
                    (-fraction($0), abs($0 - shortKey.period), $0) < (-fraction($1), abs($1 - shortKey.period), $1)
                }
            }
            fill: for t in periods {
                // Buying, the cheapest cluster first: in index order the medium benchmark's gangs
                // were bought wherever the first cluster with offers was.
                for c in buying ? input.clustersByPrice(w, period: t) : input.gangClusters[w] {
                    let key = SourcingModel.GangKey(workload: w, cluster: c, period: t)
                    while (short[shortKey] ?? 0) > 1e-6 {
                        if place(key, for: shortKey) { continue }
                        // Buying makes room in the cluster; if the gang still cannot go there
                        // (its provider's share cap), nothing more is bought for it.
                        guard buying, model.gangRoom(key) != nil, canPlace(key, ignoringRoom: true),
                            buy(gang(w) - max(0, room(key)), cluster: c, period: t), place(key, for: shortKey)
                        else { break }
                    }
                    if (short[shortKey] ?? 0) <= 1e-6 { break fill }
                }
            }
        }
    }

    /// Adds nodes to cluster c's leases covering period t until `accelerators` more are
    /// delivered there, the cheapest lease (per node, over its term) first; false, with nothing
    /// bought, if its offers cannot.
    mutating func buy(_ accelerators: Double, cluster c: Int, period t: Int) -> Bool {
        let input = model.input
        let cluster = input.clusters[c]
        let factor = model.overrides.provider(cluster.provider, t)
        guard cluster.fleet == nil, factor > 0 else { return false }
        let options = model.leases.filter { lease in
            let o = lease.key.offer
            return cluster.offers.contains(o) && lease.key.start <= t && t < lease.key.start + lease.key.term.months
                && model.signed[o].map { leases[$0.index] == 1 } ?? true
        }
        .sorted {
            ($0.price * Double($0.key.term.months), $0.variable.index) < (
                $1.price * Double($1.key.term.months), $1.variable.index
            )
        }
        // Leases of one offer with overlapping terms share its availability: each takes from
        // what the ones before it in the plan left.
        var plan: [(lease: SourcingModel.LeaseVar, nodes: Double)] = []
        var planned = activeNodes
        var left = accelerators
        for lease in options where left > 1e-6 {
            let o = lease.key.offer
            let perNode = Double(input.offers[o].acceleratorsPerNode) * factor
            let months = lease.key.start..<min(input.periods, lease.key.start + lease.key.term.months)
            let room = months.reduce(model.lp.upper[lease.variable.index] - leases[lease.variable.index]!) { room, s in
                guard let act = model.active[o][s] else { return 0 }
                return min(room, model.lp.upper[act.index] - (planned[PeriodKey(o, s)] ?? 0))
            }
            let nodes = min((room + 1e-6).rounded(.down), (left / perNode - 1e-9).rounded(.up))
            guard nodes >= 1 else { continue }
            plan.append((lease, nodes))
            for s in months { planned[PeriodKey(o, s), default: 0] += nodes }
            left -= nodes * perNode
        }
        guard left <= 1e-6 else { return false }
        activeNodes = planned
        for (lease, nodes) in plan {
            let o = lease.key.offer
            leases[lease.variable.index]! += nodes
            for s in lease.key.start..<min(input.periods, lease.key.start + lease.key.term.months) {
                let delivered =
                    nodes * Double(input.offers[o].acceleratorsPerNode) * model.overrides.provider(cluster.provider, s)
                slack[PeriodKey(c, s), default: 0] += delivered
                free[PeriodKey(cluster.model, s), default: 0] += delivered
            }
        }
        return true
    }
}

extension SourcingModel {
    /// Gangs of each placed workload per cluster and period, from the values of the gang counts
    /// n and lanes l: within each (gang size, model, period) the workloads, in order, fill the
    /// lanes, in order (every lane serves every workload of its group equally). Whole values give
    /// whole gangs; the rounding splits a fractional solution the same way.
    func gangsByCluster(_ value: (Variable) -> Double) -> [GangKey: Double] {
        var result: [GangKey: Double] = [:]
        for group in laneGroups {
            var lanes = group.lanes.map { (cluster: $0.cluster, left: max(0, value($0.lane))) }
            var next = 0
            for member in group.members {
                var need = max(0, value(member.count))
                while need > 1e-9, next < lanes.count {
                    let taken = min(need, lanes[next].left)
                    if taken > 0 {
                        let key = GangKey(workload: member.workload, cluster: lanes[next].cluster, period: group.period)
                        result[key, default: 0] += taken
                        need -= taken
                        lanes[next].left -= taken
                    }
                    if lanes[next].left <= 1e-9 { next += 1 }
                }
            }
        }
        return result
    }

    /// The values of every gang count and lane that place `gangs` (workload, cluster, period →
    /// gangs), by variable index.
    func gangFixings(_ gangs: [GangKey: Double]) -> [Int: Double] {
        var result: [Int: Double] = [:]
        for group in laneGroups {
            for member in group.members {
                result[member.count.index] = group.lanes.reduce(0.0) {
                    $0 + (gangs[GangKey(workload: member.workload, cluster: $1.cluster, period: group.period)] ?? 0)
                }
            }
            for lane in group.lanes {
                result[lane.lane.index] = group.members.reduce(0.0) {
                    $0 + (gangs[GangKey(workload: $1.workload, cluster: lane.cluster, period: group.period)] ?? 0)
                }
            }
        }
        return result
    }

    /// The most gangs of `key`'s workload its cluster can hold in its period (its lanes'
    /// bound); nil where the workload cannot place a gang there.
    func gangRoom(_ key: GangKey) -> Double? {
        let cluster = input.clusters[key.cluster]
        guard gangCounts[AllocationKey(workload: key.workload, model: cluster.model, period: key.period)] != nil,
            let lane = lanes[
                LaneKey(
                    gang: input.workloads[key.workload].gang, cluster: key.cluster, period: key.period,
                    owner: sharedLanes ? nil : key.workload)]
        else { return nil }
        return lp.upper[lane.index]
    }
}
