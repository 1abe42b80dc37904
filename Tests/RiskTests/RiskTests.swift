import Foundation
import Planner
import Solver
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardTesting
import Synchronization
import Testing

@testable import Risk

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Supply risk solved by hand: one 64-GPU run of 4 months' work due in month 5 (1 month of
/// slack) at provider a, whose deliveries slip 60 days (2 months) with probability 0.3. With no
/// other supply a slip makes it miss, so P(on time) = 0.7; with b able to take it, 1.
@Suite struct RiskTests {
    let planner = Planner(options: SolveOptions(timeLimitSeconds: 30, relativeGap: 1e-4))

    func scenario(backup: Bool, risk: RiskModel) -> Scenario { Fixtures.runAtRisk(backup: backup, risk: risk) }

    static let slipOfA = Fixtures.slipOfA

    func summary(_ s: Scenario, samples: Int, seed: UInt64) throws -> RiskSummary {
        let plan = try planner.plan(s)
        let outcomes = try RiskAnalysis(scenario: s, plan: plan, seed: seed, planner: planner).run(samples: samples)
        return RiskSummary(outcomes: outcomes, plan: plan, scenario: s, seed: seed)
    }

    /// P(on time) = 0.7: over five seeds of 200 samples each, every estimate is within three
    /// standard errors of 0.7 and its 95% interval is reported around it.
    @Test func aSlipWithNoAlternativeMissesWithItsProbability() throws {
        let s = scenario(backup: false, risk: Self.slipOfA)
        for seed in UInt64(1)...5 {
            let summary = try summary(s, samples: 200, seed: seed)
            let run = try #require(summary.runs.first)
            #expect(abs(run.onTime - 0.7) <= 3 * (0.7 * 0.3 / 200).squareRoot(), "seed \(seed): \(run.onTime)")
            #expect(run.low < run.onTime && run.onTime < run.high)
            // Every sample that slipped missed, and no other did.
            #expect(summary.samples - summary.quiet == 200 - Int((run.onTime * 200).rounded()))
            #expect(summary.attribution.map(\.source) == ["a"])
        }
    }

    /// With b able to hold the gang, the re-plan after a's slip moves the run there: on time in
    /// every sample, and the slipped samples cost more (b is dearer).
    @Test func aBackupClusterTakesTheRun() throws {
        let s = scenario(backup: true, risk: Self.slipOfA)
        let summary = try summary(s, samples: 100, seed: 3)
        let run = try #require(summary.runs.first)
        #expect(run.onTime == 1)
        #expect(summary.quiet < 100)
        #expect(summary.cost.p95USD > summary.cost.planUSD)
        #expect(summary.cost.p50USD == summary.cost.planUSD)
    }

    /// A failure group's one draw hits every member: a and b slip together or not at all.
    @Test func aFailureGroupFailsTogether() {
        let model = RiskModel(
            providers: [ProviderRisk(provider: "a"), ProviderRisk(provider: "b")],
            groups: [
                FailureGroup(
                    id: "site-developer", members: ["a", "b"],
                    slip: RiskEvent(probability: 0.5, lengths: [RiskLength(days: 30, probability: 1)]))
            ])
        let sampler = RiskSampler(scenario: scenario(backup: true, risk: model), model: model, seed: 11)
        var struck = 0
        for i in 0..<400 {
            let providers = sampler.incidents(sample: i).map(\.incident.provider)
            #expect(providers == [] || providers == ["a", "b"], "sample \(i): \(providers)")
            if !providers.isEmpty { struck += 1 }
        }
        #expect(abs(Double(struck) / 400 - 0.5) < 3 * (0.25 / 400).squareRoot())
    }

    /// The same seed gives the same report; a sample's draws do not depend on the others.
    @Test func theSameSeedGivesTheSameReport() throws {
        let s = scenario(backup: true, risk: Self.slipOfA)
        let a = try summary(s, samples: 40, seed: 9)
        let b = try summary(s, samples: 40, seed: 9)
        #expect(a == b)
        #expect(a.render() == b.render())
        let sampler = RiskSampler(scenario: s, model: Self.slipOfA, seed: 9)
        #expect(
            (0..<40).reversed().map(sampler.incidents(sample:)).reversed() == (0..<40).map(sampler.incidents(sample:)))
    }

    /// Two strategies compared on the same futures (common random numbers): the plan without
    /// b's offer and the plan with it see exactly the same incidents in every sample, so only
    /// the reaction differs: 0.7-ish against 1.
    @Test func strategiesAreComparedOnTheSameFutures() throws {
        let bare = scenario(backup: false, risk: Self.slipOfA)
        let backed = scenario(backup: true, risk: Self.slipOfA)
        let a = try RiskAnalysis(scenario: bare, plan: planner.plan(bare), seed: 5, planner: planner).run(samples: 60)
        let b = try RiskAnalysis(scenario: backed, plan: planner.plan(backed), seed: 5, planner: planner).run(
            samples: 60)
        #expect(a.map(\.incidents) == b.map(\.incidents))
        let rows = [
            ("bare", RiskSummary(outcomes: a, plan: try planner.plan(bare), scenario: bare, seed: 5)),
            ("backed", RiskSummary(outcomes: b, plan: try planner.plan(backed), scenario: backed, seed: 5)),
        ]
        #expect(rows[0].1.allOnTime < 1 && rows[1].1.allOnTime == 1)
        let table = RiskSummary.comparison(rows.map { (name: $0.0, summary: $0.1) })
        #expect(table.hasPrefix("plan    P(all on time)"), "\(table)")
        #expect(table.contains("backed          100.0%"), "\(table)")

        // The frontier: neither beats the other on both axes, so both are on it; a plan as
        // likely as backed to be on time but dearer is not.
        var worse = rows[1].1
        worse.allOnTime = 0.9
        worse.cost.meanUSD += 100_000
        worse.cost.cvar95USD += 100_000
        let three = rows.map { (name: $0.0, summary: $0.1) } + [(name: "worse", summary: worse)]
        #expect(RiskFrontier.efficient(three, cost: \.cost.meanUSD) == ["bare", "backed"])
        #expect(RiskFrontier.efficient(three, cost: \.cost.cvar95USD) == ["bare", "backed"])
        let svg = RiskFrontier.svg(three)
        #expect(svg.components(separatedBy: "class=\"frontier\"").count == 3)  // one line per panel
        #expect(svg.contains("data-plan=\"worse\" data-efficient=\"false\""))
        #expect(svg.contains("data-plan=\"backed\" data-efficient=\"true\""))
        final class Counter: NSObject, XMLParserDelegate {
            var circles = 0
            func parser(
                _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]
            ) { if name == "circle" { circles += 1 } }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let counter = Counter()
        parser.delegate = counter
        #expect(parser.parse(), "the SVG is not well-formed XML")
        #expect(counter.circles == 6)
    }

    /// Futures evaluated two at a time give the same outcomes, sample by sample, as one at a
    /// time, and progress reaches every sample once.
    @Test func outcomesDoNotDependOnHowManyFuturesRunAtOnce() throws {
        let s = scenario(backup: true, risk: Self.slipOfA)
        let analysis = RiskAnalysis(scenario: s, plan: try planner.plan(s), seed: 9, planner: planner)
        let one = try analysis.run(samples: 40, workers: 1)
        let seen = Mutex<[Int]>([])
        let two = try analysis.run(samples: 40, workers: 2) { done in seen.withLock { $0.append(done) } }
        #expect(one == two)
        #expect(Set(one.map { RiskAnalysis.key(of: $0.incidents) }).count > 1)
        let reports = seen.withLock { $0 }
        #expect(reports.last == 40)
        #expect(reports == reports.sorted())
    }

    /// Futures evaluated in parts (as the queue's risk-part jobs do) and kept as JSON give the
    /// outcomes of one run: each future from the seed and its first sample alone.
    @Test func futuresEvaluatedInPartsGiveTheOutcomesOfOneRun() throws {
        let s = scenario(backup: true, risk: Self.slipOfA)
        let analysis = RiskAnalysis(scenario: s, plan: try planner.plan(s), seed: 9, planner: planner)
        let futures = analysis.futures(samples: 40)
        #expect(futures.firstSamples.count == 2 && futures.sampleCounts.reduce(0, +) == 40)
        // Parts cover every future once, in the order of their incidents.
        #expect(futures.parts(of: 1).map(\.count) == [1, 1])
        let ordered = try #require(futures.parts(of: 5).first)
        #expect(futures.parts(of: 5).count == 1 && Set(ordered) == Set(futures.firstSamples))
        let keys = ordered.map { RiskAnalysis.key(of: futures.drawn[$0]) }
        #expect(keys == keys.sorted())
        let parts = futures.parts(of: 1)
        let kept = try parts.map {
            String(decoding: try JSONEncoder().encode(try analysis.evaluate(samples: $0)), as: UTF8.self)
        }
        let read = try kept.flatMap { try JSONDecoder().decode([SampleOutcome].self, from: Data($0.utf8)) }
        let outcomeOf = Dictionary(uniqueKeysWithValues: zip(parts.flatMap { $0 }, read))
        let joined = futures.outcomes(futures.firstSamples.map { outcomeOf[$0]! })
        // A fresh analysis (no re-plans remembered) gives the same outcomes.
        let fresh = RiskAnalysis(scenario: s, plan: analysis.plan, seed: 9, planner: planner)
        #expect(joined == (try fresh.run(samples: 40)))
    }

    /// A re-plan that finds no plan (here: a planner given no time) leaves the sample on the plan
    /// as it stood; the report counts those samples instead of failing the analysis.
    @Test func aReplanWithNoPlanIsCountedNotFatal() throws {
        let s = scenario(backup: true, risk: Self.slipOfA)
        let plan = try planner.plan(s)
        let hurried = Planner(options: SolveOptions(timeLimitSeconds: 1e-9, relativeGap: 1e-4))
        let outcomes = try RiskAnalysis(scenario: s, plan: plan, seed: 2, planner: hurried).run(samples: 30)
        let struck = outcomes.filter { !$0.incidents.isEmpty }
        #expect(!struck.isEmpty)
        #expect(struck.allSatisfy { $0.unanswered == 1 })
        let summary = RiskSummary(outcomes: outcomes, plan: plan, scenario: s, seed: 2)
        #expect(summary.unanswered == struck.count)
        #expect(summary.render().contains("In \(struck.count) of them a re-plan found no plan"))
    }

    /// Hand-checked statistics: Wilson's interval for 7 of 10, nearest-rank quantiles, CVaR.
    @Test func theStatisticsAreTheTextbookOnes() {
        let (low, high) = RiskSummary.wilson(successes: 7, of: 10)
        #expect(abs(low - 0.3968) < 1e-4 && abs(high - 0.8922) < 1e-4)
        #expect(RiskSummary.quantile([5, 1, 4, 2, 3], 0.5) == 3)
        #expect(RiskSummary.quantile(Array(1...100).map(Double.init), 0.95) == 95)
    }

    /// The `risk` section reads back as written, stays out of the plan's fingerprint, and a
    /// table that does not sum to 1 or an unknown provider is named where it is.
    @Test func theRiskSectionRoundTripsAndIsValidated() throws {
        let s = scenario(backup: true, risk: Self.slipOfA)
        let text = ScenarioFile.text(s, format: .yaml)
        #expect(try ScenarioFile.load(data: Data(text.utf8), format: .yaml) == s)
        var without = s
        without.risk = nil
        #expect(fingerprint(of: s) == fingerprint(of: without))
        var bad = s
        bad.risk = RiskModel(providers: [
            ProviderRisk(
                provider: "z",
                outage: RiskEvent(
                    probability: 1.5,
                    lengths: [RiskLength(days: 30, probability: 0.5), RiskLength(days: 0, probability: 0.4)]))
        ])
        let problems = bad.validate(accelerators: AcceleratorCatalog.merged(with: [])).map(\.path)
        #expect(
            problems == [
                "risk.providers[0].provider", "risk.providers[0].outage.probability",
                "risk.providers[0].outage.lengths[1].days", "risk.providers[0].outage.lengths",
            ], "\(problems)")
    }
}

/// Re-plans chained as a sampled future strikes: the second knows the first incident and keeps
/// what the first re-plan did before its own month, backups exercised included (at $1 an
/// accelerator-hour they are cheaper than leasing at b).
@Suite struct ChainedReplanTests {
    @Test func aSecondReplanKeepsTheBackupsTheFirstExercised() throws {
        let scenario = Fixtures.criticalRunWithBackups(exercisePrice: 1)
        let planner = Planner(options: SolveOptions(timeLimitSeconds: 30, relativeGap: 1e-4))
        let plan = try planner.plan(scenario)
        let outage = Incident(provider: "a", kind: .outage, from: YearMonth(year: 2027, month: 1))
        let first = try planner.replan(scenario, plan: plan, incident: outage).after
        #expect(!first.exercisedBackups.isEmpty, "\(first.exercisedBackups)")
        let second = Incident(provider: "b", kind: .slip, from: YearMonth(year: 2027, month: 3), months: 1)
        let chained = try planner.replan(scenario, plan: first, incident: second, earlier: [outage]).after
        let before = { (p: Plan) in
            p.exercisedBackups.filter { $0.month < second.from }.map { "\($0.offer) \($0.month) \($0.nodes)" }
        }
        #expect(before(chained) == before(first))
        // a is still out: nothing runs there after the second re-plan's month.
        #expect(chained.runs.filter { $0.provider == "a" }.allSatisfy { $0.end < second.from })
    }
}

/// The example's future that stopped the risk bench: a Nebius outage in 2027-07 re-planned,
/// then a Crusoe outage in 2027-11 re-planned from that plan. The first re-plan waived the share
/// cap in 2027-07 (Nebius was out); the second held its history to the cap there, which that
/// history did not meet, and found the model infeasible. History is not held to the cap (in the
/// model nor by the checker).
@Suite struct ChainedExampleTests {
    @Test func aSecondOutageIsReplannedFromTheFirstReplan() async throws {
        try await heavy {
            let s = try Fixtures.frontierLab()
            let planner = Planner(options: SolveOptions(timeLimitSeconds: 30, relativeGap: 0.01))
            let plan = try planner.plan(s)
            let nebius = Incident(provider: "nebius", kind: .outage, from: YearMonth(year: 2027, month: 7), months: 1)
            let crusoe = Incident(provider: "crusoe", kind: .outage, from: YearMonth(year: 2027, month: 11), months: 1)
            let first = try planner.replan(s, plan: plan, incident: nebius).after
            let second = try planner.replan(s, plan: first, incident: crusoe, earlier: [nebius]).after
            #expect(PlanChecker(scenario: s, incident: crusoe).check(second) == [])
        }
    }
}
