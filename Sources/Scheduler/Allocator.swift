import Foundation
import Solver
import SwitchyardModel

/// Heterogeneity-aware allocation (Gavel, OSDI 2020): each policy is an LP over X[k,m], the share
/// of time a job of class k spends on pool m, with effective throughput Σ_m T[k,m]·X[k,m].
///
/// Every policy keeps Σ_m X[k,m] ≤ 1 (a job is in one place at a time) and
/// Σ_k count_k · gang_k · X[k,m] ≤ accelerators_m (no pool over-allocated), and never gives time
/// on a model a job cannot run on.
public struct Allocator: Sendable {
    /// The LP backend.
    public var solver: any LinearSolver

    /// An allocator over Clp.
    public init(solver: any LinearSolver = ClpSolver()) { self.solver = solver }

    /// Allocates the cluster to `classes` under `policy`.
    ///
    /// The answer does not depend on the order of the pools or (except under FIFO, where order is
    /// the policy) of the classes: the LP is built over a canonical order (pools by model,
    /// provider, region, size, price, domain; classes by their fields) and the answer mapped back.
    public func allocate(_ classes: [JobClass], pools: [Pool], policy: AllocationPolicy) throws -> AllocationResult {
        let poolOrder = pools.indices.sorted { Pool.canonicallyPrecedes(pools[$0], pools[$1]) }
        let inOrder = classes.map { c in
            var c = c
            c.throughput = poolOrder.map { m in m < c.throughput.count ? c.throughput[m] : 0 }
            return c
        }
        let classOrder =
            policy == .fifo || policy == .fifoFastest
            ? Array(classes.indices) : classes.indices.sorted { Self.precedes(inOrder[$0], inOrder[$1]) }
        let canonical = try allocateInOrder(
            classOrder.map { inOrder[$0] }, pools: poolOrder.map { pools[$0] }, policy: policy)
        var result = canonical
        var positionOfClass = Array(repeating: 0, count: classes.count)
        for (position, k) in classOrder.enumerated() { positionOfClass[k] = position }
        result.fractions = classes.indices.map { k in
            var row = Array(repeating: 0.0, count: pools.count)
            for (position, m) in poolOrder.enumerated() { row[m] = canonical.fractions[positionOfClass[k]][position] }
            return row
        }
        result.throughput = classes.indices.map { canonical.throughput[positionOfClass[$0]] }
        result.equalShareThroughput = classes.indices.map { canonical.equalShareThroughput[positionOfClass[$0]] }
        result.unschedulable = Dictionary(
            uniqueKeysWithValues: classes.indices.compactMap { k in
                canonical.unschedulable[positionOfClass[k]].map { (k, $0) }
            })
        return result
    }

    /// A total order of classes by what they are, not what they are called.
    static func precedes(_ a: JobClass, _ b: JobClass) -> Bool {
        if a.throughput != b.throughput { return a.throughput.lexicographicallyPrecedes(b.throughput) }
        let x = (a.gang, a.weight, a.remainingWork, a.elapsedSeconds, a.deadlineSeconds ?? -1, a.count)
        let y = (b.gang, b.weight, b.remainingWork, b.elapsedSeconds, b.deadlineSeconds ?? -1, b.count)
        return x != y ? x < y : a.id < b.id
    }

    func allocateInOrder(_ classes: [JobClass], pools: [Pool], policy: AllocationPolicy) throws -> AllocationResult {
        let clock = ContinuousClock.now
        let problem = Problem(classes: classes, pools: pools)
        var fractions: [[Double]]
        switch policy {
        case _ where problem.schedulable.isEmpty:
            fractions = classes.map { _ in Array(repeating: 0, count: pools.count) }
        case .fifo, .fifoFastest:
            fractions = problem.greedy(fastest: policy == .fifoFastest)
        case .maxMinFairness:
            fractions = try problem.maxMin(throughput: problem.throughput, weights: true, solver: solver)
        case .maxMinFairnessAgnostic:
            fractions = problem.spreadBySize(
                try problem.maxMin(throughput: problem.agnosticThroughput, weights: true, solver: solver))
        case .minMakespan:
            fractions = try problem.minMakespan(solver: solver)
        case .finishTimeFairness:
            fractions = try problem.finishTimeFairness(solver: solver)
        case .maxThroughput:
            fractions = try problem.maxThroughput(solver: solver)
        case .maxThroughputPerDollar:
            fractions = try problem.maxThroughputPerDollar(solver: solver)
        }
        let throughput = classes.indices.map { k in
            zip(problem.throughput[k], fractions[k]).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let elapsed = ContinuousClock.now - clock
        return AllocationResult(
            fractions: fractions, throughput: throughput, equalShareThroughput: problem.equalShare,
            unschedulable: problem.unschedulable,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
}

/// The data every policy shares.
struct Problem {
    let classes: [JobClass]
    let pools: [Pool]
    /// T[k][m], zero where class k cannot run on pool m (no throughput, or a gang larger than the pool).
    let throughput: [[Double]]
    /// The heterogeneity-agnostic view: each runnable model at the class's average throughput.
    let agnosticThroughput: [[Double]]
    /// Throughput of one job of class k given an equal share of the cluster's time.
    let equalShare: [Double]
    let unschedulable: [Int: String]

    init(classes: [JobClass], pools: [Pool]) {
        self.classes = classes
        self.pools = pools
        var unschedulable: [Int: String] = [:]
        throughput = classes.enumerated().map { k, c in
            pools.indices.map { m in
                let t = m < c.throughput.count ? c.throughput[m] : 0
                return t > 0 && c.gang <= pools[m].accelerators ? t : 0
            }
        }
        for (k, c) in classes.enumerated() where throughput[k].allSatisfy({ $0 == 0 }) {
            let runs = pools.indices.contains { m in m < c.throughput.count && c.throughput[m] > 0 }
            unschedulable[k] =
                runs
                ? "its gang of \(c.gang) is larger than every pool it runs on" : "it runs on none of the pools' models"
        }
        self.unschedulable = unschedulable
        agnosticThroughput = throughput.map { row in
            let runnable = row.filter { $0 > 0 }
            let mean = runnable.isEmpty ? 0 : runnable.reduce(0, +) / Double(runnable.count)
            return row.map { $0 > 0 ? mean : 0 }
        }
        // Equal share: every job gets the same fraction of the cluster's accelerator-time, spread
        // over the pools it can use in proportion to their size.
        equalShare = Problem.equalShare(
            throughput, classes: classes, pools: pools, schedulable: classes.indices.filter { unschedulable[$0] == nil }
        )
    }

    /// Builds the LP skeleton: X[k][m] where runnable, one row per class and one per pool.
    func skeleton(scale: Variable? = nil, into lp: inout LinearProgram) -> [[Variable?]] {
        let x: [[Variable?]] = classes.indices.map { k in
            pools.indices.map { m in
                throughput[k][m] > 0
                    ? lp.addVariable("X[\(classes[k].id),\(pools[m].label)]", upper: scale == nil ? 1 : .infinity) : nil
            }
        }
        for k in classes.indices {
            let terms = x[k].compactMap { $0 }.map { ($0, 1.0) }
            if terms.isEmpty { continue }
            if let scale {
                lp.addConstraint("one-place[\(classes[k].id)]", terms + [(scale, -1)], upper: 0)
            } else {
                lp.addConstraint("one-place[\(classes[k].id)]", terms, upper: 1)
            }
        }
        for m in pools.indices {
            let terms = classes.indices.compactMap { k in
                x[k][m].map { ($0, Double(classes[k].count * classes[k].gang)) }
            }
            if terms.isEmpty { continue }
            if let scale {
                lp.addConstraint(
                    "capacity[\(pools[m].label)]", terms + [(scale, -Double(pools[m].accelerators))], upper: 0)
            } else {
                lp.addConstraint("capacity[\(pools[m].label)]", terms, upper: Double(pools[m].accelerators))
            }
        }
        return x
    }

    func solve(_ lp: LinearProgram, _ solver: any LinearSolver) throws -> Solution {
        let solution = try solver.solve(lp)
        guard solution.status == .optimal else {
            throw AllocationError(message: "the allocation LP ended with status \(solution.status.rawValue)")
        }
        return solution
    }

    func read(_ x: [[Variable?]], _ values: [Double], divideBy scale: Double = 1) -> [[Double]] {
        x.map { row in row.map { v in v.map { min(1, max(0, values[$0.index] / scale)) } ?? 0 } }
    }

    var schedulable: [Int] { classes.indices.filter { unschedulable[$0] == nil } }

    /// max z s.t. Σ_m T'[k,m] X[k,m] ≥ weight_k · E'_k · z, where T' is `throughput` (the aware or
    /// the agnostic view) and E' its equal share. Leftover capacity then goes to total throughput
    /// with z held, so no pool idles while a job could use it.
    func maxMin(throughput view: [[Double]], weights: Bool, solver: any LinearSolver) throws -> [[Double]] {
        var lp = LinearProgram(sense: .maximize)
        let x = skeleton(into: &lp)
        let z = lp.addVariable("z", objective: 1)
        let share = Problem.equalShare(view, classes: classes, pools: pools, schedulable: schedulable)
        var fairness: [Constraint] = []
        for k in schedulable {
            let terms = pools.indices.compactMap { m in x[k][m].map { ($0, view[k][m]) } }
            let weight = weights ? classes[k].weight : 1
            fairness.append(lp.addConstraint("fair[\(classes[k].id)]", terms + [(z, -weight * share[k])], lower: 0))
        }
        let first = try solve(lp, solver)
        // Second stage: keep the fair floor, use what is left.
        let floor = first[z] * (1 - 1e-9)
        lp.setBounds(z, lower: floor, upper: floor)
        for k in schedulable {
            for m in pools.indices { if let v = x[k][m] { lp.setObjective(v, view[k][m] / max(1e-12, share[k])) } }
        }
        lp.setObjective(z, 0)
        let second = try solve(lp, solver)
        return read(x, second.values)
    }

    /// Equal shares are of accelerator-time: every job gets the cluster's accelerators ÷ the
    /// number of jobs, so a job of gang g gets 1/g of that as its share of time (at most all of
    /// it). Eight one-accelerator jobs and two four-accelerator jobs on 8 accelerators: 0.8 and
    /// 0.2 of the time, 0.8 accelerators each (Gavel's scale factors).
    static func equalShare(_ view: [[Double]], classes: [JobClass], pools: [Pool], schedulable: [Int]) -> [Double] {
        let jobs = schedulable.reduce(0.0) { $0 + Double(classes[$1].count) }
        let supply = Double(pools.reduce(0) { $0 + $1.accelerators })
        let perJob = jobs > 0 ? supply / jobs : supply
        return classes.indices.map { k in
            let runnable = pools.indices.filter { view[k][$0] > 0 }
            let size = runnable.reduce(0.0) { $0 + Double(pools[$1].accelerators) }
            guard size > 0 else { return 0 }
            let time = min(1, perJob / Double(classes[k].gang))
            return time * runnable.reduce(0.0) { $0 + Double(pools[$1].accelerators) / size * view[k][$1] }
        }
    }

    /// The agnostic baseline's answer, blind to which pool is which: each class's total share
    /// spread over the pools it can use in proportion to their size (an LP corner would put it
    /// wholly on one pool, chosen by column order). Where that would over-fill a pool (classes
    /// that run on different pools), the LP's answer is kept.
    func spreadBySize(_ fractions: [[Double]]) -> [[Double]] {
        var spread = fractions
        var load = Array(repeating: 0.0, count: pools.count)
        for k in classes.indices {
            let runnable = pools.indices.filter { throughput[k][$0] > 0 }
            let size = runnable.reduce(0.0) { $0 + Double(pools[$1].accelerators) }
            let total = fractions[k].reduce(0, +)
            spread[k] = pools.indices.map { m in
                runnable.contains(m) && size > 0 ? total * Double(pools[m].accelerators) / size : 0
            }
            for m in pools.indices { load[m] += spread[k][m] * Double(classes[k].count * classes[k].gang) }
        }
        let fits = pools.indices.allSatisfy { load[$0] <= Double(pools[$0].accelerators) * (1 + 1e-9) + 1e-9 }
        return fits ? spread : fractions
    }

    /// max z s.t. throughput_k ≥ remaining_k · z: the makespan is 1/z.
    func minMakespan(solver: any LinearSolver) throws -> [[Double]] {
        var lp = LinearProgram(sense: .maximize)
        let x = skeleton(into: &lp)
        let z = lp.addVariable("z", objective: 1)
        for k in schedulable {
            let terms = pools.indices.compactMap { m in x[k][m].map { ($0, throughput[k][m]) } }
            lp.addConstraint("finish[\(classes[k].id)]", terms + [(z, -classes[k].remainingWork)], lower: 0)
        }
        return read(x, try solve(lp, solver).values)
    }

    /// max Σ_k count_k · throughput_k / E_k.
    func maxThroughput(solver: any LinearSolver) throws -> [[Double]] {
        var lp = LinearProgram(sense: .maximize)
        let x = skeleton(into: &lp)
        for k in schedulable {
            for m in pools.indices {
                if let v = x[k][m] {
                    lp.setObjective(v, Double(classes[k].count) * throughput[k][m] / max(1e-12, equalShare[k]))
                }
            }
        }
        return read(x, try solve(lp, solver).values)
    }

    /// Themis' finish-time fairness: ρ_k = (elapsed + remaining/throughput) / (elapsed + remaining/E_k),
    /// the worst ρ minimised by bisection over LP feasibility, then leftover capacity used.
    func finishTimeFairness(solver: any LinearSolver) throws -> [[Double]] {
        // ρ ≤ r  ⇔  throughput_k ≥ remaining_k / (r · isolated_k − elapsed_k), isolated_k = elapsed + remaining/E.
        func required(_ r: Double, _ k: Int) -> Double? {
            let c = classes[k]
            let isolated = c.elapsedSeconds + c.remainingWork / max(1e-12, equalShare[k])
            let room = r * isolated - c.elapsedSeconds
            return room > 0 ? c.remainingWork / room : nil
        }
        func attempt(_ r: Double) throws -> [[Double]]? {
            var lp = LinearProgram(sense: .maximize)
            let x = skeleton(into: &lp)
            for k in schedulable {
                guard let need = required(r, k) else { return nil }
                let terms = pools.indices.compactMap { m in x[k][m].map { ($0, throughput[k][m]) } }
                lp.addConstraint("ftf[\(classes[k].id)]", terms, lower: need)
                for (v, t) in terms { lp.setObjective(v, t / max(1e-12, equalShare[k])) }
            }
            let s = try solver.solve(lp)
            return s.status == .optimal ? read(x, s.values) : nil
        }
        var low = 0.0
        var high = 1.0
        var best = try attempt(high)
        while best == nil, high < 1e6 {
            low = high
            high *= 2
            best = try attempt(high)
        }
        guard var answer = best else { throw AllocationError(message: "no finish-time-fair allocation found") }
        for _ in 0..<30 where high - low > 1e-4 * high {
            let mid = (low + high) / 2
            if let found = try attempt(mid) {
                high = mid
                answer = found
            } else {
                low = mid
            }
        }
        return answer
    }

    /// Normalised throughput per dollar, every deadline met (a linear-fractional program, solved
    /// with the Charnes–Cooper change of variables Y = t·X).
    func maxThroughputPerDollar(solver: any LinearSolver) throws -> [[Double]] {
        guard pools.contains(where: { $0.pricePerAcceleratorHour > 0 }) else {
            return try maxThroughput(solver: solver)
        }
        var lp = LinearProgram(sense: .maximize)
        let t = lp.addVariable("t")
        let y = skeleton(scale: t, into: &lp)
        var cost: [(Variable, Double)] = []
        for k in schedulable {
            for m in pools.indices {
                guard let v = y[k][m] else { continue }
                lp.setObjective(v, Double(classes[k].count) * throughput[k][m] / max(1e-12, equalShare[k]))
                cost.append((v, Double(classes[k].count * classes[k].gang) * pools[m].pricePerAcceleratorHour))
            }
            if let deadline = classes[k].deadlineSeconds {
                let terms = pools.indices.compactMap { m in y[k][m].map { ($0, throughput[k][m]) } }
                lp.addConstraint(
                    "deadline[\(classes[k].id)]", terms + [(t, -classes[k].remainingWork / max(1e-9, deadline))],
                    lower: 0)
            }
        }
        lp.addConstraint("cost", cost, lower: 1, upper: 1)
        let s = try solver.solve(lp)
        guard s.status == .optimal, s[t] > 1e-12 else {
            throw AllocationError(message: "no allocation meets every deadline")
        }
        return read(y, s.values, divideBy: s[t])
    }

    /// Jobs in class order, one at a time: any pool with room for the gang, or the fastest.
    func greedy(fastest: Bool) -> [[Double]] {
        var free = pools.map(\.accelerators)
        var fractions = classes.map { _ in Array(repeating: 0.0, count: pools.count) }
        for k in schedulable {
            for _ in 0..<classes[k].count {
                let candidates = pools.indices.filter { throughput[k][$0] > 0 && free[$0] >= classes[k].gang }
                let choice = fastest ? candidates.max { throughput[k][$0] < throughput[k][$1] } : candidates.first
                guard let m = choice else { break }
                free[m] -= classes[k].gang
                fractions[k][m] += 1
            }
            // Per-job fractions: the class's jobs share what was placed.
            for m in pools.indices { fractions[k][m] /= Double(classes[k].count) }
        }
        return fractions
    }
}
