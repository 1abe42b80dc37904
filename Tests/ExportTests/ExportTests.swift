import Foundation
import Planner
import Solver
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardServiceTesting
import SwitchyardTesting
import Testing

@testable import Export

/// The example's plan (the one every test target shares) and three generated scenarios' plans
/// (N-1 on), solved once per process. Both are awaited before a test's heavy work begins, so a
/// test waiting for another's solve holds none of the cores' turns.
enum Planned {
    static func example() async throws -> (Scenario, Plan) {
        (try Fixtures.frontierLab(), try await MemoisedPlans.awaitExample())
    }

    private static let generated: [Result<(Scenario, Plan), any Error>] = [UInt64(3), 5, 8].map { seed in
        Result {
            var scenario = ScenarioGenerator(.init(seed: seed, providers: 4, offers: 14, workloads: 6, months: 9))
                .generate()
            scenario.policy.resilience = .nMinus1
            let planner = Planner(options: SolveOptions(timeLimitSeconds: 5, relativeGap: 0.05))
            return (scenario, try planner.plan(scenario))
        }
    }

    static func all() async throws -> [(Scenario, Plan)] {
        let example = try await example()
        return [example] + (try await heavy { try generated.map { try $0.get() } })
    }
}

/// The Python tools the tests check exports with: jsonschema (Kueue's CRD schemas) and SkyPilot's
/// own task loader, in the virtual environment `make setup-test` makes. CI sets
/// SWITCHYARD_REQUIRE_EXPORT_TOOLS=1, so there the checks fail rather than skip without them.
enum PythonTools {
    static let python: String? = {
        if let path = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_PYTHON"] { return path }
        let venv = Fixtures.path(".venv-test/bin/python")
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : nil
    }()
    static let required = ProcessInfo.processInfo.environment["SWITCHYARD_REQUIRE_EXPORT_TOOLS"] == "1"
    static let usable = python != nil || required

    /// Runs a script under scripts/ with the tools' Python; its exit status and output.
    static func run(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let python = try #require(python, "no Python with the export tools: run `make setup-test`")
        let result = try runCommand(python, [Fixtures.path("scripts/\(script)")] + arguments)
        return (result.status, result.stdout + result.stderr)
    }
}

/// A fresh directory under the temporary directory.
func scratchDirectory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sy-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes files under a fresh directory and gives its path.
func writeOut(_ files: [ExportedFile], _ name: String) throws -> URL {
    let root = try scratchDirectory(name)
    for file in files {
        let url = root.appendingPathComponent(file.path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try file.text.write(to: url, atomically: true, encoding: .utf8)
    }
    return root
}

/// The documents of a YAML stream.
func documents(_ text: String) throws -> [DocumentNode] {
    try text.components(separatedBy: "\n---\n").map { try DocumentParser.parse($0, format: .yaml) }
}

extension DocumentNode {
    subscript(_ key: String) -> DocumentNode? {
        guard case .mapping(let pairs, _) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }
    var string: String? { if case .scalar(let s, _, _) = self { s } else { nil } }
    var items: [DocumentNode] { if case .sequence(let items, _) = self { items } else { [] } }
}

@Suite struct KueueExportTests {
    /// The plan's capacity per cluster and month, counted from its leases and colocation here,
    /// independently of the export: accelerators of leases running that month per (provider,
    /// model, offer region), and owned accelerators hosted (whole) per fleet and site.
    func capacity(_ scenario: Scenario, _ plan: Plan) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        let months = scenario.horizon.months
        for lease in plan.leases {
            let region = scenario.offers.first { $0.id == lease.offer }!.region
            let name = "\(lease.provider) \(lease.accelerator) \(region)"
            let start = scenario.horizon.period(of: lease.start)!
            for t in start..<min(months, start + lease.months) {
                out[name, default: Array(repeating: 0, count: months)][t] += lease.accelerators
            }
        }
        for use in plan.colocation {
            for (fleet, count) in use.hosted {
                let name = "\(fleet) at \(use.site)"
                out[name, default: Array(repeating: 0, count: months)][scenario.horizon.period(of: use.month)!] +=
                    Int(count + 1e-6)
            }
        }
        return out
    }

    @Test func quotasSumToThePlansCapacityInEveryClusterAndMonth() async throws {
        let all = try await Planned.all()
        try await heavy {
            for (scenario, plan) in all {
                let months = (0..<scenario.horizon.months).map(scenario.horizon.month(ofPeriod:))
                let files = KueueExport.files(scenario: scenario, plan: plan, months: months)
                let expected = capacity(scenario, plan)
                #expect(!expected.isEmpty)
                for (t, month) in months.enumerated() {
                    let manager = try #require(files.first { $0.path == "\(month)/manager.yaml" })
                    let docs = try documents(manager.text)
                    // Flavor → cluster name (the flavor's annotation), then nominal quotas per flavor.
                    var clusterOf: [String: String] = [:]
                    for doc in docs where doc["kind"]?.string == "ResourceFlavor" {
                        clusterOf[doc["metadata"]!["name"]!.string!] =
                            doc["metadata"]!["annotations"]!["switchyard.io/cluster"]!.string!
                    }
                    var quota: [String: Int] = [:]
                    for doc in docs where doc["kind"]?.string == "ClusterQueue" {
                        for group in doc["spec"]!["resourceGroups"]!.items {
                            for flavor in group["flavors"]!.items {
                                let name = try #require(clusterOf[flavor["name"]!.string!])
                                for resource in flavor["resources"]!.items {
                                    quota[name, default: 0] += Int(resource["nominalQuota"]!.string!)!
                                }
                            }
                        }
                    }
                    for (name, perMonth) in expected where perMonth[t] > 0 || quota[name] != nil {
                        #expect(quota[name] ?? 0 == perMonth[t], "\(scenario.name) \(month) \(name)")
                    }
                    for name in quota.keys where expected[name] == nil {
                        #expect(quota[name] == 0, "\(scenario.name) \(month): \(name) has quota but no capacity")
                    }
                }
            }
        }
    }

    @Test func theExamplesRunsHaveQueuesWhereTheyRunAndBorrowWhereTheyRestart() async throws {
        let (scenario, plan) = try await Planned.example()
        let files = KueueExport.files(
            scenario: scenario, plan: plan, months: ["2028-03"].compactMap(YearMonth.init(parsing:)))
        let docs = try documents(try #require(files.first { $0.path == "2028-03/manager.yaml" }).text)
        let queues = docs.filter { $0["kind"]?.string == "LocalQueue" }
        // frontier-next runs in one cluster in 2028-03: its namespace has that cluster's queue.
        let run = try #require(plan.runs.first { $0.workload == "frontier-next" })
        #expect(
            queues.contains {
                $0["metadata"]!["namespace"]!.string == "frontier-next"
                    && $0["spec"]!["clusterQueue"]!.string == KubeName.label(run.cluster)
            })
        // Where a provider's loss restarts it in another cluster, its home queue may borrow the
        // gang there (on the example: without nebius, on the owned TPUs).
        let restart = try #require(
            plan.resilience.flatMap(\.runRestarts).first {
                $0.workload == "frontier-next" && $0.cluster != nil && $0.cluster != run.cluster
            })
        let restartCluster = try #require(restart.cluster)
        let home = try #require(
            docs.first {
                $0["kind"]?.string == "ClusterQueue"
                    && $0["metadata"]!["name"]!.string == KubeName.label(run.cluster)
            })
        let borrowed = home["spec"]!["resourceGroups"]!.items.flatMap { $0["flavors"]!.items }
            .filter { $0["name"]!.string == KubeName.label(restartCluster) }
        #expect(borrowed.count == 1)
        #expect(borrowed.first?["resources"]?.items.first?["borrowingLimit"]?.string == "1024")
        #expect(borrowed.first?["resources"]?.items.first?["nominalQuota"]?.string == "0")
        // Several clusters: MultiKueue objects, one worker file per cluster.
        #expect(docs.contains { $0["kind"]?.string == "MultiKueueConfig" })
        #expect(files.contains { $0.path.hasPrefix("2028-03/workers/") })
    }

    @Test(.enabled(if: PythonTools.usable)) func everyManifestPassesKueuesSchemas() async throws {
        let all = try await Planned.all()
        try await heavy {
            for (scenario, plan) in all {
                let months = (0..<scenario.horizon.months).map(scenario.horizon.month(ofPeriod:))
                let root = try writeOut(KueueExport.files(scenario: scenario, plan: plan, months: months), "kueue")
                let result = try PythonTools.run(
                    "validate-kueue.py", [Fixtures.path("../shared/data/kueue/crds"), root.path])
                #expect(result.status == 0, "\(scenario.name): \(result.output)")
            }
        }
    }

    /// The validator refuses what an API server would: an unknown field, a quantity that is not
    /// one, a borrowing limit without a cohort.
    @Test(.enabled(if: PythonTools.usable)) func theValidatorRefusesBadManifests() async throws {
        let example = try await Planned.example()
        try await heavy {
            let (scenario, plan) = example
            // 2028-03: frontier-next's queue may borrow its N-1 restart cluster's B200s.
            let files = KueueExport.files(scenario: scenario, plan: plan, months: [YearMonth(year: 2028, month: 3)])
            for (from, to) in [
                ("queueingStrategy:", "queueingStrategyy:"), ("nominalQuota: ", "nominalQuota: lots"),
                ("  cohortName: \"frontier-lab\"\n", ""),
            ] {
                let bad = files.map {
                    $0.path.hasSuffix("manager.yaml")
                        ? ExportedFile(path: $0.path, text: $0.text.replacingOccurrences(of: from, with: to)) : $0
                }
                let root = try writeOut(bad, "kueue-bad")
                let result = try PythonTools.run(
                    "validate-kueue.py", [Fixtures.path("../shared/data/kueue/crds"), root.path])
                #expect(result.status == 1, "\(to) passed")
            }
        }
    }

    @Test func exportsDoNotDependOnTheOrderOfTheInput() async throws {
        let example = try await Planned.example()
        try await heavy {
            let (scenario, plan) = example
            var shuffled = (scenario, plan)
            shuffled.0.offers.reverse()
            shuffled.0.workloads.reverse()
            shuffled.1.leases.reverse()
            shuffled.1.placements.reverse()
            shuffled.1.allocation.reverse()
            shuffled.1.colocation.reverse()
            shuffled.1.runs.reverse()
            let months = [YearMonth(year: 2027, month: 6), YearMonth(year: 2028, month: 2)]
            #expect(
                KueueExport.files(scenario: scenario, plan: plan, months: months)
                    == KueueExport.files(scenario: shuffled.0, plan: shuffled.1, months: months.reversed()))
            #expect(
                SkyPilotExport.files(scenario: scenario, plan: plan)
                    == SkyPilotExport.files(scenario: shuffled.0, plan: shuffled.1))
        }
    }

    @Test func namesAreKubernetesLabelsAndStayApart() {
        #expect(KubeName.label("coreweave nvidia-gb200 us-east") == "coreweave-nvidia-gb200-us-east")
        #expect(KubeName.label("Équipe Nord/H100") == "quipe-nord-h100")
        #expect(KubeName.label("—").hasPrefix("x-"))
        let long = KubeName.label(String(repeating: "a", count: 100))
        #expect(long.count == 63)
        #expect(long != KubeName.label(String(repeating: "a", count: 101)))
        let names = KubeName.Names(["a b", "a-b", "A B"])
        #expect(Set([names["a b"], names["a-b"], names["A B"]]).count == 3)
        #expect(names["A B"] == "a-b")  // the first in sorted order keeps the plain label
    }
}

@Suite struct SkyPilotExportTests {
    @Test func theExamplesRunsBecomeTasksWithTheirRestartAsATaskOfItsOwn() async throws {
        let example = try await Planned.example()
        try await heavy {
            let (scenario, plan) = example
            let files = SkyPilotExport.files(scenario: scenario, plan: plan)
            #expect(files.map(\.path).contains("frontier-pretrain.yaml"))
            let next = try #require(files.first { $0.path == "frontier-next.yaml" })
            let task = try DocumentParser.parse(next.text, format: .yaml)
            // 1,024 B200s, 8 a node: 128 nodes at Nebius.
            #expect(plan.runs.first { $0.workload == "frontier-next" }?.cluster == "nebius nvidia-b200 us-east")
            #expect(task["num_nodes"]?.string == "128")
            #expect(task["resources"]?["infra"]?.string == "k8s/nebius-nvidia-b200-us-east")
            #expect(task["resources"]?["accelerators"]?.string == "B200:8")
            // Without Nebius it restarts on 1,024 owned TPU v7 chips, 4 per host: 256 nodes, so a
            // task of its own.
            let restart = try #require(files.first { $0.path == "frontier-next--without-nebius.yaml" })
            let restartTask = try DocumentParser.parse(restart.text, format: .yaml)
            #expect(restartTask["num_nodes"]?.string == "256")
            #expect(restartTask["resources"]?["infra"]?.string == "k8s/tpu-v7-phase1-at-cw-colo-nj")
            #expect(restartTask["resources"]?["accelerators"]?.string == "tpu7x:4")
        }
    }

    @Test func aRestartClusterIsListedOnceWhateverLossLeadsThere() {
        #expect(SkyPilotExport.once([3, 5, 5, 3, 1]) == [3, 5, 1])
    }

    /// Every plan's tasks, in one call of the loader (SkyPilot's import alone takes about 4
    /// CPU-seconds; once per plan, the loader was the suite's last test to end, by 11 s).
    @Test(.enabled(if: PythonTools.usable)) func skyPilotsLoaderAcceptsEveryTask() async throws {
        let all = try await Planned.all()
        try await heavy {
            var roots: [String] = []
            var loaded: [String: Int] = [:]
            for (scenario, plan) in all {
                let files = SkyPilotExport.files(scenario: scenario, plan: plan)
                guard !files.isEmpty else { continue }
                let root = try writeOut(files, "sky")
                roots.append(root.path)
                loaded[root.lastPathComponent] = files.count
            }
            #expect(roots.count >= 2)
            let result = try PythonTools.run("load-skypilot.py", roots)
            #expect(result.status == 0, "\(result.output)")
            // One line per task, named by its plan's directory.
            let lines = result.output.components(separatedBy: "\n").filter { $0.contains(".yaml:") }
            for (root, count) in loaded {
                #expect(lines.filter { $0.hasPrefix(root + "/") }.count == count, "\(root): \(result.output)")
            }
        }
    }

    @Test(.enabled(if: PythonTools.usable)) func skyPilotsLoaderRefusesABadTask() async throws {
        let example = try await Planned.example()
        try await heavy {
            let (scenario, plan) = example
            let bad = SkyPilotExport.files(scenario: scenario, plan: plan).prefix(1).map {
                ExportedFile(path: $0.path, text: $0.text.replacingOccurrences(of: "num_nodes:", with: "nodes:"))
            }
            let result = try PythonTools.run("load-skypilot.py", [try writeOut(bad, "sky-bad").path])
            #expect(result.status == 1)
        }
    }
}
