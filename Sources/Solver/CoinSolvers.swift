import CCoinOR
import Foundation
import Synchronization

/// COIN-OR Cbc 2.10 keeps process-wide state (its command-line parameter tables), so two solves at
/// once corrupt each other. Every Cbc solve in the process takes this lock, and so does every Clp
/// solve: Cbc solves its LPs with the same Clp library, so a Cbc solve beside another thread's Clp
/// solve is not known to be safe. The planner's own solves are sequential; only tests and a
/// server's parallel jobs wait on it.
private let coinLock = Mutex(())

/// COIN-OR represents "no bound" as DBL_MAX.
private func coinBound(_ value: Double) -> Double {
    if value == .infinity { return .greatestFiniteMagnitude }
    if value == -.infinity { return -.greatestFiniteMagnitude }
    return value
}

/// Loads `program` into a COIN model through one of the two identical `loadProblem` entry points.
private func load(
    _ program: LinearProgram,
    _ body: (
        Int32, Int32, UnsafePointer<CoinBigIndex>, UnsafePointer<Int32>, UnsafePointer<Double>,
        UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>, UnsafePointer<Double>,
        UnsafePointer<Double>
    ) -> Void
) {
    let (starts, rows, values) = program.columnMajor()
    let coinStarts = starts.map { CoinBigIndex($0) }
    let colLower = program.lower.map(coinBound)
    let colUpper = program.upper.map(coinBound)
    let rowLower = program.rowLower.map(coinBound)
    let rowUpper = program.rowUpper.map(coinBound)
    // COIN-OR reads empty arrays through the pointer too; keep one element so it is never dangling.
    let safeRows = rows.isEmpty ? [Int32(0)] : rows
    let safeValues = values.isEmpty ? [0.0] : values
    let safeObjective = program.objective.isEmpty ? [0.0] : program.objective
    let safeColLower = colLower.isEmpty ? [0.0] : colLower
    let safeColUpper = colUpper.isEmpty ? [0.0] : colUpper
    let safeRowLower = rowLower.isEmpty ? [0.0] : rowLower
    let safeRowUpper = rowUpper.isEmpty ? [0.0] : rowUpper
    body(
        Int32(program.variableCount), Int32(program.constraintCount), coinStarts, safeRows, safeValues,
        safeColLower, safeColUpper, safeObjective, safeRowLower, safeRowUpper)
}

private func copy(_ pointer: UnsafePointer<Double>?, count: Int) -> [Double]? {
    guard let pointer, count >= 0 else { return nil }
    return Array(UnsafeBufferPointer(start: pointer, count: count))
}

func validate(_ program: LinearProgram) throws {
    let problems = program.problems()
    if !problems.isEmpty { throw SolverError(problems: problems) }
}

/// COIN-OR Clp: the simplex LP solver. Gives row duals and reduced costs. Integrality flags are
/// ignored: it solves the LP relaxation.
public struct ClpSolver: LinearSolver {
    public var name: String { "clp" }
    /// A Clp backend.
    public init() {}

    /// Columns from which an LP is scaled by equilibrium rather than by Clp's default (and, in
    /// the planner, large enough that a warm start is not always the quicker way).
    public static let equilibriumFrom = 20_000
    /// Columns from which an LP is solved with Clp's perturbation 50.
    public static let perturbedFrom = 100_000

    public func solve(_ program: LinearProgram, options: SolveOptions) throws -> Solution {
        try validate(program)
        return coinLock.withLock { _ in solveLocked(program, options: options) }
    }

    private func solveLocked(_ program: LinearProgram, options: SolveOptions) -> Solution {
        let clock = ContinuousClock.now
        guard let model = Clp_newModel() else { return .empty(.failed, seconds: 0, solver: name) }
        defer { Clp_deleteModel(model) }
        Clp_setLogLevel(model, Int32(options.logLevel))
        load(program) { Clp_loadProblem(model, $0, $1, $2, $3, $4, $5, $6, $7, $8, $9) }
        Clp_setOptimizationDirection(model, program.sense == .minimize ? 1 : -1)
        // Large LPs are scaled by equilibrium: on the planner's it takes a quarter to a twentieth
        // of the iterations of Clp's default (automatic, here geometric): the medium benchmark's
        // relaxation fell from 134 s to 7 s, an N-1 round's from 79 s to 40 s. Small ones (the
        // example's, the allocator's) solve in milliseconds either way and keep the default, whose
        // vertices the rounding heuristic's plans and the tests were measured with.
        if program.variableCount >= Self.equilibriumFrom { Clp_scaling(model, 1) }
        // The largest are perturbed by Clp's perturbation 50 too (the `clp` command line's
        // default; the library's, 100, lets Clp choose): an N-1 relaxation of the medium
        // benchmark with four loss cases (122,321 columns) then solves in 26.5 s, where the
        // library's default ran out a 290 s limit in the primal clean-up after presolve (dual
        // infeasibilities of 1e20), and without presolve took 70.9 s (2026-12-06, one run each).
        // Not below: medium's own relaxation (52,361 columns) then lands on another vertex, and
        // the plan rounded from it ended 5.58% above the bound instead of 4.46%.
        if program.variableCount >= Self.perturbedFrom { Clp_setPerturbation(model, 50) }
        if let limit = options.timeLimitSeconds { Clp_setMaximumSeconds(model, limit) }
        let shape = program.variableCount + program.constraintCount
        if let basis = options.warmStart, basis.status.count == shape, shape > 0 {
            basis.status.withUnsafeBufferPointer { Clp_copyinStatus(model, $0.baseAddress) }
            // Tightened bounds leave the old basis dual feasible (dual simplex); loosened bounds
            // leave it primal feasible (primal simplex). The caller knows which it did.
            if options.lpAlgorithm == .primal { Clp_primal(model, 0) } else { Clp_dual(model, 0) }
        } else {
            switch options.lpAlgorithm {
            case .automatic: Clp_initialSolve(model)
            case .dual: Clp_initialDualSolve(model)
            case .primal: Clp_initialPrimalSolve(model)
            case .barrier: Clp_initialBarrierSolve(model)
            }
        }
        let seconds = (ContinuousClock.now - clock).seconds
        var basis: Basis?
        if shape > 0, Clp_statusExists(model) != 0, let array = Clp_statusArray(model) {
            basis = Basis(status: Array(UnsafeBufferPointer(start: array, count: shape)))
        }
        let status: SolveStatus
        switch Clp_status(model) {
        case 0: status = .optimal
        case 1: status = .infeasible
        case 2: status = .unbounded
        case 3: status = Clp_primalFeasible(model) != 0 ? .feasible : .limitReached
        default: status = .failed
        }
        guard status.hasSolution else {
            var empty = Solution.empty(status, seconds: seconds, solver: name)
            empty.iterations = Int(Clp_numberIterations(model))
            return empty
        }
        let n = program.variableCount
        let m = program.constraintCount
        let objective = Clp_objectiveValue(model) + program.objectiveOffset
        var solution = Solution(
            status: status, objective: objective, bestBound: status == .optimal ? objective : nil,
            values: copy(Clp_getColSolution(model), count: n) ?? [],
            rowDuals: copy(Clp_getRowPrice(model), count: m), reducedCosts: copy(Clp_getReducedCost(model), count: n),
            seconds: seconds, iterations: Int(Clp_numberIterations(model)), nodes: 0, solver: name)
        solution.basis = basis
        return solution
    }
}

/// COIN-OR Cbc: branch and cut for mixed-integer programs, with time, node and gap limits.
/// Solves are serialised process-wide (Cbc 2.10 is not re-entrant).
public struct CbcSolver: LinearSolver {
    public var name: String { "cbc" }
    /// A Cbc backend.
    public init() {}

    public func solve(_ program: LinearProgram, options: SolveOptions) throws -> Solution {
        try validate(program)
        return coinLock.withLock { _ in solveLocked(program, options: options) }
    }

    private func solveLocked(_ program: LinearProgram, options: SolveOptions) -> Solution {
        let clock = ContinuousClock.now
        guard let model = Cbc_newModel() else { return .empty(.failed, seconds: 0, solver: name) }
        defer { Cbc_deleteModel(model) }
        load(program) { Cbc_loadProblem(model, $0, $1, $2, $3, $4, $5, $6, $7, $8, $9) }
        for (index, integer) in program.isInteger.enumerated() where integer { Cbc_setInteger(model, Int32(index)) }
        Cbc_setObjSense(model, program.sense == .minimize ? 1 : -1)
        Cbc_setLogLevel(model, Int32(options.logLevel))
        Cbc_setParameter(model, "log", String(options.logLevel))
        Cbc_setParameter(model, "slog", String(options.logLevel))
        Cbc_setAllowableFractionGap(model, options.relativeGap)
        if let limit = options.timeLimitSeconds { Cbc_setMaximumSeconds(model, limit) }
        if let nodes = options.nodeLimit { Cbc_setMaximumNodes(model, Int32(clamping: nodes)) }
        if let start = options.initialSolution, start.count == program.variableCount {
            let integers = program.isInteger.indices.filter { program.isInteger[$0] }
            let columns = integers.map { Int32($0) }
            let values = integers.map { start[$0].rounded() }
            Cbc_setMIPStartI(model, Int32(columns.count), columns, values)
        }
        // Cbc's own threads are not used: the 2-core machines this runs on gain little, and the
        // server runs other work beside the solver.
        let code = Cbc_solve(model)
        let seconds = (ContinuousClock.now - clock).seconds
        let n = program.variableCount
        let hasIncumbent = Cbc_bestSolution(model) != nil && n > 0 || (n == 0 && code == 0)
        let status: SolveStatus
        if Cbc_isProvenOptimal(model) != 0 {
            status = .optimal
        } else if Cbc_isProvenInfeasible(model) != 0 {
            status = .infeasible
        } else if Cbc_isContinuousUnbounded(model) != 0 {
            status = .unbounded
        } else if Cbc_isSecondsLimitReached(model) != 0 || Cbc_isNodeLimitReached(model) != 0
            || Cbc_isSolutionLimitReached(model) != 0
        {
            status = hasIncumbent ? .feasible : .limitReached
        } else if Cbc_isInitialSolveProvenPrimalInfeasible(model) != 0 {
            status = .infeasible
        } else {
            status = hasIncumbent ? .feasible : .failed
        }
        guard status.hasSolution else {
            var empty = Solution.empty(status, seconds: seconds, solver: name)
            empty.nodes = Int(Cbc_getNodeCount(model))
            empty.iterations = Int(Cbc_getIterationCount(model))
            // Stopped by a limit before any plan, its bound still holds (once the root is solved).
            let bound = Cbc_getBestPossibleObjValue(model)
            if status == .limitReached, bound.isFinite, abs(bound) < 1e40 {
                empty.bestBound = bound + program.objectiveOffset
            }
            return empty
        }
        var values = copy(Cbc_getColSolution(model), count: n) ?? []
        // Integer columns come back as 2.9999999; round them so callers count whole nodes.
        for (index, integer) in program.isInteger.enumerated() where integer { values[index] = values[index].rounded() }
        let objective = program.objectiveValue(at: values)
        let bound = Cbc_getBestPossibleObjValue(model) + program.objectiveOffset
        return Solution(
            status: status, objective: objective,
            bestBound: status == .optimal && program.integerCount == 0 ? objective : bound,
            values: values, rowDuals: nil, reducedCosts: nil, seconds: seconds,
            iterations: Int(Cbc_getIterationCount(model)), nodes: Int(Cbc_getNodeCount(model)), solver: name)
    }
}

/// Picks Clp for a pure LP (it gives duals) and Cbc when any variable is integer.
public struct DefaultSolver: LinearSolver {
    public var name: String { "cbc/clp" }
    /// The default backend pair.
    public init() {}
    public func solve(_ program: LinearProgram, options: SolveOptions) throws -> Solution {
        program.integerCount == 0
            ? try ClpSolver().solve(program, options: options) : try CbcSolver().solve(program, options: options)
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) * 1e-18
    }
}

extension CbcSolver {
    /// Reads a model file (free MPS or CPLEX LP, as `format` says) and solves it as Cbc reads
    /// it: the check that a written model is the program it was written from (the same optimum).
    /// Nil when Cbc cannot read the file.
    public func solve(file path: String, format: LinearProgram.ModelFormat, options: SolveOptions)
        -> (status: SolveStatus, objective: Double?)?
    {
        coinLock.withLock { _ -> (status: SolveStatus, objective: Double?)? in
            guard let model = Cbc_newModel() else { return nil }
            defer { Cbc_deleteModel(model) }
            Cbc_setLogLevel(model, Int32(options.logLevel))
            Cbc_setParameter(model, "log", String(options.logLevel))
            let read = format == .mps ? Cbc_readMps(model, path) : Cbc_readLp(model, path)
            guard read == 0 else { return nil }
            if let limit = options.timeLimitSeconds { Cbc_setMaximumSeconds(model, limit) }
            Cbc_setAllowableFractionGap(model, options.relativeGap)
            _ = Cbc_solve(model)
            guard Cbc_isProvenOptimal(model) != 0 else { return (.feasible, nil) }
            return (.optimal, Cbc_getObjValue(model))
        }
    }
}
