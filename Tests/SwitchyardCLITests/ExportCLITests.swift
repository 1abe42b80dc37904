import Foundation
import SwitchyardCatalog
import SwitchyardServiceTesting
import SwitchyardTesting
import Testing

/// `switchyard export` and `import-offers --format skypilot` as a user runs them.
@Suite struct ExportCLITests {
    func run(_ arguments: String...) async throws -> CommandResult {
        try await runCommand(Fixtures.switchyardBinary, arguments)
    }

    func directory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The example's plan, written where the commands can read it.
    func examplePlan(in dir: URL) async throws -> String {
        let path = dir.appendingPathComponent("plan.json").path
        try PlanFile.encode(try await MemoisedPlans.awaitExample()).write(
            toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func exportsTheExampleForOneMonthAndRefusesWhatDoesNotFit() async throws {
        let dir = try directory("export")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try await examplePlan(in: dir)
        let out = dir.appendingPathComponent("kueue").path
        let r = try await run(
            "export", "kueue", "--scenario", "examples/frontier-lab.yaml", "--plan", plan, "--month", "2027-05",
            "--out", out)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("2027-05/manager.yaml"))
        let manager = try String(contentsOfFile: out + "/2027-05/manager.yaml", encoding: .utf8)
        #expect(manager.contains("kind: \"ClusterQueue\""))
        #expect(FileManager.default.fileExists(atPath: out + "/changes.md"))

        let outside = try await run(
            "export", "kueue", "--scenario", "examples/frontier-lab.yaml", "--plan", plan, "--month", "2031-01",
            "--out", dir.appendingPathComponent("never").path)
        #expect(outside.status == 1)
        #expect(outside.stderr.contains("2031-01 is outside the horizon, 2027-01 to 2028-12"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("never").path))
        let malformed = try await run(
            "export", "kueue", "--scenario", "examples/frontier-lab.yaml", "--plan", plan, "--month", "2027-5",
            "--out", out)
        #expect(malformed.status == 64)
        #expect(malformed.stderr.contains("'2027-5' is not a month"))

        // A plan of another scenario is refused by name.
        let other = dir.appendingPathComponent("other.yaml").path
        try String(contentsOfFile: Fixtures.path("examples/frontier-lab.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "name: frontier-lab", with: "name: another-lab")
            .write(toFile: other, atomically: true, encoding: .utf8)
        let refused = try await run("export", "skypilot", "--scenario", other, "--plan", plan, "--out", out)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains(plan))

        let sky = dir.appendingPathComponent("sky").path
        let tasks = try await run(
            "export", "skypilot", "--scenario", "examples/frontier-lab.yaml", "--plan", plan, "--out", sky)
        #expect(tasks.status == 0, "\(tasks.stderr)")
        let written = try FileManager.default.contentsOfDirectory(atPath: sky).sorted()
        #expect(written == ["frontier-next--without-nebius.yaml", "frontier-next.yaml", "frontier-pretrain.yaml"])
    }

    @Test func importsASkyPilotCatalog() async throws {
        let dir = try directory("skypilot-import")
        defer { try? FileManager.default.removeItem(at: dir) }
        // SkyPilot's columns (a cloud's vms.csv): two zones of one region merge into one offer,
        // a CPU instance is skipped.
        let catalog = dir.appendingPathComponent("vms.csv").path
        try """
        InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region,SpotPrice,GpuInfo,AvailabilityZone
        gpu-h200x8,H200,8,128,1600,28.00,us-east,,"{'Gpus': [{'Name': 'H200', 'Count': 8}]}",us-east-a
        gpu-h200x8,H200,8,128,1600,27.60,us-east,,"{'Gpus': [{'Name': 'H200', 'Count': 8}]}",us-east-b
        gpu-b200x8,B200,8,160,2000,44.00,us-east,30.00,,us-east-a
        cpu-d16,,,16,64,0.80,us-east,,,us-east-a

        """.write(toFile: catalog, atomically: true, encoding: .utf8)
        let merged = dir.appendingPathComponent("merged.yaml").path
        let r = try await run(
            "import-offers", catalog, "--format", "skypilot", "--provider", "nebius", "--nodes", "32",
            "--scenario", "examples/frontier-lab.yaml", "--out", merged)
        #expect(r.status == 0, "\(r.stderr)")
        let scenario = try ScenarioFile.load(path: merged)
        let h200 = try #require(scenario.offers.first { $0.id == "nebius-gpu-h200x8-us-east" })
        #expect(h200.accelerator == "nvidia-h200")
        #expect(h200.availableNodes == 32)
        #expect(h200.pricePerAcceleratorHour[.onDemand] == Decimal(string: "3.45"))  // 27.60 / 8, the cheaper zone
        #expect(scenario.offers.contains { $0.id == "nebius-gpu-b200x8-us-east" })
        #expect(!scenario.offers.contains { $0.id.rawValue.contains("cpu") })

        let unknown = dir.appendingPathComponent("unknown.csv").path
        try "InstanceType,AcceleratorName,AcceleratorCount,Price,Region\ng5,A10G,1,1.01,us-east\n"
            .write(toFile: unknown, atomically: true, encoding: .utf8)
        let refused = try await run(
            "import-offers", unknown, "--format", "skypilot", "--provider", "nebius", "--nodes", "4", "--scenario",
            "examples/frontier-lab.yaml", "--out", dir.appendingPathComponent("never.yaml").path)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("AcceleratorName (line 2): unknown accelerator 'A10G'"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("never.yaml").path))

        let noNodes = try await run(
            "import-offers", catalog, "--format", "skypilot", "--provider", "nebius", "--scenario",
            "examples/frontier-lab.yaml")
        #expect(noNodes.status == 64)
        #expect(noNodes.stderr.contains("--format skypilot needs --nodes"))
    }
}
