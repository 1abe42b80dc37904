import Foundation
import Scheduler
import SwitchyardCatalog
import SwitchyardModel

/// The fleet a sourcing plan buys, as the simulator's pools: one pool per (model, provider), its
/// size stepping month by month as leases start and end and owned hardware is hosted, and the
/// backups held beside it. Time 0 is the horizon's start; a month is `hoursPerMonth` hours.
public struct PlanFleet: Sendable {
    /// The pools, one per (model, provider), at their largest size over the horizon.
    public var pools: [Pool] = []
    /// The provider of each pool.
    public var providers: [ProviderID?] = []
    /// Each pool's size from each month's start.
    public var steps: [[(atSeconds: Double, accelerators: Int)]] = []
    /// Backup accelerators held beside each pool from each month's start.
    public var backups: [[(atSeconds: Double, accelerators: Int)]] = []
    /// The horizon's length, seconds.
    public var horizonSeconds: Double

    /// The fleet `plan` buys for `scenario`.
    public init(scenario: Scenario, plan: Plan) {
        let months = scenario.horizon.months
        let monthSeconds = scenario.hoursPerMonth * 3600
        horizonSeconds = Double(months) * monthSeconds
        struct Key: Hashable {
            let model: AcceleratorModelID
            let provider: ProviderID
        }
        var size: [Key: [Double]] = [:]
        var standby: [Key: [Double]] = [:]
        var spend: [Key: (usd: Double, hours: Double)] = [:]
        func add(_ table: inout [Key: [Double]], _ key: Key, _ t: Int, _ count: Double) {
            guard (0..<months).contains(t) else { return }
            table[key, default: Array(repeating: 0, count: months)][t] += count
        }
        for lease in plan.leases {
            guard let start = scenario.horizon.period(of: lease.start) else { continue }
            let key = Key(model: lease.accelerator, provider: lease.provider)
            for t in start..<min(months, start + lease.months) { add(&size, key, t, Double(lease.accelerators)) }
            let hours = Double(lease.accelerators) * scenario.hoursPerMonth * Double(lease.months)
            spend[key, default: (0, 0)].usd +=
                NSDecimalNumber(decimal: lease.pricePerAcceleratorHour).doubleValue * hours
            spend[key, default: (0, 0)].hours += hours
        }
        let fleets = Dictionary(uniqueKeysWithValues: scenario.ownedFleets.map { ($0.id, $0) })
        for use in plan.colocation {
            guard let t = scenario.horizon.period(of: use.month) else { continue }
            for (fleet, count) in use.hosted {
                guard let model = fleets[fleet]?.accelerator else { continue }
                add(&size, Key(model: model, provider: use.provider), t, count.rounded(.down))
            }
        }
        let offers = Dictionary(uniqueKeysWithValues: scenario.offers.map { ($0.id, $0) })
        for hold in plan.backups {
            guard let t = scenario.horizon.period(of: hold.month), let offer = offers[hold.offer] else { continue }
            add(
                &standby, Key(model: hold.accelerator, provider: hold.provider), t,
                Double(hold.nodes * offer.acceleratorsPerNode))
        }
        let catalog = AcceleratorCatalog.merged(with: scenario.accelerators)
        let keys = Set(size.keys).union(standby.keys).sorted { ($0.model, $0.provider) < ($1.model, $1.provider) }
        for key in keys {
            let monthly = size[key] ?? Array(repeating: 0, count: months)
            let reserve = standby[key] ?? Array(repeating: 0, count: months)
            let price = spend[key].map { $0.hours > 0 ? $0.usd / $0.hours : 0 } ?? 0
            pools.append(
                Pool(
                    model: key.model, accelerators: Int(monthly.max() ?? 0), pricePerAcceleratorHour: price,
                    domainSize: catalog[key.model]?.scaleUpDomain))
            providers.append(key.provider)
            steps.append(monthly.enumerated().map { (Double($0) * monthSeconds, Int($1)) })
            backups.append(reserve.enumerated().map { (Double($0) * monthSeconds, Int($1)) })
        }
    }
}
