import Foundation
import SwitchyardModel
import SwitchyardTesting
import Testing

@testable import SwitchyardCatalog

@Suite struct ScenarioFileTests {
    @Test func exampleLoads() throws {
        let s = try Fixtures.frontierLab()
        #expect(s.name == "frontier-lab")
        #expect(s.providers.count == 4)
        #expect(s.offers.first?.pricePerAcceleratorHour[.onDemand] == Decimal(string: "10.50"))
        #expect(s.workloads.first { $0.id == "frontier-pretrain" }?.speed["google-tpu-v7"] == 2.2)
        #expect(s.policy.resilience == .nMinus1 && s.policy.criticalCoverage == 0.8)
        #expect(s.policy.budgetUSD == Decimal(string: "2.5e9"))
    }

    @Test(arguments: DocumentFormat.allCases)
    func roundTripIsLossless(format: DocumentFormat) throws {
        let original = try Fixtures.frontierLab()
        let text = ScenarioFile.text(original, format: format)
        let again = try ScenarioFile.load(data: Data(text.utf8), format: format)
        #expect(again == original)
        // Writing again gives the same text: the format is stable.
        #expect(ScenarioFile.text(again, format: format) == text)
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func generatedScenariosRoundTripAndValidate(seed: UInt64) throws {
        let s = ScenarioGenerator(.init(seed: seed, providers: 6, offers: 25, workloads: 12, months: 18)).generate()
        #expect(s.validate(accelerators: AcceleratorCatalog.merged(with: [])).isEmpty)
        for format in DocumentFormat.allCases {
            #expect(try ScenarioFile.load(data: Data(ScenarioFile.text(s, format: format).utf8), format: format) == s)
        }
    }

    /// Any size the CLI accepts gives a valid scenario (short horizons with long lead times included).
    @Test func generatorAlwaysGivesValidScenarios() {
        var rng = SplitMix64(seed: 77)
        let catalog = AcceleratorCatalog.merged(with: [])
        for seed in 0..<60 {
            let p = ScenarioGenerator.Parameters(
                seed: UInt64(seed), providers: rng.int(1, 9), offers: rng.int(1, 30), workloads: rng.int(1, 12),
                months: rng.int(1, 30), resilience: rng.uniform() < 0.5, load: rng.uniform(0.05, 2))
            let s = ScenarioGenerator(p).generate()
            #expect(s.validate(accelerators: catalog).isEmpty, "\(p)")
        }
    }

    @Test func generatorIsDeterministic() {
        let p = ScenarioGenerator.Parameters(seed: 42, providers: 7, offers: 30, workloads: 9, months: 24)
        #expect(ScenarioGenerator(p).generate() == ScenarioGenerator(p).generate())
        var q = p
        q.seed = 43
        #expect(ScenarioGenerator(p).generate() != ScenarioGenerator(q).generate())
    }

    @Test func jsonAndYamlReadTheSameScenario() throws {
        let original = try Fixtures.frontierLab()
        let json = try ScenarioFile.load(data: Data(ScenarioFile.text(original, format: .json).utf8), format: .json)
        let yaml = try ScenarioFile.load(data: Data(ScenarioFile.text(json, format: .yaml).utf8), format: .yaml)
        #expect(json == yaml)
    }

    /// Five different mistakes in five different places: all five are reported with their paths.
    @Test func fiveMistakesAllReported() throws {
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
        do {
            _ = try ScenarioFile.load(data: Data(text.utf8), format: .yaml)
            Issue.record("expected problems")
        } catch let error as InputError {
            let paths = Set(error.diagnostics.map(\.path))
            #expect(paths.contains("offers[2].provider"))
            #expect(paths.contains("offers[4].prices.onDemand"))
            #expect(paths.contains("policy.maxProviderShre"))
            #expect(paths.contains("workloads[0].window.end"))
            #expect(paths.contains("offers[7].availableNodes"))
            #expect(error.diagnostics.count == 5, "\(error)")
            #expect(error.diagnostics.allSatisfy { $0.line != nil })
            let typo = error.diagnostics.first { $0.path == "offers[2].provider" }!
            #expect(typo.message == "no provider 'nebuis' (did you mean 'nebius'?)")
        }
    }

    /// A multi-node gang takes whole nodes: 100 CUDA accelerators are 12.5 nodes of 8 (H100, H200,
    /// B200) or 1.4 racks of 72 (GB200) on the example's offers, so the stream is refused with its
    /// path and the node sizes; 96 (twelve nodes) and 4 (inside one node) are accepted.
    @Test func aMultiNodeGangMustBeWholeNodes() throws {
        let text = try String(contentsOfFile: Fixtures.path("examples/frontier-lab.yaml"), encoding: .utf8)
        func load(gang: Int) throws -> Scenario {
            let changed = text.replacingOccurrences(of: "    gang: 64\n", with: "    gang: \(gang)\n")
            #expect(changed != text)
            return try ScenarioFile.load(data: Data(changed.utf8), format: .yaml)
        }
        do {
            _ = try load(gang: 100)
            Issue.record("expected a gang of 100 to be refused")
        } catch let error as InputError {
            let problem = try #require(error.diagnostics.first { $0.path == "workloads[2].gang" }, "\(error)")
            #expect(problem.message.hasPrefix("a gang of 100 spans more than one node"), "\(problem.message)")
            #expect(problem.message.contains("nvidia-h100: 8 per node"), "\(problem.message)")
        }
        #expect(throws: Never.self) { try load(gang: 96) }
        #expect(throws: Never.self) { try load(gang: 4) }
    }

    /// A workload states what bounds its speed by name or as a compute fraction, not both; the
    /// fraction is a share; an unknown name is refused with the choices.
    @Test func aProfileIsNamedOrAFraction() throws {
        let text = try String(contentsOfFile: Fixtures.path("examples/frontier-lab.yaml"), encoding: .utf8)
        let line =
            "    profile: fine-tuning            # what bounds its speed estimate (docs/catalog.md); the default for batch\n"
        #expect(text.contains(line))
        func load(_ replacement: String) throws -> Scenario {
            try ScenarioFile.load(
                data: Data(text.replacingOccurrences(of: line, with: replacement).utf8), format: .yaml)
        }
        func problem(_ replacement: String) throws -> Diagnostic? {
            do {
                _ = try load(replacement)
                return nil
            } catch let error as InputError {
                return error.diagnostics.first
            }
        }
        let both = try #require(try problem(line + "    computeFraction: 0.5\n"))
        #expect(both.path == "workloads[2].computeFraction" && both.message.contains("not both"), "\(both)")
        let share = try #require(try problem("    computeFraction: 1.5\n"))
        #expect(share.path == "workloads[2].computeFraction" && share.message.contains("between 0 and 1"), "\(share)")
        let unknown = try #require(try problem("    profile: inference\n"))
        #expect(unknown.path == "workloads[2].profile" && unknown.message.contains("fine-tuning"), "\(unknown)")
        let mixed = try load("    computeFraction: 0.3\n")
        #expect(mixed.workloads[2].profile == .mix(computeFraction: 0.3))
        #expect(try ScenarioFile.load(data: Data(ScenarioFile.text(mixed, format: .yaml).utf8), format: .yaml) == mixed)
        let s = try Fixtures.frontierLab()
        #expect(s.workloads.first { $0.id == "research-batch" }?.profile == .fineTuning)
        #expect(s.workloads.first { $0.id == "chat-serving" }?.profile == .decode)
        #expect(s.workloads.first { $0.id == "frontier-pretrain" }?.profile == nil)
    }

    @Test(arguments: [
        ("", "the file is empty"),
        ("# only a comment\n", "holds no document"),
        ("name: [", "malformed YAML at line"),
        ("- a\n- b\n", "expected a mapping of fields"),
        ("name: x\nname: y\n", "duplicate key"),
        ("name: x\nhorizon: {start: 2027-01, months: 1e400}\nproviders: []\nworkloads: []\n", "too large"),
        (
            "name: x\nhorizon: {start: 2027-01, months: 99999999999999999999}\nproviders: []\nworkloads: []\n",
            "too large"
        ),
    ])
    func malformedInputGivesAClearError(text: String, expected: String) {
        do {
            _ = try ScenarioFile.load(data: Data(text.utf8), format: .yaml)
            Issue.record("expected an error for \(text.debugDescription)")
        } catch let error as InputError {
            #expect(error.description.contains(expected), "\(error)")
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    @Test func binaryGarbageIsRejected() {
        let garbage = Data([0x00, 0xFF, 0xFE, 0x13, 0x37])
        #expect(throws: InputError.self) { try ScenarioFile.load(data: garbage, format: .yaml) }
    }

    /// Malformed JSON is named with its line and column (Foundation gives a byte offset).
    @Test func malformedJSONNamesTheProblemWithLineAndColumn() throws {
        do {
            _ = try ScenarioFile.load(data: Data("{\"name\": \"x\" \"y\"}".utf8), format: .json)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("malformed JSON"))
        }
        // A missing comma: the next key is the offending token, at line 2, column 34.
        let text = "{\"name\": \"x\",\n  \"horizon\": {\"start\": \"2027-01\" \"months\": 12}}"
        do {
            _ = try DocumentParser.parse(text, format: .json)
            Issue.record("expected an error")
        } catch let error as InputError {
            let problem = try #require(error.diagnostics.first)
            #expect(problem.line == 2)
            #expect(problem.message.hasPrefix("malformed JSON at line 2, column 34"), "\(problem.message)")
        }
    }

    /// Fuzz: thousands of mutations of the example never crash the reader; each gives a scenario
    /// or an `InputError` with at least one diagnostic.
    @Test func mutatedExamplesNeverCrash() async throws {
        try await heavy {
            let original = Array(
                try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("examples/frontier-lab.yaml"))))
            var rng = SplitMix64(seed: 2027)
            let alphabet = Array("{}[]:,-#&*!|>'\"%@` \n\t0123456789.eE+-abcxyz~".utf8) + [0, 0xFF, 0xC3]
            var accepted = 0
            var rejected = 0
            for _ in 0..<1500 {
                var bytes = original
                for _ in 0..<(1 + rng.int(6)) {
                    let at = rng.int(bytes.count)
                    switch rng.int(4) {
                    case 0: bytes[at] = alphabet[rng.int(alphabet.count)]
                    case 1: bytes.remove(at: at)
                    case 2: bytes.insert(alphabet[rng.int(alphabet.count)], at: at)
                    default:
                        let end = min(bytes.count, at + rng.int(200))
                        bytes.removeSubrange(at..<end)
                    }
                }
                do {
                    _ = try ScenarioFile.load(data: Data(bytes), format: .yaml)
                    accepted += 1
                } catch let error as InputError {
                    #expect(!error.diagnostics.isEmpty)
                    rejected += 1
                }
            }
            #expect(rejected > 0)
            #expect(accepted + rejected == 1500)
        }
    }
}

@Suite struct OffersCSVTests {
    @Test func importsOffers() throws {
        let csv = """
            id,provider,accelerator,acceleratorsPerNode,region,availableNodes,leadTimeDays,onDemand,oneYear,backupNodes,backupFeePerNodeMonth,backupExercisePrice
            lb-h100,lambda,nvidia-h100,8,us-west,64,14,2.99,2.49,,,
            "lb-b200",lambda,nvidia-b200,8,us-west,32,45,4.99,,4,1500,6.50
            """
        let offers = try OffersCSV.parse(csv)
        #expect(offers.count == 2)
        #expect(
            offers[0].pricePerAcceleratorHour == [
                .onDemand: Decimal(string: "2.99")!, .oneYear: Decimal(string: "2.49")!,
            ])
        #expect(offers[0].backup == nil)
        #expect(offers[1].backup?.availableNodes == 4)
        #expect(offers[1].leadTimeDays == 45)
    }

    @Test func reportsBadCellsByLine() {
        let csv = """
            id,provider,accelerator,acceleratorsPerNode,region,availableNodes,onDemand
            a,p,nvidia-h100,8,us,ten,2.5
            b,p,nvidia-h100,8,us,10
            """
        do {
            _ = try OffersCSV.parse(csv)
            Issue.record("expected errors")
        } catch let error as InputError {
            #expect(error.diagnostics.map(\.path).contains("line 2.availableNodes"))
            #expect(error.diagnostics.contains { $0.path == "line 3" && $0.message.contains("7") })
        } catch { Issue.record("\(error)") }
    }

    @Test func unknownColumnIsAnError() {
        #expect(throws: InputError.self) { try OffersCSV.parse("id,provder,accelerator\n") }
    }
}

@Suite struct CatalogTests {
    @Test func everyRowHasASourceAndSaneFigures() {
        let ids = AcceleratorCatalog.builtin.map(\.id)
        #expect(Set(ids).count == ids.count)
        for required in [
            "nvidia-a100-80gb", "nvidia-h100", "nvidia-h200", "nvidia-b200", "nvidia-gb200", "nvidia-gb200-nvl72",
            "nvidia-b300", "nvidia-gb300", "amd-mi300x", "amd-mi325x", "amd-mi355x", "google-tpu-v5e", "google-tpu-v5p",
            "google-tpu-v6e", "google-tpu-v7", "aws-trainium2",
        ] as [AcceleratorModelID] {
            #expect(ids.contains(required), "\(required)")
        }
        for spec in AcceleratorCatalog.builtin {
            #expect(spec.source.contains("http"), "\(spec.id) has no source")
            #expect(
                spec.bf16DenseTFLOPS > 0 && spec.hbmTBps > 0 && spec.matmulEfficiency > 0 && spec.matmulEfficiency <= 1)
            if let fp8 = spec.fp8DenseTFLOPS { #expect(fp8 >= spec.bf16DenseTFLOPS) }
        }
        // The rack is 72 of its chip.
        let catalog = AcceleratorCatalog.merged(with: [])
        let rack = catalog["nvidia-gb200-nvl72"]!
        #expect(rack.bf16DenseTFLOPS == 72 * catalog["nvidia-gb200"]!.bf16DenseTFLOPS)
    }

    @Test func speedEstimates() throws {
        let speed = SpeedModel(accelerators: AcceleratorCatalog.merged(with: []), reference: "nvidia-h100")!
        let train = Workload(id: "t", demand: .training(work: 1), window: Fixtures.months(1, 2), stacks: [.cuda, .xla])
        #expect(train.effectiveProfile == .pretraining)
        #expect(speed.speed(of: train, on: "nvidia-h100") == 1)
        // H200 has the same compute: the same pre-training speed; more bandwidth makes fine-tuning
        // faster and decode faster still (a service decodes by default).
        #expect(abs(speed.speed(of: train, on: "nvidia-h200") - 1) < 1e-12)
        var tune = train
        tune.profile = .fineTuning
        var serve = train
        serve.demand = .service(capacity: 1)
        #expect(serve.effectiveProfile == .decode)
        #expect(speed.speed(of: tune, on: "nvidia-h200") > 1.1)
        #expect(speed.speed(of: serve, on: "nvidia-h200") > speed.speed(of: tune, on: "nvidia-h200"))
        #expect(abs(speed.speed(of: serve, on: "nvidia-h200") - 4.8 / 3.35) < 1e-12)
        // A stated mix sits between the bounds: all compute is pre-training's, none is decode's.
        tune.profile = .mix(computeFraction: 1)
        #expect(abs(speed.speed(of: tune, on: "nvidia-h200") - 1) < 1e-12)
        tune.profile = .mix(computeFraction: 0.5)
        #expect(abs(speed.speed(of: tune, on: "nvidia-h200") - 1 / (0.5 + 0.5 * 3.35 / 4.8)) < 1e-12)
        // MI300X has more peak than H100 but a measured efficiency of 51.4%: slower for pre-training.
        var rocm = train
        rocm.stacks = [.rocm]
        #expect(speed.speed(of: rocm, on: "amd-mi300x") < 1)
        // Less HBM than an H100 costs speed: TPU v6e has twice v5p's compute but a third of its memory.
        #expect(speed.speed(of: train, on: "google-tpu-v6e") < 1.1 * speed.speed(of: train, on: "google-tpu-v5p"))
        // A CUDA-only workload cannot run on a TPU.
        var cuda = train
        cuda.stacks = [.cuda]
        #expect(speed.speed(of: cuda, on: "google-tpu-v7") == 0)
        // A measured figure wins over the estimate.
        var measured = train
        measured.speed = ["google-tpu-v7": 2.2]
        #expect(speed.speed(of: measured, on: "google-tpu-v7") == 2.2)
        // Another reference divides every estimate by its own.
        let byV5p = SpeedModel(accelerators: AcceleratorCatalog.merged(with: []), reference: "google-tpu-v5p")!
        let v6e = AcceleratorCatalog.merged(with: [])["google-tpu-v6e"]!
        #expect(abs(byV5p.estimate(v6e, profile: .pretraining) - 29.616 / 27.330) < 0.01)
    }

    /// The estimate is within its stated error of every published measurement it cites (docs/catalog.md:
    /// mean 4.4%, worst 9.9%), and every point names its benchmark, date and source.
    @Test func theEstimateIsWithinItsStatedErrorOfEveryCalibrationPoint() {
        let catalog = AcceleratorCatalog.merged(with: [])
        let errors = AcceleratorCatalog.calibration.map { point -> Double in
            #expect(point.source.contains("http") && point.published.count == 10 && !point.benchmark.isEmpty)
            let error = point.error(in: catalog)
            #expect(error != nil, "\(point.model) or \(point.baseline) is not in the catalog")
            return abs(error ?? 1)
        }
        #expect(errors.count >= 7)
        #expect(errors.max()! <= 0.10)
        #expect(errors.reduce(0, +) / Double(errors.count) <= 0.045)
    }

    /// The profile constants are the least-squares fit (of log ratios) to the calibration points,
    /// so a point added or corrected shows up here until the constants are refitted.
    @Test func theProfileConstantsAreTheLeastSquaresFit() {
        let catalog = AcceleratorCatalog.merged(with: [])
        let grid = (0...100).map { Double($0) / 100 }
        func squaredError(_ points: [CalibrationPoint], fraction: Double, exponent: Double) -> Double {
            points.reduce(0) { sum, point in
                func speed(_ id: AcceleratorModelID) -> Double {
                    let spec = catalog[id]!
                    let compute = spec.bf16DenseTFLOPS * spec.matmulEfficiency / SpeedModel.calibrationCompute
                    let bandwidth = spec.hbmTBps / SpeedModel.calibrationBandwidth
                    let memory = pow(min(1, spec.hbmGB / SpeedModel.memoryNeedGB), exponent)
                    return memory / (fraction / compute + (1 - fraction) / bandwidth)
                }
                let ratio = speed(point.model) / speed(point.baseline)
                return sum + pow(log(ratio / point.measured), 2)
            }
        }
        let profiles: [WorkloadProfile] = [.pretraining, .fineTuning, .decode]
        var best: (error: Double, exponent: Double, fractions: [Double]) = (.infinity, 0, [])
        for exponent in grid {
            var total = 0.0
            var fractions: [Double] = []
            for profile in profiles {
                let points = AcceleratorCatalog.calibration.filter { $0.profile == profile }
                let fit = grid.map { ($0, squaredError(points, fraction: $0, exponent: exponent)) }
                    .min { $0.1 < $1.1 }!
                total += fit.1
                fractions.append(fit.0)
            }
            if total < best.error - 1e-12 { best = (total, exponent, fractions) }
        }
        #expect(abs(best.exponent - SpeedModel.memoryExponent) < 0.005)
        for (profile, fraction) in zip(profiles, best.fractions) {
            #expect(abs(fraction - SpeedModel.computeFraction(profile)) < 0.005, "\(profile)")
        }
    }
}

@Suite struct GavelTests {
    static let sharedTable = Fixtures.repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/data/gavel/simulation_throughputs.json")

    /// The published table, from the workspace's shared data (beside the repository, not in it).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: sharedTable.path)))
    func readsTheSharedThroughputTable() throws {
        let data = try Data(contentsOf: Self.sharedTable)
        let table = try GavelThroughputs.parse(data)
        #expect(Set(table.throughput.keys) == ["nvidia-k80", "nvidia-p100", "nvidia-v100"])
        let resnet = GavelThroughputs.JobType(model: "ResNet-18 (batch size 16)", scaleFactor: 1)
        #expect(abs(table.throughput["nvidia-k80"]![resnet]! - 4.795294551566172) < 1e-12)
        #expect(table.jobTypes.count >= 26)
        let speeds = table.relativeSpeeds(of: resnet, reference: "nvidia-v100")
        #expect(speeds["nvidia-v100"] == 1)
        #expect(speeds["nvidia-k80"]! < 1)
    }

    /// The same shape, written here: pairs (co-located throughputs) are ignored, unconsolidated
    /// workers dropped.
    @Test func readsTheFormat() throws {
        let json = """
            {"k80": {"('A (batch size 8)', 1)": {"null": 2.0, "('B', 1)": [1.0, 0.5]}, "('B', 2)": {"null": 1.0}},
             "v100": {"('A (batch size 8)', 1)": {"null": 8.0}, "('B', 2)": {"null": 0.0}},
             "v100_unconsolidated": {"('B', 2)": {"null": 0.3}}}
            """
        let table = try GavelThroughputs.parse(Data(json.utf8))
        #expect(Set(table.throughput.keys) == ["nvidia-k80", "nvidia-v100"])
        let a = GavelThroughputs.JobType(model: "A (batch size 8)", scaleFactor: 1)
        #expect(table.relativeSpeeds(of: a, reference: "nvidia-v100") == ["nvidia-v100": 1, "nvidia-k80": 0.25])
        // B does not run on a V100 (0 steps/s): no speeds relative to it.
        #expect(table.relativeSpeeds(of: .init(model: "B", scaleFactor: 2), reference: "nvidia-v100").isEmpty)
        #expect(table.jobTypes.count == 2)
    }

    @Test func reportsMissingEntries() {
        let json = #"{"v100": {"('A', 1)": {"null": 1.5}, "('B', 1)": {"x": 2}}, "tpu": {}}"#
        do {
            _ = try GavelThroughputs.parse(Data(json.utf8))
            Issue.record("expected errors")
        } catch let error as InputError {
            let text = error.description
            #expect(text.contains("v100.('B', 1)"))
            #expect(text.contains("unknown worker type"))
        } catch { Issue.record("\(error)") }
        // A boolean is no throughput; broken JSON is named as such.
        #expect(throws: InputError.self) {
            try GavelThroughputs.parse(Data(#"{"v100": {"('A', 1)": {"null": true}}}"#.utf8))
        }
        #expect(throws: InputError.self) { try GavelThroughputs.parse(Data(#"{"v100": "#.utf8)) }
    }

    @Test func parsesJobTypeKeys() {
        #expect(
            GavelThroughputs.JobType(key: "('Transformer (batch size 32)', 4)")
                == .init(model: "Transformer (batch size 32)", scaleFactor: 4))
        #expect(GavelThroughputs.JobType(key: "ResNet") == nil)
    }
}

@Suite struct GavelTraceGeneratorTests {
    let table = try! GavelThroughputs.parse(
        Data(
            #"{"v100": {"('A', 1)": {"null": 10.0}, "('A', 4)": {"null": 30.0}, "('B', 1)": {"null": 2.0}}, "k80": {"('A', 1)": {"null": 1.0}}}"#
                .utf8))

    @Test func deterministicParseableAndShapedLikeGavels() throws {
        var generator = GavelTraceGenerator(throughputs: table)
        generator.jobs = 2000
        generator.seed = 5
        let jobs = try generator.generate()
        #expect(try generator.generate() == jobs)
        let reparsed = try GavelTraceJob.parse(GavelTraceGenerator.text(jobs))
        #expect(reparsed.count == 2000)
        #expect(zip(reparsed, jobs).allSatisfy { $0.jobType == $1.jobType && $0.totalSteps == $1.totalSteps })
        // Arrivals never go backwards and average the requested rate (60/h → 60 s apart).
        #expect(zip(jobs, jobs.dropFirst()).allSatisfy { $0.arrivalSeconds <= $1.arrivalSeconds })
        let meanGap = jobs.last!.arrivalSeconds / Double(jobs.count)
        #expect(abs(meanGap - 60) < 6)
        // Only types the table has; gangs only where the table has them (A ×4, never B ×4).
        #expect(
            jobs.allSatisfy {
                [1, 4].contains($0.jobType.scaleFactor) && ($0.jobType.model == "A" || $0.jobType.scaleFactor == 1)
            })
        // 80% of durations are 60·10^U(1.5, 3) seconds: under 60,000 s.
        let short = jobs.filter { $0.jobType.scaleFactor == 1 }.filter { j in
            j.totalSteps / (j.jobType.model == "A" ? 10 : 2) <= 60_000
        }.count
        let singles = jobs.filter { $0.jobType.scaleFactor == 1 }.count
        #expect(abs(Double(short) / Double(singles) - 0.8) < 0.05)
    }

    @Test func aTableWithoutTheReferenceWorkerIsAnError() throws {
        var generator = GavelTraceGenerator(throughputs: table)
        generator.reference = "nvidia-p100"
        #expect(throws: InputError.self) { try generator.generate() }
    }
}

@Suite struct JSONEscapeTests {
    @Test func surrogatePairsReadAsTheirCharacterAndLoneHalvesAreRefused() throws {
        let node = try DocumentParser.parse(#"{"name": "rocket \ud83d\ude80 \\ud83d", "n": 1}"#, format: .json)
        guard case .mapping(let pairs, _) = node, case .scalar(let name, _, _) = pairs[0].value else {
            Issue.record("not a mapping: \(node)")
            return
        }
        #expect(name == "rocket 🚀 \\ud83d")
        #expect(throws: InputError.self) { try DocumentParser.parse(#"{"name": "\ud83d!"}"#, format: .json) }
    }
}

@Suite struct TextRoundTripTests {
    /// Any text written as JSON or YAML reads back as the same text: control characters, line
    /// separators, characters beyond the BMP.
    @Test func everyCharacterSurvivesWritingAndReading() throws {
        var rng = SplitMix64(seed: 7)
        let pools: [ClosedRange<UInt32>] = [
            0x0...0x7F, 0x80...0xFF, 0x2000...0x206F, 0xFFF0...0xFFFF, 0x1F600...0x1F64F,
        ]
        for _ in 0..<300 {
            var text = ""
            for _ in 0..<Int(rng.next() % 12 + 1) {
                let pool = pools[Int(rng.next() % UInt64(pools.count))]
                let value = pool.lowerBound + UInt32(rng.next() % UInt64(pool.count))
                if let scalar = Unicode.Scalar(value) { text.unicodeScalars.append(scalar) }
            }
            let node = DocumentNode.map([("k", .text(text))])
            for format in DocumentFormat.allCases {
                let written = DocumentWriter.write(node, format: format)
                let read = try DocumentParser.parse(written, format: format)
                #expect(read == node, "\(format): \(text.unicodeScalars.map { String($0.value, radix: 16) })")
            }
        }
    }
}

@Suite struct PlanJSONTests {
    /// Floating-point noise leaves a plan's JSON; strings and whole numbers are untouched.
    @Test func numbersLoseTheirNoise() {
        let json =
            #"{"a": 0.9999999999999999, "b": 400.00000000000006, "c": [2457.6000000000004, -1.5e-20],"#
            + #" "d": "0.9999999999999999", "e": 12345678901234567890, "f": 0.1, "g": 2797.0288715757897}"#
        #expect(
            PlanFile.tidyNumbers(json)
                == #"{"a": 1, "b": 400, "c": [2457.6, -1.5e-20], "d": "0.9999999999999999", "e": 12345678901234567890,"#
                + #" "f": 0.1, "g": 2797.02887157579}"#)
    }
}

@Suite struct AliasTests {
    /// A few aliases are fine; nested ones that would expand past a million nodes are refused
    /// before any expansion, naming why.
    @Test func aliasBombsAreRefusedBeforeExpansion() throws {
        let small = try DocumentParser.parse("base: &b {x: 1}\nother: *b\n", format: .yaml)
        #expect(DocumentWriter.write(small, format: .json).contains("other"))
        var lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            lines.append(
                "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
        }
        #expect {
            try DocumentParser.parse(lines.joined(separator: "\n"), format: .yaml)
        } throws: { error in
            "\(error)".contains("aliases expand to more than 1000000 nodes")
        }
    }

    /// Few nodes can still be many bytes: one anchored 10,000-character text aliased 10,000 times
    /// (a 57 KB file) would be 100 MB expanded, and is refused before anything is expanded.
    @Test func aliasesOfLongTextAreBoundedInBytes() throws {
        let text = String(repeating: "x", count: 10_000)
        let yaml =
            "name: &n \(text)\nlist: [" + Array(repeating: "*n", count: 10_000).joined(separator: ", ") + "]\n"
        #expect(yaml.utf8.count < 60_000)
        #expect {
            try DocumentParser.parse(yaml, format: .yaml)
        } throws: { error in
            "\(error)".contains("aliases expand to more than \(16 << 20) bytes")
        }
        // A text aliased a few times is fine.
        let few = "name: &n \(text)\nlist: [*n, *n, *n]\n"
        #expect(throws: Never.self) { try DocumentParser.parse(few, format: .yaml) }
    }

    /// A mistake repeated by aliases is listed at most 200 times, with one line for the rest,
    /// and a long unknown key is quoted cut short: the answer stays small.
    @Test func aRepeatedMistakeGivesASmallAnswer() throws {
        let key = String(repeating: "k", count: 20_000)
        var lines = ["x: &bad", "  ? \(key)", "  : 1", "offers:"]
        for _ in 0..<500 { lines.append("  - *bad") }
        let node = try DocumentParser.parse(lines.joined(separator: "\n"), format: .yaml)
        #expect {
            try ScenarioFile.load(document: node)
        } throws: { error in
            let text = "\(error)"
            return text.utf8.count < 100_000 && text.contains("more problem(s) not listed") && !text.contains(key)
        }
    }
}
