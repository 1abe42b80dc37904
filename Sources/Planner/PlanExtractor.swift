import Foundation
import Solver
import SwitchyardModel

/// Reads a solved `SourcingModel` back into a `Plan`: decisions, costs, shares and the N-1 table.
struct PlanExtractor {
    let model: SourcingModel
    let values: [Double]
    private var input: PlanningInput { model.input }
    private var hours: Double { input.hours }

    /// Loss cases checked with the plan fixed (N-1 constraint generation): each its own LP.
    let evaluated: [(blocks: LossBlocks, values: [Double])]

    init(model: SourcingModel, values: [Double], evaluated: [(blocks: LossBlocks, values: [Double])] = []) {
        self.model = model
        self.values = values
        self.evaluated = evaluated
    }

    func value(_ v: Variable?) -> Double { v.map { values[$0.index] } ?? 0 }

    /// Spend attributed to each provider, model and month, USD, as the decisions are read.
    private var ledger = Ledger()

    struct Ledger {
        var byProvider: [ProviderID: Double] = [:]
        var byModel: [AcceleratorModelID: Double] = [:]
        var byMonth: [YearMonth: Double] = [:]
    }

    /// The plan: each kind of decision read in turn, then its costs.
    mutating func plan() -> Plan {
        let scenario = input.scenario
        ledger = Ledger()
        let (leases, leaseTotal, beyond) = readLeases()
        let (colocation, colocationTotal) = readColocation()
        let (backups, feeTotal) = readBackups()
        let (exercised, exerciseTotal) = readExercisedBackups()
        let allocation = Self.markStandby(allocations(model.allocation), input: input)
        let runs = readRuns()
        let placements = readPlacements()
        let (shortfalls, penaltyTotal) = readShortfalls()
        let shares = readShares(runs: runs, placements: placements, allocation: allocation)
        let capPenalty =
            shares.reduce(0.0) { $0 + ($1.aboveCap ?? 0) } * hours
            * scenario.policy.shortfallPenaltyPerReferenceHour.double
        var (resilience, expectedExercise, n1Penalty) = readResilience()
        let patterns = RunPatterns(input: input, overrides: model.overrides)
        let done = Dictionary(uniqueKeysWithValues: input.critical.map { ($0, patterns.done($0)) })
        for i in resilience.indices {
            resilience[i].runRestarts = Self.fates(of: resilience[i], runs: runs, input: input, done: done)
        }
        let byProvider = ledger.byProvider
        let byModel = ledger.byModel
        let byMonth = ledger.byMonth
        let spending = leaseTotal + colocationTotal + feeTotal + exerciseTotal
        let cost = CostBreakdown(
            total: usd(spending), leases: usd(leaseTotal), leasesBeyondHorizon: usd(beyond),
            colocation: usd(colocationTotal),
            backupFees: usd(feeTotal), backupExercise: usd(exerciseTotal), expectedExercise: usd(expectedExercise),
            shortfallPenalty: usd(penaltyTotal + n1Penalty),
            objective: usd(spending + expectedExercise + penaltyTotal + n1Penalty + capPenalty),
            byProvider: byProvider.mapValues(usd), byModel: byModel.mapValues(usd), byMonth: byMonth.mapValues(usd),
            capPenalty: usd(capPenalty))
        return Plan(
            scenario: scenario.name, scenarioFingerprint: fingerprint(of: scenario), horizon: scenario.horizon,
            hoursPerMonth: hours, leases: leases, colocation: colocation, backups: backups, exercisedBackups: exercised,
            allocation: allocation, runs: runs, placements: placements, shortfalls: shortfalls, cost: cost,
            shares: shares,
            resilience: resilience,
            explanation: Explanation(marginalValues: [], binding: [], summary: []),
            solver: SolverReport(
                status: .feasible, variables: 0, integerVariables: 0, constraints: 0, nonzeros: 0, buildSeconds: 0,
                solveSeconds: 0, explainSeconds: 0, gap: 0, nodes: 0, relaxationSeconds: 0, roundingSeconds: 0,
                branchAndCutSeconds: 0, resilienceRounds: 0, lossCasesOptimised: 0, lossCheckSeconds: 0))
    }

    /// Leases signed, with their total and what is committed past the horizon.
    private mutating func readLeases() -> ([Lease], total: Double, beyondHorizon: Double) {
        var leases: [Lease] = []
        var leaseTotal = 0.0
        var beyond = 0.0
        for lease in model.leases {
            let nodes = Int(value(lease.variable).rounded())
            guard nodes > 0 else { continue }
            let offer = input.offers[lease.key.offer]
            let accelerators = nodes * offer.acceleratorsPerNode
            let monthly = Double(accelerators) * lease.price * hours
            let months = lease.key.term.months
            let inside = min(months, input.periods - lease.key.start)
            leases.append(
                Lease(
                    offer: offer.id, provider: offer.provider, accelerator: offer.accelerator, nodes: nodes,
                    accelerators: accelerators, term: lease.key.term, start: input.month(lease.key.start),
                    months: months,
                    pricePerAcceleratorHour: offer.pricePerAcceleratorHour[lease.key.term] ?? 0,
                    monthlyCost: usd(monthly),
                    totalCost: usd(monthly * Double(months)), costBeyondHorizon: usd(monthly * Double(months - inside)))
            )
            leaseTotal += monthly * Double(months)
            beyond += monthly * Double(months - inside)
            ledger.byProvider[offer.provider, default: 0] += monthly * Double(months)
            ledger.byModel[offer.accelerator, default: 0] += monthly * Double(months)
            for t in lease.key.start..<(lease.key.start + inside) {
                ledger.byMonth[input.month(t), default: 0] += monthly
            }
        }
        return (leases, leaseTotal, beyond)
    }

    /// Colocation power rented per site and month; rent is attributed to the models it hosts.
    private mutating func readColocation() -> ([ColocationUse], total: Double) {
        var colocation: [ColocationUse] = []
        var colocationTotal = 0.0
        for (key, kw) in model.power.sorted(by: { ($0.key.index, $0.key.period) < ($1.key.index, $1.key.period) }) {
            let powerKW = value(kw)
            guard powerKW > 1e-6 else { continue }
            let site = input.sites[key.index]
            let cost = powerKW * site.pricePerKWMonth.double
            var hostedByFleet: [OwnedFleetID: Double] = [:]
            var hostedAccelerators = 0.0
            for f in input.fleets.indices {
                let h = value(model.hosted[.init(fleet: f, site: key.index, period: key.period)])
                if h > 1e-6 {
                    hostedByFleet[input.fleets[f].id] = h
                    hostedAccelerators += h
                }
            }
            colocation.append(
                ColocationUse(
                    site: site.id, provider: site.provider, month: input.month(key.period), powerKW: powerKW,
                    hosted: hostedByFleet, cost: usd(cost)))
            colocationTotal += cost
            ledger.byProvider[site.provider, default: 0] += cost
            ledger.byMonth[input.month(key.period), default: 0] += cost
            // Rent is attributed to the models it hosts, by accelerators hosted.
            for f in input.fleets.indices {
                let h = value(model.hosted[.init(fleet: f, site: key.index, period: key.period)])
                if h > 1e-6, hostedAccelerators > 0 {
                    ledger.byModel[input.fleets[f].accelerator, default: 0] += cost * h / hostedAccelerators
                }
            }
        }
        return (colocation, colocationTotal)
    }

    /// Backup options held per offer and month, with their fees.
    private mutating func readBackups() -> ([BackupHold], fees: Double) {
        var backups: [BackupHold] = []
        var feeTotal = 0.0
        for (key, r) in model.backup.sorted(by: { ($0.key.index, $0.key.period) < ($1.key.index, $1.key.period) }) {
            let nodes = Int(value(r).rounded())
            guard nodes > 0, let terms = input.offers[key.index].backup else { continue }
            let offer = input.offers[key.index]
            let fee = Double(nodes) * terms.feePerNodeMonth.double
            backups.append(
                BackupHold(
                    offer: offer.id, provider: offer.provider, accelerator: offer.accelerator,
                    month: input.month(key.period),
                    nodes: nodes, fee: usd(fee)))
            feeTotal += fee
            ledger.byProvider[offer.provider, default: 0] += fee
            ledger.byModel[offer.accelerator, default: 0] += fee
            ledger.byMonth[input.month(key.period), default: 0] += fee
        }
        return (backups, feeTotal)
    }

    /// Backups exercised (re-plans only), with their cost.
    private mutating func readExercisedBackups() -> ([BackupExercise], cost: Double) {
        var exercised: [BackupExercise] = []
        var exerciseTotal = 0.0
        for (key, e) in model.exercise.sorted(by: { ($0.key.index, $0.key.period) < ($1.key.index, $1.key.period) }) {
            let nodes = value(e)
            guard nodes > 1e-6, let terms = input.offers[key.index].backup else { continue }
            let offer = input.offers[key.index]
            let cost = nodes * Double(offer.acceleratorsPerNode) * hours * terms.exercisePricePerAcceleratorHour.double
            exercised.append(
                BackupExercise(offer: offer.id, month: input.month(key.period), nodes: nodes, cost: usd(cost)))
            exerciseTotal += cost
            ledger.byProvider[offer.provider, default: 0] += cost
            ledger.byModel[offer.accelerator, default: 0] += cost
            ledger.byMonth[input.month(key.period), default: 0] += cost
        }
        return (exercised, exerciseTotal)
    }

    /// Training runs: each stretch of months a run holds its gang in one cluster.
    private func readRuns() -> [TrainingRun] {
        var result: [TrainingRun] = []
        for (w, workload) in input.workloads.enumerated() {
            guard case .training(let work) = workload.demand else { continue }
            let gang = Double(workload.gang)
            let deadline = workload.window.end
            // History first (a re-plan's months before it began), then the pattern chosen.
            var stretches: [(cluster: Int, months: [Int])] = []
            for (c, periods) in model.overrides.pastRuns[w] ?? [:] {
                for stretch in RunPlacement.stretches(periods.sorted()) { stretches.append((c, stretch)) }
            }
            for (key, s) in model.runStart where key.workload == w && value(s) > 0.5 {
                stretches.append((key.cluster, Array(key.period..<(key.period + (model.runLengths[key] ?? 0)))))
            }
            stretches.sort { ($0.months[0], $0.cluster) < ($1.months[0], $1.cluster) }
            var done = 0.0
            for (i, stretch) in stretches.enumerated() {
                let cluster = input.clusters[stretch.cluster]
                let perMonth = gang * input.speeds[w][cluster.model] * hours
                // A stretch that does not carry straight on from the one before is a restart: it
                // redoes the progress since the last checkpoint.
                if i > 0,
                    stretches[i - 1].cluster != stretch.cluster
                        || stretches[i - 1].months.last! + 1 != stretch.months[0]
                {
                    done -= gang * input.speeds[w][cluster.model] * SourcingModel.restartHours
                }
                let hoursDone = perMonth * Double(stretch.months.count)
                var finish: YearMonth?
                if i == stretches.count - 1, done + hoursDone >= work * (1 - 1e-9) {
                    let monthsToFinish = Int(((work - done) / perMonth - 1e-9).rounded(.up))
                    finish = input.month(stretch.months[max(0, monthsToFinish - 1)])
                }
                done += hoursDone
                result.append(
                    TrainingRun(
                        workload: workload.id, provider: input.providers[cluster.provider],
                        accelerator: input.models[cluster.model], region: cluster.region,
                        fleet: cluster.fleet.map { input.fleets[$0].id }, site: cluster.site.map { input.sites[$0].id },
                        accelerators: workload.gang, start: input.month(stretch.months[0]),
                        end: input.month(stretch.months.last!), referenceHours: (hoursDone * 1e6).rounded() / 1e6,
                        finish: finish,
                        deadline: deadline, slackMonths: finish.map { $0.months(to: deadline) }))
            }
        }
        return result
    }

    /// Batch jobs and service replicas in whole gangs per cluster and month: a re-plan's
    /// history, then what the model placed.
    private func readPlacements() -> [GangPlacement] {
        var result = model.overrides.pastPlacements
        for (key, count) in model.gangsByCluster({ (value($0) + 1e-6).rounded(.down) }) {
            let gangs = Int(count)
            guard gangs > 0 else { continue }
            let cluster = input.clusters[key.cluster]
            let workload = input.workloads[key.workload]
            result.append(
                GangPlacement(
                    workload: workload.id, provider: input.providers[cluster.provider],
                    accelerator: input.models[cluster.model], region: cluster.region,
                    fleet: cluster.fleet.map { input.fleets[$0].id }, site: cluster.site.map { input.sites[$0].id },
                    month: input.month(key.period), gangs: gangs, accelerators: gangs * workload.gang))
        }
        return result.sorted { ($0.workload, $0.month, $0.cluster) < ($1.workload, $1.month, $1.cluster) }
    }

    /// Demand left unmet, with the penalty it is priced at.
    private func readShortfalls() -> ([Shortfall], penalty: Double) {
        let scenario = input.scenario
        var shortfalls: [Shortfall] = []
        var penaltyTotal = 0.0
        let penalty = scenario.policy.shortfallPenaltyPerReferenceHour.double
        for (key, short) in model.serviceShort.sorted(by: {
            ($0.key.index, $0.key.period) < ($1.key.index, $1.key.period)
        }) {
            let missing = value(short)
            guard missing > 1e-6, case .service(let capacity) = input.workloads[key.index].demand else { continue }
            shortfalls.append(
                Shortfall(
                    workload: input.workloads[key.index].id, month: input.month(key.period),
                    referenceHours: missing * hours,
                    fraction: missing / capacity, reason: ""))
            penaltyTotal += missing * hours * penalty * model.overrides.weight(of: key.index, input)
        }
        for (w, short) in model.trainingShort.sorted(by: { $0.key < $1.key }) {
            let missing = value(short)
            guard missing > 1e-6 else { continue }
            shortfalls.append(
                Shortfall(
                    workload: input.workloads[w].id, month: nil, referenceHours: missing,
                    fraction: missing / input.demandHours(of: w), reason: ""))
            penaltyTotal += missing * penalty * model.overrides.weight(of: w, input)
        }
        return (shortfalls, penaltyTotal)
    }

    /// Each provider's share of each month's capacity counted against the cap (`C[p,t]`), and
    /// of what runs: its runs' and gangs' reference capacity, plus the work of one accelerator at
    /// a time, which is not in a cluster, split in proportion to what each provider holds beyond
    /// its gangs. `C` is what runs (the supply rows hold use equal to the allocation), so the two
    /// agree; what `C` holds above the cap's share is the plan's stated excess (`aboveCap`).
    private func readShares(runs: [TrainingRun], placements: [GangPlacement], allocation: [Allocation])
        -> [ProviderShare]
    {
        let scenario = input.scenario
        let modelIndex = Dictionary(uniqueKeysWithValues: input.models.enumerated().map { ($1, $0) })
        func weight(_ model: AcceleratorModelID) -> Double { modelIndex[model].map { input.weights[$0] } ?? 0 }
        let providerIndex = Dictionary(uniqueKeysWithValues: input.providers.enumerated().map { ($1, $0) })
        var placed: [PeriodKey: Double] = [:]
        for run in runs {
            guard let p = providerIndex[run.provider], let first = scenario.horizon.period(of: run.start),
                let last = scenario.horizon.period(of: run.end), first <= last
            else { continue }
            for t in first...last {
                placed[PeriodKey(p, t), default: 0] += Double(run.accelerators) * weight(run.accelerator)
            }
        }
        for gangs in placements {
            guard let p = providerIndex[gangs.provider], let t = scenario.horizon.period(of: gangs.month) else {
                continue
            }
            placed[PeriodKey(p, t), default: 0] += Double(gangs.accelerators) * weight(gangs.accelerator)
        }
        // Workloads of one accelerator at a time: neither runs nor placed in gangs.
        let loose = Set(
            input.workloads.indices.filter { w in
                if case .training = input.workloads[w].demand { return false }
                return !input.placedInGangs[w]
            }.map { input.workloads[$0].id })
        var fluid: [Int: Double] = [:]
        for row in allocation where loose.contains(row.workload) {
            guard let t = scenario.horizon.period(of: row.month) else { continue }
            fluid[t, default: 0] += row.accelerators * weight(row.accelerator)
        }
        // Where a re-plan waived the cap, the cap that applied is none.
        let waived = model.overrides.capWaivedPeriods
        var shares: [ProviderShare] = []
        for t in 0..<input.periods {
            let capacities = input.providers.indices.map { value(model.providerCapacity[PeriodKey($0, t)]) }
            let total = capacities.reduce(0, +)
            guard total > 1e-6 else { continue }
            let gangs = capacities.indices.map { min(capacities[$0], placed[PeriodKey($0, t)] ?? 0) }
            let beyond = capacities.indices.map { capacities[$0] - gangs[$0] }
            let room = beyond.reduce(0, +)
            let work = min(fluid[t] ?? 0, room)
            let inUse = capacities.indices.map { gangs[$0] + (room > 1e-9 ? work * beyond[$0] / room : 0) }
            let used = inUse.reduce(0, +)
            let cap = waived.contains(t) ? 1 : scenario.policy.maxProviderShare
            for (p, capacity) in capacities.enumerated() where capacity > 1e-6 {
                let above = cap < 1 ? capacity - cap * total : 0
                shares.append(
                    ProviderShare(
                        provider: input.providers[p], month: input.month(t), referenceCapacity: capacity,
                        share: capacity / total, cap: cap,
                        inUseReferenceCapacity: inUse[p], shareInUse: used > 1e-9 ? inUse[p] / used : 0,
                        // Below a thousandth of a reference unit: solver round-off, not excess.
                        aboveCap: above > 1e-3 ? above : nil))
            }
        }
        return shares
    }

    /// The N-1 table: loss cases optimised with the plan, then those checked against it.
    private func readResilience() -> ([ProviderLoss], expectedExercise: Double, penalty: Double) {
        let patterns = RunPatterns(input: input, overrides: model.overrides)
        let done = Dictionary(uniqueKeysWithValues: input.critical.map { ($0, patterns.done($0)) })
        var (resilience, expectedExercise, n1Penalty) = Self.resilienceTable(
            blocks: model.loss, input: input, values: values, done: done)
        for evaluation in evaluated {
            let (more, expected, penalty) = Self.resilienceTable(
                blocks: evaluation.blocks, input: input, values: evaluation.values, done: done)
            resilience += more
            expectedExercise += expected
            n1Penalty += penalty
        }
        if !evaluated.isEmpty {
            let order = Dictionary(uniqueKeysWithValues: input.providers.enumerated().map { ($1, $0) })
            resilience.sort { order[$0.provider]! < order[$1.provider]! }
        }
        return (resilience, expectedExercise, n1Penalty)
    }

    /// What a service holds beyond its capacity in a month (for N-1: capacity that serves once a
    /// provider is lost) is standby, not demand served: each of its rows that month carries its
    /// share of the excess.
    static func markStandby(_ allocation: [Allocation], input: PlanningInput) -> [Allocation] {
        var capacity: [WorkloadID: Double] = [:]
        for w in input.workloads { if case .service(let c) = w.demand { capacity[w.id] = c } }
        var held: [WorkloadID: [YearMonth: Double]] = [:]
        for a in allocation where capacity[a.workload] != nil {
            held[a.workload, default: [:]][a.month, default: 0] += a.referenceAccelerators
        }
        return allocation.map { a in
            guard let c = capacity[a.workload], let total = held[a.workload]?[a.month], total > c + 1e-6 else {
                return a
            }
            var marked = a
            marked.standbyReferenceAccelerators = (a.referenceAccelerators * (total - c) / total * 1e6).rounded() / 1e6
            return marked
        }
    }

    func allocations(_ variables: [AllocationKey: Variable]) -> [Allocation] {
        Self.allocations(variables, input: input, values: values)
    }

    static func allocations(_ variables: [AllocationKey: Variable], input: PlanningInput, values: [Double])
        -> [Allocation]
    {
        variables.compactMap { key, x -> Allocation? in
            // Solver round-off (512.0000000000002) is not part of the plan: a millionth of an
            // accelerator is below anything the plan means.
            let amount = (values[x.index] * 1e6).rounded() / 1e6
            guard amount > 1e-6 else { return nil }
            return Allocation(
                workload: input.workloads[key.workload].id, accelerator: input.models[key.model],
                month: input.month(key.period), accelerators: amount,
                referenceAccelerators: amount * input.speeds[key.workload][key.model])
        }.sorted { ($0.workload, $0.month, $0.accelerator) < ($1.workload, $1.month, $1.accelerator) }
    }

    /// The N-1 rows of a model's loss cases, the expected exercise cost and the N-1 shortfall penalty.
    static func resilienceTable(
        blocks: LossBlocks, input: PlanningInput, values: [Double], done: [Int: Double] = [:]
    ) -> (
        [ProviderLoss], Double, Double
    ) {
        let hours = input.hours
        func value(_ v: Variable?) -> Double { v.map { values[$0.index] } ?? 0 }
        guard input.scenario.policy.resilience == .nMinus1 else { return ([], 0, 0) }
        let penalty = input.scenario.policy.shortfallPenaltyPerReferenceHour.double
        let required = input.scenario.policy.criticalCoverage
        let critical = input.critical
        let criticalDemand = critical.reduce(0.0) { $0 + input.demandHours(of: $1) }
        var rows: [ProviderLoss] = []
        var expected = 0.0
        var penaltyTotal = 0.0
        for p in blocks.providers {
            var exercised: [BackupExercise] = []
            var exerciseCost = 0.0
            for (key, e) in blocks.exercise.sorted(by: { ($0.key.index, $0.key.period) < ($1.key.index, $1.key.period) }
            )
            where key.provider == p {
                let nodes = value(e)
                guard nodes > 1e-6, let terms = input.offers[key.index].backup else { continue }
                let offer = input.offers[key.index]
                let cost =
                    nodes * Double(offer.acceleratorsPerNode) * hours * terms.exercisePricePerAcceleratorHour.double
                exercised.append(
                    BackupExercise(offer: offer.id, month: input.month(key.period), nodes: nodes, cost: usd(cost)))
                exerciseCost += cost
            }
            exercised.sort { ($0.month, $0.offer) < ($1.month, $1.offer) }
            expected += input.scenario.providers[p].failureProbability * exerciseCost
            var lossAllocation: [AllocationKey: Variable] = [:]
            for (key, x) in blocks.allocation where key.provider == p { lossAllocation[key.allocation] = x }
            let allocation = allocations(lossAllocation, input: input, values: values)
            // Coverage is what the allocation delivers, capped at each workload's demand.
            var delivered: [WorkloadID: [YearMonth: Double]] = [:]
            for a in allocation { delivered[a.workload, default: [:]][a.month, default: 0] += a.referenceAccelerators }
            var covered = 0.0
            for w in critical {
                let got = delivered[input.workloads[w].id] ?? [:]
                switch input.workloads[w].demand {
                case .service(let capacity):
                    for t in input.window(of: w) { covered += min(capacity, got[input.month(t)] ?? 0) * hours }
                case .training(let work):
                    // A re-plan's history is done whoever is lost later; the loss places the rest.
                    covered += min(work, done[w, default: 0] + got.values.reduce(0, +) * hours)
                case .batch(let work):
                    covered += min(work, got.sorted { $0.key < $1.key }.reduce(0) { $0 + $1.value } * hours)
                }
            }
            var short = 0.0
            for (key, s) in blocks.serviceShort where key.provider == p { short += value(s) * hours }
            for (key, s) in blocks.trainingShort where key.index == p { short += value(s) }
            penaltyTotal += short * penalty
            rows.append(
                ProviderLoss(
                    provider: input.providers[p], criticalCoverage: criticalDemand > 0 ? covered / criticalDemand : 1,
                    requiredCoverage: required, shortfallReferenceHours: short, exerciseCost: usd(exerciseCost),
                    exercised: exercised, allocation: allocation,
                    runs: lossRuns(blocks: blocks, provider: p, input: input, values: values)))
        }
        return (rows, expected, penaltyTotal)
    }

    /// The critical runs' stretches in the loss case of provider p: each start pattern the case
    /// chose, one gang in one cluster for the months its work (what is left of it) needs.
    static func lossRuns(blocks: LossBlocks, provider p: Int, input: PlanningInput, values: [Double])
        -> [TrainingRun]
    {
        blocks.runStart.filter { $0.key.provider == p && values[$0.value.index] > 0.5 }.map { key, _ in
            let (w, c, k) = (key.start.workload, key.start.cluster, key.start.period)
            let workload = input.workloads[w]
            let cluster = input.clusters[c]
            let length = blocks.runLengths[key] ?? 0
            let end = input.month(k + max(0, length - 1))
            let perMonth = Double(workload.gang) * input.speeds[w][cluster.model] * input.hours
            return TrainingRun(
                workload: workload.id, provider: input.providers[cluster.provider],
                accelerator: input.models[cluster.model], region: cluster.region,
                fleet: cluster.fleet.map { input.fleets[$0].id }, site: cluster.site.map { input.sites[$0].id },
                accelerators: workload.gang, start: input.month(k), end: end,
                referenceHours: (perMonth * Double(length) * 1e6).rounded() / 1e6, finish: end,
                deadline: workload.window.end, slackMonths: end.months(to: workload.window.end))
        }
        .sorted { ($0.workload, $0.start) < ($1.workload, $1.start) }
    }

    /// Each critical run's fate in a loss row: it stays (its stretch there is the plan's own last
    /// stretch, or a re-plan's history already finished it), restarts (another cluster or
    /// start), or is lost (no stretch).
    static func fates(of row: ProviderLoss, runs: [TrainingRun], input: PlanningInput, done: [Int: Double])
        -> [RunRestart]
    {
        input.critical.compactMap { w -> RunRestart? in
            let workload = input.workloads[w]
            guard case .training = workload.demand else { return nil }
            let planned = runs.filter { $0.workload == workload.id }.max { $0.start < $1.start }
            guard let there = row.runs.first(where: { $0.workload == workload.id }) else {
                // Done before the loss could touch it (a re-plan's history finished it).
                if let planned, let finish = planned.finish, let work = workload.demand.work,
                    done[w, default: 0] >= work * (1 - 1e-9)
                {
                    return RunRestart(
                        workload: workload.id, cluster: planned.cluster, start: planned.start, finish: finish,
                        delayMonths: 0, onTime: finish <= planned.deadline, fate: .stays,
                        slackMonths: planned.slackMonths)
                }
                return RunRestart(
                    workload: workload.id, cluster: nil, start: nil, finish: nil, delayMonths: nil, onTime: false,
                    fate: .lost)
            }
            let stays = planned.map { $0.cluster == there.cluster && $0.start == there.start } ?? false
            let finish = there.finish ?? there.end
            return RunRestart(
                workload: workload.id, cluster: there.cluster, start: there.start, finish: finish,
                delayMonths: planned?.finish.map { max(0, $0.months(to: finish)) }, onTime: finish <= there.deadline,
                fate: stays ? .stays : .restarts, slackMonths: finish.months(to: there.deadline))
        }
        .sorted { $0.workload < $1.workload }
    }

    /// Says why each shortfall happened, from the explanation's binding constraints.
    mutating func attachReasons(to plan: inout Plan) {
        for i in plan.shortfalls.indices {
            plan.shortfalls[i].reason = reason(for: plan.shortfalls[i], plan: plan)
        }
    }

    /// Why a training run falls short when the cause is the run's own shape: no cluster holds
    /// its gang, or none can hold it for the months its work needs inside its window.
    private func runReason(_ w: Int, plan: Plan) -> String? {
        let workload = input.workloads[w]
        let gang = Formatted.grouped(Double(workload.gang))
        let runnable = input.clusters.indices.filter { input.speeds[w][input.clusters[$0].model] > 0 }
        if input.gangClusters[w].isEmpty {
            let largest = runnable.max {
                (input.clusters[$0].capacity.max() ?? 0, $1) < (input.clusters[$1].capacity.max() ?? 0, $0)
            }
            return "no cluster holds \(gang) accelerators of a model this run can use"
                + (largest.map {
                    " (the largest: \(input.clusterName($0)), \(Formatted.grouped(input.clusters[$0].capacity.max() ?? 0)))"
                } ?? "")
                + "; a run is never split across clusters"
        }
        let placed = model.runStart.contains { $0.key.workload == w && value($0.value) > 0.5 }
        if !model.runStart.keys.contains(where: { $0.workload == w }) {
            // After an incident only the months from the re-plan's start count, and only the
            // clusters the incident left able to hold the gang.
            let from = model.overrides.fromPeriod
            let window = input.window(of: w)
            let left = window.filter { $0 >= from }
            let replanned = from > window.lowerBound
            let end = input.month(window.upperBound - 1)
            guard let start = left.first else { return "its window ended in \(end), before the re-plan's start" }
            let months =
                replanned
                ? "the \(left.count) month(s) left of its window (\(input.month(start)) to \(end))"
                : "its window (\(input.month(start)) to \(end))"
            // Each cluster's first month in those that can hold the gang, and how long the run's
            // work (what is left of it, with a restart's cost where it moves) takes there.
            let fastest = input.gangClusters[w].compactMap { c -> (Int, Int, Int)? in
                guard
                    let first = left.first(where: {
                        model.clusterCapacity(c, $0) >= Double(workload.gang)
                            && model.modelAvailable(input.clusters[c].model, $0)
                    })
                else { return nil }
                let carriesOn = model.overrides.pastRuns[w]?[c]?.contains(from - 1) ?? false
                return model.runLength(w, cluster: c, restarting: !carriesOn).map { (c, first, $0) }
            }.min { ($0.1 + $0.2, $0.0) < ($1.1 + $1.2, $1.0) }
            guard let (c, first, length) = fastest else {
                return "no cluster \(replanned ? "still delivering " : "")holds \(gang) accelerators of a model this "
                    + "run can use in \(months); a run is never split across clusters"
            }
            return
                "no cluster that holds \(gang) accelerators can hold them for the months its work needs in \(months): "
                + "the earliest to finish, \(input.clusterName(c)), can first hold the gang in \(input.month(first)) "
                + "and needs \(length) month(s) there"
        }
        if placed { return nil }
        if let why = budgetReason(w, plan: plan) { return why }
        return "no cluster has room for its gang through the months it needs at a cost below the shortfall penalty"
    }

    /// A run left out because the budget cannot pay for its gang: what the budget has left after
    /// the plan's spend is below the cheapest way to hold the gang for the months its work needs
    /// (its cheapest cluster at the lowest price on offer there, a lower bound on any placement).
    /// Nil without a budget, or when the budget would cover it.
    private func budgetReason(_ w: Int, plan: Plan) -> String? {
        guard let budget = input.scenario.policy.budgetUSD?.double else { return nil }
        let left = budget - plan.cost.total.double
        let gang = Double(input.workloads[w].gang)
        let patterns = RunPatterns(input: input, overrides: model.overrides).patterns(of: w)
        let cheapest = patterns.compactMap { pattern -> (cost: Double, cluster: Int)? in
            let cluster = input.clusters[pattern.cluster]
            guard cluster.fleet == nil,
                let price = cluster.offers.flatMap({ input.terms(of: $0).map(\.1) }).min()
            else { return nil }
            return (gang * price * input.hours * Double(pattern.length), pattern.cluster)
        }.min { ($0.cost, $0.cluster) < ($1.cost, $1.cluster) }
        guard let cheapest, cheapest.cost > left + 1e-6 else { return nil }
        return "the budget binds: \(Formatted.money(max(0, left))) of it is left after the plan's spend, and the "
            + "cheapest way to hold its gang for the months its work needs, on \(input.clusterName(cheapest.cluster)), "
            + "costs at least \(Formatted.money(cheapest.cost))"
    }

    /// Nothing of the `compatible` models can be delivered in or before period `last`: the
    /// first month anything can, and the offer whose lead time sets it.
    private func leadTimeReason(_ compatible: [Int], after last: Int) -> String {
        guard
            let first = (last + 1..<input.periods).first(where: { t in
                compatible.contains { model.modelAvailable($0, t) }
            })
        else { return "no supply of a model it runs on is deliverable within the horizon (lead times)" }
        let earliest = input.offers.indices.filter { compatible.contains(input.offerModel[$0]) }
            .min { (input.offerFirst[$0], input.offers[$0].id) < (input.offerFirst[$1], input.offers[$1].id) }
        let named = earliest.flatMap { o -> String? in
            guard input.offerFirst[o] == first else { return nil }
            return ": the earliest, \(input.offers[o].id), has a \(input.offers[o].leadTimeDays)-day lead time"
        }
        return "nothing it runs on is deliverable before \(input.month(first))" + (named ?? " (lead times)")
    }

    private func reason(for shortfall: Shortfall, plan: Plan) -> String {
        guard let w = input.workloads.firstIndex(where: { $0.id == shortfall.workload }) else { return "" }
        let months = shortfall.month.map { [input.scenario.horizon.period(of: $0)!] } ?? Array(input.window(of: w))
        let compatible = input.models.indices.filter { input.speeds[w][$0] > 0 }
        if compatible.isEmpty {
            return "no offered or owned accelerator runs its stacks \(input.workloads[w].stacks.map(\.rawValue))"
        }
        if case .training = input.workloads[w].demand, let why = runReason(w, plan: plan) { return why }
        let unavailable = months.filter { t in !compatible.contains { model.modelAvailable($0, t) } }
        if unavailable.count == months.count { return leadTimeReason(compatible, after: unavailable.max()!) }
        var reasons: [String] = []
        if !unavailable.isEmpty {
            reasons.append("nothing it runs on is deliverable before \(input.month(unavailable.max()! + 1))")
        }
        let monthSet = Set(months.map(input.month))
        let binding = plan.explanation.binding.filter { $0.month == nil || monthSet.contains($0.month!) }
        let kinds = Set(binding.map(\.kind))
        if kinds.contains(.budget) { reasons.append("the budget binds") }
        if kinds.contains(.shareCap) {
            let capped = Set(binding.filter { $0.kind == .shareCap }.map(\.subject)).sorted()
            reasons.append("the share cap binds for \(capped.joined(separator: ", "))")
        }
        let compatibleNames = Set(compatible.map { input.models[$0].rawValue })
        let exhausted = Set(binding.filter { $0.kind == .availability }.map(\.subject)).filter { offerID in
            input.offers.first { $0.id.rawValue == offerID }.map { compatibleNames.contains($0.accelerator.rawValue) }
                ?? false
        }
        if !exhausted.isEmpty { reasons.append("offers sold out: \(exhausted.sorted().joined(separator: ", "))") }
        if reasons.isEmpty { reasons.append("more capacity would cost more than the shortfall penalty") }
        return reasons.joined(separator: "; ")
    }
}
