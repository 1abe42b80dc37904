import Foundation
import SwitchyardModel

/// A deterministic generator of synthetic scenarios, for tests and benchmarks.
///
/// The same `Parameters` (seed included) always give the same scenario, on every platform: it
/// uses its own SplitMix64 stream, never the system random source. Demand is sized against the
/// generated supply (about `load` of the capacity on offer), so plans are interesting: mostly
/// coverable, with share caps and lead times that bind.
public struct ScenarioGenerator: Sendable {
    /// What to generate.
    public struct Parameters: Sendable, Hashable {
        /// Stream seed.
        public var seed: UInt64
        /// Provider count, at least 1.
        public var providers: Int
        /// Offer count, at least 1.
        public var offers: Int
        /// Workload count, at least 1.
        public var workloads: Int
        /// Horizon length in months.
        public var months: Int
        /// Whether the policy asks for N-1 resilience.
        public var resilience: Bool
        /// Peak demand as a fraction of the capacity on offer.
        public var load: Double

        /// Parameters; defaults give a small scenario.
        public init(
            seed: UInt64 = 1, providers: Int = 5, offers: Int = 20, workloads: Int = 10, months: Int = 12,
            resilience: Bool = true, load: Double = 0.45
        ) {
            self.seed = seed
            self.providers = providers
            self.offers = offers
            self.workloads = workloads
            self.months = months
            self.resilience = resilience
            self.load = load
        }
    }

    /// The parameters.
    public let parameters: Parameters

    /// A generator.
    public init(_ parameters: Parameters) { self.parameters = parameters }

    /// Chips offered, with a typical on-demand list price (USD/accelerator-hour, see
    /// ../shared/data/reference/market.csv) and unit size.
    static let menu: [(model: AcceleratorModelID, price: Double, perNode: Int, hyperscalerOnly: Bool)] = [
        ("nvidia-h100", 3.0, 8, false), ("nvidia-h200", 3.6, 8, false), ("nvidia-b200", 5.5, 8, false),
        ("nvidia-gb200", 6.5, 72, false), ("amd-mi300x", 2.6, 8, false), ("nvidia-a100-80gb", 1.6, 8, false),
        ("google-tpu-v6e", 2.7, 8, true), ("aws-trainium2", 2.2, 16, true),
    ]

    /// The scenario.
    public func generate() -> Scenario {
        var rng = SplitMix64(seed: parameters.seed)
        let p = parameters
        let start = YearMonth(year: 2027, month: 1)
        let horizon = Horizon(start: start, months: max(1, p.months))
        let kinds: [ProviderKind] = [.neocloud, .neocloud, .hyperscaler, .neocloud, .colocation]
        let providers = (0..<max(1, p.providers)).map { i in
            Provider(
                id: ProviderID(String(format: "prov-%03d", i)), kind: kinds[i % kinds.count],
                failureProbability: (rng.uniform(0.01, 0.10) * 1000).rounded() / 1000)
        }
        let regions: [RegionID] = ["us-east", "us-west", "eu-west"]
        let accelerators = AcceleratorCatalog.merged(with: [])
        let speed = SpeedModel(accelerators: accelerators, reference: "nvidia-h100")!

        var offers: [Offer] = []
        var capacityByMonth = [Double](repeating: 0, count: horizon.months)
        // Supply is concentrated, as it is in the market: provider k gets offers in proportion to
        // 1/(k+1), so the loss of one of the first few providers is a real threat to N-1.
        let weights = providers.indices.map { 1 / Double($0 + 1) }
        let totalWeight = weights.reduce(0, +)
        for i in 0..<max(1, p.offers) {
            var pick = rng.uniform() * totalWeight
            var chosen = providers.count - 1
            for (k, weight) in weights.enumerated() {
                pick -= weight
                if pick < 0 {
                    chosen = k
                    break
                }
            }
            // Every provider sells something: the first offers go round once.
            let provider = providers[i < providers.count ? i : chosen]
            let candidates = Self.menu.filter { !$0.hyperscalerOnly || provider.kind == .hyperscaler }
            let item = candidates[rng.int(candidates.count)]
            let nodes = item.perNode >= 72 ? rng.int(2, 24) : rng.int(4, 160)
            let lead = [0, 0, 30, 60, 90, 120, 180][rng.int(7)]
            let onDemand = (item.price * rng.uniform(0.85, 1.35) * 100).rounded() / 100
            var prices: [CommitmentTerm: Decimal] = [.onDemand: Self.money(onDemand)]
            if rng.uniform() < 0.8 { prices[.oneYear] = Self.money(onDemand * rng.uniform(0.6, 0.8)) }
            if rng.uniform() < 0.5 { prices[.threeYear] = Self.money(onDemand * rng.uniform(0.4, 0.6)) }
            var backup: BackupTerms?
            if rng.uniform() < 0.3 {
                let fee = onDemand * Double(item.perNode) * 730 * rng.uniform(0.05, 0.15)
                backup = BackupTerms(
                    availableNodes: max(1, nodes / 4), feePerNodeMonth: Self.money(fee.rounded()),
                    exercisePricePerAcceleratorHour: Self.money(onDemand * rng.uniform(1.1, 1.4)))
            }
            let offer = Offer(
                id: OfferID(String(format: "offer-%04d", i)), provider: provider.id, accelerator: item.model,
                acceleratorsPerNode: item.perNode, region: regions[rng.int(regions.count)], availableNodes: nodes,
                leadTimeDays: lead, minimumNodes: rng.uniform() < 0.3 ? min(nodes, rng.int(1, 8)) : 0,
                pricePerAcceleratorHour: prices, backup: backup)
            offers.append(offer)
            let firstPeriod = horizon.firstPeriod(afterLeadTimeDays: lead)
            let capacity = Double(nodes * item.perNode) * speed.capacityWeight(of: item.model)
            for t in firstPeriod..<max(firstPeriod, horizon.months) { capacityByMonth[t] += capacity }
        }

        let peak = capacityByMonth.max() ?? 0
        let target = peak * p.load
        let stackSets: [[SoftwareStack]] = [[.cuda], [.cuda, .xla], [.cuda, .rocm], [.xla, .cuda, .rocm], [.cuda]]
        // Clusters (a provider's offers of one model in one region) big enough for a real run.
        let clusters = Dictionary(grouping: offers) { "\($0.provider)|\($0.accelerator)|\($0.region)" }
            .sorted { $0.key < $1.key }
            .map {
                (
                    model: $0.value[0].accelerator,
                    accelerators: $0.value.reduce(0) { $0 + $1.availableNodes * $1.acceleratorsPerNode }
                )
            }
            .filter { $0.accelerators >= 64 }
        var workloads: [Workload] = []
        let count = max(1, p.workloads)
        for i in 0..<count {
            let share = target / Double(count) * rng.uniform(0.5, 1.5)
            let startOffset = rng.int(0, max(1, horizon.months / 3))
            let length = max(1, rng.int(horizon.months / 3, horizon.months - startOffset + 1))
            let window = MonthWindow(
                start: start.adding(months: startOffset),
                end: start.adding(months: min(horizon.months - 1, startOffset + length - 1)))
            let months = Double(window.start.months(to: window.end) + 1)
            let kind = rng.uniform()
            let id = WorkloadID(String(format: "work-%03d", i))
            let critical = rng.uniform() < 0.7
            if kind < 0.3, !clusters.isEmpty, months >= 3 {
                // A training run sized to one cluster: a power-of-two gang up to 80% of it (8 to
                // 4,096), doing 40–80% of what that gang could do in its window there.
                let cluster = clusters[rng.int(clusters.count)]
                let largest = min(4096, Int(Double(cluster.accelerators) * 0.8))
                let sizes = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096].filter { $0 <= largest }
                let gang = sizes.isEmpty ? 8 : sizes[rng.int(max(0, sizes.count - 4), sizes.count)]
                let stacks = accelerators[cluster.model]?.stacks ?? [.cuda]
                let rate = speed.capacityWeight(of: cluster.model)
                let work = (Double(gang) * rate * 730 * months * rng.uniform(0.4, 0.8)).rounded()
                workloads.append(
                    Workload(
                        id: id, demand: .training(work: work), window: window, stacks: stacks, gang: gang,
                        critical: critical))
                continue
            }
            let isService = kind < 0.65
            let demand: Demand =
                isService
                ? .service(capacity: (share * 0.8).rounded())
                : .batch(work: (share * months * 730 * 0.9).rounded())
            workloads.append(
                Workload(
                    id: id, demand: demand, window: window, stacks: stackSets[rng.int(stackSets.count)],
                    gang: isService ? [1, 8][rng.int(2)] : [8, 64, 256][rng.int(3)], critical: critical))
        }

        let policy = Policy(
            maxProviderShare: providers.count >= 3 ? 0.5 : 1, resilience: p.resilience ? .nMinus1 : .none,
            criticalCoverage: 1, shortfallPenaltyPerReferenceHour: 50)
        return Scenario(
            name: "generated-s\(p.seed)-p\(p.providers)-o\(p.offers)-w\(p.workloads)-m\(p.months)", horizon: horizon,
            providers: providers, offers: offers, workloads: workloads, policy: policy)
    }

    static func money(_ value: Double) -> Decimal {
        Decimal(string: String(format: "%.2f", value)) ?? Decimal(value)
    }
}

/// SplitMix64: a tiny, fast, well-mixed generator with identical output on every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    /// A stream from `seed`.
    public init(seed: UInt64) { state = seed }
    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * uniform() }
    /// Uniform in 0..<n.
    public mutating func int(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    /// Uniform in low..<high (low when the range is empty).
    public mutating func int(_ low: Int, _ high: Int) -> Int { high <= low ? low : low + int(high - low) }
}
