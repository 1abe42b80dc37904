import Foundation
import Solver
import SwitchyardModel

/// What a re-plan holds fixed and what the incident changed. Empty for a fresh plan.
struct PlanningOverrides {
    /// The first period that can still change; earlier decisions are history.
    var fromPeriod = 0
    /// Nodes already signed, by (offer index, term, start period): kept and paid (sunk).
    var sunkLeases: [LeaseKey: Int] = [:]
    /// Backup nodes already held, by (offer index, period).
    var heldBackups: [PeriodKey: Int] = [:]
    /// Accelerators given before `fromPeriod`, by (workload, model, period): history.
    var pastAllocation: [AllocationKey: Double] = [:]
    /// Fraction of a provider's leased capacity delivered, by (provider index, period); default 1.
    var providerFactor: [PeriodKey: Double] = [:]
    /// Fraction of a site's power available, by (site index, period); default 1.
    var siteFactor: [PeriodKey: Double] = [:]
    /// Offers whose new signatures cannot start before a period (a slipped provider).
    var earliestNewStart: [Int: Int] = [:]
    /// Whether backups may be exercised in the plan itself (after an incident).
    var allowExercise = false
    /// Training runs' months before `fromPeriod`, by (workload, cluster): history.
    var pastRuns: [Int: [Int: Set<Int>]] = [:]
    /// Batch jobs' and service replicas' placements before `fromPeriod`: history, as the plan had them.
    var pastPlacements: [GangPlacement] = []
    /// Backup nodes exercised before `fromPeriod`, by (offer index, period): history (an earlier
    /// re-plan's), so the capacity they gave is still there for what ran on it.
    var pastExercise: [PeriodKey: Double] = [:]

    /// The shortfall penalty's weight on critical work: 1 in a plan; in a re-plan
    /// `criticalWeight`, so that critical work takes the capacity left before other work, as
    /// the plan's N-1 cases assumed (other work gives way there).
    var criticalWeight = 1.0

    /// The penalty weight of workload w's shortfall.
    func weight(of w: Int, _ input: PlanningInput) -> Double { input.workloads[w].critical ? criticalWeight : 1 }

    func provider(_ p: Int, _ t: Int) -> Double { providerFactor[PeriodKey(p, t)] ?? 1 }
    func site(_ c: Int, _ t: Int) -> Double { siteFactor[PeriodKey(c, t)] ?? 1 }

    /// Periods the share cap does not hold in: those in which an incident takes a provider's
    /// capacity (the cap limits how much of the plan depends on one supplier, and a failover is
    /// exactly that plan surviving one), and the history before a re-plan's start (fixed; an
    /// earlier re-plan may have waived the cap there for its own incident).
    var capWaivedPeriods: Set<Int> {
        Set(providerFactor.filter { $0.value < 1 }.map(\.key.period)).union(0..<fromPeriod)
    }
}

struct LeaseKey: Hashable {
    let offer: Int
    let term: CommitmentTerm
    let start: Int
}

struct PeriodKey: Hashable {
    let index: Int
    let period: Int
    init(_ index: Int, _ period: Int) {
        self.index = index
        self.period = period
    }
}

struct AllocationKey: Hashable {
    let workload: Int
    let model: Int
    let period: Int
}

/// The sourcing MILP of docs/planner.md, with handles to every variable and row the report reads.
struct SourcingModel {
    let input: PlanningInput
    let overrides: PlanningOverrides
    var lp = LinearProgram()

    struct LeaseVar {
        let key: LeaseKey
        let variable: Variable
        let price: Double
    }
    var leases: [LeaseVar] = []
    var signed: [Int: Variable] = [:]
    /// act[o][t]: active nodes (nil before the offer can deliver).
    var active: [[Variable?]] = []
    var power: [PeriodKey: Variable] = [:]
    var hosted: [FleetSiteKey: Variable] = [:]
    var backup: [PeriodKey: Variable] = [:]
    var exercise: [PeriodKey: Variable] = [:]
    var allocation: [AllocationKey: Variable] = [:]
    var serviceShort: [PeriodKey: Variable] = [:]
    /// Training runs: s[w,c,k], the run starts in cluster c in period k (see `buildTrainingRuns`).
    var runStart: [RunStartKey: Variable] = [:]
    /// The months each start pattern holds the gang.
    var runLengths: [RunStartKey: Int] = [:]
    var trainingShort: [Int: Variable] = [:]
    /// Batch jobs and service replicas (see `buildGangs`): n[w,m,t], whole gangs of workload w
    /// on model m in period t.
    var gangCounts: [AllocationKey: Variable] = [:]
    /// l[G,c,t]: lanes of G accelerators in cluster c in period t, each holding one gang of any
    /// workload whose gang is G.
    var lanes: [LaneKey: Variable] = [:]
    /// The gang counts and lanes of each (gang size, model, period), or with lanes of their own
    /// of each (workload, model, period), in a fixed order. Every lane is in exactly one group.
    private(set) var laneGroups: [LaneGroup] = []
    /// Whether workloads of one gang size share lanes (large models), or each has its own
    /// (`sharedLanesFrom`).
    private(set) var sharedLanes = false
    /// Shared lanes from this many candidate lanes of workloads' own (a lane per workload,
    /// cluster and period). Below it each workload keeps its own, as the first formulation did,
    /// and its gang counts are exactly their sums (not integers of their own): on the small
    /// benchmark (N-1 off, 120 s) Cbc's search then ended 3.32% above the bound, against 6.44%
    /// with shared lanes. On the medium one (68,404 lanes of workloads' own against 7,875
    /// shared) sharing halves the model.
    static let sharedLanesFrom = 20_000
    /// What each cluster holds in each period: its runs' and placed workloads' gangs, as
    /// (variable, accelerators per unit).
    private var clusterLoad: [PeriodKey: [(Variable, Double)]] = [:]
    /// cluster[c,t]: the gangs placed in cluster c in period t fit in what it supplies.
    var clusterRows: [PeriodKey: Constraint] = [:]
    var providerCapacity: [PeriodKey: Variable] = [:]
    var supplyRows: [PeriodKey: Constraint] = [:]
    var shareRows: [PeriodKey: Constraint] = [:]
    /// usage[p][m,t]: accelerators of model m from provider p in use in period t.
    var usage: [UsageKey: Variable] = [:]
    var powerRows: [PeriodKey: Constraint] = [:]
    var deliveryRows: [PeriodKey: Constraint] = [:]
    var budgetRow: Constraint?
    /// N-1: the provider-loss cases in this model.
    var loss = LossBlocks()
    var lossProviders: [Int] { loss.providers }
    var lossSupplyRows: [LossKey: Constraint] { loss.supplyRows }

    struct RunStartKey: Hashable {
        let workload: Int
        let cluster: Int
        let period: Int
    }
    /// A placed workload's gangs in one cluster and period (`gangsByCluster`).
    typealias GangKey = RunStartKey
    struct LaneKey: Hashable {
        let gang: Int
        let cluster: Int
        let period: Int
        /// The workload whose lane it is, where lanes are not shared (`sharedLanes`).
        var owner: Int?
    }
    struct LaneGroup {
        let gang: Int
        let model: Int
        let period: Int
        var members: [(workload: Int, count: Variable)] = []
        var lanes: [(cluster: Int, lane: Variable)] = []
    }
    struct UsageKey: Hashable {
        let provider: Int
        let model: Int
        let period: Int
    }
    struct FleetSiteKey: Hashable {
        let fleet: Int
        let site: Int
        let period: Int
    }
    struct LossKey: Hashable {
        let provider: Int
        let index: Int
        let period: Int
    }
    struct LossAllocationKey: Hashable {
        let provider: Int
        let allocation: AllocationKey
    }

    /// Spending terms (for the budget row): lease, colocation, backup fee and exercise variables.
    private var spending: [(Variable, Double)] = []

    /// Providers whose loss the model optimises for (nil: every supplier).
    let lossSubset: Set<Int>?
    /// Variables of the base plan (everything before the N-1 blocks): the same indices in every
    /// model of one input and overrides, whatever `lossSubset` is.
    private(set) var baseVariableCount = 0

    /// Shortfall penalty no plan can avoid (`computeUnavoidable`): the gap is measured
    /// above it.
    private(set) var unavoidablePenalty = 0.0
    /// Per supplier, the critical reference-hours its loss leaves short whatever the plan signs
    /// (runs with no start pattern outside it): a loss case short by no more than this has
    /// nothing for the model to fix.
    private(set) var unavoidableLossHours: [Int: Double] = [:]

    /// The part of `unavoidablePenalty` in the loss cases outside this model: a plan's cost
    /// counts them (checked after the solve), the model's objective and bound do not, and no
    /// plan avoids them, so a bound of the model plus this is a bound of the plan's cost.
    private(set) var unavoidableOutside = 0.0
    /// The rest of `unavoidablePenalty`: the part the model's own objective counts, which its
    /// gap (`gap(objective:bound:)`) is measured above.
    var unavoidableInModel: Double { unavoidablePenalty - unavoidableOutside }

    /// `sharedLanes` nil decides by the model's size (`sharedLanesFrom`).
    init(
        _ input: PlanningInput, overrides: PlanningOverrides = PlanningOverrides(), lossSubset: Set<Int>? = nil,
        sharedLanes: Bool? = nil
    ) {
        self.input = input
        self.overrides = overrides
        self.lossSubset = lossSubset
        self.sharedLanesGiven = sharedLanes
        build()
        (unavoidablePenalty, unavoidableLossHours) = computeUnavoidable()
        let inModel = Set(lossProviders)
        let penalty = input.scenario.policy.shortfallPenaltyPerReferenceHour.double
        unavoidableOutside = unavoidableLossHours.filter { !inModel.contains($0.key) }.sorted { $0.key < $1.key }
            .reduce(0) { $0 + penalty * $1.value }
    }

    /// Shared lanes or own, if the caller chose (tests); nil: by size.
    private let sharedLanesGiven: Bool?

    /// Every provider whose loss N-1 must survive: those that supply anything.
    var suppliers: [Int] {
        let supplying = Set(input.offerProvider + input.siteProvider)
        return input.providers.indices.filter { supplying.contains($0) }
    }

    private var hours: Double { input.hours }
    private var periodCount: Int { input.periods }

    /// Whether model m can have any supply in period t.
    func modelAvailable(_ m: Int, _ t: Int) -> Bool { input.canSupply(m, t) }

    /// Builds the model: each block of variables and rows in turn, then N-1 and the budget.
    private mutating func build() {
        buildLeases()
        buildColocation()
        buildBackups()
        buildAllocation()
        buildTrainingRuns()
        buildGangs()
        buildClusters()
        buildDemand()
        buildShares()
        baseVariableCount = lp.variableCount
        if input.scenario.policy.resilience == .nMinus1 {
            buildResilience(penalty: input.scenario.policy.shortfallPenaltyPerReferenceHour.double)
        }

        if let budget = input.scenario.policy.budgetUSD {
            budgetRow = lp.addConstraint("budget", spending, upper: budget.double)
        }
    }

    /// Leases: n[o,k,s], integer nodes signed on term k to start in period s; active nodes per
    /// period within availability; minimum commitments through a binary.
    private mutating func buildLeases() {
        let from = overrides.fromPeriod
        active = Array(repeating: Array(repeating: nil, count: periodCount), count: input.offers.count)
        let sunkByOffer = Dictionary(grouping: overrides.sunkLeases, by: \.key.offer)
        for (o, offer) in input.offers.enumerated() {
            let g = Double(offer.acceleratorsPerNode)
            let available = Double(offer.availableNodes)
            let newFrom = max(input.offerFirst[o], from, overrides.earliestNewStart[o] ?? 0)
            let sunkHere = sunkByOffer[o] ?? []
            // Sunk leases above today's availability stay; availability binds new signatures only.
            var sunkActive = Array(repeating: 0.0, count: periodCount)
            for (key, nodes) in sunkHere {
                for t in key.start..<min(periodCount, key.start + key.term.months) { sunkActive[t] += Double(nodes) }
            }
            var termsByPeriod = Array(repeating: [(Variable, Double)](), count: periodCount)
            var offerLeases: [Variable] = []
            for (term, price) in input.terms(of: o) {
                let sunkStarts = sunkHere.filter { $0.key.term == term }.map(\.key.start)
                let starts = Set(Array(newFrom..<max(newFrom, periodCount)) + sunkStarts).sorted()
                for s in starts where s < periodCount {
                    let key = LeaseKey(offer: o, term: term, start: s)
                    let sunk = Double(overrides.sunkLeases[key] ?? 0)
                    let upper = s < newFrom ? sunk : max(available, sunk)
                    if upper <= 0 { continue }
                    let cost = g * price * hours * Double(term.months)
                    let n = lp.addVariable(
                        "n[\(offer.id),\(term.rawValue),\(s)]", lower: sunk, upper: upper, objective: cost,
                        integer: true)
                    leases.append(LeaseVar(key: key, variable: n, price: price))
                    offerLeases.append(n)
                    spending.append((n, cost))
                    for t in s..<min(periodCount, s + term.months) { termsByPeriod[t].append((n, 1)) }
                }
            }
            var y: Variable?
            if offer.minimumNodes > 0 {
                let anySunk = sunkHere.contains { $0.value > 0 }
                let v = lp.addVariable("signed[\(offer.id)]", lower: anySunk ? 1 : 0, upper: 1, integer: true)
                signed[o] = v
                y = v
                let all = offerLeases.map { ($0, 1.0) }
                lp.addConstraint("minimum[\(offer.id)]", all + [(v, -Double(offer.minimumNodes))], lower: 0)
            }
            for t in 0..<periodCount where !termsByPeriod[t].isEmpty {
                let limit = max(available, sunkActive[t])
                let act = lp.addVariable("act[\(offer.id),\(t)]", upper: limit)
                active[o][t] = act
                lp.addConstraint(
                    "active[\(offer.id),\(t)]", [(act, 1)] + termsByPeriod[t].map { ($0.0, -1) }, lower: 0, upper: 0)
                if let y { lp.addConstraint("signed[\(offer.id),\(t)]", [(act, 1), (y, -limit)], upper: 0) }
            }
        }
    }

    /// Colocation: kW per site and period; owned accelerators hosted within that power and their
    /// deliveries.
    private mutating func buildColocation() {
        for (c, site) in input.sites.enumerated() {
            let price = site.pricePerKWMonth.double
            for t in input.siteFirst[c]..<max(input.siteFirst[c], periodCount) {
                let hostedHere = input.fleets.indices.filter {
                    input.fleetSites[$0].contains(c) && input.delivered[$0][t] > 0
                }
                if hostedHere.isEmpty { continue }
                let kw = lp.addVariable(
                    "kw[\(site.id),\(t)]", upper: site.powerKW * overrides.site(c, t), objective: price)
                power[PeriodKey(c, t)] = kw
                spending.append((kw, price))
                var terms: [(Variable, Double)] = [(kw, -1)]
                for f in hostedHere {
                    let h = lp.addVariable("h[\(input.fleets[f].id),\(site.id),\(t)]", upper: input.delivered[f][t])
                    hosted[FleetSiteKey(fleet: f, site: c, period: t)] = h
                    terms.append((h, input.fleets[f].powerPerAcceleratorW / 1000))
                }
                powerRows[PeriodKey(c, t)] = lp.addConstraint("power[\(site.id),\(t)]", terms, upper: 0)
            }
        }
        for f in input.fleets.indices {
            for t in 0..<periodCount {
                let terms = input.fleetSites[f].compactMap { hosted[FleetSiteKey(fleet: f, site: $0, period: t)] }
                if terms.isEmpty { continue }
                deliveryRows[PeriodKey(f, t)] = lp.addConstraint(
                    "delivered[\(input.fleets[f].id),\(t)]", terms.map { ($0, 1) }, upper: input.delivered[f][t])
            }
        }
    }

    /// Backup options: r[o,t] nodes held for a monthly fee, exercised only after an incident.
    /// A re-plan holds no new ones at a provider in the months an incident takes its capacity.
    private mutating func buildBackups() {
        let from = overrides.fromPeriod
        for (o, offer) in input.offers.enumerated() {
            guard let terms = offer.backup else { continue }
            let fee = terms.feePerNodeMonth.double
            for t in input.offerFirst[o]..<max(input.offerFirst[o], periodCount) {
                let held = Double(overrides.heldBackups[PeriodKey(o, t)] ?? 0)
                // No new hold in the past, nor at a provider while an incident takes its capacity.
                let failing = overrides.provider(input.offerProvider[o], t) < 1
                let upper = t < from || failing ? held : max(Double(terms.availableNodes), held)
                if upper <= 0 { continue }
                let r = lp.addVariable("r[\(offer.id),\(t)]", lower: held, upper: upper, objective: fee, integer: true)
                backup[PeriodKey(o, t)] = r
                spending.append((r, fee))
                let past = overrides.pastExercise[PeriodKey(o, t)] ?? 0
                if t < from, past > 0 {
                    // History: exercised then, paid then.
                    let price = Double(offer.acceleratorsPerNode) * hours * terms.exercisePricePerAcceleratorHour.double
                    let e = lp.addVariable("exercise[\(offer.id),\(t)]", lower: past, upper: past, objective: price)
                    exercise[PeriodKey(o, t)] = e
                    spending.append((e, price))
                    lp.addConstraint("exercise-held[\(offer.id),\(t)]", [(e, 1), (r, -1)], upper: 0)
                } else if overrides.allowExercise, t >= from, overrides.provider(input.offerProvider[o], t) > 0 {
                    let price = Double(offer.acceleratorsPerNode) * hours * terms.exercisePricePerAcceleratorHour.double
                    let e = lp.addVariable("exercise[\(offer.id),\(t)]", upper: upper, objective: price)
                    exercise[PeriodKey(o, t)] = e
                    spending.append((e, price))
                    lp.addConstraint("exercise-held[\(offer.id),\(t)]", [(e, 1), (r, -1)], upper: 0)
                }
            }
        }
    }

    /// Allocation x[w,m,t] and the supply rows: what workloads use of a model comes from the
    /// providers that supply it, each within what it delivers.
    private mutating func buildAllocation() {
        let from = overrides.fromPeriod
        var supplyTerms: [PeriodKey: [(Variable, Double)]] = [:]
        for w in input.workloads.indices {
            for m in input.models.indices where input.speeds[w][m] > 0 {
                for t in input.window(of: w) where modelAvailable(m, t) {
                    let key = AllocationKey(workload: w, model: m, period: t)
                    let x: Variable
                    if t < from {
                        // History, as the plan file gives it (rounded to a millionth of an
                        // accelerator): allowed that much below, so round-off cannot make the
                        // past overfill what was supplied.
                        let past = overrides.pastAllocation[key] ?? 0
                        x = lp.addVariable(
                            "x[\(input.workloads[w].id),\(input.models[m]),\(t)]", lower: max(0, past - 1e-5),
                            upper: past)
                    } else {
                        x = lp.addVariable("x[\(input.workloads[w].id),\(input.models[m]),\(t)]")
                    }
                    allocation[key] = x
                    supplyTerms[PeriodKey(m, t), default: []].append((x, 1))
                }
            }
        }
        // Supply: what workloads use of a model comes from the providers that supply it, each
        // within what it delivers. Shares are measured on this use (see docs/planner.md).
        for m in input.models.indices {
            for t in 0..<periodCount {
                guard var terms = supplyTerms[PeriodKey(m, t)] else { continue }
                for p in input.providers.indices {
                    let sources = supplySources(model: m, period: t, only: p)
                    if sources.isEmpty { continue }
                    let u = lp.addVariable("use[\(input.providers[p]),\(input.models[m]),\(t)]")
                    usage[UsageKey(provider: p, model: m, period: t)] = u
                    lp.addConstraint(
                        "delivers[\(input.providers[p]),\(input.models[m]),\(t)]", [(u, 1)] + sources, upper: 0)
                    terms.append((u, -1))
                }
                supplyRows[PeriodKey(m, t)] = lp.addConstraint(
                    "supply[\(input.models[m]),\(t)]", terms, lower: 0, upper: 0)
            }
        }
    }

    /// Training runs, as start patterns: s[w,c,k] (binary) says run w starts in cluster c in
    /// period k and holds its whole gang there for the months its work needs (`runLength`),
    /// unbroken; a run takes at most one pattern, or none and its work is short. Every month a
    /// pattern covers, the cluster's own supply holds the gangs placed there and the provider's
    /// use of the model counts them (so shares see where the run is); the run's allocation
    /// x[w,m,t] is exactly gang × the patterns of model m covering t. Patterns only cover months
    /// the cluster can hold the gang in, so a run too big for every cluster gets none.
    ///
    /// After an incident the months a run already ran are history; it continues with one more
    /// pattern for the work left, in its cluster or another, starting once the re-plan begins (a
    /// later start is a pause).
    private mutating func buildTrainingRuns() {
        let patterns = RunPatterns(input: input, overrides: overrides)
        for (w, workload) in input.workloads.enumerated() {
            guard case .training = workload.demand else { continue }
            let gang = Double(workload.gang)
            var chosen: [(Variable, Double)] = []
            var gangsOfModel: [PeriodKey: [(Variable, Double)]] = [:]
            for pattern in patterns.patterns(of: w) {
                let (c, k) = (pattern.cluster, pattern.start)
                let start = lp.addVariable(
                    "run[\(workload.id),\(c),\(k)]", upper: 1, objective: 0.01 * Double(k), integer: true)
                runStart[RunStartKey(workload: w, cluster: c, period: k)] = start
                runLengths[RunStartKey(workload: w, cluster: c, period: k)] = pattern.length
                chosen.append((start, 1))
                for t in pattern.months {
                    clusterLoad[PeriodKey(c, t), default: []].append((start, gang))
                    gangsOfModel[PeriodKey(input.clusters[c].model, t), default: []].append((start, -gang))
                }
            }
            if !chosen.isEmpty { lp.addConstraint("run-once[\(workload.id)]", chosen, upper: 1) }
            linkAllocation(w, to: gangsOfModel)
        }
    }

    /// Batch streams and services whose gangs need placing (`PlanningInput.placedInGangs`) in
    /// whole gangs: the jobs of a batch stream running at once, or a service's replicas. Lanes
    /// l[G,c,t] (integer) are room for one gang of G accelerators in cluster c in period t; a
    /// workload's gangs on a model, n[w,m,t] (integer), take lanes of its gang size in that
    /// model's clusters (`Σ_w n[w,m,t] ≤ Σ_c l[G,c,t]`), and its allocation is exactly them,
    /// x[w,m,t] = G n[w,m,t]. Every lane of one size and model serves every workload of that gang
    /// size that runs on the model equally, so whole n and l always give whole gangs per cluster
    /// (`gangsByCluster`): the same plans as a variable per workload, cluster and period, in far
    /// fewer columns (on the large benchmark some 1.26 million of those against 43,000 lanes).
    /// Small models give each workload its own lanes instead (`sharedLanesFrom`). Fragments of
    /// a cluster smaller than a gang count for nothing.
    private mutating func buildGangs() {
        let from = overrides.fromPeriod
        let placed = input.workloads.indices.filter { input.placedInGangs[$0] }
        // Every (workload, cluster, period) where a gang could go.
        var candidates: [(w: Int, c: Int, t: Int, room: Double)] = []
        for w in placed {
            let gang = Double(input.workloads[w].gang)
            for c in input.gangClusters[w] {
                for t in input.window(of: w) where t >= from && modelAvailable(input.clusters[c].model, t) {
                    let room = (clusterCapacity(c, t) / gang + 1e-9).rounded(.down)
                    if room >= 1 { candidates.append((w, c, t, room)) }
                }
            }
        }
        sharedLanes = sharedLanesGiven ?? (candidates.count >= Self.sharedLanesFrom)
        struct GroupKey: Hashable {
            let gang: Int
            let model: Int
            let period: Int
            let owner: Int?
        }
        var groupIndex: [GroupKey: Int] = [:]
        for (w, c, t, room) in candidates {
            let gang = input.workloads[w].gang
            let owner = sharedLanes ? nil : w
            let key = LaneKey(gang: gang, cluster: c, period: t, owner: owner)
            guard lanes[key] == nil else { continue }
            let name = owner.map { "\(input.workloads[$0].id)" } ?? "\(gang)"
            let lane = lp.addVariable("lanes[\(name),\(c),\(t)]", upper: room, integer: true)
            lanes[key] = lane
            clusterLoad[PeriodKey(c, t), default: []].append((lane, Double(gang)))
            let model = input.clusters[c].model
            let group = GroupKey(gang: gang, model: model, period: t, owner: owner)
            if groupIndex[group] == nil {
                groupIndex[group] = laneGroups.count
                laneGroups.append(LaneGroup(gang: gang, model: model, period: t))
            }
            laneGroups[groupIndex[group]!].lanes.append((c, lane))
        }
        for w in placed {
            let workload = input.workloads[w]
            var gangsOfModel: [PeriodKey: [(Variable, Double)]] = [:]
            for m in input.models.indices {
                for t in input.window(of: w) where t >= from {
                    let group = GroupKey(gang: workload.gang, model: m, period: t, owner: sharedLanes ? nil : w)
                    guard allocation[AllocationKey(workload: w, model: m, period: t)] != nil,
                        let g = groupIndex[group]
                    else { continue }
                    let room = laneGroups[g].lanes.reduce(0.0) { $0 + lp.upper[$1.lane.index] }
                    // Whole by itself where its lanes are its own (it is their sum); shared, it
                    // must be an integer.
                    let n = lp.addVariable(
                        "gangs[\(workload.id),\(input.models[m]),\(t)]", upper: room, integer: sharedLanes)
                    gangCounts[AllocationKey(workload: w, model: m, period: t)] = n
                    laneGroups[g].members.append((w, n))
                    gangsOfModel[PeriodKey(m, t)] = [(n, -Double(workload.gang))]
                }
            }
            linkAllocation(w, to: gangsOfModel)
        }
        for group in laneGroups where !group.members.isEmpty {
            // A workload's own lanes hold exactly its gangs, so its count is whole when they are.
            let name = sharedLanes ? "\(group.gang)" : "\(input.workloads[group.members[0].workload].id)"
            lp.addConstraint(
                "lanes[\(name),\(input.models[group.model]),\(group.period)]",
                group.members.map { ($0.count, 1.0) } + group.lanes.map { ($0.lane, -1.0) },
                lower: sharedLanes ? -.infinity : 0, upper: 0)
        }
    }

    /// x[w,m,t] is exactly the gangs (negative terms) of model m placed for w in t (zero where
    /// none can be), in every period that can still change.
    private mutating func linkAllocation(_ w: Int, to gangsOfModel: [PeriodKey: [(Variable, Double)]]) {
        let workload = input.workloads[w]
        for m in input.models.indices {
            for t in input.window(of: w) where t >= overrides.fromPeriod {
                guard let x = allocation[AllocationKey(workload: w, model: m, period: t)] else { continue }
                lp.addConstraint(
                    "gangs[\(workload.id),\(input.models[m]),\(t)]",
                    [(x, 1)] + (gangsOfModel[PeriodKey(m, t)] ?? []), lower: 0, upper: 0)
            }
        }
    }

    /// Each cluster holds the gangs placed in it; its provider's use of the model counts them
    /// (so shares see where they are).
    private mutating func buildClusters() {
        var providerLoad: [UsageKey: [(Variable, Double)]] = [:]
        for (key, load) in clusterLoad.sorted(by: { ($0.key.index, $0.key.period) < ($1.key.index, $1.key.period) }) {
            let cluster = input.clusters[key.index]
            clusterRows[key] = lp.addConstraint(
                "cluster[\(key.index),\(key.period)]", load + clusterSupply(key.index, key.period), upper: 0)
            providerLoad[UsageKey(provider: cluster.provider, model: cluster.model, period: key.period), default: []] +=
                load
        }
        for (key, load) in providerLoad.sorted(by: {
            ($0.key.provider, $0.key.model, $0.key.period) < ($1.key.provider, $1.key.model, $1.key.period)
        }) {
            guard let u = usage[key] else { continue }
            lp.addConstraint(
                "cluster-use[\(input.providers[key.provider]),\(input.models[key.model]),\(key.period)]",
                [(u, 1)] + load.map { ($0.0, -$0.1) }, lower: 0)
        }
        boundPastUse()
    }

    /// Before a re-plan's start, runs and gangs ran where the plan had them: each provider's use
    /// of a model is at least what ran in its clusters (history has no cluster rows), so the
    /// shares of those months say where the work was.
    private mutating func boundPastUse() {
        let from = overrides.fromPeriod
        guard from > 0 else { return }
        var past: [UsageKey: Double] = [:]
        for (w, clusters) in overrides.pastRuns {
            for (c, periods) in clusters {
                let cluster = input.clusters[c]
                for t in periods where t < from {
                    past[UsageKey(provider: cluster.provider, model: cluster.model, period: t), default: 0] +=
                        Double(input.workloads[w].gang)
                }
            }
        }
        for placement in overrides.pastPlacements {
            guard let p = input.providers.firstIndex(of: placement.provider),
                let m = input.models.firstIndex(of: placement.accelerator),
                let t = input.scenario.horizon.period(of: placement.month), t < from
            else { continue }
            past[UsageKey(provider: p, model: m, period: t), default: 0] += Double(placement.accelerators)
        }
        for (key, load) in past {
            guard let u = usage[key] else { continue }
            // Whole accelerators of whole gangs: exact.
            lp.setBounds(u, lower: load, upper: max(load, lp.upper[u.index]))
        }
    }

    /// Hours of a run's progress a restart redoes: its last checkpoint is at most this old. A run
    /// that a re-plan moves, or that resumes after standing still, pays it once.
    static let restartHours = 24.0

    /// Whole months run w needs in cluster c for the work it has left (`RunPatterns.runLength`).
    func runLength(_ w: Int, cluster c: Int, restarting: Bool = false) -> Int? {
        RunPatterns(input: input, overrides: overrides).runLength(w, cluster: c, restarting: restarting)
    }

    /// The most accelerators cluster c can hold in period t after what an incident took.
    func clusterCapacity(_ c: Int, _ t: Int) -> Double {
        RunPatterns(input: input, overrides: overrides).clusterCapacity(c, t)
    }

    /// Supply terms (negative) of cluster c in period t: its offers' active nodes as delivered
    /// (and backups exercised there), or the owned fleet hosted at its site.
    func clusterSupply(_ c: Int, _ t: Int) -> [(Variable, Double)] {
        let cluster = input.clusters[c]
        if let f = cluster.fleet, let site = cluster.site {
            return hosted[FleetSiteKey(fleet: f, site: site, period: t)].map { [($0, -1.0)] } ?? []
        }
        var terms: [(Variable, Double)] = []
        for o in cluster.offers {
            let g = Double(input.offers[o].acceleratorsPerNode)
            if let act = active[o][t] {
                let factor = overrides.provider(cluster.provider, t)
                if factor > 0 { terms.append((act, -g * factor)) }
            }
            if let e = exercise[PeriodKey(o, t)] { terms.append((e, -g)) }
        }
        return terms
    }

    /// Demand: services every month of their window; training runs over their window.
    private mutating func buildDemand() {
        let penalty = input.scenario.policy.shortfallPenaltyPerReferenceHour.double
        for (w, workload) in input.workloads.enumerated() {
            switch workload.demand {
            case .service(let capacity):
                for t in input.window(of: w) {
                    let short = lp.addVariable(
                        "short[\(workload.id),\(t)]", upper: capacity,
                        objective: penalty * hours * overrides.weight(of: w, input))
                    serviceShort[PeriodKey(w, t)] = short
                    let terms = input.models.indices.compactMap { m in
                        allocation[AllocationKey(workload: w, model: m, period: t)].map { ($0, input.speeds[w][m]) }
                    }
                    lp.addConstraint("serve[\(workload.id),\(t)]", terms + [(short, 1)], lower: capacity)
                }
            case .training(let work), .batch(let work):
                let short = lp.addVariable(
                    "short[\(workload.id)]", upper: work, objective: penalty * overrides.weight(of: w, input))
                trainingShort[w] = short
                var terms: [(Variable, Double)] = [(short, 1)]
                for t in input.window(of: w) {
                    for m in input.models.indices {
                        if let x = allocation[AllocationKey(workload: w, model: m, period: t)] {
                            terms.append((x, input.speeds[w][m] * hours))
                        }
                    }
                }
                lp.addConstraint("train[\(workload.id)]", terms, lower: work)
            }
        }
    }

    /// Provider capacity in reference units, and the share cap.
    private mutating func buildShares() {
        let policy = input.scenario.policy
        for p in input.providers.indices {
            for t in 0..<periodCount {
                let terms = capacityTerms(provider: p, period: t)
                if terms.isEmpty { continue }
                let cp = lp.addVariable("capacity[\(input.providers[p]),\(t)]")
                providerCapacity[PeriodKey(p, t)] = cp
                lp.addConstraint(
                    "capacity-def[\(input.providers[p]),\(t)]", [(cp, 1)] + terms.map { ($0.0, -$0.1) }, lower: 0,
                    upper: 0)
            }
        }
        let cap = policy.maxProviderShare
        if cap < 1 {
            // Not in the months `capWaivedPeriods` names (the N-1 cases, which claim where runs
            // restart, hold no cap either).
            let waived = overrides.capWaivedPeriods
            for t in 0..<periodCount where !waived.contains(t) {
                let all = input.providers.indices.compactMap { providerCapacity[PeriodKey($0, t)] }
                for p in input.providers.indices {
                    guard let own = providerCapacity[PeriodKey(p, t)] else { continue }
                    // v[p,t]: reference units p runs above the cap in t, priced as unserved
                    // work (whole gangs cannot always balance exactly; the plan reads it back
                    // from the shares as `aboveCap`).
                    let excess = lp.addVariable(
                        "above-cap[\(input.providers[p]),\(t)]",
                        objective: policy.shortfallPenaltyPerReferenceHour.double * hours)
                    let terms: [(Variable, Double)] = all.map { ($0, $0 == own ? 1 - cap : -cap) } + [(excess, -1.0)]
                    shareRows[PeriodKey(p, t)] = lp.addConstraint("share[\(input.providers[p]),\(t)]", terms, upper: 0)
                }
            }
        }
    }

    private func supplySources(model m: Int, period t: Int, without lost: Int? = nil, only: Int? = nil)
        -> [(Variable, Double)]
    {
        handles.supplySources(model: m, period: t, without: lost, only: only)
    }

    /// Reference capacity of a provider in use in a period.
    private func capacityTerms(provider p: Int, period t: Int) -> [(Variable, Double)] {
        input.models.indices.compactMap { m in
            usage[UsageKey(provider: p, model: m, period: t)].map { ($0, input.weights[m]) }
        }
    }

    /// N-1: for every provider that supplies anything (in `lossSubset`), a second allocation of
    /// critical work without it, using exercised backups held at other providers.
    private mutating func buildResilience(penalty: Double) {
        guard !input.critical.isEmpty else { return }
        let builder = LossCaseBuilder(input: input, handles: handles, penalty: penalty, fixed: nil)
        for p in suppliers where lossSubset?.contains(p) ?? true {
            builder.add(provider: p, to: &lp, blocks: &loss)
        }
    }

    /// The base plan's handles the loss cases read.
    var handles: BaseHandles {
        BaseHandles(
            input: input, overrides: overrides, active: active, hosted: hosted, exercise: exercise, backup: backup,
            runStart: runStart)
    }

    /// The commitments fixed when explaining: leases of a year or more, minimum-commitment
    /// signatures and backups. On-demand nodes stay free, because they are what one more
    /// accelerator would replace; with them fixed too, almost every dual would be zero.
    var commitments: [Variable] {
        leases.filter { $0.key.term != .onDemand }.map(\.variable) + Array(signed.values) + Array(backup.values)
    }
}
