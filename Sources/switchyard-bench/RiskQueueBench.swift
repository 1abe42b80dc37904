import ArgumentParser
import Foundation
import Risk
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardStore

/// A risk analysis as the service runs it: a job on a SQLite record's queue, worked by one and
/// then two `switchyard worker` processes (each one runner), timed from submission to summary.
struct RiskQueueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk-queue",
        abstract: "Time a risk job on the record's queue with one and then two `switchyard worker` processes.",
        discussion: """
            The example is planned once by the first worker; then the same analysis (samples,
            seed) is submitted once per row, with that many worker processes running. A job
            with more distinct futures than one part takes is split into parts that the
            workers share; the summaries must be equal.
            """)

    @Option(help: "The scenario.") var scenario = "examples/frontier-lab.yaml"
    @Option(help: "How many futures.") var samples = 200
    @Option(help: "The sampling seed.") var seed: Int64 = 1
    @Option(help: "Each re-plan's time limit, seconds.") var timeLimit: Double = 30
    @Option(help: "Worker processes; one row per value.") var workers: [Int] = [1, 2]
    @Option(help: "The `switchyard` program to run workers with. Default: the one beside this program.")
    var switchyard: String?

    func run() async throws {
        let program =
            switchyard
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("switchyard").path
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw ValidationError("no switchyard program at \(program): build it, or pass --switchyard")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("risk-queue-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = "sqlite:" + directory.appendingPathComponent("record.sqlite").path
        let store = try await Store.open(url)
        _ = try await store.importScenario(try ScenarioFile.load(path: scenario), actor: .system)
        let plan = try await timed(store, workers: 1, program: program, url: url) {
            try await store.submitPlan(timeLimitSeconds: timeLimit, relativeGap: 0.01, actor: .system)
        }
        guard let planID = plan.job.planId else {
            throw ValidationError("the plan job failed: \(plan.job.error ?? "")")
        }
        print("| samples | worker processes | parts | risk s | s per sample | P(all runs on time) | mean cost |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        var summaries: [String] = []
        for count in workers {
            let (job, seconds) = try await timed(store, workers: count, program: program, url: url) {
                try await store.submitRisk(
                    plan: planID, samples: samples, seed: seed, timeLimitSeconds: timeLimit, actor: .system)
            }
            guard job.state == .succeeded,
                let kept = try await store.riskAnalyses(plan: planID).first(where: { $0.jobId == job.id })
            else { throw ValidationError("risk job \(job.id) \(job.state.rawValue): \(job.error ?? "")") }
            summaries.append(kept.body)
            let parts = try await store.riskParts(of: job.id).count
            let summary = try JSONDecoder().decode(RiskSummary.self, from: Data(kept.body.utf8))
            print(
                String(
                    format: "| %d | %d | %d | %.1f | %.3f | %.1f%% | $%.0f |", samples, count, parts, seconds,
                    seconds / Double(samples), summary.allOnTime * 100, summary.cost.meanUSD))
        }
        print("Summaries equal across rows: \(Set(summaries).count <= 1 ? "yes" : "NO")")
        await store.close()
    }

    /// Starts `workers` worker processes on the record, submits one job, waits for it to finish
    /// (its parts with it), stops the workers; the job as it ended and the seconds it took.
    func timed(
        _ store: Store, workers: Int, program: String, url: String, submit: () async throws -> JobRecord
    ) async throws -> (job: JobRecord, seconds: Double) {
        let processes = try (0..<workers).map { _ in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = ["worker", "--database", url, "--workers", "1", "--log-format", "json"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        defer {
            for process in processes where process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
        let start = ContinuousClock.now
        var job = try await submit()
        while job.state != .succeeded && job.state != .failed {
            try await Task.sleep(for: .milliseconds(200))
            job = try await store.job(job.id)
        }
        let elapsed = ContinuousClock.now - start
        return (job, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
}
