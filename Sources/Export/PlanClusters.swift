import Foundation
import SwitchyardCatalog
import SwitchyardModel

/// A plan's clusters month by month, as the exports hand them on: what each holds (leases and
/// hosted owned hardware, whole accelerators), the backup options held beside it, what the
/// plan's workloads use of it, and where each workload is.
///
/// A cluster is what every report calls one: a provider's nodes of one model in one region
/// (`coreweave nvidia-gb200 us-east`), or an owned fleet at a colocation site
/// (`tpu-v7-phase1 at cw-colo-nj`).
public struct PlanClusters: Sendable {
    /// One cluster over the horizon.
    public struct Cluster: Sendable, Equatable {
        /// The name reports use.
        public var name: String
        /// The name as a Kubernetes label (unique among the plan's clusters).
        public var kubeName: String
        /// The provider (for an owned fleet: the site's operator).
        public var provider: ProviderID
        /// The accelerator model.
        public var accelerator: AcceleratorModelID
        /// The region (for an owned fleet: its site's).
        public var region: RegionID
        /// The owned fleet, when the cluster is the lab's own hardware.
        public var fleet: OwnedFleetID?
        /// The colocation site hosting that fleet.
        public var site: ColocationSiteID?
        /// Accelerators per node: the offers' (the largest where several differ); for owned
        /// hardware, a host of the model (`hostSize`).
        public var acceleratorsPerNode: Int
        /// Accelerators held each month: leased nodes and hosted owned hardware, whole.
        public var capacity: [Int]
        /// Accelerators of backup options held each month (not capacity until exercised).
        public var backups: [Int]
        /// Accelerators the plan's workloads use each month: runs' gangs, placed gangs, and what
        /// one-accelerator workloads take (largest remainder first, as the simulator carves).
        public var inUse: [Int]
    }

    /// A critical run's cluster when one provider is lost, where that differs from its own.
    public struct Restart: Sendable, Equatable {
        /// The run.
        public var workload: WorkloadID
        /// The provider lost.
        public var lost: ProviderID
        /// The run's own cluster (index into `clusters`).
        public var home: Int
        /// Where it restarts (index into `clusters`).
        public var cluster: Int
        /// Its gang there.
        public var accelerators: Int
        /// Months it runs there.
        public var start: YearMonth
        public var end: YearMonth
    }

    /// The clusters, sorted by name.
    public var clusters: [Cluster]
    /// The months.
    public var horizon: Horizon
    /// Per month: each workload's clusters (indices into `clusters`).
    public var placed: [[WorkloadID: Set<Int>]]
    /// Critical runs' restarts under N-1, in the plan's loss-table order.
    public var restarts: [Restart]
    /// The scenario's workloads by id.
    public var workloads: [WorkloadID: Workload]

    /// Accelerators on one host of an owned model, which has no offer to say: a TPU host holds
    /// 4 chips, an AWS Trainium2 instance 16, anything else 8 (an HGX board).
    public static func hostSize(of spec: AcceleratorSpec?) -> Int {
        switch spec?.vendor {
        case "Google": 4
        case "AWS": 16
        default: 8
        }
    }

    /// The clusters of `plan`, made for `scenario`.
    public init(scenario: Scenario, plan: Plan) {
        horizon = scenario.horizon
        workloads = Dictionary(scenario.workloads.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var table = Table(scenario: scenario)
        table.addLeases(plan.leases)
        table.addHosted(plan.colocation)
        table.addBackups(plan.backups)
        var placed = Array(repeating: [WorkloadID: Set<Int>](), count: horizon.months)
        let order = table.order
        let index = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        var inUse = Array(repeating: Array(repeating: 0, count: horizon.months), count: order.count)
        let stretches: [(item: any InCluster, from: YearMonth, through: YearMonth, accelerators: Int)] =
            plan.runs.map { ($0, $0.start, $0.end, $0.accelerators) }
            + plan.placements.map { ($0, $0.month, $0.month, $0.accelerators) }
        for stretch in stretches {
            guard let c = index[table.key(stretch.item)] else { continue }
            for t in horizon.periods(from: stretch.from, through: stretch.through) {
                placed[t][stretch.item.workload, default: []].insert(c)
                inUse[c][t] += stretch.accelerators
            }
        }
        Self.carveOneAccelerator(plan, scenario, table, order, &placed, &inUse)
        let names = KubeName.Names(order.map(\.name))
        let none = Array(repeating: 0, count: horizon.months)
        clusters = order.enumerated().map { c, key in
            Cluster(
                name: key.name, kubeName: names[key.name], provider: key.provider, accelerator: key.model,
                region: key.region, fleet: key.fleet, site: key.site, acceleratorsPerNode: table.perNode[key] ?? 8,
                capacity: table.capacity[key] ?? none, backups: table.backups[key] ?? none,
                inUse: inUse[c])
        }
        self.placed = placed
        restarts = plan.resilience.flatMap { loss in
            loss.runs.compactMap { stretch -> Restart? in
                guard let home = plan.runs.first(where: { $0.workload == stretch.workload }),
                    let h = index[table.key(home)], let r = index[table.key(stretch)], h != r
                else { return nil }
                return Restart(
                    workload: stretch.workload, lost: loss.provider, home: h, cluster: r,
                    accelerators: stretch.accelerators, start: stretch.start, end: stretch.end)
            }
        }
    }

    /// One-accelerator services and streams (no placements): each month's allocation of a model
    /// taken from that model's clusters, the one with the most left first (ties by name).
    private static func carveOneAccelerator(
        _ plan: Plan, _ scenario: Scenario, _ table: Table, _ order: [Table.Key],
        _ placed: inout [[WorkloadID: Set<Int>]], _ inUse: inout [[Int]]
    ) {
        let withPlacements = Set(plan.placements.map(\.workload))
        let runs = Set(plan.runs.map(\.workload))
        let allocations = plan.allocation.filter {
            !withPlacements.contains($0.workload) && !runs.contains($0.workload)
        }
        for a in allocations.sorted(by: {
            ($0.month, $0.workload, $0.accelerator) < ($1.month, $1.workload, $1.accelerator)
        }) {
            guard let t = scenario.horizon.period(of: a.month) else { continue }
            var left = Int((a.accelerators - 1e-6).rounded(.up))
            let candidates = order.indices.filter { order[$0].model == a.accelerator }
            let free = candidates.map { (c: $0, free: (table.capacity[order[$0]]?[t] ?? 0) - inUse[$0][t]) }
            for (c, room) in free.sorted(by: { ($0.free, order[$1.c].name) > ($1.free, order[$0.c].name) })
            where left > 0 {
                let taken = min(left, max(0, room))
                guard taken > 0 else { continue }
                placed[t][a.workload, default: []].insert(c)
                inUse[c][t] += taken
                left -= taken
            }
        }
    }

    /// The clusters holding anything (capacity or backups) in period `t`, where a workload is,
    /// or where a run restarts that month when its provider is lost (its queue names the flavor).
    public func active(in t: Int) -> [Int] {
        let month = horizon.month(ofPeriod: t)
        let used = Set(placed[t].values.flatMap { $0 })
            .union(restarts.filter { $0.start <= month && month <= $0.end }.map(\.cluster))
        return clusters.indices.filter {
            clusters[$0].capacity[t] > 0 || clusters[$0].backups[t] > 0 || used.contains($0)
        }
    }
}

extension Horizon {
    /// The periods from one month through another, clipped to the horizon (empty when the
    /// stretch lies outside it or ends before it starts).
    func periods(from start: YearMonth, through end: YearMonth) -> [Int] {
        let first = period(of: max(start, self.start)) ?? months
        let last = period(of: min(end, self.end)) ?? -1
        return first <= last ? Array(first...last) : []
    }
}

/// Capacity, backups and node sizes per cluster, from the plan's leases, colocation and holds.
private struct Table {
    struct Key: Hashable, Comparable {
        var provider: ProviderID
        var model: AcceleratorModelID
        var region: RegionID
        var fleet: OwnedFleetID?
        var site: ColocationSiteID?
        var name: String {
            TrainingRun.clusterName(provider: provider, accelerator: model, region: region, fleet: fleet, site: site)
        }
        static func < (a: Key, b: Key) -> Bool { a.name < b.name }
    }

    let scenario: Scenario
    let offers: [OfferID: Offer]
    let catalog: [AcceleratorModelID: AcceleratorSpec]
    var capacity: [Key: [Int]] = [:]
    var backups: [Key: [Int]] = [:]
    var perNode: [Key: Int] = [:]

    init(scenario: Scenario) {
        self.scenario = scenario
        offers = Dictionary(scenario.offers.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        catalog = AcceleratorCatalog.merged(with: scenario.accelerators)
    }

    /// Every cluster, sorted by name.
    var order: [Key] { Set(capacity.keys).union(backups.keys).sorted() }

    func key(_ item: some InCluster) -> Key {
        if let fleet = item.fleet, let site = item.site {
            return Key(provider: item.provider, model: item.accelerator, region: item.region, fleet: fleet, site: site)
        }
        return Key(provider: item.provider, model: item.accelerator, region: item.region)
    }

    mutating func add(_ table: WritableKeyPath<Table, [Key: [Int]]>, _ key: Key, _ t: Int, _ count: Int) {
        let months = scenario.horizon.months
        guard (0..<months).contains(t) else { return }
        self[keyPath: table][key, default: Array(repeating: 0, count: months)][t] += count
    }

    mutating func addLeases(_ leases: [Lease]) {
        for lease in leases {
            guard let start = scenario.horizon.period(of: lease.start), let offer = offers[lease.offer] else {
                continue
            }
            let key = Key(provider: lease.provider, model: lease.accelerator, region: offer.region)
            perNode[key] = max(perNode[key] ?? 0, offer.acceleratorsPerNode)
            for t in start..<(start + lease.months) { add(\.capacity, key, t, lease.accelerators) }
        }
    }

    mutating func addHosted(_ colocation: [ColocationUse]) {
        let fleets = Dictionary(scenario.ownedFleets.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let sites = Dictionary(scenario.colocation.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for use in colocation {
            guard let t = scenario.horizon.period(of: use.month) else { continue }
            for (fleet, count) in use.hosted {
                guard let model = fleets[fleet]?.accelerator else { continue }
                let region = sites[use.site]?.region ?? ""
                let key = Key(provider: use.provider, model: model, region: region, fleet: fleet, site: use.site)
                perNode[key] = PlanClusters.hostSize(of: catalog[model])
                add(\.capacity, key, t, Int((count + 1e-6).rounded(.down)))
            }
        }
    }

    mutating func addBackups(_ holds: [BackupHold]) {
        for hold in holds {
            guard let t = scenario.horizon.period(of: hold.month), let offer = offers[hold.offer] else { continue }
            let key = Key(provider: hold.provider, model: hold.accelerator, region: offer.region)
            perNode[key] = max(perNode[key] ?? 0, offer.acceleratorsPerNode)
            add(\.backups, key, t, hold.nodes * offer.acceleratorsPerNode)
        }
    }
}
