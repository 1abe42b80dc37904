import Foundation
import Scheduler
import SwitchyardCatalog
import SwitchyardModel

/// A scenario's demand as the simulator's jobs.
public enum PlanJobs {
    /// The scenario's training workloads as jobs: each arrives when its window opens, has its
    /// window's end as deadline, does its work in reference accelerator-hours, and runs at
    /// gang × speed reference-hours per hour on each model its stacks run on.
    public static func training(_ scenario: Scenario, pools: [Pool]) -> [SimulatedJob] {
        guard let speed = SpeedModel(scenario: scenario) else { return [] }
        let monthSeconds = scenario.hoursPerMonth * 3600
        return scenario.workloads.compactMap { w -> SimulatedJob? in
            guard case .training(let work) = w.demand else { return nil }
            let arrival = Double(max(0, scenario.horizon.start.months(to: w.window.start))) * monthSeconds
            let end = Double(scenario.horizon.start.months(to: w.window.end) + 1) * monthSeconds
            return SimulatedJob(
                id: w.id.rawValue, arrivalSeconds: arrival, work: work, gang: w.gang,
                throughput: pools.map { speed.speed(of: w, on: $0.model) * Double(w.gang) / 3600 },
                deadlineSeconds: max(1, end - arrival))
        }.sorted { $0.arrivalSeconds < $1.arrivalSeconds }
    }
}
