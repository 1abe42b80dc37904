import ArgumentParser
import Foundation
import Logging
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardServer
import SwitchyardStore
import SwitchyardWorker
import Synchronization

/// Where the record is kept unless `--database` says otherwise.
let defaultDatabase = "sqlite:switchyard.sqlite"

struct DatabaseOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The record: sqlite:PATH (the default, \(defaultDatabase)) or postgres://user:password@host:port/db.",
            valueName: "url"))
    var database: String = ProcessInfo.processInfo.environment["SWITCHYARD_DATABASE"] ?? defaultDatabase
}

/// Settings from the environment: `SWITCHYARD_` and the flag's name in capitals, `-` as `_`
/// (`--plan-time-limit` is SWITCHYARD_PLAN_TIME_LIMIT). A flag on the command line wins; a value
/// that does not read is an error naming the variable.
enum Environment {
    static let problems = Mutex<Set<String>>([])

    static func variable(_ flag: String) -> String {
        "SWITCHYARD_" + flag.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    static func value<T: LosslessStringConvertible>(_ flag: String, _ fallback: T) -> T {
        let name = variable(flag)
        guard let text = ProcessInfo.processInfo.environment[name] else { return fallback }
        guard let value = T(text) else {
            problems.withLock { _ = $0.insert("\(name)='\(text)' is not a value for --\(flag)") }
            return fallback
        }
        return value
    }

    static func optional(_ flag: String) -> String? { ProcessInfo.processInfo.environment[variable(flag)] }

    static func check() throws {
        let found = problems.withLock { $0 }.sorted()
        if !found.isEmpty { throw ValidationError(found.joined(separator: "\n")) }
    }
}

/// How log lines are written.
enum LogFormat: String, ExpressibleByArgument, CaseIterable, LosslessStringConvertible {
    case text, json
    init?(_ description: String) { self.init(rawValue: description) }
    var description: String { rawValue }

    /// Routes every logger to the JSON handler when asked (once per process).
    func bootstrap() {
        if self == .json { LoggingSystem.bootstrap { JSONLogHandler(label: $0) } }
    }
}

/// `serve --check-config`: the settings, then whether the database answers (its password never
/// printed); exit 2 when it does not.
func checkSettings(database url: String, settings: [(String, String)]) async throws {
    for (name, value) in settings { say("\(name): \(value)") }
    let database: Database
    do {
        database = try await Database.open(url)
    } catch let error as StoreError {
        throw CLIFailure.io("the database does not answer: \(error.description)")
    }
    say("database: \(database.location)")
    let version = try? await database.session { sql in
        try await sql.raw("SELECT MAX(version) AS v FROM schema_migrations").first()?.decode(column: "v", as: Int?.self)
    }
    await database.close()
    let schema = version.flatMap { $0 }.map { "schema version \($0)" } ?? "empty (serve creates the schema)"
    say("The settings are valid and the database answers: \(schema).")
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the record: the HTTP API under /v1, the dashboard at /, and plan jobs.",
        discussion: """
            With no flags it keeps its record in ./switchyard.sqlite and listens on
            127.0.0.1:8080. An empty record gets the --import scenario
            (examples/frontier-lab.yaml when it is there) and a first plan. On a database
            with no tokens it creates an admin token and prints it once.

              switchyard serve --import examples/frontier-lab.yaml
              switchyard serve \\
                --database postgres://switchyard:secret@127.0.0.1/switchyard --port 8081
            """
    )

    @OptionGroup var database: DatabaseOption

    @Option(help: "The address to listen on. Loopback unless told otherwise.")
    var host = Environment.value("host", "127.0.0.1")

    @Option(help: "The port (0 picks a free one and prints it).")
    var port = Environment.value("port", 8080)

    @Option(
        name: .customLong("import"),
        help: ArgumentHelp(
            "A scenario to load when the record has none, with a first plan (default: examples/frontier-lab.yaml if present).",
            valueName: "file"))
    var importFile: String? = Environment.optional("import")

    @Option(help: "Plan jobs run at once by this server.")
    var workers = Environment.value("workers", 1)

    @Option(help: "The longest a plan job may solve, in seconds.")
    var planTimeLimit = Environment.value("plan-time-limit", 120.0)

    @Option(help: "The relative gap plan jobs stop at unless a request asks for another (0.01 is 1%).")
    var planGap = Environment.value("plan-gap", 0.01)

    @Option(help: "How long a job's claim lasts unless renewed: a job whose server died is taken up after this.")
    var jobLeaseSeconds = Environment.value("job-lease-seconds", 30.0)

    @Option(help: "Plan and re-plan jobs that may wait or run at once; past it, submissions get 429.")
    var maxQueuedJobs = Environment.value("max-queued-jobs", JobLimits.serverDefault.queued!)

    @Option(help: "Jobs one token may have waiting or running at once; past it, 429.")
    var maxQueuedJobsPerToken = Environment.value("max-queued-jobs-per-token", JobLimits.serverDefault.queuedPerActor!)

    @Option(help: "Seconds before a connection with no request under way (or a stalled one) is closed.")
    var idleTimeout = Environment.value("idle-timeout", 30.0)

    @Option(help: "Seconds a request's body may take to arrive, however slowly it trickles; past it, 408.")
    var requestBodyTimeout = Environment.value("request-body-timeout", 30.0)

    @Option(help: "Connections held at once; more wait in the listen backlog until one closes.")
    var maxConnections = Environment.value("max-connections", 1024)

    @Option(
        help:
            "On SIGTERM, seconds a job already solving may take to finish; past it the job goes back to the queue.")
    var shutdownGraceSeconds = Environment.value("shutdown-grace-seconds", 10.0)

    @Option(help: "Log lines as text or json (json also logs every request: id, route, status, latency).")
    var logFormat: LogFormat = Environment.value("log-format", .text)

    @Flag(help: "Check the settings and that the database answers, print them (no password), and exit.")
    var checkConfig = false

    /// Tests only: each job holds its runner this long before it solves, so restart and kill
    /// tests get long jobs without long solves. Not shown in the help.
    @Option(help: .private)
    var testJobHoldSeconds: Double?

    func validate() throws {
        try Environment.check()
        guard idleTimeout > 0 else { throw ValidationError("--idle-timeout must be above 0") }
        guard requestBodyTimeout > 0 else { throw ValidationError("--request-body-timeout must be above 0") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard shutdownGraceSeconds >= 0 else { throw ValidationError("--shutdown-grace-seconds must be 0 or more") }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard maxQueuedJobs >= 1 else { throw ValidationError("--max-queued-jobs must be at least 1") }
        guard maxQueuedJobsPerToken >= 1 else {
            throw ValidationError("--max-queued-jobs-per-token must be at least 1")
        }
        guard workers >= 0 else { throw ValidationError("--workers must be 0 or more") }
        guard planTimeLimit > 0 else { throw ValidationError("--plan-time-limit must be above 0") }
        guard (0...1).contains(planGap) else { throw ValidationError("--plan-gap must be between 0 and 1") }
        guard jobLeaseSeconds >= 1 else { throw ValidationError("--job-lease-seconds must be at least 1") }
        guard (testJobHoldSeconds ?? 0) >= 0 else { throw ValidationError("--test-job-hold-seconds must be 0 or more") }
    }

    func run() async throws {
        if checkConfig {
            try await checkSettings(
                database: database.database,
                settings: [
                    ("host", host), ("port", "\(port)"), ("import", importFile ?? "-"), ("workers", "\(workers)"),
                    ("plan-time-limit", "\(planTimeLimit)"), ("plan-gap", "\(planGap)"),
                    ("job-lease-seconds", "\(jobLeaseSeconds)"),
                    ("max-queued-jobs", "\(maxQueuedJobs)"), ("max-queued-jobs-per-token", "\(maxQueuedJobsPerToken)"),
                    ("idle-timeout", "\(idleTimeout)"), ("request-body-timeout", "\(requestBodyTimeout)"),
                    ("max-connections", "\(maxConnections)"), ("shutdown-grace-seconds", "\(shutdownGraceSeconds)"),
                    ("log-format", logFormat.rawValue),
                ])
            return
        }
        logFormat.bootstrap()
        // A fresh record beside a clone of the repository starts with the example, so that
        // `switchyard serve` shows something at once; --import names another scenario.
        let exampleFile = "examples/frontier-lab.yaml"
        let file = importFile ?? (FileManager.default.fileExists(atPath: exampleFile) ? exampleFile : nil)
        let scenario = try file.map(loadScenario)
        var logger = Logger(label: "switchyard")
        logger.logLevel = .info
        let store: Store
        do {
            store = try await Store.open(database.database, logger: logger)
        } catch let error as StoreError {
            throw CLIFailure.io(error.description)
        }
        if let scenario {
            // Under the workspace lock, so that of servers started together on one empty database
            // exactly one imports; the others say so.
            if let job = try await store.importIfEmpty(
                scenario, timeLimitSeconds: planTimeLimit, relativeGap: planGap, actor: .system)
            {
                say("The record was empty: imported \(file!) and queued its first plan (job \(job.id)).")
            } else if importFile != nil {
                say("The record already has a scenario: \(file!) was not imported.")
            }
        }
        if let secret = try await store.createFirstAdminIfNone() {
            say("No tokens yet: created an admin token. Keep it; it is not shown again.")
            say("  token: \(secret)")
            say("  sign in to the dashboard at http://\(host):\(port)/login")
        }
        var options = ServerOptions()
        options.host = host
        options.port = port
        options.workers = workers
        options.planTimeLimitSeconds = planTimeLimit
        options.planGap = planGap
        options.jobLeaseSeconds = jobLeaseSeconds
        options.jobLimits = JobLimits(queued: maxQueuedJobs, queuedPerActor: maxQueuedJobsPerToken)
        options.idleTimeoutSeconds = idleTimeout
        options.requestBodySeconds = requestBodyTimeout
        options.maxConnections = maxConnections
        options.shutdownGraceSeconds = shutdownGraceSeconds
        options.logRequests = logFormat == .json
        let server = SwitchyardServer(
            store: store, options: options,
            executor: testJobHoldSeconds.map { holding($0, then: plannerExecutor) } ?? plannerExecutor)
        let place = database.database.hasPrefix("postgres") ? "PostgreSQL" : database.database
        try await server.run(logger: logger) { [host] port in
            FileHandle.standardOutput.write(Data("Serving \(place) on http://\(host):\(port)\n".utf8))
        }
        await store.close()
    }
}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run plan jobs from the record's queue, with no HTTP listener.",
        discussion: """
            Adds solver capacity to servers that share one PostgreSQL database without
            exposing more API endpoints: each runner claims the oldest queued job, solves
            it and writes the plan, exactly as a server's runners do. `serve --workers 0`
            is the converse: an API-only server. SIGTERM stops claiming and gives a running
            solve --shutdown-grace-seconds to finish, else hands the job back to the queue.

              switchyard worker \\
                --database postgres://switchyard:secret@db.internal/switchyard \\
                --workers 1
            """)

    @OptionGroup var database: DatabaseOption

    @Option(help: "Jobs solved at once by this process (the solver is single-threaded: one per core).")
    var workers = Environment.value("workers", 1)

    @Option(help: "How long a job's claim lasts unless renewed: a job whose worker died is taken up after this.")
    var jobLeaseSeconds = Environment.value("job-lease-seconds", 30.0)

    @Option(
        help: "On SIGTERM, seconds a job already solving may take to finish; past it the job goes back to the queue.")
    var shutdownGraceSeconds = Environment.value("shutdown-grace-seconds", 10.0)

    @Option(help: "Log lines as text or json.")
    var logFormat: LogFormat = Environment.value("log-format", .text)

    func validate() throws {
        try Environment.check()
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        guard jobLeaseSeconds >= 1 else { throw ValidationError("--job-lease-seconds must be at least 1") }
        guard shutdownGraceSeconds >= 0 else { throw ValidationError("--shutdown-grace-seconds must be 0 or more") }
    }

    func run() async throws {
        logFormat.bootstrap()
        var logger = Logger(label: "switchyard")
        logger.logLevel = .info
        let store: Store
        do {
            store = try await Store.open(database.database, logger: logger)
        } catch let error as StoreError {
            throw CLIFailure.io(error.description)
        }
        var options = ServerOptions()
        options.workers = workers
        options.jobLeaseSeconds = jobLeaseSeconds
        options.shutdownGraceSeconds = shutdownGraceSeconds
        let place = database.database.hasPrefix("postgres") ? "PostgreSQL" : database.database
        say("Working the job queue of \(place) with \(workers) runner(s); no HTTP listener.")
        try await SwitchyardServer(store: store, options: options).runWorkers(logger: logger)
        await store.close()
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the SQLite record to a new file while servers keep serving.",
        discussion: """
            The copy is consistent (SQLite's VACUUM INTO, one read transaction): every
            write committed before it began, nothing half-done. A PostgreSQL record is
            backed up with pg_dump (docs/server.md). Put a copy back with `switchyard
            restore`.

              switchyard backup --database sqlite:switchyard.sqlite \\
                --out backups/2027-01-05.sqlite
            """)

    @OptionGroup var database: DatabaseOption

    @Option(help: ArgumentHelp("The backup file to write; it must not exist.", valueName: "file"))
    var out: String

    func run() async throws {
        do {
            let store = try await Store.open(database.database)
            let result: Result<Void, any Error>
            do {
                try await store.backup(to: out)
                result = .success(())
            } catch {
                result = .failure(error)
            }
            await store.close()
            try result.get()
        } catch let error as StoreError {
            throw CLIFailure.io(error.description)
        }
        say("Backed up \(Database.redacted(database.database)) to \(out).")
    }
}

struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a backup in place as the SQLite record (stop the servers using it first).",
        discussion: """
            The backup is checked and brought up to date beside the target first, then
            moved into place in one rename. A PostgreSQL record is restored with pg_restore
            (docs/server.md).

              switchyard restore --from backups/2027-01-05.sqlite \\
                --database sqlite:switchyard.sqlite --replace
            """)

    @OptionGroup var database: DatabaseOption

    @Option(help: ArgumentHelp("The backup to restore.", valueName: "file"))
    var from: String

    @Flag(help: "Replace an existing record (no server may be using it).")
    var replace = false

    func run() async throws {
        guard !database.database.hasPrefix("postgres") else {
            throw CLIFailure.io("a PostgreSQL record is restored with pg_restore (docs/server.md), not by switchyard")
        }
        let target =
            database.database.hasPrefix("sqlite:")
            ? String(database.database.dropFirst("sqlite:".count)) : database.database
        do {
            try await Store.restore(from: from, to: target, replacing: replace)
        } catch let error as StoreError {
            throw CLIFailure.io(error.description)
        }
        say("Restored \(from) as \(database.database).")
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage API tokens.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    static func open(_ database: DatabaseOption) async throws -> Store {
        do {
            return try await Store.open(database.database)
        } catch let error as StoreError {
            throw CLIFailure.io(error.description)
        }
    }

    static let cli = Actor(id: "cli", name: "cli", role: .admin)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")

        @OptionGroup var database: DatabaseOption

        func run() async throws {
            let store = try await TokenCommand.open(database)
            let tokens = try await store.tokens()
            await store.close()
            let time = { (millis: Int64?) in
                millis.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double($0) / 1000)) }
                    ?? ""
            }
            say(
                TextTable.render(
                    header: ["id", "name", "role", "created", "revoked"],
                    rows: tokens.map {
                        [
                            $0.id, $0.name, $0.role.rawValue, time($0.createdAtMilliseconds),
                            time($0.revokedAtMilliseconds),
                        ]
                    })
            )
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token: it opens nothing from then on (servers that cached it: within 5 s).")

        @OptionGroup var database: DatabaseOption

        @Argument(help: "The token's id (tok-…), as `token list` shows it.")
        var id: String

        func run() async throws {
            let store = try await TokenCommand.open(database)
            do {
                try await store.revokeToken(id, actor: TokenCommand.cli)
                await store.close()
            } catch let error as StoreError {
                await store.close()
                throw CLIFailure.invalid(InputError([Diagnostic(path: "id", message: error.description)]))
            }
            say("revoked \(id)")
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it (only its hash is kept).",
            discussion: "  switchyard token create --role planner --name ci"
        )

        @OptionGroup var database: DatabaseOption

        @Option(help: "viewer (reads), planner (also writes), or admin (also manages tokens).")
        var role: Role

        @Option(help: "A name for the token, shown in the audit log.")
        var name = "cli"

        func run() async throws {
            let store = try await TokenCommand.open(database)
            let (_, secret) = try await store.createToken(name: name, role: role, actor: TokenCommand.cli)
            await store.close()
            say(secret)
        }
    }
}

extension Role: ExpressibleByArgument {}

/// One line to standard output, unbuffered (a server's output is often a pipe).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
