import Foundation
import SwitchyardServiceTesting
import SwitchyardStore
import SwitchyardTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A value shared between tasks and threads, behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

/// A `switchyard serve` process on a free port.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let output = Locked("")
    private(set) var base = ""
    private(set) var token: String?

    init(database: String, arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: Fixtures.switchyardBinary)
        process.arguments = ["serve", "--database", database, "--port", "0"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Fixtures.path("."))
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [output] handle in
            let data = handle.availableData
            output.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = output.withLock { $0 }
            if let range = text.range(of: #"Serving .* on (http://[0-9.]+:[0-9]+)"#, options: .regularExpression) {
                base = String(text[range].split(separator: " ").last!)
                token = text.split(separator: "\n").first { $0.contains("token: ") }.map {
                    String($0.split(separator: " ").last!)
                }
                return
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw ServeError.didNotStart(output.withLock { $0 })
    }

    enum ServeError: Error { case didNotStart(String) }

    /// Starts a server from an async test without holding one of the async runtime's few threads
    /// while it comes up (blocked threads starve every other test's database connections).
    static func start(database: String, arguments: [String] = []) async throws -> ServerProcess {
        try await onOwnThread { try ServerProcess(database: database, arguments: arguments) }
    }

    /// Waits for the process to end, on a thread of its own.
    func waitForExit() async {
        _ = try? await onOwnThread { [process] in process.waitUntilExit() }
    }

    /// The first job id the server printed (the plan of an imported scenario).
    var firstJob: String? {
        let text = output.withLock { $0 }
        return text.range(of: #"job-[0-9a-f]+"#, options: .regularExpression).map { String(text[$0]) }
    }

    /// A generated scenario whose plan takes its whole time limit (12 providers, 100 offers, 50
    /// workloads, 18 months, no N-1: its first plan comes in about 7.5 s of a debug build, 7%
    /// above the bound), written to a temporary file the caller removes: for a test that needs a
    /// solver child at work (others make long jobs with `jobsHold`).
    static func slowScenario() async throws -> String {
        try await generated(providers: 12, offers: 100, workloads: 50, months: 18)
    }

    /// Serve settings that make every job hold its runner `seconds` before it solves: a long
    /// job, at no cost to the machine, for tests about restarts and kills during a job rather
    /// than about the solver (with the quick scenario, the solve after it is well under a second).
    static func jobsHold(_ seconds: Double) -> [String] { ["--test-job-hold-seconds", "\(seconds)"] }

    /// A generated scenario planned within its gap in well under a second (3 providers, 6
    /// offers, 3 workloads, 4 months, no N-1), for tests about jobs rather than solves; written
    /// to a temporary file the caller removes.
    static func quickScenario() async throws -> String {
        try await generated(providers: 3, offers: 6, workloads: 3, months: 4)
    }

    /// `switchyard generate` of that size without N-1, written to a temporary file.
    static func generated(providers: Int, offers: Int, workloads: Int, months: Int) async throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sy-\(UUID().uuidString).yaml").path
        let sizes = [
            ("--providers", providers), ("--offers", offers), ("--workloads", workloads), ("--months", months),
        ]
        let generated = try await runCommand(
            Fixtures.switchyardBinary,
            ["generate"] + sizes.flatMap { [$0.0, String($0.1)] } + ["--no-resilience", "--out", path])
        #expect(generated.status == 0)
        return path
    }

    /// Kills the process at once, as a crash or the OOM killer would.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// One request; the status and JSON body, or nil when the server did not answer.
    func call(_ method: String, _ path: String, token: String, body: String? = nil, ifMatch: String? = nil) async
        -> (status: Int, json: [String: Any])?
    {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.timeoutInterval = 30
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let ifMatch { request.setValue(ifMatch, forHTTPHeaderField: "If-Match") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        guard let (data, response) = try? await URLSession.shared.data(for: request),
            let http = response as? HTTPURLResponse
        else { return nil }
        return (http.statusCode, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }
}

@Suite(.serialized) struct ServeTests {
    /// Writers hammer the server; it is killed with SIGKILL mid-stream. After a restart every
    /// write the server acknowledged is there, each with its audit line, and the database is intact.
    @Test(arguments: TestDatabases.available)
    func killingTheServerDuringWritesLosesNothingCommitted(backend: TestDatabases.Backend) async throws {
        let (url, drop) = try await TestDatabases.make(backend)
        defer { Task { await drop() } }
        let scenario = try await ServerProcess.quickScenario()
        defer { try? FileManager.default.removeItem(atPath: scenario) }
        let first = try await ServerProcess.start(database: url, arguments: ["--import", scenario])
        let token = try #require(first.token)
        let acknowledged = Locked<[String]>([])
        let writers = (0..<4).map { writer in
            Task {
                for i in 0..<10_000 {
                    let id = "p-\(writer)-\(i)"
                    guard
                        let reply = await first.call(
                            "POST", "/v1/providers", token: token, body: #"{"id": "\#(id)", "kind": "neocloud"}"#)
                    else { return }
                    if reply.status == 201 {
                        acknowledged.withLock { $0.append(id) }
                        // A second write to the same row, at the version just read.
                        if let edit = await first.call(
                            "PUT", "/v1/providers/\(id)", token: token,
                            body: #"{"id": "\#(id)", "kind": "neocloud", "failureProbability": 0.5}"#, ifMatch: "\"1\""),
                            edit.status == 200
                        {
                            acknowledged.withLock { $0.append(id + "@2") }
                        }
                    }
                }
            }
        }
        // Let writes pile up, then kill the server in the middle of them.
        while acknowledged.withLock({ $0.count }) < 120 { try await Task.sleep(for: .milliseconds(20)) }
        first.kill9()
        for writer in writers { await writer.value }
        let acked = acknowledged.withLock { $0 }

        let second = try await ServerProcess.start(database: url)
        defer { second.stop() }
        for entry in acked {
            let parts = entry.split(separator: "@")
            let reply = await second.call("GET", "/v1/providers/\(parts[0])", token: token)
            #expect(reply?.status == 200, "\(entry) was acknowledged but is gone")
            if parts.count == 2 { #expect(reply?.json["failureProbability"] as? Double == 0.5, "\(entry)") }
        }
        second.stop()

        // Nothing half-written: every provider row has its audit line and the file is sound.
        let store = try await TestDatabases.open(url)
        if backend == .sqlite {
            let integrity = try await store.database.session { sql in
                try await sql.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self)
            }
            #expect(integrity == "ok")
        }
        let rows = try await store.database.session { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM entities WHERE kind = 'providers' AND id LIKE 'p-%'").first()?
                .decode(column: "n", as: Int.self)
        }
        let audited = try await store.database.session { sql in
            try await sql.raw("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'providers.create'").first()?
                .decode(column: "n", as: Int.self)
        }
        #expect(rows == audited)
        #expect((rows ?? 0) >= acked.filter { !$0.contains("@") }.count)
        await store.close()
    }

    /// Two servers on one PostgreSQL database work one queue: every plan job runs once.
    @Test(.enabled(if: TestDatabases.postgresURL != nil, "needs SWITCHYARD_TEST_POSTGRES_URL"))
    func twoServersOnOnePostgreSQLRunEachPlanJobOnce() async throws {
        let (url, drop) = try await TestDatabases.make(.postgres)
        defer { Task { await drop() } }
        let scenario = try await ServerProcess.quickScenario()
        defer { try? FileManager.default.removeItem(atPath: scenario) }
        let a = try ServerProcess(database: url, arguments: ["--import", scenario, "--workers", "2"])
        defer { a.stop() }
        let b = try await ServerProcess.start(database: url, arguments: ["--workers", "2"])
        defer { b.stop() }
        let token = try #require(a.token)
        var jobs: [String] = []
        for i in 0..<8 {
            let server = i % 2 == 0 ? a : b
            let reply = try #require(await server.call("POST", "/v1/plans", token: token, body: "{}"))
            #expect(reply.status == 202)
            jobs.append(try #require(reply.json["id"] as? String))
        }
        let deadline = Date().addingTimeInterval(240)
        var states: [String: String] = [:]
        while Date() < deadline {
            for job in jobs {
                states[job] = await a.call("GET", "/v1/jobs/\(job)", token: token)?.json["state"] as? String
            }
            if states.values.allSatisfy({ $0 == "succeeded" || $0 == "failed" }) { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(states.values.allSatisfy { $0 == "succeeded" }, "\(states)")
        let store = try await TestDatabases.open(url)
        let runs = try await store.database.session { sql in
            try await sql.raw("SELECT id, attempts, claimed_by FROM jobs").all().map {
                (
                    try $0.decode(column: "id", as: String.self), try $0.decode(column: "attempts", as: Int.self),
                    try $0.decode(column: "claimed_by", as: String?.self) ?? ""
                )
            }
        }
        let plans = try await store.database.session { sql in
            try await sql.raw("SELECT job_id FROM plans").all().map { try $0.decode(column: "job_id", as: String.self) }
        }
        await store.close()
        #expect(runs.count == jobs.count + 1)  // and the first plan of the import
        #expect(runs.allSatisfy { $0.1 == 1 }, "a job was claimed twice: \(runs)")
        #expect(plans.count == runs.count)
        #expect(Set(plans).count == plans.count)
    }

    @Test func tokenCreatePrintsATokenTheStoreKnowsByItsHashOnly() async throws {
        let (url, drop) = try await TestDatabases.make(.sqlite)
        defer { Task { await drop() } }
        let result = try await runCommand(
            Fixtures.switchyardBinary, ["token", "create", "--role", "planner", "--name", "ci", "--database", url])
        #expect(result.status == 0)
        let secret = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("sy_"))
        let store = try await TestDatabases.open(url)
        let token = try await store.token(secret: secret)
        #expect(token?.role == .planner)
        #expect(token?.name == "ci")
        await store.close()
        let id = try #require(token?.id)
        let listed = try await runCommand(Fixtures.switchyardBinary, ["token", "list", "--database", url])
        #expect(listed.stdout.contains(id))
        #expect(!listed.stdout.contains(secret))
        #expect(
            try await runCommand(Fixtures.switchyardBinary, ["token", "revoke", id, "--database", url]).status == 0)
        let reopened = try await TestDatabases.open(url)
        #expect(try await reopened.token(secret: secret) == nil)
        await reopened.close()
        let again = try await runCommand(Fixtures.switchyardBinary, ["token", "revoke", id, "--database", url])
        #expect(again.status == 1)
        #expect(again.stderr.contains("no live token"))
        let bad = try await runCommand(
            Fixtures.switchyardBinary, ["token", "create", "--role", "root", "--database", url])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("viewer"))
    }

    @Test func serveRefusesWhatItCannotUseWithAClearMessage() async throws {
        let port = try await runCommand(Fixtures.switchyardBinary, ["serve", "--port", "70000"])
        #expect(port.status == 64)
        #expect(port.stderr.contains("--port must be 0 to 65535"))
        let gap = try await runCommand(Fixtures.switchyardBinary, ["serve", "--plan-gap", "2"])
        #expect(gap.status == 64)
        #expect(gap.stderr.contains("--plan-gap must be between 0 and 1"), "\(gap.stderr)")
        let path = try await runCommand(
            Fixtures.switchyardBinary, ["serve", "--database", "sqlite:/nonexistent/dir/x.sqlite"])
        #expect(path.status == 2)
        #expect(path.stderr.contains("cannot open the SQLite database at /nonexistent/dir/x.sqlite"))
        let scenario = try await runCommand(
            Fixtures.switchyardBinary,
            ["serve", "--database", "sqlite:/tmp/unused.sqlite", "--import", "examples/does-not-exist.yaml"])
        #expect(scenario.status != 0)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/unused.sqlite"))
    }

    /// Rolling restarts during a long job lose no work and spend no attempt: each server told
    /// to stop (SIGTERM) answers /readyz with 503 "draining", gives the job its grace period,
    /// hands the job back to the queue, and exits 0; the last server plans it once, on its first
    /// counted attempt.
    @Test(arguments: TestDatabases.available)
    func rollingRestartsDuringASolveHandTheJobOnWithoutSpendingAttempts(backend: TestDatabases.Backend)
        async throws
    {
        let (url, drop) = try await TestDatabases.make(backend)
        defer { Task { await drop() } }
        let scenario = try await ServerProcess.quickScenario()
        defer { try? FileManager.default.removeItem(atPath: scenario) }
        // The test is about handing the job on, not the solver's speed: the job holds its runner
        // 5 s, past the 1 s grace, and then solves a small scenario.
        let settings =
            [
                "--plan-time-limit", "60", "--shutdown-grace-seconds", "1", "--job-lease-seconds", "3", "--plan-gap",
                "0.5",
            ]
            + ServerProcess.jobsHold(5)
        var server = try await ServerProcess.start(database: url, arguments: ["--import", scenario] + settings)
        let token = try #require(server.token)
        let job = try #require(server.firstJob)
        for restart in 0..<2 {
            var state: String?
            for _ in 0..<300 {
                state = await server.call("GET", "/v1/jobs/\(job)", token: token)?.json["state"] as? String
                if state == "running" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(state == "running", "restart \(restart)")
            kill(server.process.processIdentifier, SIGTERM)
            var draining: Int?
            for _ in 0..<20 where draining != 503 {
                draining = await server.call("GET", "/readyz", token: token)?.status
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(draining == 503, "restart \(restart)")
            await server.waitForExit()
            #expect(server.process.terminationStatus == 0)
            #expect(server.output.withLock { $0 }.contains("queued again (attempt not spent)"))
            server = try await ServerProcess.start(database: url, arguments: settings)
        }
        defer { server.stop() }
        var reply: [String: Any] = [:]
        for _ in 0..<900 {
            reply = await server.call("GET", "/v1/jobs/\(job)", token: token)?.json ?? [:]
            if reply["state"] as? String == "succeeded" || reply["state"] as? String == "failed" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(reply["state"] as? String == "succeeded", "\(reply)")
        #expect(reply["attempts"] as? Int == 1)
        #expect(reply["relativeGap"] as? Double == 0.5, "the imported plan's gap is the server's --plan-gap")
        let plans = await server.call("GET", "/v1/plans", token: token)?.json["items"] as? [[String: Any]]
        #expect(plans?.count == 1)
    }

    /// Two servers restarted in turn (SIGTERM, then a new one) while twelve slow jobs run: none
    /// fails, each is planned exactly once, and no stop spends an attempt.
    @Test func rollingRestartsOfTwoServersDuringTwelveJobsFailNone() async throws {
        let (url, drop) = try await TestDatabases.make(TestDatabases.available.last!)
        defer { Task { await drop() } }
        let scenario = try await ServerProcess.quickScenario()
        defer { try? FileManager.default.removeItem(atPath: scenario) }
        // Slow by construction: each job holds its runner 4 s before its sub-second solve.
        // Eleven of them on two servers of one worker each outlast several restarts.
        let settings =
            [
                "--plan-time-limit", "10", "--shutdown-grace-seconds", "0.5", "--job-lease-seconds", "3",
                "--max-queued-jobs-per-token", "20",
            ] + ServerProcess.jobsHold(4)
        var servers = [try await ServerProcess.start(database: url, arguments: ["--import", scenario] + settings)]
        let token = try #require(servers[0].token)
        servers.append(try await ServerProcess.start(database: url, arguments: settings))
        for _ in 0..<11 {
            let queued = await servers[0].call("POST", "/v1/plans", token: token, body: #"{"timeLimitSeconds": 10}"#)
            #expect(queued?.status == 202)
        }
        var restarts = 0
        var jobs: [[String: Any]] = []
        for round in 0..<120 {
            try await Task.sleep(for: .seconds(1))
            // The server not about to be stopped answers (the other may be restarting).
            let live = servers[(round / 4 + 1) % 2]
            let plans = await live.call("GET", "/v1/plans?limit=50", token: token)?.json["items"] as? [[String: Any]]
            jobs = plans ?? []
            if jobs.count >= 12 { break }
            // Every four seconds one server is stopped and replaced, alternately.
            if round % 4 == 3 {
                let index = (round / 4) % 2
                kill(servers[index].process.processIdentifier, SIGTERM)
                await servers[index].waitForExit()
                #expect(servers[index].process.terminationStatus == 0)
                servers[index] = try await ServerProcess.start(database: url, arguments: settings)
                restarts += 1
            }
        }
        defer { for server in servers { server.stop() } }
        #expect(restarts >= 2, "\(restarts) restarts")
        #expect(jobs.count == 12)
        #expect(Set(jobs.compactMap { $0["job"] as? String }).count == 12)
        let store = try await TestDatabases.open(url)
        let counts = try await store.jobCounts()
        var attempts: [Int] = []
        for id in jobs.compactMap({ $0["job"] as? String }) { attempts.append(try await store.job(id).attempts) }
        // The runners were busy back to back, so the stops caught solves and handed them back.
        let releases = try await store.audit(after: nil, limit: 200).items.filter { $0.action == "job.release" }
        await store.close()
        #expect(!releases.isEmpty)
        #expect(counts.map(\.0) == ["succeeded"] && counts.map(\.1) == [12], "\(counts)")
        #expect(attempts == Array(repeating: 1, count: 12), "\(attempts)")
    }

    /// A server killed while its solver child runs leaves its port free at once (the child is
    /// spawned with no descriptor but stdio, so it holds no listening socket), and a server that
    /// cannot bind its port claims no job: it exits before its runners start.
    @Test func aKilledServersPortIsFreeAtOnceAndABindFailureClaimsNoJob() async throws {
        let (url, drop) = try await TestDatabases.make(.sqlite)
        defer { Task { await drop() } }
        let scenario = try await ServerProcess.slowScenario()
        defer { try? FileManager.default.removeItem(atPath: scenario) }
        let settings = ["--plan-time-limit", "6", "--job-lease-seconds", "1"]
        let first = try await ServerProcess.start(database: url, arguments: ["--import", scenario] + settings)
        defer { first.stop() }
        let token = try #require(first.token)
        let job = try #require(first.firstJob)
        let port = try #require(first.base.split(separator: ":").last.map(String.init))
        var state = ""
        for _ in 0..<100 where state != "running" {
            state = await first.call("GET", "/v1/jobs/\(job)", token: token)?.json["state"] as? String ?? ""
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(state == "running")
        try await Task.sleep(for: .seconds(1))  // the solve is in its child process by now
        first.kill9()
        let second = try await ServerProcess.start(database: url, arguments: ["--port", port, "--workers", "0"])
        defer { second.stop() }
        #expect(second.base.hasSuffix(":\(port)"))
        // The killed server's claim lapses after 1 s; a third server, whose port is taken, must
        // not pick the job up on its way out.
        try await Task.sleep(for: .seconds(2))
        let before = await second.call("GET", "/v1/jobs/\(job)", token: token)?.json
        let third = try await runCommand(
            Fixtures.switchyardBinary, ["serve", "--database", url, "--port", port, "--workers", "1"] + settings)
        #expect(third.status == 2, "\(third.stdout) \(third.stderr)")
        let after = await second.call("GET", "/v1/jobs/\(job)", token: token)?.json
        #expect(after?["attempts"] as? Int == before?["attempts"] as? Int, "\(after ?? [:])")
        #expect(after?["state"] as? String == before?["state"] as? String)
    }

    /// `switchyard worker` works the queue with no listener: a job queued through an API-only
    /// server (`serve --workers 0`) is planned by the worker, which stops cleanly on SIGTERM.
    @Test(arguments: TestDatabases.available)
    func aWorkerWithoutHTTPPlansWhatAnAPIOnlyServerQueues(backend: TestDatabases.Backend) async throws {
        let (url, drop) = try await TestDatabases.make(backend)
        defer { Task { await drop() } }
        let scenario = try await ServerProcess.quickScenario()
        defer { try? FileManager.default.removeItem(atPath: scenario) }
        let api = try ServerProcess(
            database: url, arguments: ["--workers", "0", "--import", scenario, "--plan-time-limit", "5"])
        defer { api.stop() }
        let token = try #require(api.token)
        let job = try #require(api.firstJob)
        try await Task.sleep(for: .milliseconds(500))
        // Nobody runs jobs yet: the API server has no runners.
        let waiting = await api.call("GET", "/v1/jobs/\(job)", token: token)?.json["state"] as? String
        #expect(waiting == "queued")
        let worker = Process()
        worker.executableURL = URL(fileURLWithPath: Fixtures.switchyardBinary)
        worker.arguments = ["worker", "--database", url]
        worker.standardOutput = FileHandle.nullDevice
        worker.standardError = FileHandle.nullDevice
        try worker.run()
        var state: String?
        for _ in 0..<900 {
            state = await api.call("GET", "/v1/jobs/\(job)", token: token)?.json["state"] as? String
            if state == "succeeded" || state == "failed" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(state == "succeeded")
        worker.terminate()
        _ = try? await onOwnThread { [worker] in worker.waitUntilExit() }
        #expect(worker.terminationStatus == 0)
        // The worker has no listener: the API server is the only one answering.
        #expect(try await api.call("GET", "/readyz", token: token)?.status == 200)
    }

    /// Every serve setting reads from SWITCHYARD_<FLAG> too, the flag winning; a value that does
    /// not read is refused naming the variable; --check-config prints the settings and whether
    /// the database answers, never its password.
    @Test func settingsComeFromTheEnvironmentAndCheckConfigNeverPrintsThePassword() async throws {
        let bad = try await runCommand(
            Fixtures.switchyardBinary, ["serve", "--check-config"], environment: ["SWITCHYARD_PORT": "eighty"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("SWITCHYARD_PORT='eighty' is not a value for --port"), "\(bad.stderr)")
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("sy-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: database) }
        let environment = [
            "SWITCHYARD_DATABASE": "sqlite:" + database, "SWITCHYARD_PLAN_TIME_LIMIT": "7",
            "SWITCHYARD_MAX_QUEUED_JOBS": "12", "SWITCHYARD_LOG_FORMAT": "json", "SWITCHYARD_PLAN_GAP": "0.02",
        ]
        let fromEnvironment = try await runCommand(
            Fixtures.switchyardBinary, ["serve", "--check-config"], environment: environment)
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        for line in [
            "plan-time-limit: 7.0", "plan-gap: 0.02", "max-queued-jobs: 12", "log-format: json",
            "database: sqlite:\(database)",
        ] {
            #expect(fromEnvironment.stdout.contains(line), "\(line) in \(fromEnvironment.stdout)")
        }
        let flagWins = try await runCommand(
            Fixtures.switchyardBinary, ["serve", "--check-config", "--plan-time-limit", "9"], environment: environment)
        #expect(flagWins.stdout.contains("plan-time-limit: 9.0"), "\(flagWins.stdout)")
        let unreachable = try await runCommand(
            Fixtures.switchyardBinary,
            ["serve", "--check-config", "--database", "postgres://ops:s3cret-pw@127.0.0.1:1/switchyard"])
        #expect(unreachable.status == 2)
        #expect(unreachable.stderr.contains("does not answer"), "\(unreachable.stderr)")
        #expect(!(unreachable.stdout + unreachable.stderr).contains("s3cret-pw"))
        // A password with characters a URL parser takes for a fragment, path or query is never
        // printed either, by any command, whatever else is wrong with the URL.
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sy-\(UUID()).sqlite").path
        for url in [
            "postgres://ops:s3cr#t-pw@127.0.0.1:1/switchyard", "postgres://ops:s3/cr?t-pw@127.0.0.1:1/db",
            "postgres://ops:s3cr#t-pw@127.0.0.1:port/db",
        ] {
            for arguments in [
                ["serve", "--check-config", "--database", url], ["token", "list", "--database", url],
                ["backup", "--database", url, "--out", out],
            ] {
                let r = try await runCommand(Fixtures.switchyardBinary, arguments)
                #expect(r.status != 0, "\(arguments): \(r.stderr)")
                #expect(!(r.stdout + r.stderr).contains("t-pw"), "\(arguments): \(r.stderr)")
            }
        }
    }

    /// --log-format json writes one JSON object per line: each request with its request id,
    /// route, status and latency, each job with its id and outcome.
    @Test func jsonLogsCarryRequestsAndJobs() async throws {
        let (url, drop) = try await TestDatabases.make(.sqlite)
        defer { Task { await drop() } }
        let server = try ServerProcess(
            database: url,
            arguments: ["--log-format", "json", "--import", "examples/frontier-lab.yaml", "--plan-time-limit", "3"])
        let token = try #require(server.token)
        var state: String?
        for _ in 0..<300 where state != "succeeded" {
            let jobs = await server.call("GET", "/v1/plans", token: token)?.json["items"] as? [[String: Any]]
            state = jobs?.isEmpty == false ? "succeeded" : nil
            try await Task.sleep(for: .milliseconds(100))
        }
        _ = await server.call("GET", "/v1/nothing-here", token: token)
        server.stop()
        let lines = server.output.withLock { $0 }.split(separator: "\n").filter { $0.hasPrefix("{") }
        let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == lines.count && !objects.isEmpty)
        let requests = objects.filter { $0["message"] as? String == "request" }
        #expect(requests.contains { $0["route"] as? String == "/v1/plans" && $0["status"] as? Int == 200 })
        #expect(requests.contains { $0["status"] as? Int == 404 })
        #expect(requests.allSatisfy { $0["hb.request.id"] is String && $0["ms"] is Double && $0["method"] is String })
        #expect(
            objects.contains {
                $0["outcome"] as? String == "succeeded" && ($0["job"] as? String)?.hasPrefix("job-") == true
                    && ($0["plan"] as? String)?.hasPrefix("plan-") == true
            })
    }

    /// A server killed while it works a job leaves it to be taken up again: the next server
    /// (after the dead one's claim runs out) plans it, once, and nothing of the first attempt
    /// was written.
    @Test(arguments: TestDatabases.available)
    func aJobWhoseServerIsKilledMidSolveIsFinishedByTheNext(backend: TestDatabases.Backend) async throws {
        let (url, drop) = try await TestDatabases.make(backend)
        defer { Task { await drop() } }
        let scenario = try await ServerProcess.quickScenario()
        defer { try? FileManager.default.removeItem(atPath: scenario) }
        // Each attempt holds its runner 3 s, so the first is killed during its job; the second
        // then plans a small scenario (the reply below says why if it does not).
        let lease = ["--job-lease-seconds", "1", "--plan-time-limit", "60"] + ServerProcess.jobsHold(3)
        let first = try await ServerProcess.start(database: url, arguments: ["--import", scenario] + lease)
        let token = try #require(first.token)
        let job = try #require(first.firstJob)
        // Wait until the first server is solving, then kill it.
        var state: String?
        for _ in 0..<200 {
            state = await first.call("GET", "/v1/jobs/\(job)", token: token)?.json["state"] as? String
            if state != "queued" { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(state == "running")
        first.kill9()

        let second = try await ServerProcess.start(database: url, arguments: lease)
        defer { second.stop() }
        var reply: [String: Any] = [:]
        for _ in 0..<900 {
            reply = await second.call("GET", "/v1/jobs/\(job)", token: token)?.json ?? [:]
            if reply["state"] as? String == "succeeded" || reply["state"] as? String == "failed" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(reply["state"] as? String == "succeeded", "\(reply)")
        #expect(reply["attempts"] as? Int == 2)
        let plans = await second.call("GET", "/v1/plans", token: token)?.json["items"] as? [[String: Any]]
        #expect(plans?.count == 1)
        #expect(plans?.first?["job"] as? String == job)
    }
}
