/// How a solve ended. Expected outcomes are values, not errors.
public enum SolveStatus: String, Sendable, Equatable, Codable {
    /// Proven optimal (within the requested gap for a MILP).
    case optimal
    /// A feasible solution, stopped by a time or node limit before the gap closed.
    case feasible
    /// No solution exists.
    case infeasible
    /// The objective improves without bound.
    case unbounded
    /// A limit was reached before any feasible solution was found.
    case limitReached
    /// The solver gave up (numerical trouble).
    case failed

    /// Whether `values` holds a usable solution.
    public var hasSolution: Bool { self == .optimal || self == .feasible }
}

/// What a solver found, with the statistics a report shows.
public struct Solution: Sendable, Codable {
    /// How it ended.
    public var status: SolveStatus
    /// Objective value of `values` (nil without a solution).
    public var objective: Double?
    /// Best bound proven (MILP); equals `objective` for an optimal LP.
    public var bestBound: Double?
    /// Variable values by index (empty without a solution).
    public var values: [Double]
    /// Row duals (LP only): change of the objective per unit increase of the row's binding bound.
    public var rowDuals: [Double]?
    /// Reduced costs (LP only).
    public var reducedCosts: [Double]?
    /// Wall-clock seconds in the solver.
    public var seconds: Double
    /// Simplex iterations.
    public var iterations: Int
    /// Branch-and-bound nodes (MILP).
    public var nodes: Int
    /// Which solver produced it (`clp`, `cbc`).
    public var solver: String
    /// The final simplex basis (LP only): a warm start for a program of the same shape.
    public var basis: Basis? = nil

    /// The value of one variable.
    public subscript(variable: Variable) -> Double { values[variable.index] }

    /// The dual of one row, when the solver gives duals.
    public func dual(_ constraint: Constraint) -> Double? { rowDuals?[constraint.index] }

    /// Relative gap between the solution and the best bound, 0 when proven optimal.
    public var relativeGap: Double? {
        guard let objective, let bestBound else { return nil }
        return abs(objective - bestBound) / max(1e-9, abs(objective))
    }

    /// A solution with no values, for statuses without one.
    public static func empty(_ status: SolveStatus, seconds: Double, solver: String) -> Solution {
        Solution(
            status: status, objective: nil, bestBound: nil, values: [], rowDuals: nil, reducedCosts: nil,
            seconds: seconds, iterations: 0, nodes: 0, solver: solver)
    }
}

/// Limits and tolerances for one solve.
public struct SolveOptions: Sendable, Codable {
    /// Stop after this many seconds (nil: no limit).
    public var timeLimitSeconds: Double?
    /// Stop a MILP once the relative gap is at most this.
    public var relativeGap: Double
    /// Stop a MILP after this many nodes (nil: no limit).
    public var nodeLimit: Int?
    /// Solver log verbosity: 0 silent (the default; COIN-OR would otherwise write to stdout).
    public var logLevel: Int
    /// A basis from an earlier solve of a program with the same variables and constraints (only
    /// bounds changed): Clp then starts from it instead of from scratch, with the dual simplex
    /// (bounds tightened), or the primal simplex when `lpAlgorithm` is `.primal` (bounds loosened).
    public var warmStart: Basis?
    /// Which simplex or interior-point method Clp uses.
    public var lpAlgorithm: LPAlgorithm = .automatic
    /// A known solution (values by variable index) a MILP solver may start from. Integer values
    /// matter; continuous ones are recomputed.
    public var initialSolution: [Double]?

    /// Options; defaults: no time limit, 0.01% gap, silent.
    public init(timeLimitSeconds: Double? = nil, relativeGap: Double = 1e-4, nodeLimit: Int? = nil, logLevel: Int = 0) {
        self.timeLimitSeconds = timeLimitSeconds
        self.relativeGap = relativeGap
        self.nodeLimit = nodeLimit
        self.logLevel = logLevel
    }
}

/// A simplex basis: the status of every column, then every row, as Clp keeps it. Opaque.
public struct Basis: Sendable, Equatable, Codable {
    let status: [UInt8]

    /// The same basis with those of `variables` that are nonbasic at their lower bounds: for
    /// columns that were fixed at zero and have their bounds loosened (columns joining a
    /// restricted LP), so the basis stays primal feasible for the primal simplex. A basic one
    /// (at zero, degenerate) stays basic.
    public func atLowerBound(_ variables: some Sequence<Variable>) -> Basis {
        var status = self.status
        // Clp's status: the low three bits (1 basic, 3 at lower bound, 5 fixed); the higher
        // bits are flags of the simplex in progress.
        for v in variables where v.index < status.count && status[v.index] & 7 != 1 { status[v.index] = 3 }
        return Basis(status: status)
    }
}

/// Clp's algorithms.
public enum LPAlgorithm: String, Sendable, CaseIterable, Codable {
    /// Clp's own choice (`initialSolve`).
    case automatic
    /// Dual simplex.
    case dual
    /// Primal simplex.
    case primal
    /// Interior point with crossover to a basic solution (so duals are exact).
    case barrier
}

/// The Solver module's one error: a program a solver must not be given.
public struct SolverError: Error, Sendable, CustomStringConvertible {
    /// What is wrong with the program.
    public var problems: [String]
    /// An error listing `problems`.
    public init(problems: [String]) { self.problems = problems }
    public var description: String { "invalid linear program: " + problems.joined(separator: "; ") }
}

/// Something that solves linear programs. The seam where a different backend (HiGHS, Gurobi) would plug in.
public protocol LinearSolver: Sendable {
    /// The backend's name, for reports.
    var name: String { get }
    /// Solves `program`; statuses such as infeasible are values, only a malformed program throws.
    func solve(_ program: LinearProgram, options: SolveOptions) throws -> Solution
}

extension LinearSolver {
    /// Solves with default options.
    public func solve(_ program: LinearProgram) throws -> Solution { try solve(program, options: SolveOptions()) }
}
