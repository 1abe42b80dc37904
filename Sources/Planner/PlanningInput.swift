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

    /// Demand of a workload in reference accelerator-hours over its window.
    func demandHours(of w: Int) -> Double {
        switch workloads[w].demand {
        case .training(let work): work
        case .service(let capacity): capacity * hours * Double(window(of: w).count)
        }
    }

    var critical: [Int] { workloads.indices.filter { workloads[$0].critical } }

    func month(_ t: Int) -> YearMonth { scenario.horizon.month(ofPeriod: t) }
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
