import Solver
import SwitchyardModel
import Synchronization

/// The solve's progress as it goes: each plan and each bound found, with the seconds since the
/// plan began, per model (a round of N-1 loss cases is another model, whose costs an earlier
/// round's do not compare with). The plan's JSON carries the final model's, best so far
/// (`SolverReport.progress`).
final class SolveCurve: Sendable {
    struct Point {
        let model: ModelKey
        let seconds: Double
        let step: SolverStep
        let objective: Double?
        let bound: Double?
    }
    /// Which model a point belongs to: models differ in their loss cases, so in size.
    struct ModelKey: Equatable {
        let variables: Int
        let constraints: Int
        init(_ model: SourcingModel) {
            variables = model.lp.variableCount
            constraints = model.lp.constraintCount
        }
    }

    let started: ContinuousClock.Instant
    private let points = Mutex<[Point]>([])
    /// Told the curve of the model a point was found on, each time a point moves it.
    let observer: (@Sendable (SolveProgress) -> Void)?

    init(started: ContinuousClock.Instant = .now, observer: (@Sendable (SolveProgress) -> Void)? = nil) {
        self.started = started
        self.observer = observer
    }

    /// A plan (`objective`) or a bound found by `step` on `model`, now.
    func record(_ step: SolverStep, _ model: SourcingModel, objective: Double? = nil, bound: Double? = nil) {
        guard objective != nil || bound != nil else { return }
        let point = Point(
            model: ModelKey(model), seconds: (ContinuousClock.now - started).seconds, step: step,
            objective: objective, bound: bound)
        points.withLock { $0.append(point) }
        guard let observer else { return }
        // The model's curve as the plan will record it, if it is the last model.
        let curve = progress(of: model, offset: model.unavoidableOutside)
        if curve.last?.seconds == point.seconds {
            observer(SolveProgress(points: curve, unavoidablePenaltyUSD: model.unavoidablePenalty))
        }
    }

    /// `model`'s points as the best plan and the best bound so far, one wherever either moved;
    /// both raised by `offset` (the penalty the loss cases outside the model cannot avoid, which
    /// the plan's cost counts and the model's objective does not), so that they compare with
    /// the plan's cost and the report's bound.
    func progress(of model: SourcingModel, offset: Double = 0) -> [SolverProgressPoint] {
        let key = ModelKey(model)
        var result: [SolverProgressPoint] = []
        var best: Double?
        var bound: Double?
        for point in points.withLock({ $0 }) where point.model == key {
            var moved = false
            if let objective = point.objective.map({ $0 + offset }),
                objective < (best ?? .infinity) - 1e-6 * max(1, abs(objective))
            {
                best = objective
                moved = true
            }
            if let b = point.bound.map({ $0 + offset }), b > (bound ?? -.infinity) + 1e-6 * max(1, abs(b)) {
                bound = b
                moved = true
            }
            if moved {
                result.append(
                    SolverProgressPoint(seconds: point.seconds, step: point.step, objectiveUSD: best, boundUSD: bound))
            }
        }
        return result
    }
}

extension Planner {
    /// Records a plan or bound on the solve's curve, when there is one.
    func record(_ step: SolverStep, _ model: SourcingModel, objective: Double? = nil, bound: Double? = nil) {
        curve?.record(step, model, objective: objective, bound: bound)
    }
}
