import Testing

@testable import Solver

@Suite struct LinearProgramTests {
    @Test func mergesDuplicateTermsAndDropsZeros() {
        var lp = LinearProgram()
        let x = lp.addVariable("x")
        let y = lp.addVariable("y")
        let row = lp.addConstraint("r", [(x, 1), (y, 0), (x, 2)], upper: 3)
        let terms = lp.terms(of: row)
        #expect(terms.count == 1)
        #expect(terms[0].0 == x && terms[0].1 == 3)
    }

    @Test func columnMajorMatchesRows() {
        var lp = LinearProgram()
        let x = lp.addVariable("x")
        let y = lp.addVariable("y")
        lp.addConstraint("a", [(x, 1), (y, 2)], upper: 4)
        lp.addConstraint("b", [(y, 3)], upper: 6)
        let (starts, rows, values) = lp.columnMajor()
        #expect(starts == [0, 1, 3])
        #expect(rows == [0, 0, 1])
        #expect(values == [1, 2, 3])
    }

    @Test func rejectsNaN() {
        var lp = LinearProgram()
        let x = lp.addVariable("x", objective: .nan)
        lp.addConstraint("r", [(x, 1)], lower: 2, upper: 1)
        #expect(throws: SolverError.self) { try ClpSolver().solve(lp) }
        #expect(throws: SolverError.self) { try CbcSolver().solve(lp) }
    }
}

@Suite struct ClpTests {
    /// max 3x + 2y s.t. x + y ≤ 4, x + 3y ≤ 9, x ≤ 3 → x=3, y=1, objective 11 (row b has slack 3).
    @Test func knownOptimumWithDuals() throws {
        var lp = LinearProgram(sense: .maximize)
        let x = lp.addVariable("x", upper: 3, objective: 3)
        let y = lp.addVariable("y", objective: 2)
        let a = lp.addConstraint("a", [(x, 1), (y, 1)], upper: 4)
        let b = lp.addConstraint("b", [(x, 1), (y, 3)], upper: 9)
        let s = try ClpSolver().solve(lp)
        #expect(s.status == .optimal)
        #expect(abs(s.objective! - 11) < 1e-9)
        #expect(abs(s[x] - 3) < 1e-9 && abs(s[y] - 1) < 1e-9)
        // One more unit of row a is worth 2 (y grows); row b has slack, so 0.
        #expect(abs(s.dual(a)! - 2) < 1e-9)
        #expect(abs(s.dual(b)!) < 1e-9)
        // x sits at its bound of 3 with reduced cost 3 - 2 = 1.
        #expect(abs(s.reducedCosts![x.index] - 1) < 1e-9)
    }

    /// min x s.t. x ≥ 3: the dual says one more unit of the right-hand side costs 1.
    @Test func dualSignForMinimisation() throws {
        var lp = LinearProgram()
        let x = lp.addVariable("x", objective: 1)
        let r = lp.addConstraint("r", [(x, 1)], lower: 3)
        let s = try ClpSolver().solve(lp)
        #expect(s.status == .optimal)
        #expect(abs(s.dual(r)! - 1) < 1e-9)
    }

    @Test func infeasible() throws {
        var lp = LinearProgram()
        let x = lp.addVariable("x", upper: 1)
        lp.addConstraint("r", [(x, 1)], lower: 2)
        #expect(try ClpSolver().solve(lp).status == .infeasible)
    }

    @Test func unbounded() throws {
        var lp = LinearProgram(sense: .maximize)
        let x = lp.addVariable("x", objective: 1)
        let y = lp.addVariable("y")
        lp.addConstraint("r", [(x, 1), (y, -1)], upper: 1)
        #expect(try ClpSolver().solve(lp).status == .unbounded)
    }

    @Test func emptyProgram() throws {
        let s = try ClpSolver().solve(LinearProgram())
        #expect(s.status == .optimal)
        #expect(s.objective == 0)
    }
}

@Suite struct CbcTests {
    /// max 5a + 4b + 3c s.t. 2a + 3b + c ≤ 5, 4a + b + 2c ≤ 11, 3a + 4b + 2c ≤ 8, binary → a=1,b=0,c=1? check: 13.
    @Test func knapsackKnownOptimum() throws {
        var lp = LinearProgram(sense: .maximize)
        let a = lp.addVariable("a", upper: 1, objective: 5, integer: true)
        let b = lp.addVariable("b", upper: 1, objective: 4, integer: true)
        let c = lp.addVariable("c", upper: 1, objective: 3, integer: true)
        lp.addConstraint("r1", [(a, 2), (b, 3), (c, 1)], upper: 5)
        lp.addConstraint("r2", [(a, 4), (b, 1), (c, 2)], upper: 11)
        lp.addConstraint("r3", [(a, 3), (b, 4), (c, 2)], upper: 8)
        let s = try CbcSolver().solve(lp)
        #expect(s.status == .optimal)
        // LP optimum is fractional; the integer optimum is a + c = 8 (a + b violates r3: 7 ≤ 8 ok, r1: 5 ≤ 5 ok → 9).
        #expect(s.objective == 9)
        #expect(s[a] == 1 && s[b] == 1 && s[c] == 0)
        #expect(s.relativeGap! < 1e-6)
    }

    @Test func integerInfeasibleButLPFeasible() throws {
        var lp = LinearProgram()
        let x = lp.addVariable("x", upper: 10, objective: 1, integer: true)
        lp.addConstraint("r", [(x, 2)], lower: 3, upper: 3)
        #expect(try CbcSolver().solve(lp).status == .infeasible)
    }

    @Test func unbounded() throws {
        var lp = LinearProgram(sense: .maximize)
        let x = lp.addVariable("x", objective: 1, integer: true)
        lp.addConstraint("r", [(x, 1)], lower: 0)
        let status = try CbcSolver().solve(lp).status
        #expect(status == .unbounded)
    }

    @Test func nodeLimitGivesAFeasibleAnswerOrSaysSo() throws {
        let lp = RandomIntegerProgram.make(seed: 99, variables: 30, constraints: 20, maxUpper: 5)
        let s = try CbcSolver().solve(lp, options: SolveOptions(nodeLimit: 1))
        #expect([.optimal, .feasible, .limitReached].contains(s.status))
        if s.status == .feasible { #expect(s.objective! >= s.bestBound! - 1e-6) }
    }

    @Test func concurrentSolvesAreSerialisedAndCorrect() async throws {
        let results = try await withThrowingTaskGroup(of: (UInt64, Double?).self) { group in
            for seed in UInt64(1)...8 {
                group.addTask {
                    let lp = RandomIntegerProgram.make(seed: seed, variables: 6, constraints: 4, maxUpper: 3)
                    return (seed, try CbcSolver().solve(lp).objective)
                }
            }
            var all: [UInt64: Double?] = [:]
            for try await (seed, objective) in group { all[seed] = objective }
            return all
        }
        for (seed, objective) in results {
            let lp = RandomIntegerProgram.make(seed: seed, variables: 6, constraints: 4, maxUpper: 3)
            #expect(objective == RandomIntegerProgram.bruteForce(lp), "seed \(seed)")
        }
    }

    /// Property: on random small integer programs Cbc's optimum equals exhaustive enumeration.
    @Test(arguments: 0..<60)
    func matchesBruteForce(seed: Int) throws {
        let lp = RandomIntegerProgram.make(
            seed: UInt64(seed), variables: 2 + seed % 4, constraints: 1 + seed % 4, maxUpper: 3 + seed % 2)
        let expected = RandomIntegerProgram.bruteForce(lp)
        let s = try CbcSolver().solve(lp)
        if let expected {
            #expect(s.status == .optimal, "seed \(seed)")
            #expect(
                abs((s.objective ?? .nan) - expected) < 1e-6,
                "seed \(seed): cbc \(String(describing: s.objective)) vs \(expected)")
            let activity = lp.rowActivity(at: s.values)
            for r in 0..<lp.constraintCount {
                #expect(activity[r] <= lp.rowUpper[r] + 1e-6 && activity[r] >= lp.rowLower[r] - 1e-6)
            }
        } else {
            #expect(s.status == .infeasible, "seed \(seed)")
        }
    }
}

/// Random bounded integer programs small enough to enumerate.
enum RandomIntegerProgram {
    /// SplitMix64: the same programs on every run.
    struct Rng: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ low: Int, _ high: Int) -> Int { low + Int(next() % UInt64(high - low + 1)) }
    }

    static func make(seed: UInt64, variables: Int, constraints: Int, maxUpper: Int) -> LinearProgram {
        var rng = Rng(state: seed &* 7919 &+ 17)
        var lp = LinearProgram(sense: rng.int(0, 1) == 0 ? .minimize : .maximize)
        let vars = (0..<variables).map { i in
            lp.addVariable(
                "x\(i)", upper: Double(rng.int(1, maxUpper)), objective: Double(rng.int(-6, 6)), integer: true)
        }
        for r in 0..<constraints {
            let terms = vars.map { ($0, Double(rng.int(-4, 5))) }
            let kind = rng.int(0, 2)
            let rhs = Double(rng.int(-2, 12))
            switch kind {
            case 0: lp.addConstraint("c\(r)", terms, upper: rhs)
            case 1: lp.addConstraint("c\(r)", terms, lower: rhs - 6)
            default: lp.addConstraint("c\(r)", terms, lower: rhs - 4, upper: rhs)
            }
        }
        return lp
    }

    /// The best objective over every integer point, or nil when none is feasible.
    static func bruteForce(_ lp: LinearProgram) -> Double? {
        var best: Double?
        var point = [Double](repeating: 0, count: lp.variableCount)
        func visit(_ i: Int) {
            if i == lp.variableCount {
                let activity = lp.rowActivity(at: point)
                for r in 0..<lp.constraintCount
                where activity[r] > lp.rowUpper[r] + 1e-9 || activity[r] < lp.rowLower[r] - 1e-9 {
                    return
                }
                let value = lp.objectiveValue(at: point)
                if let b = best {
                    best = lp.sense == .minimize ? min(b, value) : max(b, value)
                } else {
                    best = value
                }
                return
            }
            var v = lp.lower[i]
            while v <= lp.upper[i] {
                point[i] = v
                visit(i + 1)
                v += 1
            }
        }
        visit(0)
        return best
    }
}

@Suite struct DualSignTests {
    /// min -x s.t. x ≤ 3: one more unit of the bound lowers the objective by 1, so the dual is -1.
    @Test func upperRowInMinimisation() throws {
        var lp = LinearProgram()
        let x = lp.addVariable("x", objective: -1)
        let r = lp.addConstraint("r", [(x, 1)], upper: 3)
        let s = try ClpSolver().solve(lp)
        #expect(abs(s.dual(r)! + 1) < 1e-9)
    }
}

@Suite struct WarmStartTests {
    /// Re-solving after a bound change from the previous basis reaches the same optimum as a cold
    /// solve, in fewer iterations.
    @Test func warmStartAfterABoundChange() throws {
        var lp = LinearProgram()
        var vars: [Variable] = []
        for i in 0..<40 { vars.append(lp.addVariable("x\(i)", upper: 10, objective: Double(i % 7) - 3)) }
        for r in 0..<30 {
            lp.addConstraint(
                "r\(r)", vars.enumerated().map { ($1, Double((r * 7 + $0 * 3) % 5) - 1) }, upper: Double(10 + r))
        }
        let first = try ClpSolver().solve(lp)
        #expect(first.status == .optimal && first.basis != nil)
        lp.setBounds(vars[3], lower: 2, upper: 2)
        let cold = try ClpSolver().solve(lp)
        var options = SolveOptions()
        options.warmStart = first.basis
        let warm = try ClpSolver().solve(lp, options: options)
        #expect(warm.status == .optimal)
        #expect(abs(warm.objective! - cold.objective!) < 1e-7)
        #expect(warm.iterations <= cold.iterations)
    }
}
