import Foundation
import Planner
import Risk
import Solver
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardStore

/// Risk analyses on the queue. An analysis with few distinct futures is evaluated in its own job.
/// One with more is split: its job queues parts (`riskFuturesPerPart` futures each) and waits;
/// any runner, in any process sharing the record, takes a part, evaluates its futures and keeps
/// their outcomes; the last part to succeed queues the analysis again, and the runner that takes
/// it joins the outcomes into the summary. Every future is evaluated from the seed and its
/// sample's index alone, so the summary does not depend on how the futures were split or who
/// evaluated them.
extension JobRunner {
    /// What a risk job analyses.
    struct RiskInput: Sendable {
        var scenario: Scenario
        var plan: Plan
        var samples: Int
        var seed: UInt64
        var analysis: RiskAnalysis
    }

    func riskInput(_ job: JobRecord) async throws -> RiskInput {
        var (_, scenario) = try await store.snapshot(version: job.payload.scenarioVersion)
        // A what-if's plan is analysed on the scenario it was planned on.
        if let whatIf = job.payload.whatIf { scenario = try whatIf.applied(to: scenario) }
        guard let planID = job.payload.basePlan, let samples = job.payload.samples, let seed = job.payload.seed else {
            throw InputError([Diagnostic(path: "payload", message: "a risk job names its plan, samples and seed")])
        }
        let plan = try PlanFile.decode(Data(try await store.plan(planID).body.utf8))
        let options = SolveOptions(timeLimitSeconds: job.payload.timeLimitSeconds, relativeGap: job.payload.relativeGap)
        let seedBits = UInt64(bitPattern: seed)
        return RiskInput(
            scenario: scenario, plan: plan, samples: samples, seed: seedBits,
            analysis: RiskAnalysis(scenario: scenario, plan: plan, seed: seedBits, planner: Planner(options: options)))
    }

    /// A risk analysis: split into parts when it has more futures than a part takes, else
    /// evaluated here; once its parts are done, joined.
    func runRisk(_ job: JobRecord, seconds: () -> Double) async throws {
        let input = try await riskInput(job)
        let futures = input.analysis.futures(samples: input.samples)
        let parts = try await store.riskParts(of: job.id)
        let outcomes: [SampleOutcome]
        if !parts.isEmpty {
            outcomes = try joined(parts, futures: futures, job: job)
        } else if futures.firstSamples.count > riskFuturesPerPart {
            let queued = try await store.splitRiskJob(
                job, worker: worker, parts: futures.parts(of: riskFuturesPerPart))
            logger.info(
                "job \(job.id): \(futures.firstSamples.count) distinct futures split into \(queued?.count ?? 0) parts",
                metadata: ["job": "\(job.id)", "kind": "\(job.kind.rawValue)", "outcome": "split"])
            if queued == nil { finished(job, nil, seconds: seconds()) }
            return
        } else {
            let analysis = input.analysis
            guard
                let evaluated = try await resultOrHandBack(
                    job, { try await onOwnThread { try analysis.evaluate(samples: futures.firstSamples) } })
            else { return }
            outcomes = futures.outcomes(evaluated)
        }
        let summary = RiskSummary(outcomes: outcomes, plan: input.plan, scenario: input.scenario, seed: input.seed)
        let id = try await store.completeRiskJob(job, worker: worker, summary: try Self.json(summary))
        finished(job, id.map { ("risk", $0) }, seconds: seconds())
        onFinish(Outcome(kind: job.kind, succeeded: true, seconds: seconds(), solverSeconds: seconds()))
    }

    /// A part of a risk analysis: its futures evaluated, their outcomes kept for the join.
    func runRiskPart(_ job: JobRecord, seconds: () -> Double) async throws {
        guard let samples = job.payload.futures, job.parentJob != nil else {
            throw InputError([Diagnostic(path: "payload", message: "a risk part names its analysis and its futures")])
        }
        let analysis = try await riskInput(job).analysis
        guard
            let outcomes = try await resultOrHandBack(
                job, { try await onOwnThread { try analysis.evaluate(samples: samples) } })
        else { return }
        // Not tidied: the join must read back exactly the doubles evaluated.
        let body = String(decoding: try JSONEncoder().encode(outcomes), as: UTF8.self)
        let kept = try await store.completeRiskPart(job, worker: worker, body: body)
        finished(job, kept ? ("part", job.id) : nil, seconds: seconds())
        onFinish(Outcome(kind: job.kind, succeeded: true, seconds: seconds(), solverSeconds: seconds()))
    }

    /// Every future's outcome from the parts' (each part lists the first samples of its futures).
    func joined(_ parts: [(part: JobRecord, body: String?)], futures: SampledFutures, job: JobRecord) throws
        -> [SampleOutcome]
    {
        var outcomeOf: [Int: SampleOutcome] = [:]
        for (part, body) in parts {
            guard let body, let samples = part.payload.futures else {
                throw InputError([
                    Diagnostic(path: "parts", message: "part \(part.id) of job \(job.id) has no outcomes")
                ])
            }
            let outcomes = try JSONDecoder().decode([SampleOutcome].self, from: Data(body.utf8))
            guard outcomes.count == samples.count else {
                throw InputError([
                    Diagnostic(
                        path: "parts",
                        message: "part \(part.id) kept \(outcomes.count) outcomes for \(samples.count) futures")
                ])
            }
            for (sample, outcome) in zip(samples, outcomes) { outcomeOf[sample] = outcome }
        }
        let missing = futures.firstSamples.filter { outcomeOf[$0] == nil }
        guard missing.isEmpty else {
            throw InputError([
                Diagnostic(path: "parts", message: "no part evaluated sample(s) \(missing.prefix(5)) of job \(job.id)")
            ])
        }
        return futures.outcomes(futures.firstSamples.map { outcomeOf[$0]! })
    }

    /// `value` as the record keeps it: JSON with sorted keys and tidy numbers.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return PlanFile.tidyNumbers(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
