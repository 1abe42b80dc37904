import Foundation
import SwitchyardCatalog
import SwitchyardModel

/// The scenario digested for the model: indices, speeds, the first usable period of everything.
/// Everything the MILP builder, the report and the checker share is computed here once.
struct PlanningInput {
    let scenario: Scenario
    let periods: Int
    let hours: Double
    let speed: SpeedModel
    /// Offers in allowed regions, in scenario order.
    let offers: [Offer]
    /// Colocation sites in allowed regions.
    let sites: [ColocationSite]
    let fleets: [OwnedFleet]
    let workloads: [Workload]
    let providers: [ProviderID]
    let providerIndex: [ProviderID: Int]
    /// Models that can supply anything (offered or owned), sorted.
    let models: [AcceleratorModelID]
    let modelIndex: [AcceleratorModelID: Int]
    /// speeds[w][m]: reference units per accelerator-hour; 0 where the stack does not run.
    let speeds: [[Double]]
    /// Reference capacity of one accelerator of each model, for shares.
    let weights: [Double]
    /// First period each offer can deliver.
    let offerFirst: [Int]
    let offerModel: [Int]
    let offerProvider: [Int]
    let siteFirst: [Int]
    let siteProvider: [Int]
    /// Owned accelerators delivered by each period, per fleet.
    let delivered: [[Double]]
    let fleetModel: [Int]
    /// Sites each fleet may use.
    let fleetSites: [[Int]]
    /// supplyPossible[m][t]: an offer of model m is past its lead time in t, or owned hardware of
    /// it is delivered with a site to host it. Read for every allocation variable, so computed once.
    let supplyPossible: [[Bool]]
    /// Where a gang can run as one job, leased clusters first (by provider, model, region), then
    /// owned fleets at their sites.
    let clusters: [Cluster]
    /// gangClusters[w]: the clusters where workload w's gang (a run, a batch job, a replica) can
    /// ever run whole: its stacks run on the model and the cluster can hold the gang in some month.
    let gangClusters: [[Int]]
    /// Batch streams and services placed in whole gangs per cluster: every one whose gang is
    /// more than one accelerator (a job or replica of one accelerator fits anywhere, so the
    /// model's total is all the planner needs to count for it).
    let placedInGangs: [Bool]

    init(_ scenario: Scenario) throws {
        self.scenario = scenario
        periods = scenario.horizon.months
        hours = scenario.hoursPerMonth
        guard let speed = SpeedModel(scenario: scenario) else {
            throw InputError([Diagnostic(path: "referenceAccelerator", message: "unknown accelerator model")])
        }
        self.speed = speed
        let allowed = scenario.policy.allowedRegions.map(Set.init)
        let offers = scenario.offers.filter { allowed?.contains($0.region) ?? true }
        self.offers = offers
        sites = scenario.colocation.filter { allowed?.contains($0.region) ?? true }
        let fleets = scenario.ownedFleets
        self.fleets = fleets
        workloads = scenario.workloads
        providers = scenario.providers.map(\.id)
        providerIndex = Dictionary(uniqueKeysWithValues: providers.enumerated().map { ($1, $0) })
        let models = Array(Set(offers.map(\.accelerator) + fleets.map(\.accelerator))).sorted()
        self.models = models
        let modelIndex = Dictionary(uniqueKeysWithValues: models.enumerated().map { ($1, $0) })
        self.modelIndex = modelIndex
        speeds = scenario.workloads.map { w in models.map { speed.speed(of: w, on: $0) } }
        weights = models.map { speed.capacityWeight(of: $0) }
        let horizon = scenario.horizon
        offerFirst = offers.map { horizon.firstPeriod(afterLeadTimeDays: $0.leadTimeDays) }
        offerModel = offers.map { modelIndex[$0.accelerator]! }
        let providerIndex = self.providerIndex
        offerProvider = offers.map { providerIndex[$0.provider]! }
        siteFirst = sites.map { horizon.firstPeriod(afterLeadTimeDays: $0.leadTimeDays) }
        siteProvider = sites.map { providerIndex[$0.provider]! }
        delivered = fleets.map { fleet in
            (0..<horizon.months).map { Double(fleet.delivered(by: horizon.month(ofPeriod: $0))) }
        }
        fleetModel = fleets.map { modelIndex[$0.accelerator]! }
        let sites = self.sites
        let fleetSites = fleets.map { fleet in
            sites.indices.filter { fleet.hostableAt?.contains(sites[$0].id) ?? true }
        }
        self.fleetSites = fleetSites
        let offerFirst = self.offerFirst
        let siteFirst = self.siteFirst
        let delivered = self.delivered
        var possible = Array(repeating: Array(repeating: false, count: horizon.months), count: models.count)
        for (o, offer) in offers.enumerated() {
            for t in offerFirst[o]..<max(offerFirst[o], horizon.months) {
                possible[modelIndex[offer.accelerator]!][t] = true
            }
        }
        for (f, fleet) in fleets.enumerated() {
            let firstSite = fleetSites[f].map { siteFirst[$0] }.min() ?? .max
            for t in 0..<horizon.months where t >= firstSite && delivered[f][t] > 0 {
                possible[modelIndex[fleet.accelerator]!][t] = true
            }
        }
        supplyPossible = possible
        let clusters = Self.clusters(
            offers: offers, offerModel: offerModel, offerProvider: offerProvider, offerFirst: offerFirst,
            fleets: fleets, fleetModel: fleetModel, fleetSites: fleetSites, sites: sites, siteFirst: siteFirst,
            siteProvider: siteProvider, delivered: delivered, periods: horizon.months)
        self.clusters = clusters
        let speeds = self.speeds
        let workloads = self.workloads
        gangClusters = workloads.indices.map { w in
            clusters.indices.filter { c in
                speeds[w][clusters[c].model] > 0 && clusters[c].capacity.contains { $0 >= Double(workloads[w].gang) }
            }
        }
        placedInGangs = workloads.map { w in
            if case .training = w.demand { return false }
            return w.gang > 1
        }
    }

    /// The clusters of a scenario's supply: each provider's offers of one model in one region
    /// (leased nodes there share a fabric), and each owned fleet at each site that may host it.
    static func clusters(
        offers: [Offer], offerModel: [Int], offerProvider: [Int], offerFirst: [Int], fleets: [OwnedFleet],
        fleetModel: [Int], fleetSites: [[Int]], sites: [ColocationSite], siteFirst: [Int], siteProvider: [Int],
        delivered: [[Double]], periods: Int
    ) -> [Cluster] {
        struct Key: Hashable, Comparable {
            let provider: Int
            let model: Int
            let region: String
            static func < (a: Key, b: Key) -> Bool { (a.provider, a.model, a.region) < (b.provider, b.model, b.region) }
        }
        let grouped = Dictionary(grouping: offers.indices) {
            Key(provider: offerProvider[$0], model: offerModel[$0], region: offers[$0].region.rawValue)
        }
        var result: [Cluster] = grouped.keys.sorted().map { key in
            let members = grouped[key]!.sorted()
            let capacity = (0..<periods).map { t in
                members.filter { t >= offerFirst[$0] }.reduce(0.0) {
                    $0 + Double(offers[$1].availableNodes * offers[$1].acceleratorsPerNode)
                }
            }
            return Cluster(
                provider: key.provider, model: key.model, offers: members, region: RegionID(key.region), fleet: nil,
                site: nil, capacity: capacity)
        }
        for f in fleets.indices {
            for c in fleetSites[f] {
                let hostable = sites[c].powerKW * 1000 / max(1e-9, fleets[f].powerPerAcceleratorW)
                let capacity = (0..<periods).map { t in t >= siteFirst[c] ? min(delivered[f][t], hostable) : 0 }
                result.append(
                    Cluster(
                        provider: siteProvider[c], model: fleetModel[f], offers: [], region: sites[c].region, fleet: f,
                        site: c, capacity: capacity))
            }
        }
        return result
    }

    /// Whole months a training run needs in cluster c to do its work (nil where it cannot run there).
    func monthsNeeded(run w: Int, cluster c: Int) -> Int? {
        let speed = speeds[w][clusters[c].model]
        guard speed > 0, case .training(let work) = workloads[w].demand else { return nil }
        let perMonth = Double(workloads[w].gang) * speed * hours
        return Int((work / perMonth - 1e-9).rounded(.up))
    }

    /// The cluster a plan's run stretch names.
    func cluster(of run: TrainingRun) -> Int? {
        clusters.indices.first { c in
            let cluster = clusters[c]
            guard providers[cluster.provider] == run.provider, models[cluster.model] == run.accelerator else {
                return false
            }
            if let f = cluster.fleet, let site = cluster.site {
                return fleets[f].id == run.fleet && sites[site].id == run.site
            }
            return run.fleet == nil && cluster.region == run.region
        }
    }

    /// A cluster's name for reports: `coreweave nvidia-gb200 us-east`, or `tpu-v7-phase1 at cw-colo-nj`.
    func clusterName(_ c: Int) -> String {
        let cluster = clusters[c]
        return TrainingRun.clusterName(
            provider: providers[cluster.provider], accelerator: models[cluster.model], region: cluster.region,
            fleet: cluster.fleet.map { fleets[$0].id }, site: cluster.site.map { sites[$0].id })
    }

    /// The periods of a workload's window inside the horizon.
    func window(of w: Int) -> Range<Int> {
        let h = scenario.horizon
        let start = max(0, h.start.months(to: workloads[w].window.start))
        let end = min(periods, h.start.months(to: workloads[w].window.end) + 1)
        return start < end ? start..<end : 0..<0
    }

    /// Terms an offer sells, with their prices in USD per accelerator-hour.
    func terms(of o: Int) -> [(CommitmentTerm, Double)] {
        CommitmentTerm.allCases.compactMap { term in
            offers[o].pricePerAcceleratorHour[term].map { (term, $0.double) }
        }
    }

    /// Workload w's clusters by what a reference accelerator-hour of its work costs there at the
    /// cheapest price on offer in period t (any period if nil), owned fleets first (their
    /// hardware is paid for); ties by index.
    func clustersByPrice(_ w: Int, period t: Int? = nil) -> [Int] {
        func price(_ c: Int) -> Double {
            let cluster = clusters[c]
            if cluster.fleet != nil { return 0 }
            let cheapest = cluster.offers.filter { t == nil || offerFirst[$0] <= t! }
                .flatMap { terms(of: $0).map(\.1) }.min()
            let speed = speeds[w][cluster.model]
            return cheapest.map { speed > 0 ? $0 / speed : .infinity } ?? .infinity
        }
        return gangClusters[w].map { ($0, price($0)) }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
    }

    /// Demand of a workload in reference accelerator-hours over its window.
    func demandHours(of w: Int) -> Double {
        switch workloads[w].demand {
        case .training(let work), .batch(let work): work
        case .service(let capacity): capacity * hours * Double(window(of: w).count)
        }
    }

    var critical: [Int] { workloads.indices.filter { workloads[$0].critical } }

    func month(_ t: Int) -> YearMonth { scenario.horizon.month(ofPeriod: t) }
}

/// Where a gang can run as one job: a provider's offers of one model in one region, or an owned
/// fleet at one colocation site.
struct Cluster {
    /// The provider whose failure takes it (for an owned fleet: the site's operator).
    let provider: Int
    /// The accelerator model.
    let model: Int
    /// Its offers (leased clusters).
    let offers: [Int]
    /// Its region.
    let region: RegionID
    /// The owned fleet and the site hosting it (owned clusters).
    let fleet: Int?
    let site: Int?
    /// The most accelerators it can hold in each period (availability after lead times, or owned
    /// hardware delivered within the site's power).
    let capacity: [Double]
}

extension Decimal {
    /// The value as a Double, for solver math.
    var double: Double { NSDecimalNumber(decimal: self).doubleValue }
}

/// USD rounded to cents, as reports show money.
func usd(_ value: Double) -> Decimal {
    guard value.isFinite else { return 0 }
    var exact = Decimal(value)
    var rounded = Decimal()
    NSDecimalRound(&rounded, &exact, 2, .plain)
    return rounded
}
