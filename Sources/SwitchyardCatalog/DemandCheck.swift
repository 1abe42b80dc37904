import Foundation
import SwitchyardModel

/// Checks that need the speed estimate: whether each workload's gang could ever be supplied,
/// and whether each training run could finish inside its window even on its fastest cluster.
/// A run that fits a model's supply but no single cluster is not an input error: the plan reports
/// it as a shortfall with that reason.
enum DemandCheck {
    static func problems(_ scenario: Scenario) -> [Diagnostic] {
        guard let speed = SpeedModel(scenario: scenario) else { return [] }
        let allowed = scenario.policy.allowedRegions.map(Set.init)
        let offers = scenario.offers.filter { allowed?.contains($0.region) ?? true }
        // The most accelerators each model could ever supply, and each cluster could hold.
        var modelTotal: [AcceleratorModelID: Int] = [:]
        var clusters: [(name: String, model: AcceleratorModelID, accelerators: Int)] = []
        let grouped = Dictionary(grouping: offers) { "\($0.provider) \($0.accelerator) \($0.region)" }
        for (name, members) in grouped.sorted(by: { $0.key < $1.key }) {
            let total = members.reduce(0) { $0 + $1.availableNodes * $1.acceleratorsPerNode }
            clusters.append((name, members[0].accelerator, total))
            modelTotal[members[0].accelerator, default: 0] += total
        }
        for fleet in scenario.ownedFleets {
            let total = fleet.arrivals.reduce(0) { $0 + $1.count }
            clusters.append(("\(fleet.id)", fleet.accelerator, total))
            modelTotal[fleet.accelerator, default: 0] += total
        }
        var problems: [Diagnostic] = []
        for (i, w) in scenario.workloads.enumerated() {
            let runnable = modelTotal.keys.filter { speed.speed(of: w, on: $0) > 0 }.sorted()
            guard !runnable.isEmpty else { continue }
            let most = runnable.max { (modelTotal[$0]!, $1) < (modelTotal[$1]!, $0) }!
            if w.gang > modelTotal[most]! {
                problems.append(
                    Diagnostic(
                        path: "workloads[\(i)].gang",
                        message:
                            "no model this workload runs on could ever supply \(Formatted.grouped(Double(w.gang))) accelerators at once (the most: \(most), \(Formatted.grouped(Double(modelTotal[most]!))) across every offer and owned fleet)"
                    ))
                continue
            }
            if let problem = nodeProblem(w, scenario: scenario, offers: offers, speed: speed) {
                problems.append(Diagnostic(path: "workloads[\(i)].gang", message: problem))
                continue
            }
            guard case .training(let work) = w.demand else { continue }
            let first = max(scenario.horizon.start, w.window.start)
            let last = min(scenario.horizon.end, w.window.end)
            let windowMonths = max(0, first.months(to: last) + 1)
            let holding = clusters.filter { $0.accelerators >= w.gang && speed.speed(of: w, on: $0.model) > 0 }
            guard
                let fastest = holding.max(by: {
                    (speed.speed(of: w, on: $0.model), $1.name) < (speed.speed(of: w, on: $1.model), $0.name)
                })
            else { continue }
            let rate = speed.speed(of: w, on: fastest.model)
            let perMonth = Double(w.gang) * rate * scenario.hoursPerMonth
            let needed = work / perMonth
            if needed > Double(windowMonths) + 1e-9 {
                problems.append(
                    Diagnostic(
                        path: "workloads[\(i)].work",
                        message: String(
                            format:
                                "one run of %@ accelerators needs %.1f months for %@ reference-hours even on its fastest cluster (%@: %@ × %.2f reference units per accelerator-hour × %@ h = %@ reference-hours a month), but its window has %d; training means one run of `gang` accelerators in one cluster — a stream of independent jobs is kind: batch",
                            Formatted.grouped(Double(w.gang)), needed, Formatted.grouped(work), fastest.name,
                            Formatted.grouped(Double(w.gang)), rate, Formatted.grouped(scenario.hoursPerMonth),
                            Formatted.grouped(perMonth), windowMonths)))
            }
        }
        return problems
    }

    /// A gang bigger than one node takes whole nodes (a multi-node job gets its servers to
    /// itself: their network cards and hosts are not shared across jobs), so it must be a whole
    /// number of nodes on some leased model it runs on; nil when it is, when it fits in one
    /// node, or when an owned fleet (sliced as the lab chooses) can run it.
    static func nodeProblem(_ w: Workload, scenario: Scenario, offers: [Offer], speed: SpeedModel) -> String? {
        if scenario.ownedFleets.contains(where: { speed.speed(of: w, on: $0.accelerator) > 0 }) { return nil }
        let runnable = offers.filter { speed.speed(of: w, on: $0.accelerator) > 0 }
        if runnable.isEmpty
            || runnable.contains(where: { w.gang <= $0.acceleratorsPerNode || w.gang % $0.acceleratorsPerNode == 0 })
        {
            return nil
        }
        var sizes: [String] = []
        for offer in runnable.sorted(by: {
            ("\($0.accelerator)", $0.acceleratorsPerNode) < ("\($1.accelerator)", $1.acceleratorsPerNode)
        }) {
            let size = "\(offer.accelerator): \(offer.acceleratorsPerNode) per node"
            if !sizes.contains(size) { sizes.append(size) }
        }
        return
            "a gang of \(Formatted.grouped(Double(w.gang))) spans more than one node but is no whole number of nodes on any offer it runs on (\(sizes.joined(separator: ", "))); a multi-node job takes whole nodes, so make the gang a multiple of one of these"
    }
}
