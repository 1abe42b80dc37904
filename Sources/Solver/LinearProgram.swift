/// A sparse linear (or mixed-integer) program, independent of any solver.
///
/// Build it by adding named variables and constraints; the names let reports say which
/// constraint binds. Rows are stored compressed (CSR) so a model with millions of nonzeros stays
/// compact.
///
/// ```swift
/// var lp = LinearProgram(sense: .maximize)
/// let x = lp.addVariable("x", upper: 4, objective: 3)
/// let y = lp.addVariable("y", upper: 3, objective: 2, integer: true)
/// lp.addConstraint("capacity", [(x, 1), (y, 1)], upper: 5)
/// let solution = try CbcSolver().solve(lp)
/// ```
public struct LinearProgram: Sendable, Codable {
    /// Minimise or maximise the objective.
    public enum Sense: String, Sendable, Codable { case minimize, maximize }

    /// The objective's direction.
    public var sense: Sense
    /// Constant added to the objective.
    public var objectiveOffset: Double = 0

    /// Variable names, by index.
    public private(set) var variableNames: [String] = []
    /// Lower bounds (`-.infinity` for none).
    public private(set) var lower: [Double] = []
    /// Upper bounds (`.infinity` for none).
    public private(set) var upper: [Double] = []
    /// Objective coefficients.
    public private(set) var objective: [Double] = []
    /// Integrality flags.
    public private(set) var isInteger: [Bool] = []

    /// Constraint names, by index.
    public private(set) var constraintNames: [String] = []
    /// Row lower bounds (`-.infinity` for none).
    public private(set) var rowLower: [Double] = []
    /// Row upper bounds (`.infinity` for none).
    public private(set) var rowUpper: [Double] = []
    /// Where each row's terms start in `columns`/`coefficients`; one more entry than rows.
    public private(set) var rowStarts: [Int] = [0]
    /// Column index of each nonzero.
    public private(set) var columns: [Int32] = []
    /// Value of each nonzero.
    public private(set) var coefficients: [Double] = []

    /// An empty program.
    public init(sense: Sense = .minimize) { self.sense = sense }

    /// Number of variables.
    public var variableCount: Int { objective.count }
    /// Number of constraints.
    public var constraintCount: Int { rowLower.count }
    /// Number of nonzeros in the constraint matrix.
    public var nonzeroCount: Int { coefficients.count }
    /// Number of integer variables.
    public var integerCount: Int { isInteger.lazy.filter { $0 }.count }

    /// Adds a variable; defaults: `0 ≤ v < ∞`, continuous, objective 0.
    @discardableResult
    public mutating func addVariable(
        _ name: String, lower: Double = 0, upper: Double = .infinity, objective: Double = 0, integer: Bool = false
    ) -> Variable {
        variableNames.append(name)
        self.lower.append(lower)
        self.upper.append(upper)
        self.objective.append(objective)
        isInteger.append(integer)
        return Variable(index: variableCount - 1)
    }

    /// Adds `lower ≤ Σ coefficient·variable ≤ upper`. Terms on the same variable are summed;
    /// zero coefficients are dropped.
    @discardableResult
    public mutating func addConstraint(
        _ name: String, _ terms: [(Variable, Double)], lower: Double = -.infinity, upper: Double = .infinity
    ) -> Constraint {
        var merged: [Int32: Double] = [:]
        if terms.count > 1 {
            for (variable, value) in terms { merged[Int32(variable.index), default: 0] += value }
            for (column, value) in merged.sorted(by: { $0.key < $1.key }) where value != 0 {
                columns.append(column)
                coefficients.append(value)
            }
        } else if let (variable, value) = terms.first, value != 0 {
            columns.append(Int32(variable.index))
            coefficients.append(value)
        }
        constraintNames.append(name)
        rowLower.append(lower)
        rowUpper.append(upper)
        rowStarts.append(columns.count)
        return Constraint(index: constraintCount - 1)
    }

    /// Changes a variable's bounds (to fix an integer at its solved value, say).
    public mutating func setBounds(_ variable: Variable, lower: Double, upper: Double) {
        self.lower[variable.index] = lower
        self.upper[variable.index] = upper
    }

    /// Changes a row's bounds.
    public mutating func setBounds(_ constraint: Constraint, lower: Double, upper: Double) {
        rowLower[constraint.index] = lower
        rowUpper[constraint.index] = upper
    }

    /// Changes a variable's objective coefficient.
    public mutating func setObjective(_ variable: Variable, _ coefficient: Double) {
        objective[variable.index] = coefficient
    }

    /// Makes every variable continuous (the LP relaxation).
    public mutating func relaxIntegrality() {
        isInteger = [Bool](repeating: false, count: variableCount)
    }

    /// Makes one variable continuous (a partial relaxation, as relax-and-fix solves).
    public mutating func relaxIntegrality(of variable: Variable) {
        isInteger[variable.index] = false
    }

    /// The terms of one row.
    public func terms(of constraint: Constraint) -> [(Variable, Double)] {
        (rowStarts[constraint.index]..<rowStarts[constraint.index + 1]).map {
            (Variable(index: Int(columns[$0])), coefficients[$0])
        }
    }

    /// Every problem that would make a solver misbehave: NaN or infinite coefficients, crossed bounds.
    public func problems() -> [String] {
        var found: [String] = []
        for i in 0..<variableCount {
            if objective[i].isNaN || objective[i].isInfinite {
                found.append("variable \(variableNames[i]): objective is \(objective[i])")
            }
            if lower[i].isNaN || upper[i].isNaN || lower[i] > upper[i] {
                found.append("variable \(variableNames[i]): bounds [\(lower[i]), \(upper[i])]")
            }
        }
        for r in 0..<constraintCount {
            if rowLower[r].isNaN || rowUpper[r].isNaN || rowLower[r] > rowUpper[r] {
                found.append("constraint \(constraintNames[r]): bounds [\(rowLower[r]), \(rowUpper[r])]")
            }
            for k in rowStarts[r]..<rowStarts[r + 1] where !coefficients[k].isFinite {
                found.append("constraint \(constraintNames[r]): coefficient \(coefficients[k])")
            }
            if found.count > 20 { break }
        }
        return found
    }

    /// The value of the objective at `values`.
    public func objectiveValue(at values: [Double]) -> Double {
        zip(objective, values).reduce(objectiveOffset) { $0 + $1.0 * $1.1 }
    }

    /// Each row's activity `Σ a·x` at `values`.
    public func rowActivity(at values: [Double]) -> [Double] {
        (0..<constraintCount).map { r in
            (rowStarts[r]..<rowStarts[r + 1]).reduce(0.0) { $0 + coefficients[$1] * values[Int(columns[$1])] }
        }
    }

    /// Column-major copy of the matrix, as COIN-OR's `loadProblem` takes it.
    func columnMajor() -> (starts: [Int], rows: [Int32], values: [Double]) {
        var counts = [Int](repeating: 0, count: variableCount + 1)
        for c in columns { counts[Int(c) + 1] += 1 }
        for i in 0..<variableCount { counts[i + 1] += counts[i] }
        var next = counts
        var rows = [Int32](repeating: 0, count: nonzeroCount)
        var values = [Double](repeating: 0, count: nonzeroCount)
        for r in 0..<constraintCount {
            for k in rowStarts[r]..<rowStarts[r + 1] {
                let c = Int(columns[k])
                rows[next[c]] = Int32(r)
                values[next[c]] = coefficients[k]
                next[c] += 1
            }
        }
        return (counts, rows, values)
    }
}

/// A handle to a variable of one `LinearProgram`.
public struct Variable: Hashable, Sendable {
    /// Its column index.
    public let index: Int
    /// A handle by index.
    public init(index: Int) { self.index = index }
}

/// A handle to a constraint of one `LinearProgram`.
public struct Constraint: Hashable, Sendable {
    /// Its row index.
    public let index: Int
    /// A handle by index.
    public init(index: Int) { self.index = index }
}
