import Foundation
import Logging
import Planner
import Risk
import ServiceLifecycle
import Solver
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardStore
import Synchronization

/// What a job asks the planner: a plan of a scenario, or a re-plan of a plan after an incident.
public enum PlanRequest: Sendable {
    /// Plan `scenario` from scratch.
    case plan(Scenario, SolveOptions)
    /// Re-plan `base` (a plan of `scenario`) after `incident`.
    case replan(Scenario, base: Plan, incident: Incident, SolveOptions)
}

/// Turns a request into a plan, telling `progress` the best plan and bound as they move;
/// blocking (it runs the solver). The shipped one is the planner's; tests may hand in one that
/// remembers answers.
public typealias PlanExecutor =
    @Sendable (PlanRequest, _ progress: @escaping @Sendable (SolveProgress) -> Void) throws -> Plan

/// The planner as a `PlanExecutor`.
public let plannerExecutor: PlanExecutor = { request, progress in
    func planner(_ options: SolveOptions) -> Planner {
        var planner = Planner(options: options)
        planner.onProgress = progress
        return planner
    }
    switch request {
    case .plan(let scenario, let options): return try planner(options).plan(scenario)
    case .replan(let scenario, let base, let incident, let options):
        return try planner(options).replan(scenario, plan: base, incident: incident).after
    }
}

/// `executor`, each job first holding its thread for `seconds` without using the CPU: a job
/// that takes long however fast its solve. For tests of servers as processes (restarts and
/// kills during a job), where a real long solve would only cost the test machine's cores;
/// `switchyard serve --test-job-hold-seconds` (not in its help) composes it.
public func holding(_ seconds: Double, then executor: @escaping PlanExecutor) -> PlanExecutor {
    { request, progress in
        Thread.sleep(forTimeInterval: seconds)
        return try executor(request, progress)
    }
}

/// Runs plan and re-plan jobs from the store's queue. Any number of runners, in one process or
/// many sharing a PostgreSQL database, can work the same queue: each job is claimed by one of
/// them at a time and its plan is written once.
public final class JobRunner: Service, Sendable {
    /// How a finished job went, for metrics.
    public struct Outcome: Sendable {
        /// The job's kind (plan or re-plan), a metrics label.
        public var kind: JobKind
        /// Whether it produced a plan.
        public var succeeded: Bool
        /// Wall time from claim to finish.
        public var seconds: Double
        /// Time in the solver.
        public var solverSeconds: Double
    }

    let store: Store
    /// This runner's name in `jobs.claimed_by`.
    public let worker: String
    /// How long a claim lasts without renewal; a runner that dies loses its job after this.
    public let leaseSeconds: Double
    /// Once its service is asked to stop, how long a job already solving may take to finish and
    /// be written; past it the job goes back to the queue, its attempt not spent.
    public let shutdownGraceSeconds: Double
    let logger: Logger
    let onFinish: @Sendable (Outcome) -> Void
    let executor: PlanExecutor
    /// The most distinct futures a risk analysis evaluates in one job: one with more is split
    /// into parts of this many, which any runner on the queue may take.
    public let riskFuturesPerPart: Int
    /// How often a solving job's progress (best plan and bound so far) is written to its record,
    /// when it has moved.
    public let progressSeconds: Double

    public init(
        store: Store, executor: @escaping PlanExecutor = plannerExecutor,
        riskFuturesPerPart: Int = 8, progressSeconds: Double = 1,
        worker: String = "worker-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))",
        leaseSeconds: Double = 30, shutdownGraceSeconds: Double = 10, logger: Logger = Logger(label: "switchyard.jobs"),
        onFinish: @escaping @Sendable (Outcome) -> Void = { _ in }
    ) {
        self.executor = executor
        self.riskFuturesPerPart = max(1, riskFuturesPerPart)
        self.progressSeconds = progressSeconds
        self.store = store
        self.worker = worker
        self.leaseSeconds = leaseSeconds
        self.shutdownGraceSeconds = shutdownGraceSeconds
        self.logger = logger
        self.onFinish = onFinish
    }

    /// Works the queue as a service until its service group shuts down gracefully (or the task
    /// is cancelled): then it claims nothing more; a job already solving gets the grace period to
    /// finish and be written, else it goes back to the queue for another server.
    public func run() async throws {
        await work(stopping: { Task.isShuttingDownGracefully })
    }

    /// Works the queue until cancelled or until `stopping` says so, checking every `pollSeconds`
    /// when it is empty.
    public func work(pollSeconds: Double = 0.5, stopping: @Sendable () -> Bool = { false }) async {
        while !Task.isCancelled, !stopping() {
            do {
                if try await runOnce() { continue }
            } catch is CancellationError {
                return
            } catch {
                logger.error("job queue: \(String(describing: error))")
            }
            try? await Task.sleep(for: .seconds(pollSeconds))
        }
    }

    /// Claims and runs one job; false when the queue had none.
    @discardableResult
    public func runOnce() async throws -> Bool {
        guard let job = try await store.claimJob(worker: worker, leaseSeconds: leaseSeconds) else { return false }
        let started = ContinuousClock.now
        logger.info("job \(job.id) (\(job.kind.rawValue)) claimed by \(worker), attempt \(job.attempts)")
        let renewal = Task { [store, worker, leaseSeconds] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(leaseSeconds / 3))
                if Task.isCancelled { return }
                guard (try? await store.renewClaim(job: job.id, worker: worker, leaseSeconds: leaseSeconds)) != false
                else { return }
            }
        }
        defer { renewal.cancel() }
        let seconds = { (ContinuousClock.now - started) / .seconds(1) }
        do {
            switch job.kind {
            case .plan, .replan: try await runPlan(job, seconds: seconds)
            case .risk: try await runRisk(job, seconds: seconds)
            case .riskPart: try await runRiskPart(job, seconds: seconds)
            }
        } catch let error as PlannerError {
            try await fail(job, error.description, seconds: seconds())
        } catch let error as InputError {
            try await fail(job, error.description, seconds: seconds())
        } catch let error as RiskSampleError {
            try await fail(job, error.description, seconds: seconds())
        }
        return true
    }

    /// Plans or re-plans, writing its progress as it goes, and writes the plan.
    func runPlan(_ job: JobRecord, seconds: () -> Double) async throws {
        let progress = LatestProgress()
        let writer = Task { [store, worker, progressSeconds] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(progressSeconds))
                guard let latest = progress.unwritten() else { continue }
                guard (try? await store.reportProgress(job: job.id, worker: worker, progress: latest)) != false
                else { return }
            }
        }
        defer { writer.cancel() }
        guard let plan = try await resultOrHandBack(job, { try await self.execute(job, progress: progress.offer) })
        else { return }
        // Stopped between writes (a write under way ends first), so the last write is the last progress.
        writer.cancel()
        await writer.value
        // The last progress, so the record's curve ends where the plan's does; a write that
        // fails costs only the curve, never the plan.
        if let latest = progress.unwritten() {
            _ = try? await store.reportProgress(job: job.id, worker: worker, progress: latest)
        }
        let planID = try await store.completeJob(job, worker: worker, plan: plan)
        finished(job, planID.map { ("plan", $0) }, seconds: seconds())
        onFinish(Outcome(kind: job.kind, succeeded: true, seconds: seconds(), solverSeconds: plan.solver.solveSeconds))
    }

    /// Logs a finished job: what it wrote (`plan` or `risk`, and its id; the same key in the
    /// log's metadata), or that its claim was lost and its result dropped.
    func finished(_ job: JobRecord, _ wrote: (kind: String, id: String)?, seconds: Double) {
        if let wrote {
            logger.info(
                "job \(job.id) succeeded: \(wrote.kind) \(wrote.id)",
                metadata: [
                    "job": "\(job.id)", "kind": "\(job.kind.rawValue)", "outcome": "succeeded",
                    wrote.kind: "\(wrote.id)",
                    "seconds": .stringConvertible(seconds),
                ])
        } else {
            logger.warning(
                "job \(job.id): claim lost before finishing; its result is dropped",
                metadata: ["job": "\(job.id)", "kind": "\(job.kind.rawValue)", "outcome": "claim-lost"])
        }
    }

    /// Fails a job the planner refused, with its reason.
    func fail(_ job: JobRecord, _ reason: String, seconds: Double) async throws {
        try await store.failJob(job, worker: worker, error: reason)
        logger.info(
            "job \(job.id) failed: \(reason)",
            metadata: ["job": "\(job.id)", "kind": "\(job.kind.rawValue)", "outcome": "failed"])
        onFinish(Outcome(kind: job.kind, succeeded: false, seconds: seconds, solverSeconds: 0))
    }

    /// The job's result; nil when the service was asked to stop and the work did not finish
    /// within the grace period after that (its thread is left to the process's exit): then the
    /// job goes back to the queue, its attempt not spent.
    func resultOrHandBack<T: Sendable>(_ job: JobRecord, _ work: @escaping @Sendable () async throws -> T)
        async throws -> T?
    {
        let grace = shutdownGraceSeconds
        let race = FirstResult<T?>()
        Task {
            do { race.finish(.success(try await work())) } catch { race.finish(.failure(error)) }
        }
        // An unstructured task inherits the service's graceful-shutdown context.
        let stopping = Task {
            do { try await gracefulShutdown() } catch { return }  // cancelled: the work finished
            try? await Task.sleep(for: .seconds(grace))
            race.finish(.success(nil))
        }
        defer { stopping.cancel() }
        guard let result = try await race.value() else {
            let released = try await store.releaseJob(job, worker: worker)
            let outcome = released ? "queued again (attempt not spent)" : "claim already lost"
            logger.info(
                "job \(job.id): stopping; the solve outran the \(grace) s grace: \(outcome)",
                metadata: ["job": "\(job.id)", "kind": "\(job.kind.rawValue)", "outcome": "released"])
            return nil
        }
        return result
    }

    /// Plans the job's snapshot (or re-plans its base plan under its incident) on a thread of its
    /// own, so the solver never blocks the server's event loops or the async runtime.
    func execute(_ job: JobRecord, progress: @escaping @Sendable (SolveProgress) -> Void) async throws -> Plan {
        var (_, scenario) = try await store.snapshot(version: job.payload.scenarioVersion)
        // A what-if (or a re-plan of one) is made on the snapshot the job was queued with, and
        // its plan names the changes.
        let whatIf = job.payload.whatIf.map { (changes: $0, sentences: $0.sentences(for: scenario)) }
        if let whatIf { scenario = try whatIf.changes.applied(to: scenario) }
        let options = SolveOptions(
            timeLimitSeconds: job.payload.timeLimitSeconds, relativeGap: job.payload.relativeGap)
        let request: PlanRequest
        if let baseID = job.payload.basePlan, let incidentID = job.payload.incident {
            let base = try PlanFile.decode(Data(try await store.plan(baseID).body.utf8))
            let record = try await store.incident(incidentID)
            let incident = try Incident.decode(
                try DocumentParser.parse(record.body, format: .json), scenario: scenario)
            request = .replan(scenario, base: base, incident: incident, options)
        } else {
            request = .plan(scenario, options)
        }
        let executor = self.executor
        var plan = try await onOwnThread { try executor(request, progress) }
        plan.whatIf = whatIf?.sentences
        return plan
    }
}

/// A solve's latest progress, offered from the solver's threads and taken by the writer when
/// it has moved since it was last taken.
final class LatestProgress: Sendable {
    private let state = Mutex<(progress: SolveProgress?, taken: Bool)>((nil, true))

    /// Offers progress; one older than what is held (threads may report out of order) is dropped.
    func offer(_ progress: SolveProgress) {
        state.withLock { state in
            if let held = state.progress?.latest?.seconds, (progress.latest?.seconds ?? -.infinity) < held { return }
            state = (progress, false)
        }
    }

    /// The latest progress, if it has moved since it was last taken.
    func unwritten() -> SolveProgress? {
        state.withLock { state in
            guard !state.taken, let progress = state.progress else { return nil }
            state.taken = true
            return progress
        }
    }
}

/// Runs blocking work on a new thread and awaits it.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 16 << 20
        thread.start()
    }
}

/// The first of several racing results; later ones are dropped.
final class FirstResult<T: Sendable>: Sendable {
    private let state = Mutex<(result: Result<T, any Error>?, waiter: CheckedContinuation<T, any Error>?)>((nil, nil))

    /// Offers a result; only the first counts.
    func finish(_ result: Result<T, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<T, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    /// The first result, once there is one.
    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<T, any Error>? in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
