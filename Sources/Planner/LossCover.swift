import Solver
import SwitchyardModel

/// Rounding for N-1 of training runs: where the relaxation restarts a critical run elsewhere
/// when its provider is lost, the rounded plan must hold that whole gang there, every month of
/// the restart, or the cover is worth nothing (a fraction of a gang restarts nothing). For each
/// loss case, each critical run not staying where the plan put it takes the restart pattern the
/// relaxation weighted most (when it weighted restarting at all by at least half a run), and the
/// cluster's backups are raised (cheapest fee first), then its leases (the cheapest covering
/// lease), until the cluster holds the critical runs the case puts there. The loss cases are
/// solved again afterwards with whole runs (`Planner.exactLosses`); this only makes sure the
/// capacity exists.
struct LossCover {
    let model: SourcingModel

    /// Raises `fixed` backups and leases (with `activeCount`, active nodes per offer and period)
    /// to hold the restarts `values` weights, around the base runs `runs` fixes.
    func hold(_ values: [Double], runs: [Int: Double], fixed: inout [Int: Double], activeCount: inout [[Double]]) {
        let input = model.input
        let loss = model.loss
        guard !loss.runStart.isEmpty else { return }
        let placed = model.runStart.filter { (runs[$0.value.index] ?? values[$0.value.index]) > 0.5 }.map(\.key)
        let heuristic = RoundingHeuristic(model: model)
        for p in loss.providers {
            var need: [PeriodKey: Double] = [:]
            let mine = loss.runStart.filter { $0.key.provider == p }
            for (w, patterns) in Dictionary(grouping: mine, by: \.key.start.workload).sorted(by: { $0.key < $1.key }) {
                let gang = Double(input.workloads[w].gang)
                let key: SourcingModel.RunStartKey
                let length: Int
                if let base = placed.first(where: { $0.workload == w }), input.clusters[base.cluster].provider != p {
                    key = base
                    length = model.runLengths[base] ?? 0
                } else {
                    let weight = patterns.reduce(0.0) { $0 + values[$1.value.index] }
                    guard weight >= 0.5,
                        let best = patterns.max(by: {
                            (values[$0.value.index], -$0.key.start.period, -$0.key.start.cluster)
                                < (values[$1.value.index], -$1.key.start.period, -$1.key.start.cluster)
                        })
                    else { continue }
                    key = best.key.start
                    length = loss.runLengths[best.key] ?? 0
                }
                for t in key.period..<(key.period + length) { need[PeriodKey(key.cluster, t), default: 0] += gang }
            }
            for (key, needed) in need.sorted(by: { ($0.key.index, $0.key.period) < ($1.key.index, $1.key.period) }) {
                cover(
                    cluster: key.index, period: key.period, needed: needed, heuristic: heuristic, fixed: &fixed,
                    activeCount: &activeCount)
            }
        }
    }

    /// Backups, then leases, of cluster c raised until it holds `needed` accelerators in t.
    private func cover(
        cluster c: Int, period t: Int, needed: Double, heuristic: RoundingHeuristic, fixed: inout [Int: Double],
        activeCount: inout [[Double]]
    ) {
        let input = model.input
        let cluster = input.clusters[c]
        guard cluster.fleet == nil else { return }
        let factor = model.overrides.provider(cluster.provider, t)
        func supply() -> Double {
            cluster.offers.reduce(0.0) { total, o in
                let nodes =
                    activeCount[o][t] * factor + (model.backup[PeriodKey(o, t)].map { fixed[$0.index] ?? 0 } ?? 0)
                return total + nodes * Double(input.offers[o].acceleratorsPerNode)
            }
        }
        let backups = cluster.offers.compactMap { o in model.backup[PeriodKey(o, t)].map { (o, $0) } }
            .sorted { (model.lp.objective[$0.1.index], $0.0) < (model.lp.objective[$1.1.index], $1.0) }
        for (_, r) in backups {
            while supply() + 1e-9 < needed, (fixed[r.index] ?? 0) + 1 <= model.lp.upper[r.index] {
                fixed[r.index, default: 0] += 1
            }
        }
        let covering = model.leases.filter { lease in
            cluster.offers.contains(lease.key.offer) && lease.key.start <= t
                && t < lease.key.start + lease.key.term.months
        }
        .sorted {
            ($0.price * Double($0.key.term.months), $0.variable.index)
                < ($1.price * Double($1.key.term.months), $1.variable.index)
        }
        while supply() + 1e-9 < needed {
            guard let lease = covering.first(where: { heuristic.fits($0, fixed: fixed, activeCount: activeCount) })
            else { return }
            heuristic.add(lease, fixed: &fixed, activeCount: &activeCount)
            // An offer signed for cover is signed for at least its minimum.
            let o = lease.key.offer
            guard let y = model.signed[o] else { continue }
            fixed[y.index] = 1
            let signed = model.leases.filter { $0.key.offer == o }.map(\.variable.index)
            while signed.reduce(0.0, { $0 + (fixed[$1] ?? 0) }) < Double(input.offers[o].minimumNodes),
                heuristic.fits(lease, fixed: fixed, activeCount: activeCount)
            {
                heuristic.add(lease, fixed: &fixed, activeCount: &activeCount)
            }
        }
    }
}
