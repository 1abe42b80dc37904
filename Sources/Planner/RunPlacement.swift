import Foundation
import Solver
import SwitchyardModel

/// Places training runs from an LP relaxation, the first step of rounding: each run, largest
/// first (gang × work), takes the start pattern (cluster and first month) the relaxation gave
/// most weight, earliest on a tie, among those whose months its cluster can still hold beside
/// the runs already placed. A run with no such pattern is left out: its work is short. The
/// result fixes every run variable; leases are rounded afterwards around it.
struct RunPlacement {
    let model: SourcingModel

    /// Runs with at least one pattern, largest first, the order they are placed in.
    var runOrder: [Int] {
        let input = model.input
        let runs = Set(model.runStart.keys.map(\.workload))
        return runs.sorted {
            let a = Double(input.workloads[$0].gang) * (input.workloads[$0].demand.work ?? 0)
            let b = Double(input.workloads[$1].gang) * (input.workloads[$1].demand.work ?? 0)
            return (a, $1) > (b, $0)
        }
    }

    /// A run's clusters, the one the relaxation gave most weight first.
    func alternatives(_ w: Int, values: [Double]) -> [Int] {
        var weight: [Int: Double] = [:]
        for (key, s) in model.runStart where key.workload == w { weight[key.cluster, default: 0] += values[s.index] }
        return weight.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
    }

    /// A run's place to try first: a cluster, and a first month in it (nil: the relaxation's
    /// choice there).
    struct Choice: Equatable {
        let cluster: Int
        var start: Int?
    }

    /// Where run w starts among `fixed` run variables, if it was placed.
    func placed(_ w: Int, in fixed: [Int: Double]) -> SourcingModel.RunStartKey? {
        model.runStart.first { $0.key.workload == w && (fixed[$0.value.index] ?? 0) > 0.5 }?.key
    }

    /// Variable index → fixed value for every run variable; `preferring` makes a run take its
    /// given cluster (and start, if it has one) when a pattern there fits.
    func fix(_ values: [Double], preferring: [Int: Choice] = [:]) -> [Int: Double] {
        let input = model.input
        var fixed: [Int: Double] = [:]
        var load = Array(repeating: Array(repeating: 0.0, count: input.periods), count: input.clusters.count)
        let patterns = Dictionary(grouping: model.runStart.keys, by: \.workload)
        for w in runOrder {
            let gang = Double(input.workloads[w].gang)
            let mine = patterns[w] ?? []
            // 2: the preferred pattern; 1: the preferred cluster; 0: anything else.
            func rank(_ key: SourcingModel.RunStartKey) -> Int {
                guard let choice = preferring[w], choice.cluster == key.cluster else { return 0 }
                return choice.start == key.period ? 2 : 1
            }
            let fits = { (key: SourcingModel.RunStartKey) -> Bool in
                let length = model.runLengths[key] ?? 0
                return (key.period..<(key.period + length)).allSatisfy { t in
                    load[key.cluster][t] + gang <= model.clusterCapacity(key.cluster, t) + 1e-9
                }
            }
            let ranked = mine.sorted {
                let a = values[model.runStart[$0]!.index]
                let b = values[model.runStart[$1]!.index]
                return (rank($0), a, -$0.period, -$0.cluster) > (rank($1), b, -$1.period, -$1.cluster)
            }
            let placed = ranked.first(where: fits)
            for key in mine { fixed[model.runStart[key]!.index] = key == placed ? 1 : 0 }
            if let placed {
                for t in placed.period..<(placed.period + (model.runLengths[placed] ?? 0)) {
                    load[placed.cluster][t] += gang
                }
            }
        }
        return fixed
    }

    /// Runs of consecutive periods in a sorted list.
    static func stretches(_ periods: [Int]) -> [[Int]] {
        var result: [[Int]] = []
        for t in periods {
            if let last = result.last?.last, last + 1 == t {
                result[result.count - 1].append(t)
            } else {
                result.append([t])
            }
        }
        return result
    }
}
