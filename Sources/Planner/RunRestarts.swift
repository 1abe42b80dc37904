import Foundation
import SwitchyardModel

/// N-1 for training runs: a run whose cluster belongs to the lost provider must restart in a
/// cluster of another provider with room for its whole gang, for the months its work needs
/// there. Room is what the plan puts in that cluster (its leases as signed, or the owned fleet
/// hosted there) plus the backups held there, less the gangs of the other runs placed there; the
/// batch and service work it would displace gives way (it is the run that cannot split). The
/// earliest finish wins; the run starts no sooner than the plan had it start.
struct RunRestarts {
    let input: PlanningInput

    func restarts(for provider: ProviderID, plan: Plan) -> [RunRestart] {
        let supply = clusterSupply(plan)
        var held = Array(repeating: Array(repeating: 0.0, count: input.periods), count: input.clusters.count)
        for run in plan.runs {
            guard let c = input.cluster(of: run), let first = input.scenario.horizon.period(of: run.start),
                let last = input.scenario.horizon.period(of: run.end), first <= last
            else { continue }
            for t in first...last { held[c][t] += Double(run.accelerators) }
        }
        var result: [RunRestart] = []
        let hit = Dictionary(grouping: plan.runs.filter { $0.provider == provider }, by: \.workload)
        for (workload, stretches) in hit.sorted(by: { $0.key < $1.key }) {
            guard let w = input.workloads.firstIndex(where: { $0.id == workload }),
                let firstStretch = stretches.min(by: { $0.start < $1.start }),
                let from = input.scenario.horizon.period(of: firstStretch.start)
            else { continue }
            let gang = Double(input.workloads[w].gang)
            let window = input.window(of: w)
            let plannedFinish = stretches.compactMap(\.finish).max()
            var best: (cluster: Int, start: Int, finish: Int)?
            for c in input.gangClusters[w] where input.providers[input.clusters[c].provider] != provider {
                guard let length = input.monthsNeeded(run: w, cluster: c), length > 0 else { continue }
                let room = { (t: Int) in supply[c][t] - held[c][t] >= gang - 1e-6 }
                for k in window where k >= from && k + length <= window.upperBound {
                    if (k..<(k + length)).allSatisfy(room) {
                        if best == nil || k + length - 1 < best!.finish { best = (c, k, k + length - 1) }
                        break
                    }
                }
            }
            let deadline = window.upperBound - 1
            if let best {
                let finish = input.month(best.finish)
                result.append(
                    RunRestart(
                        workload: workload, cluster: input.clusterName(best.cluster), start: input.month(best.start),
                        finish: finish, delayMonths: plannedFinish.map { max(0, $0.months(to: finish)) },
                        onTime: best.finish <= deadline))
            } else {
                result.append(
                    RunRestart(
                        workload: workload, cluster: nil, start: nil, finish: nil, delayMonths: nil, onTime: false))
            }
        }
        return result
    }

    /// Accelerators each cluster has in each period under the plan, backups held there included.
    private func clusterSupply(_ plan: Plan) -> [[Double]] {
        var supply = Array(repeating: Array(repeating: 0.0, count: input.periods), count: input.clusters.count)
        let offerCluster = Dictionary(
            input.clusters.indices.flatMap { c in input.clusters[c].offers.map { (input.offers[$0].id, c) } },
            uniquingKeysWith: { a, _ in a })
        let offers = Dictionary(uniqueKeysWithValues: input.offers.map { ($0.id, $0) })
        for lease in plan.leases {
            guard let c = offerCluster[lease.offer], let start = input.scenario.horizon.period(of: lease.start) else {
                continue
            }
            for t in start..<min(input.periods, start + lease.months) { supply[c][t] += Double(lease.accelerators) }
        }
        for hold in plan.backups {
            guard let c = offerCluster[hold.offer], let t = input.scenario.horizon.period(of: hold.month),
                let offer = offers[hold.offer]
            else { continue }
            supply[c][t] += Double(hold.nodes * offer.acceleratorsPerNode)
        }
        for use in plan.colocation {
            guard let t = input.scenario.horizon.period(of: use.month) else { continue }
            for (fleet, count) in use.hosted {
                guard
                    let c = input.clusters.indices.first(where: {
                        input.clusters[$0].fleet.map { input.fleets[$0].id } == fleet
                            && input.clusters[$0].site.map { input.sites[$0].id } == use.site
                    })
                else { continue }
                supply[c][t] += count
            }
        }
        return supply
    }
}
