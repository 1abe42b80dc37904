import Foundation
import SwitchyardCatalog
import SwitchyardServiceTesting
import SwitchyardTesting
import Testing

/// End-to-end: the real `switchyard` binary, its output compared to checked-in snapshots where the
/// exact text matters. Record new snapshots with `SWITCHYARD_RECORD=1 swift test`.
@Suite struct CLITests {
    func run(_ arguments: String...) async throws -> CommandResult {
        try await runCommand(Fixtures.switchyardBinary, arguments)
    }

    func assertSnapshot(_ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let path = Fixtures.path("Tests/SwitchyardCLITests/Snapshots/\(name).txt")
        if ProcessInfo.processInfo.environment["SWITCHYARD_RECORD"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == expected, "output differs from snapshot \(name).txt", sourceLocation: sourceLocation)
    }

    @Test func validatesTheExample() async throws {
        let r = try await run("validate", "examples/frontier-lab.yaml")
        #expect(r.status == 0)
        #expect(r.stdout.contains("examples/frontier-lab.yaml: ok (4 providers, 8 offers"))
    }

    /// `plan --write-model` writes the whole MILP for another solver, in the format its file's
    /// extension names, and stops without solving; any other extension is refused (exit 64).
    @Test func planWritesTheModelForAnotherSolver() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sy-model-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let mps = directory.appendingPathComponent("frontier.mps").path
        let written = try await run("plan", "examples/frontier-lab.yaml", "--write-model", mps)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.contains("Wrote \(mps):") && written.stdout.contains("integer"))
        let text = try String(contentsOfFile: mps, encoding: .utf8)
        #expect(text.contains("NAME frontier-lab") && text.contains("'MARKER'") && text.hasSuffix("ENDATA\n"))
        let lp = directory.appendingPathComponent("frontier.lp").path
        #expect(try await run("plan", "examples/frontier-lab.yaml", "--write-model", lp).status == 0)
        #expect(try String(contentsOfFile: lp, encoding: .utf8).contains("Subject To"))
        let wrong = try await run("plan", "examples/frontier-lab.yaml", "--write-model", "model.txt")
        #expect(wrong.status == 64 && wrong.stderr.contains("ending in .mps or .lp"))
    }

    /// `--threads` is 1 or 2; its default is `SWITCHYARD_THREADS` when that is 1 or 2.
    @Test func threadsDefaultFromTheEnvironmentAndRefuseOtherCounts() async throws {
        for (set, shown) in [("1", "1"), ("2", "2")] {
            let help = try await runCommand(
                Fixtures.switchyardBinary, ["plan", "--help"], environment: ["SWITCHYARD_THREADS": set])
            #expect(help.stdout.contains("are two cores. (default: \(shown))"), "\(help.stdout)")
        }
        let refused = try await run("plan", "examples/frontier-lab.yaml", "--threads", "3")
        #expect(refused.status == 64 && refused.stderr.contains("--threads must be 1 or 2"), "\(refused.stderr)")
    }

    @Test func fiveMistakesExitOneAndNameEachPath() async throws {
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID()).yaml").path
        var text = try String(contentsOfFile: Fixtures.path("examples/frontier-lab.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(
            of: "    provider: nebius\n    accelerator: nvidia-h200",
            with: "    provider: nebuis\n    accelerator: nvidia-h200")
        text = text.replacingOccurrences(of: "onDemand: 3.90 ", with: "onDemand: -3.90 ")
        text = text.replacingOccurrences(of: "maxProviderShare: 0.5 ", with: "maxProviderShre: 0.5 ")
        text = text.replacingOccurrences(
            of: "window: { start: 2027-04, end: 2027-12 }", with: "window: { start: 2027-04, end: 2026-12 }")
        text = text.replacingOccurrences(
            of: "    availableNodes: 60\n    leadTimeDays: 0", with: "    availableNodes: sixty\n    leadTimeDays: 0")
        try text.write(toFile: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let r = try await run("validate", bad)
        #expect(r.status == 1)
        try assertSnapshot(r.stderr.replacingOccurrences(of: bad, with: "bad.yaml"), named: "validate-five-mistakes")
        let json = try await run("validate", bad, "--format", "json")
        #expect(json.status == 1)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect((parsed?.first?["problems"] as? [Any])?.count == 5)
    }

    @Test func garbageExitsOneAndAMissingFileTwo() async throws {
        // README: 1 the input has problems; 2 a file could not be read. Both files are reported.
        let r = try await run("validate", "no/such/file.yaml", "Package.swift")
        #expect(r.status == 2)
        #expect(r.stderr.contains("no/such/file.yaml: no such file"))
        #expect(r.stderr.contains("Package.swift:"))
        #expect(!r.stderr.contains("Fatal error"))
        let garbage = try await run("validate", "Package.swift")
        #expect(garbage.status == 1)
    }

    @Test func validateChecksIncidentFilesAgainstTheScenarioBesideThem() async throws {
        let all = try await run(
            "validate", "examples/incident-nebius-slip.yaml", "examples/frontier-lab.yaml",
            "examples/incident-coreweave-outage.yaml")
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.contains("examples/incident-nebius-slip.yaml: ok (incident: slip at nebius from 2027-02"))
        #expect(all.stdout.contains("examples/incident-coreweave-outage.yaml: ok (incident: outage at coreweave"))
        let alone = try await run("validate", "examples/incident-nebius-slip.yaml")
        #expect(alone.status == 1)
        #expect(alone.stderr.contains("an incident file, checked against its scenario"))
        #expect(!alone.stderr.contains("unknown field"))
        let given = try await run(
            "validate", "examples/incident-nebius-slip.yaml", "--scenario", "examples/frontier-lab.yaml")
        #expect(given.status == 0, "\(given.stderr)")
    }

    /// On a terminal a solve shows its latest step on one line that rewrites itself, and clears
    /// it; `--quiet` and a pipe show nothing; `--progress` lines keep one clock.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs util-linux's script"))
    func aSolveOnATerminalShowsOneProgressLine() async throws {
        let out = NSTemporaryDirectory() + "switchyard-status-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: out) }
        // A 5% gap: the example's first plans are inside it in about three seconds, a dozen steps
        // in; the lines, not the plan, are what this test reads.
        let command = "\(Fixtures.switchyardBinary) plan examples/frontier-lab.yaml --gap 0.05 --out \(out)"
        // `script` (util-linux) runs the command on a pseudo-terminal.
        let terminal = try await runCommand("/usr/bin/script", ["-qec", command, "/dev/null"])
        #expect(terminal.status == 0, "\(terminal.stdout)")
        #expect(terminal.stdout.contains("\r[") && terminal.stdout.contains("relaxation"))
        #expect(terminal.stdout.hasSuffix("\r\u{1B}[K"))
        let quiet = try await runCommand("/usr/bin/script", ["-qec", command + " --quiet", "/dev/null"])
        #expect(quiet.status == 0)
        #expect(!quiet.stdout.contains("relaxation"))
        let piped = try await run("plan", "examples/frontier-lab.yaml", "--gap", "0.05", "--progress")
        #expect(!piped.stderr.contains("\r"))
        let seconds = piped.stderr.split(separator: "\n").compactMap { line -> Double? in
            guard line.hasPrefix("["), let end = line.firstIndex(of: "s") else { return nil }
            return Double(line[line.index(after: line.startIndex)..<end].trimmingCharacters(in: .whitespaces))
        }
        #expect(seconds.count > 5)
        #expect(seconds == seconds.sorted(), "each step's time is on the plan's one clock")
    }

    @Test func aMistypedSubcommandGetsASuggestion() async throws {
        let top = try await run("plna", "examples/frontier-lab.yaml")
        #expect(top.status == 64)
        #expect(top.stderr.contains("'plna' is not a switchyard command; did you mean 'switchyard plan'?"))
        let nested = try await run("catalog", "accelerator")
        #expect(nested.status == 64)
        #expect(nested.stderr.contains("did you mean 'switchyard catalog accelerators'?"))
        let far = try await run("xyzzyplugh")
        #expect(far.status == 64)
        #expect(!far.stderr.contains("did you mean"))
        #expect(far.stderr.contains("See 'switchyard --help'"))
        // Options and help still reach the parser.
        #expect(try await run("--version").status == 0)
        #expect(try await run("help", "plan").status == 0)
    }

    @Test func catalogTableMatchesSnapshot() async throws {
        let r = try await run("catalog", "accelerators")
        #expect(r.status == 0)
        try assertSnapshot(r.stdout, named: "catalog-accelerators")
    }

    @Test func catalogJSONAndCSV() async throws {
        let json = try await run("catalog", "accelerators", "--format", "json")
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let entries = document?["accelerators"] as? [[String: Any]]
        #expect(entries?.count ?? 0 >= 16)
        // Every calibration point is printed with the estimate beside it and the error.
        let calibration = document?["calibration"] as? [[String: Any]] ?? []
        #expect(calibration.count == AcceleratorCatalog.calibration.count)
        for point in calibration {
            let measured = point["measured"] as? Double ?? 0
            let estimate = point["estimate"] as? Double ?? 0
            #expect(abs((point["error"] as? Double ?? 1) - (estimate / measured - 1)) < 1e-9)
        }
        let summary = document?["calibrationSummary"] as? [String: Any]
        #expect((summary?["worstAbsoluteError"] as? Double ?? 1) <= 0.10)
        let csv = try await run("catalog", "accelerators", "--format", "csv")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("id,name,vendor,bf16DenseTFLOPS") == true)
        #expect(lines.count == (entries?.count ?? 0) + 1)
    }

    @Test func generateIsDeterministicAndValid() async throws {
        let a = try await run("generate", "--seed", "9", "--providers", "6", "--offers", "30", "--format", "json")
        let b = try await run("generate", "--seed", "9", "--providers", "6", "--offers", "30", "--format", "json")
        #expect(a.status == 0 && a.stdout == b.stdout)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gen-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try a.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try await run("validate", path).status == 0)
    }

    @Test func usageErrorsExit64() async throws {
        let r = try await run("generate", "--providers", "0")
        #expect(r.status == 64)
        #expect(r.stderr.contains("--providers must be between 1 and"))
        #expect(try await run("no-such-command").status == 64)
    }

    @Test func versionAndHelp() async throws {
        #expect(try await run("--version").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
        let help = try await run("--help")
        #expect(help.stdout.contains("Exit codes:"))
        #expect(help.stdout.contains("validate"))
    }

    @Test func importOffersMergesOrReportsNothingWritten() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.csv").path
        try
            "id,provider,accelerator,acceleratorsPerNode,region,availableNodes,onDemand\nnew-h100,crusoe,nvidia-h100,8,us-east,10,3.10\n"
            .write(toFile: good, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("merged.yaml").path
        let r = try await run("import-offers", good, "--scenario", "examples/frontier-lab.yaml", "--out", out)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try await run("validate", out).stdout.contains("9 offers"))

        let bad = dir.appendingPathComponent("bad.csv").path
        try
            "id,provider,accelerator,acceleratorsPerNode,region,availableNodes,onDemand\nx,nobody,nvidia-h100,8,us-east,10,3\n"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let out2 = dir.appendingPathComponent("not-written.yaml").path
        let r2 = try await run("import-offers", bad, "--scenario", "examples/frontier-lab.yaml", "--out", out2)
        #expect(r2.status == 1)
        #expect(r2.stderr.contains("no provider 'nobody'"))
        #expect(!FileManager.default.fileExists(atPath: out2))
    }
}

@Suite struct PlanCLITests {
    func run(_ arguments: String...) async throws -> CommandResult {
        try await runCommand(Fixtures.switchyardBinary, arguments)
    }

    func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID())-\(name)").path
    }

    /// Reports are read for their sections and widths, not their figures: a 5% gap ends the solve
    /// at its first plans (the default solve is run by `DeterminismCLITests` and `ExamplePlan`).
    @Test func planPrintsEverySectionAndPassesItsCheck() async throws {
        let r = try await run("plan", "examples/frontier-lab.yaml", "--gap", "0.05", "--check")
        #expect(r.status == 0, "\(r.stderr)")
        for section in [
            "Leases to sign", "Colocation", "Backup options to hold", "Allocation", "Shortfalls", "Cost by provider",
            "Spend by month", "Supplier shares", "N-1: if one provider delivers nothing", "Marginal value",
            "What binds",
            "Solver",
        ] {
            #expect(r.stdout.contains(section), "missing section \(section)")
        }
        // Every line fits the 100 columns reports are written for (tables move a long last text
        // column under each row).
        let wide = r.stdout.split(separator: "\n").filter { $0.count > 100 }
        #expect(wide.isEmpty, "\(wide.joined(separator: "\n"))")
    }

    @Test func markdownAndJSONFormats() async throws {
        let markdown = try await run("plan", "examples/frontier-lab.yaml", "--gap", "0.05", "--format", "markdown")
        #expect(markdown.stdout.hasPrefix("# Sourcing plan: frontier-lab"))
        #expect(markdown.stdout.contains("| provider | offer |"))
        let path = temporary("plan.json")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let json = try await run(
            "plan", "examples/frontier-lab.yaml", "--gap", "0.05", "--format", "json", "--out", path)
        #expect(json.status == 0 && json.stdout.isEmpty)
        let object =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        for key in ["leases", "allocation", "cost", "resilience", "explanation", "solver", "scenarioFingerprint"] {
            #expect(object?[key] != nil, "missing \(key)")
        }
    }

    @Test func replanShowsTheDelta() async throws {
        let plan = try await ExamplePlan.file()
        let r = try await run(
            "replan", "examples/frontier-lab.yaml", "--plan", plan, "--incident",
            "examples/incident-coreweave-outage.yaml",
            "--check")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("Re-plan after coreweave outage from 2027-07 for 3 month(s)"))
        #expect(r.stdout.contains("Spend: $"))
        #expect(r.stdout.contains("Leases to sign"))
    }

    /// `risk` on the example: a few futures, the same report for the same seed, and a plan of
    /// another scenario refused (exit 1) with nothing sampled.
    @Test func riskSamplesFuturesOfThePlan() async throws {
        let plan = try await ExamplePlan.file()
        let a = try await run("risk", "examples/frontier-lab.yaml", "--plan", plan, "--samples", "4", "--seed", "3")
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stdout.hasPrefix("Risk over 4 sampled futures (seed 3)"))
        #expect(a.stdout.contains("frontier-pretrain finishes on time with probability"))
        #expect(a.stdout.contains("CVaR95"))
        #expect(a.stdout.contains("nebius: outage with probability 6.0% over the horizon"))
        let b = try await run("risk", "examples/frontier-lab.yaml", "--plan", plan, "--samples", "4", "--seed", "3")
        #expect(a.stdout == b.stdout)
        let other = temporary("other.yaml")
        defer { try? FileManager.default.removeItem(atPath: other) }
        let text = try String(contentsOfFile: Fixtures.path("examples/frontier-lab.yaml"), encoding: .utf8)
        try text.replacingOccurrences(of: "capacity: 3000", with: "capacity: 2900").write(
            toFile: other, atomically: true, encoding: .utf8)
        let refused = try await run("risk", other, "--plan", plan, "--samples", "4")
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains("scenarioFingerprint: the plan was made for another scenario"), "\(refused.stderr)")
        // A plan and a strategy planned from the scenario, side by side on the same futures (the
        // strategy planned to 5%: the table's rows, not its figures, are read here).
        let compared = try await run(
            "risk", "examples/frontier-lab.yaml", "--plan", plan, "--strategy", "no-n-1", "--samples", "3", "--seed",
            "3", "--gap", "0.05")
        #expect(compared.status == 0, "\(compared.stderr)")
        #expect(compared.stdout.hasPrefix("plan"), "\(compared.stdout)")
        #expect(compared.stdout.contains("\nno-n-1 "))
        let zero = try await run("risk", "examples/frontier-lab.yaml", "--plan", plan, "--samples", "0")
        #expect(zero.status == 64 && zero.stderr.contains("--samples must be in 1...1000000"))
    }

    @Test func replanRejectsBadInputAndWritesNothing() async throws {
        let plan = try await ExamplePlan.file()
        let incident = temporary("incident.yaml")
        let out = temporary("replan.txt")
        defer { for p in [incident, out] { try? FileManager.default.removeItem(atPath: p) } }

        try "provider: corewave\nkind: outage\nfrom: 2027-07\n".write(
            toFile: incident, atomically: true, encoding: .utf8)
        var r = try await run(
            "replan", "examples/frontier-lab.yaml", "--plan", plan, "--incident", incident, "--out", out)
        #expect(r.status == 1)
        #expect(
            r.stderr.contains(
                "provider (line 1): no provider 'corewave' in scenario frontier-lab (did you mean 'coreweave'?)"))
        #expect(!FileManager.default.fileExists(atPath: out))

        // A plan of another scenario.
        let other = temporary("other.yaml")
        defer { try? FileManager.default.removeItem(atPath: other) }
        #expect(try await run("generate", "--out", other).status == 0)
        r = try await run(
            "replan", other, "--plan", plan, "--incident", "examples/incident-coreweave-outage.yaml", "--out", out)
        #expect(r.status == 1)
        #expect(r.stderr.contains("no provider 'coreweave'") || r.stderr.contains("another scenario"))
        #expect(!FileManager.default.fileExists(atPath: out))

        // Not a plan at all.
        r = try await run(
            "replan", "examples/frontier-lab.yaml", "--plan", "examples/frontier-lab.yaml", "--incident",
            "examples/incident-coreweave-outage.yaml")
        #expect(r.status == 1)
        #expect(r.stderr.contains("not valid plan JSON") || r.stderr.contains("missing field"))
    }

    @Test func aMissingScenarioExitsTwoWithoutAStackTrace() async throws {
        let r = try await run("plan", "no-such.yaml")
        #expect(r.status == 2)
        #expect(r.stderr.contains("no-such.yaml: no such file"))
    }
}

@Suite struct ScheduleCLITests {
    func run(_ arguments: String...) async throws -> CommandResult {
        try await runCommand(Fixtures.switchyardBinary, arguments)
    }

    @Test func awareBeatsAgnosticOnTheExample() async throws {
        let fleet = "examples/schedule/fleet.csv"
        let jobs = "examples/schedule/jobs.csv"
        func worst(_ policy: String) async throws -> Double {
            let r = try await run("schedule", "--fleet", fleet, "--jobs", jobs, "--policy", policy, "--format", "json")
            #expect(r.status == 0, "\(r.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let rows = object?["jobs"] as? [[String: Any]] ?? []
            #expect(rows.count == 5)
            return rows.map { ($0["throughput"] as! Double) / ($0["equalShareThroughput"] as! Double) }.min() ?? 0
        }
        // The blind policy spreads every type over all models by size: its equal share, no more;
        // the aware one gives every type at least 1.44× that.
        let aware = try await worst("max-min-fairness")
        let agnostic = try await worst("max-min-fairness-agnostic")
        #expect(abs(agnostic - 1) < 1e-6)
        #expect(aware > agnostic + 0.4)
        let table = try await run("schedule", "--fleet", fleet, "--jobs", jobs)
        #expect(table.stdout.contains("Policy max-min-fairness"))
        #expect(table.stdout.contains("resnet18-bs16"))
    }

    @Test func badCellsAreReportedByLineAndColumn() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("schedule-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fleet = dir.appendingPathComponent("fleet.csv").path
        let jobs = dir.appendingPathComponent("jobs.csv").path
        try "model,accelerators\nnvidia-h100,8\n".write(toFile: fleet, atomically: true, encoding: .utf8)
        try "id,count,gang,throughput:nvidia-h100,troughput:x\na,two,1,1.5,0\n".write(
            toFile: jobs, atomically: true, encoding: .utf8)
        let r = try await run("schedule", "--fleet", fleet, "--jobs", jobs)
        #expect(r.status == 1)
        #expect(r.stderr.contains("unknown column 'troughput:x'"))
        try "id,count,gang,throughput:nvidia-h100\na,two,1,1.5\nb,1,16,1\n".write(
            toFile: jobs, atomically: true, encoding: .utf8)
        let r2 = try await run("schedule", "--fleet", fleet, "--jobs", jobs)
        #expect(r2.status == 1)
        #expect(r2.stderr.contains("line 2.count"))
        try "id,count,gang,throughput:nvidia-h100\nb,1,16,1\nc,1,1,0\n".write(
            toFile: jobs, atomically: true, encoding: .utf8)
        let r3 = try await run("schedule", "--fleet", fleet, "--jobs", jobs)
        #expect(r3.status == 0)
        #expect(r3.stdout.contains("its gang of 16 is larger than every pool it runs on"))
        #expect(r3.stdout.contains("it runs on none of the pools' models"))
    }
}

@Suite struct GavelScheduleCLITests {
    @Test func schedulesATraceAndNamesUnknownTypes() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gavel-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = dir.appendingPathComponent("throughputs.json").path
        try #"{"k80": {"('A', 1)": {"null": 1.0}, "('B', 1)": {"null": 2.0}}, "v100": {"('A', 1)": {"null": 4.0}}}"#
            .write(toFile: table, atomically: true, encoding: .utf8)
        func trace(_ types: [String]) throws -> String {
            let path = dir.appendingPathComponent("trace-\(UUID()).txt").path
            let lines = types.enumerated().map { i, t in
                [t, "cmd", "dir", "--steps", "1", "100", "1", "1", "-1", "\(i)"].joined(separator: "\t")
            }
            try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let ok = try await runCommand(
            Fixtures.switchyardBinary,
            [
                "schedule", "--fleet", "examples/schedule/fleet.csv", "--gavel-trace", try trace(["A", "B"]),
                "--gavel-throughputs", table,
            ])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("A x1 (line 1)"))
        let bad = try await runCommand(
            Fixtures.switchyardBinary,
            [
                "schedule", "--fleet", "examples/schedule/fleet.csv", "--gavel-trace", try trace(["A", "Z"]),
                "--gavel-throughputs", table,
            ])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("line 2.job_type (line 2): no throughput for ('Z', 1) in the table"))
        let usage = try await runCommand(
            Fixtures.switchyardBinary, ["schedule", "--fleet", "examples/schedule/fleet.csv"])
        #expect(usage.status == 64)
    }
}

@Suite struct DeterminismCLITests {
    /// Plans the example and simulates a trace twice, in two processes each: every process
    /// hashes with its own seed, so a result that depends on dictionary or set order differs
    /// between the two. (Run twice in one process, the order would be the same and prove nothing.)
    @Test func twoProcessesGiveTheSameAnswers() async throws {
        func planText() async throws -> String {
            let r = try await runCommand(
                Fixtures.switchyardBinary, ["plan", Fixtures.path("examples/frontier-lab.yaml"), "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            // Wall-clock timings are the only thing allowed to differ: the solve's times and
            // when each point of its progress came (`solver.progress[].seconds`).
            return r.stdout.split(separator: "\n").filter { !$0.contains("Seconds\"") && !$0.contains("\"seconds\"") }
                .joined(separator: "\n")
        }
        let first = try await planText()
        #expect(first.count > 10_000)
        #expect(try await planText() == first)

        let fleet = Fixtures.path("examples/schedule/fleet.csv")
        let jobs = Fixtures.path("examples/schedule/jobs.csv")
        func schedule() async throws -> String {
            let r = try await runCommand(
                Fixtures.switchyardBinary, ["schedule", "--fleet", fleet, "--jobs", jobs, "--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout.split(separator: "\n").filter { !$0.contains("\"seconds\"") }.joined(separator: "\n")
        }
        let allocation = try await schedule()
        #expect(!allocation.isEmpty)
        #expect(try await schedule() == allocation)
    }
}

@Suite struct SimulateCLITests {
    @Test func comparesTwoPoliciesAndWritesATimeline() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simulate-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let table = dir.appendingPathComponent("t.json").path
        try #"""
        {"k80": {"('A', 1)": {"null": 1.0}, "('B', 1)": {"null": 3.0}},
         "v100": {"('A', 1)": {"null": 8.0}, "('B', 1)": {"null": 3.3}}}
        """#.write(toFile: table, atomically: true, encoding: .utf8)
        let fleet = dir.appendingPathComponent("fleet.csv").path
        try "model,accelerators,pricePerAcceleratorHour,provider\nnvidia-k80,4,0.5,a\nnvidia-v100,4,2.5,b\n"
            .write(toFile: fleet, atomically: true, encoding: .utf8)
        let trace = dir.appendingPathComponent("trace.txt").path
        let generated = try await runCommand(
            Fixtures.switchyardBinary,
            ["generate-trace", "--throughputs", table, "--jobs", "40", "--jobs-per-hour", "20", "--out", trace])
        #expect(generated.status == 0, "\(generated.stderr)")
        let timeline = dir.appendingPathComponent("timeline.csv").path
        let r = try await runCommand(
            Fixtures.switchyardBinary,
            [
                "simulate", "--fleet", fleet, "--gavel-trace", trace, "--gavel-throughputs", table, "--compare",
                "max-min-fairness-agnostic", "--incident", "b,1,2,0", "--timeline", timeline,
            ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("average JCT") && r.stdout.contains("ratio") && r.stdout.contains("work lost"))
        let series = try String(contentsOfFile: timeline, encoding: .utf8)
        #expect(series.hasPrefix("seconds,runningJobs,busy:nvidia-k80@a,busy:nvidia-v100@b,available:nvidia-k80@a"))
        #expect(series.contains("cost:nvidia-v100@b"))
        // An incident naming no provider of the fleet is an input error.
        let bad = try await runCommand(
            Fixtures.switchyardBinary,
            [
                "simulate", "--fleet", fleet, "--gavel-trace", trace, "--gavel-throughputs", table, "--incident",
                "zz,1,2,0",
            ])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("no pool of provider 'zz'"))
        let malformed = try await runCommand(
            Fixtures.switchyardBinary,
            ["simulate", "--fleet", fleet, "--gavel-trace", trace, "--gavel-throughputs", table, "--incident", "b,1"])
        #expect(malformed.status == 64)
    }
}

@Suite struct SimulateOutputCLITests {
    /// For people comparing schedulers: H100s at two suppliers are two pools; JSON output, one
    /// row per job, and completion times measured over a window of jobs by arrival.
    @Test func jsonPerJobRowsAndAWindow() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simout-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fleet = dir.appendingPathComponent("fleet.csv").path
        try "model,accelerators,provider,region\nnvidia-h100,8,neo-a,us-east\nnvidia-h100,8,neo-b,us-east\n".write(
            toFile: fleet, atomically: true, encoding: .utf8)
        let trace = dir.appendingPathComponent("jobs.csv").path
        // Four 1-hour jobs of 8, arriving an hour apart from 0: each runs alone, JCT exactly 1 h.
        try
            (["id,arrivalSeconds,work,gang,throughput:nvidia-h100"]
            + (0..<4).map { "j\($0),\($0 * 3600),3600,8,1" }).joined(separator: "\n")
            .write(toFile: trace, atomically: true, encoding: .utf8)
        let rows = dir.appendingPathComponent("rows.csv").path
        let r = try await runCommand(
            Fixtures.switchyardBinary,
            [
                "simulate", "--fleet", fleet, "--trace", trace, "--format", "json", "--measure-jobs", "1-2",
                "--jobs-out", rows,
            ])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let run = (json?["runs"] as? [[String: Any]])?.first
        #expect(run?["measuredJobs"] as? Int == 2)
        #expect(run?["averageJCTSeconds"] as? Double == 3600)
        #expect(
            (run?["utilization"] as? [String: Any])?.keys.sorted() == [
                "nvidia-h100@neo-a/us-east", "nvidia-h100@neo-b/us-east",
            ])
        let lines = try String(contentsOfFile: rows, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5 && lines[0] == "id,arrivalSeconds,startSeconds,finishSeconds,jctSeconds,poolSeconds")
        #expect(lines[2].hasPrefix("j1,3600.000,3600.000,7200.000,3600.000,nvidia-h100@neo-"), "\(lines)")
        try "model,accelerators,provider\nnvidia-h100,8,neo-a\nnvidia-h100,8,neo-a\n".write(
            toFile: fleet, atomically: true, encoding: .utf8)
        let listedTwice = try await runCommand(
            Fixtures.switchyardBinary, ["simulate", "--fleet", fleet, "--trace", trace])
        #expect(listedTwice.status == 1 && listedTwice.stderr.contains("'nvidia-h100@neo-a' is listed twice"))
    }
}

@Suite struct CSVTraceCLITests {
    @Test func simulatesACSVTraceAndNamesBadLines() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csvtrace-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fleet = dir.appendingPathComponent("fleet.csv").path
        try "model,accelerators,domain\nnvidia-h100,16,8\ngoogle-tpu-v6e,8,8\n".write(
            toFile: fleet, atomically: true, encoding: .utf8)
        let trace = dir.appendingPathComponent("jobs.csv").path
        try """
        id,arrivalSeconds,work,gang,throughput:nvidia-h100,throughput:google-tpu-v6e
        cuda-a,0,3600,8,1,
        jax-b,60,3600,4,1.2,1.5
        too-big,120,100,32,1,1
        """.write(toFile: trace, atomically: true, encoding: .utf8)
        let r = try await runCommand(Fixtures.switchyardBinary, ["simulate", "--fleet", fleet, "--trace", trace])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("3 jobs") && r.stdout.contains("jobs unfinished"))
        try "id,arrivalSeconds,work,throughput:nvidia-h100\na,10,5,1\nb,5,-1,1\n".write(
            toFile: trace, atomically: true, encoding: .utf8)
        let bad = try await runCommand(Fixtures.switchyardBinary, ["simulate", "--fleet", fleet, "--trace", trace])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("line 3.arrivalSeconds") && bad.stderr.contains("line 3.work"))
    }
}

@Suite struct PlanFleetCLITests {
    /// The fleet a plan buys, simulated: TPU-only work waits for the TPUs to arrive (month 4).
    @Test func simulatesThePlansFleet() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("planfleet-\(UUID())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = try await ExamplePlan.file()
        let trace = dir.appendingPathComponent("jobs.csv").path
        try """
        id,arrivalSeconds,work,gang,throughput:nvidia-h100,throughput:google-tpu-v7
        cuda,0,36000,64,1,
        jax-on-tpu,0,36000,256,,2
        """.write(toFile: trace, atomically: true, encoding: .utf8)
        let r = try await runCommand(
            Fixtures.switchyardBinary,
            [
                "simulate", "--scenario", "examples/frontier-lab.yaml", "--plan", plan, "--trace", trace, "--policy",
                "fifo-fastest",
            ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("utilisation tpu-v7-phase1 at cw-colo-nj"))
        let unfinished = r.stdout.split(separator: "\n").first { $0.hasPrefix("jobs unfinished") }
        #expect(unfinished?.split(separator: " ").last == "0")
        // The TPUs arrive in 2027-04, three 730-hour months in: the JAX job cannot finish sooner.
        let makespan = r.stdout.split(separator: "\n").first { $0.hasPrefix("makespan") }
        // Printed with separators: "2,212.3 h".
        let hours =
            makespan.flatMap {
                $0.split(separator: " ").compactMap { Double($0.replacingOccurrences(of: ",", with: "")) }.first
            }
            ?? 0
        #expect(hours >= 3 * 730)
        let usage = try await runCommand(
            Fixtures.switchyardBinary, ["simulate", "--scenario", "examples/frontier-lab.yaml", "--trace", trace])
        #expect(usage.status == 64)
    }
}

/// One incident format: `simulate` reads the incident files `replan` reads.
@Suite struct SimulateIncidentFileTests {
    /// CoreWeave out from 2027-07 for three months, as the example's incident file says, plays
    /// exactly as the same outage written in hours (month 6 × 730 h = 4,380; 3 × 730 = 2,190).
    @Test func anIncidentFilePlaysAsTheSameOutageInHours() async throws {
        let plan = try await ExamplePlan.file()
        let common = ["simulate", "--scenario", "examples/frontier-lab.yaml", "--plan", plan, "--format", "json"]
        let file = try await runCommand(
            Fixtures.switchyardBinary, common + ["--incident", "examples/incident-coreweave-outage.yaml"])
        let hours = try await runCommand(Fixtures.switchyardBinary, common + ["--incident", "coreweave,4380,2190,0"])
        #expect(file.status == 0, "\(file.stderr)")
        #expect(hours.status == 0, "\(hours.stderr)")
        // Wall time aside, the reports are the same.
        func withoutClock(_ text: String) -> String {
            text.split(separator: "\n").filter { !$0.contains("Seconds\"") }.joined(separator: "\n")
        }
        #expect(withoutClock(file.stdout) == withoutClock(hours.stdout))
        #expect(file.stdout.contains("\"preemptions\""))
    }

    /// A slip changes what the plan signs, not what its fleet delivers: refused, with the way on;
    /// and an incident file without the scenario whose months it counts is refused too.
    @Test func aSlipOrAFileWithoutItsScenarioIsRefused() async throws {
        let plan = try await ExamplePlan.file()
        let slip = try await runCommand(
            Fixtures.switchyardBinary,
            [
                "simulate", "--scenario", "examples/frontier-lab.yaml", "--plan", plan, "--incident",
                "examples/incident-nebius-slip.yaml",
            ])
        #expect(slip.status == 1, "\(slip.stdout)")
        #expect(slip.stderr.contains("simulate plays outages; a slip changes what the plan can sign"), "\(slip.stderr)")
        let bare = try await runCommand(
            Fixtures.switchyardBinary,
            [
                "simulate", "--fleet", "examples/schedule/fleet.csv", "--trace", "examples/schedule/jobs.csv",
                "--incident", "examples/incident-coreweave-outage.yaml",
            ])
        #expect(bare.status == 64, "\(bare.stderr)")
        #expect(bare.stderr.contains("an incident file is in months of a scenario's horizon"), "\(bare.stderr)")
    }
}

@Suite struct ScenarioWorkloadSimulationTests {
    /// Without a trace, the scenario's own demand runs on the plan's fleet: each training run one
    /// job of its gang in the cluster the plan gave it, the batch stream as jobs month by month,
    /// the service's replicas held. The example's plan, simulated, meets every deadline.
    @Test func theExamplesPlanRunsAsPlanned() async throws {
        let plan = try await ExamplePlan.file()
        let r = try await runCommand(
            Fixtures.switchyardBinary,
            ["simulate", "--scenario", "examples/frontier-lab.yaml", "--plan", plan, "--round-seconds", "18000"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let outcome = { (id: String) in lines.first { $0.hasPrefix(id + " ") } ?? "" }
        #expect(outcome("frontier-pretrain").hasSuffix("on time"), "\(r.stdout)")
        #expect(outcome("frontier-next").hasSuffix("on time"))
        // At least 99% of the stream's work inside its window (the plan sizes capacity to the
        // work, so the jobs' granularity costs a fraction of a percent at the window's end).
        let batch = outcome("research-batch").split(separator: " ").first { $0.hasSuffix("%") }
        #expect(Double(batch?.dropLast() ?? "") ?? 0 >= 99, "\(r.stdout)")
        #expect(outcome("chat-serving").contains("100.0% of its capacity held"))
        #expect(lines.contains { $0.hasPrefix("utilisation run frontier-pretrain on tpu-v7-phase1 at cw-colo-nj") })
        #expect(lines.contains { $0.hasPrefix("A cluster's utilisation is of what the plan leaves free in it") })
    }
}

/// The example's plan as a JSON file, for the tests that only need a plan as input: the plan
/// every test target shares (`MemoisedPlans`, solved once per test process), written as `plan
/// --format json` writes it (`DeterminismCLITests` and the tests of `plan` itself run the CLI).
enum ExamplePlan {
    private static let made = Task<String, any Error> {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("example-plan-\(UUID()).json").path
        try PlanFile.encode(try await MemoisedPlans.awaitExample()).write(
            toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func file() async throws -> String { try await made.value }
}
