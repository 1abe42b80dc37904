import Foundation
import Planner
import Simulator
import SwitchyardCatalog
import SwitchyardModel

/// What one sampled future does to a plan: the product reacts as it would (a re-plan at each
/// incident's month, knowing the incidents struck so far, with signed leases sunk and held
/// backups exercisable), then the last plan is simulated through the outages.
public struct SampleOutcome: Sendable, Equatable {
    /// The incidents drawn, in the order they strike.
    public var incidents: [SampledIncident]
    /// Each training run: on time in the simulation.
    public var onTime: [WorkloadID: Bool]
    /// Each run that finished late inside the horizon: days late.
    public var lateDays: [WorkloadID: Double]
    /// Each service: the share of its capacity short in its worst month.
    public var serviceShort: [WorkloadID: Double]
    /// What the plan and its reactions cost: the last plan's spend plus the committed leases a
    /// slip pushed past the horizon (still owed).
    public var costUSD: Double
    /// Incidents whose re-plan found no plan: the plan as it stood met them unchanged.
    public var unanswered = 0
}

/// Monte Carlo over a scenario's risk model: samples' incidents (`RiskSampler`), the product's
/// reaction to them and the simulation of the result (`SampleOutcome`). Samples with the same
/// incidents share one evaluation (most draw none).
public struct RiskAnalysis: Sendable {
    public let scenario: Scenario
    public let plan: Plan
    public let sampler: RiskSampler
    public let planner: Planner

    /// An analysis of `plan` for `scenario` under its risk model (the defaults where it has none).
    public init(scenario: Scenario, plan: Plan, seed: UInt64, planner: Planner) {
        self.scenario = scenario
        self.plan = plan
        self.sampler = RiskSampler(scenario: scenario, model: scenario.risk ?? RiskModel(), seed: seed)
        self.planner = planner
    }

    /// Evaluates samples 0..<count; `progress` is told after each.
    public func run(samples count: Int, progress: (Int) -> Void = { _ in }) throws -> [SampleOutcome] {
        var memo: [String: SampleOutcome] = [:]
        var outcomes: [SampleOutcome] = []
        for i in 0..<count {
            let drawn = sampler.incidents(sample: i)
            let key = Self.key(of: drawn)
            if var known = memo[key] {
                known.incidents = drawn
                outcomes.append(known)
            } else {
                let outcome: SampleOutcome
                do { outcome = try evaluate(drawn) } catch {
                    throw RiskSampleError(sample: i, incidents: drawn.map(\.incident), underlying: error)
                }
                memo[key] = outcome
                outcomes.append(outcome)
            }
            progress(i + 1)
        }
        return outcomes
    }

    /// What makes two samples the same future: their incidents, whatever drew them.
    public static func key(of drawn: [SampledIncident]) -> String {
        drawn.map {
            let i = $0.incident
            return "\(i.provider)|\(i.kind.rawValue)|\(i.from)|\(i.months ?? -1)|\(i.deliveredFraction)"
        }.joined(separator: ";")
    }

    /// One future: re-plans at each incident, in order, then the simulation of the last plan.
    public func evaluate(_ drawn: [SampledIncident]) throws -> SampleOutcome {
        var current = plan
        var stranded = 0.0
        var struck: [Incident] = []
        var unanswered = 0
        for sampled in drawn {
            defer { struck.append(sampled.incident) }
            // A re-plan that finds no plan (a re-plan of a re-plan can be infeasible: issue 30's
            // note) leaves the plan as it stood: the sample meets the incident unchanged, and says so.
            let replan: Replan
            do {
                replan = try planner.replan(scenario, plan: current, incident: sampled.incident, earlier: struck)
            } catch PlannerError.solver {
                unanswered += 1
                continue
            }
            current = replan.after
            stranded += NSDecimalNumber(decimal: replan.strandedCost).doubleValue
        }
        let monthSeconds = scenario.hoursPerMonth * 3600
        let outages = struck.filter { $0.kind == .outage }.compactMap { incident -> SupplyIncident? in
            guard let from = scenario.horizon.period(of: incident.from) else { return nil }
            return SupplyIncident(
                provider: incident.provider, startSeconds: Double(from) * monthSeconds,
                durationSeconds: incident.months.map { Double($0) * monthSeconds },
                remainingFraction: incident.deliveredFraction)
        }
        let fleet = PlanFleet(scenario: scenario, plan: current)
        var simulator = fleet.simulator(policy: .fifo)
        simulator.roundSeconds = 5 * 3600
        simulator.incidents = outages
        let metrics = try simulator.run(fleet.jobs)
        let results = fleet.outcomes(metrics, scenario: scenario, incidents: outages)
        var outcome = SampleOutcome(
            incidents: drawn, onTime: [:], lateDays: [:], serviceShort: [:],
            costUSD: NSDecimalNumber(decimal: current.cost.total).doubleValue + stranded, unanswered: unanswered)
        for result in results {
            switch result.kind {
            case .training:
                outcome.onTime[result.workload] = result.onTime ?? false
                if let late = result.lateSeconds { outcome.lateDays[result.workload] = late / 86_400 }
            case .service:
                outcome.serviceShort[result.workload] = max(0, 1 - (result.capacityHeld ?? 1))
            case .batch:
                continue
            }
        }
        return outcome
    }
}

/// A sample whose reaction or simulation failed: which one, what it drew, and why.
public struct RiskSampleError: Error, CustomStringConvertible {
    public let sample: Int
    public let incidents: [Incident]
    public let underlying: Error

    public var description: String {
        let drawn = incidents.map {
            "\($0.provider) \($0.kind.rawValue) from \($0.from) for \($0.months ?? 0) month(s)"
        }
        var why = "\(underlying)"
        if case .solver(let message) = underlying as? PlannerError { why = message }
        return "sample \(sample) (\(drawn.joined(separator: "; "))): \(why)"
    }
}
