import Foundation
import SwitchyardCatalog
import SwitchyardModel

/// Shared fixtures for Switchyard's tests: the repository's files and small scenario builders.
public enum Fixtures {
    /// The repository root, found from this file's location.
    public static let repositoryRoot: URL = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }()

    /// A file under the repository root.
    public static func path(_ relative: String) -> String {
        repositoryRoot.appendingPathComponent(relative).path
    }

    /// `examples/frontier-lab.yaml`, loaded and validated.
    public static func frontierLab() throws -> Scenario {
        try ScenarioFile.load(path: path("examples/frontier-lab.yaml"))
    }

    /// The built `switchyard` binary (debug build folder).
    public static var switchyardBinary: String {
        let candidates = [".build/debug/switchyard", ".build/x86_64-unknown-linux-gnu/debug/switchyard"]
        return candidates.map(path).first { FileManager.default.isExecutableFile(atPath: $0) } ?? path(candidates[0])
    }

    /// A one-month-window service workload.
    public static func service(
        _ id: WorkloadID, capacity: Double, months: MonthWindow, stacks: [SoftwareStack] = [.cuda],
        critical: Bool = false
    ) -> Workload {
        Workload(id: id, demand: .service(capacity: capacity), window: months, stacks: stacks, critical: critical)
    }

    /// A training run: one gang of `gang` accelerators of one model in one cluster.
    public static func training(
        _ id: WorkloadID, work: Double, window: MonthWindow, stacks: [SoftwareStack] = [.cuda], critical: Bool = false,
        gang: Int
    ) -> Workload {
        Workload(id: id, demand: .training(work: work), window: window, stacks: stacks, gang: gang, critical: critical)
    }

    /// A batch stream: independent jobs of `gang` accelerators, anywhere.
    public static func batch(
        _ id: WorkloadID, work: Double, window: MonthWindow, stacks: [SoftwareStack] = [.cuda], critical: Bool = false,
        gang: Int = 1
    ) -> Workload {
        Workload(id: id, demand: .batch(work: work), window: window, stacks: stacks, gang: gang, critical: critical)
    }

    /// An offer priced on-demand only unless `prices` says more.
    public static func offer(
        _ id: OfferID, provider: ProviderID, accelerator: AcceleratorModelID = "nvidia-h100", perNode: Int = 8,
        nodes: Int = 100, leadTimeDays: Int = 0, prices: [CommitmentTerm: Decimal], backup: BackupTerms? = nil,
        region: RegionID = "us-east", minimumNodes: Int = 0
    ) -> Offer {
        Offer(
            id: id, provider: provider, accelerator: accelerator, acceleratorsPerNode: perNode, region: region,
            availableNodes: nodes, leadTimeDays: leadTimeDays, minimumNodes: minimumNodes,
            pricePerAcceleratorHour: prices, backup: backup)
    }

    /// A critical 512-GPU run of 3 months' work in a 6-month window, at a ($2 an hour on demand),
    /// with b ($3) offering backup options on 80 nodes of 8 (fee $100 a node-month, exercised at
    /// `exercisePrice` an accelerator-hour); N-1 at full coverage, no share cap.
    public static func criticalRunWithBackups(exercisePrice: Decimal) -> Scenario {
        var scenario = Scenario(
            name: "backed", horizon: horizon(6),
            providers: ["a", "b"].map { Provider(id: $0, kind: .neocloud, failureProbability: 0.05) },
            offers: [
                offer("a-h100", provider: "a", nodes: 80, prices: [.onDemand: 2]),
                offer(
                    "b-h100", provider: "b", nodes: 80, prices: [.onDemand: 3],
                    backup: BackupTerms(
                        availableNodes: 80, feePerNodeMonth: 100, exercisePricePerAcceleratorHour: exercisePrice)),
            ],
            workloads: [training("run", work: 512 * 730 * 3, window: months(1, 6), critical: true, gang: 512)])
        scenario.policy = Policy(maxProviderShare: 1, resilience: .nMinus1, criticalCoverage: 1)
        return scenario
    }

    /// Supply risk solvable by hand: one 64-GPU run of 4 months' work due in month 5 (1 month of
    /// slack) at a ($2 an hour), and with `backup` b ($3) able to take it; no share cap.
    public static func runAtRisk(backup: Bool, risk: RiskModel) -> Scenario {
        var offers = [offer("a-h100", provider: "a", nodes: 8, prices: [.onDemand: 2])]
        if backup { offers.append(offer("b-h100", provider: "b", nodes: 8, prices: [.onDemand: 3])) }
        return Scenario(
            name: "risk", horizon: horizon(6),
            providers: ["a", "b"].map { Provider(id: $0, kind: .neocloud, failureProbability: 0.05) }, offers: offers,
            workloads: [training("run", work: 64 * 730 * 4, window: months(1, 5), gang: 64)],
            policy: Policy(maxProviderShare: 1), risk: risk)
    }

    /// a's deliveries slip 60 days (2 months) with probability 0.3; b never fails.
    public static let slipOfA = RiskModel(providers: [
        ProviderRisk(
            provider: "a", slip: RiskEvent(probability: 0.3, lengths: [RiskLength(days: 60, probability: 1)])),
        ProviderRisk(provider: "b"),
    ])

    /// The months `start` to `start + count - 1` of 2027.
    public static func months(_ first: Int, _ last: Int) -> MonthWindow {
        MonthWindow(start: YearMonth(year: 2027, month: first), end: YearMonth(year: 2027, month: last))
    }

    /// A horizon of `count` months from 2027-01.
    public static func horizon(_ count: Int) -> Horizon {
        Horizon(start: YearMonth(year: 2027, month: 1), months: count)
    }
}

/// Runs a command and captures its output and exit status.
public struct CommandResult: Sendable {
    /// Exit status.
    public let status: Int32
    /// Standard output.
    public let stdout: String
    /// Standard error.
    public let stderr: String
}

/// `runCommand` for async tests: the child is waited for on a thread of its own, so the test does
/// not hold one of the cooperative pool's threads (two, on a 2-core machine) while it runs. Tests
/// that blocked both with synchronous waits stalled every other test, up to PostgreSQL connects
/// timing out.
public func runCommand(
    _ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String] = [:]
) async throws -> CommandResult {
    try await onOwnThread { try runCommand(executable, arguments, input: input, environment: environment) }
}

/// Runs blocking work on a thread of its own and awaits it. An `#expect` inside `body` loses its
/// test's attribution (it runs outside the test's task): return what to check instead.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Runs `executable` with `arguments` in the repository root and waits for it; `environment`
/// adds to (or replaces) this process's variables. Plans solve in one process
/// (`SWITCHYARD_THREADS=1`) unless the test says otherwise: the suite runs many at once on two
/// cores, and a second process per plan starved a server test's 15 s solve (the bound search
/// has tests of its own).
public func runCommand(
    _ executable: String, _ arguments: [String], input: Data? = nil, environment: [String: String] = [:]
) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(
        ["SWITCHYARD_THREADS": "1"].merging(environment) { $1 }
    ) { $1 }
    process.currentDirectoryURL = Fixtures.repositoryRoot
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let inPipe = Pipe()
    process.standardInput = inPipe
    try process.run()
    if let input { inPipe.fileHandleForWriting.write(input) }
    try inPipe.fileHandleForWriting.close()
    // Read both pipes before waiting, so a large output cannot fill a pipe and stall the child.
    let group = DispatchGroup()
    nonisolated(unsafe) var outData = Data()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
        outData = out.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    errData = err.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}
