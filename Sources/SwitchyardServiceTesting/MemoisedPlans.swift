import Foundation
import Planner
import Solver
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardStore
import SwitchyardTesting
import SwitchyardWorker
import Synchronization

/// The planner, remembering its answers for the life of the test process: the service's tests
/// plan the same example scenario (and re-plan it after the same incidents) many times, and each
/// solve would queue on the process-wide Cbc lock. A request is the same when its scenario,
/// options, base plan and incident are; the answer is the planner's own, computed once.
public enum MemoisedPlans {
    private static let answers = Mutex<[String: Plan]>([:])

    /// Held while a request is solved, so tests asking at once wait for the first answer
    /// instead of each solving it (they start together; the example takes seconds to plan).
    private static let solving = Mutex<Void>(())

    /// A `PlanExecutor` that solves each distinct request once.
    /// Progress is told only while a request is solved the first time.
    public static let executor: PlanExecutor = { request, progress in
        let key = Self.key(request)
        if let known = answers.withLock({ $0[key] }) { return known }
        return try solving.withLock { _ in
            if let known = answers.withLock({ $0[key] }) { return known }
            let plan = try plannerExecutor(request, progress)
            answers.withLock { $0[key] = plan }
            return plan
        }
    }

    /// The example scenario's plan at the default options.
    public static func example() throws -> Plan {
        try executor(.plan(try Fixtures.frontierLab(), SolveOptions(timeLimitSeconds: 60, relativeGap: 0.01))) { _ in }
    }

    /// The same, waited for on a thread of its own: an async test that needs the example's plan
    /// holds none of the async runtime's threads while another test solves it.
    public static func awaitExample() async throws -> Plan {
        try await onOwnThread { try example() }
    }

    /// A job runner over `store` that plans through the memo (risk analyses split into parts of
    /// `riskFuturesPerPart` futures).
    public static func runner(_ store: Store, riskFuturesPerPart: Int = 8) -> JobRunner {
        JobRunner(store: store, executor: executor, riskFuturesPerPart: riskFuturesPerPart)
    }

    private static func key(_ request: PlanRequest) -> String {
        switch request {
        case .plan(let scenario, let options):
            return "plan|\(fingerprint(of: scenario))|\(options.timeLimitSeconds ?? 0)|\(options.relativeGap)"
        case .replan(let scenario, let base, let incident, let options):
            return
                "replan|\(fingerprint(of: scenario))|\(options.timeLimitSeconds ?? 0)|\(options.relativeGap)|"
                + "\(PlanFile.encode(base, compact: true).hashValue)|\(incident)"
        }
    }
}
