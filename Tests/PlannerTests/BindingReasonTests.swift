import Foundation
import Solver
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardTesting
import Testing

@testable import Planner

/// Shares of what runs against the cap, and every shortfall naming the limit that binds, solved
/// by hand: the share cap (for runs and for whole replicas), lead times, offers sold out. The budget and
/// cluster size have theirs in `KnownAnswerTests`, `RunResilienceTests` and `TrainingRunTests`.
@Suite struct BindingReasonTests {
    let planner = Planner(options: SolveOptions(timeLimitSeconds: 60, relativeGap: 1e-6))

    func plan(_ scenario: Scenario, sourceLocation: SourceLocation = #_sourceLocation) throws -> Plan {
        #expect(
            scenario.validate(accelerators: AcceleratorCatalog.merged(with: scenario.accelerators)).isEmpty,
            sourceLocation: sourceLocation)
        let plan = try planner.plan(scenario)
        #expect(PlanChecker(scenario: scenario).check(plan) == [], sourceLocation: sourceLocation)
        return plan
    }

    func scenario(offers: [Offer], workloads: [Workload], cap: Double = 1, months: Int = 4) -> Scenario {
        var s = Scenario(
            name: "reasons", horizon: Fixtures.horizon(months),
            providers: ["a", "b"].map { Provider(id: $0, kind: .neocloud, failureProbability: 0.05) }, offers: offers,
            workloads: workloads)
        s.policy = Policy(maxProviderShare: cap)
        return s
    }

    /// One 64-accelerator run under a 50% cap, on two providers that could each hold it. Shares
    /// count what runs (docs/planner.md, shares), so idle nodes at b cannot balance it: the plan
    /// leases nothing idle, runs the gang at a (the cheaper) and states a above the cap by 32
    /// reference units in each of its 2 months, priced at the shortfall penalty: 2 × 32 × 730 h
    /// × $50 = $2,336,000. Leaving the run short instead would cost twice that.
    @Test func aCapNoWorkCanBalanceIsExceededAndPriced() throws {
        let s = scenario(
            offers: [
                Fixtures.offer("a-h100", provider: "a", nodes: 10, prices: [.onDemand: 2]),
                Fixtures.offer("b-h100", provider: "b", nodes: 10, prices: [.onDemand: 3]),
            ],
            workloads: [Fixtures.training("run", work: 64 * 730 * 2, window: Fixtures.months(1, 4), gang: 64)],
            cap: 0.5)
        let p = try plan(s)
        #expect(p.shortfalls.isEmpty)
        #expect(p.leases.allSatisfy { $0.provider == "a" }, "\(p.leases)")
        #expect(p.shares.count == 2 && p.shares.allSatisfy { $0.provider == "a" && $0.share == 1 })
        #expect(p.shares.allSatisfy { abs(($0.aboveCap ?? 0) - 32) < 1e-6 }, "\(p.shares)")
        #expect(p.cost.capPenalty == 2_336_000)
        #expect(p.cost.objective == p.cost.total + 2_336_000)
        // The report wraps its sentences at 100 columns; read them joined again.
        let text = PlanReport.render(p, format: .text).replacingOccurrences(of: "\n  ", with: " ")
        #expect(
            text.contains(
                "The plan runs above the 50% share cap on what runs in 2 provider-month(s), 64 reference-unit-months in all, the most a at 100.00% in 2027-01: no placement of whole gangs with the suppliers there are balanced it for less than the shortfall penalty, which prices it ($2,336,000)."
            ), "\(text)")
        #expect(text.contains("above-cap penalty $2,336,000"))
        // The Shortfalls section says it too: it is the cap's shortfall.
        #expect(text.contains("No demand is unmet. The plan runs above the 50% share cap on what runs"))
    }

    /// Two such runs, one month each, a cheaper than b: both at a would be 100% there, so the
    /// plan puts one at each (50/50 on what runs), the dearer provider holding real work, not
    /// idle nodes, and nothing is above the cap.
    @Test func theCapMovesRealWorkNotIdleNodes() throws {
        let s = scenario(
            offers: [
                Fixtures.offer("a-h100", provider: "a", nodes: 20, prices: [.onDemand: 2]),
                Fixtures.offer("b-h100", provider: "b", nodes: 10, prices: [.onDemand: 3]),
            ],
            workloads: [
                Fixtures.training("one", work: 64 * 730, window: Fixtures.months(1, 1), gang: 64),
                Fixtures.training("two", work: 64 * 730, window: Fixtures.months(1, 1), gang: 64),
            ],
            cap: 0.5)
        let p = try plan(s)
        #expect(p.shortfalls.isEmpty)
        #expect(Set(p.runs.map(\.provider)) == ["a", "b"], "\(p.runs)")
        #expect(p.shares.allSatisfy { $0.share == 0.5 && $0.aboveCap == nil }, "\(p.shares)")
        #expect(p.leases.map(\.accelerators).reduce(0, +) == 128)
        #expect(p.cost.capPenalty == 0)
    }

    /// Four replicas of 8 under a 70% cap, a cheaper than b: three at a and one at b would be
    /// 75/25, over the cap however many idle nodes b adds, so the plan splits them 2 and 2, and
    /// the shares it reports are those of the replicas (50/50), with nothing leased idle.
    @Test func wholeReplicasMeetTheCapOnWhatRuns() throws {
        let service = Workload(
            id: "serve", demand: .service(capacity: 32), window: Fixtures.months(1, 4), stacks: [.cuda], gang: 8)
        let s = scenario(
            offers: [
                Fixtures.offer("a-h100", provider: "a", nodes: 10, prices: [.onDemand: 2]),
                Fixtures.offer("b-h100", provider: "b", nodes: 10, prices: [.onDemand: 3]),
            ],
            workloads: [service], cap: 0.7)
        let p = try plan(s)
        #expect(p.shortfalls.isEmpty)
        // Month by month on demand: 2 nodes a month at each, 4 months.
        #expect(p.leases.filter { $0.provider == "a" }.map(\.nodes).reduce(0, +) == 8)
        #expect(p.leases.filter { $0.provider == "b" }.map(\.nodes).reduce(0, +) == 8)
        #expect(p.shares.count == 8)
        #expect(p.shares.allSatisfy { abs($0.share - 0.5) < 1e-9 && $0.shareInUse == 0.5 }, "\(p.shares)")
    }

    /// The only offer delivers 60 days after the horizon starts: the service's first two months
    /// are short, and say nothing it runs on arrives before March.
    @Test func leadTimesNameTheFirstMonthSupplyArrives() throws {
        let s = scenario(
            offers: [Fixtures.offer("a-h100", provider: "a", leadTimeDays: 60, prices: [.onDemand: 2])],
            workloads: [Fixtures.service("serve", capacity: 16, months: Fixtures.months(1, 4))])
        let p = try plan(s)
        #expect(p.shortfalls.map(\.month) == [YearMonth(year: 2027, month: 1), YearMonth(year: 2027, month: 2)])
        #expect(
            p.shortfalls.allSatisfy {
                $0.reason
                    == "nothing it runs on is deliverable before 2027-03: the earliest, a-h100, has a 60-day lead time"
            },
            "\(p.shortfalls.map(\.reason))")
        let late = scenario(
            offers: [Fixtures.offer("a-h100", provider: "a", leadTimeDays: 400, prices: [.onDemand: 2])],
            workloads: [Fixtures.service("serve", capacity: 16, months: Fixtures.months(1, 4))])
        let none = try plan(late)
        #expect(none.shortfalls.count == 4)
        #expect(
            none.shortfalls.allSatisfy {
                $0.reason == "no supply of a model it runs on is deliverable within the horizon (lead times)"
            })
    }

    /// 2 nodes (16 accelerators) on offer against 24 wanted: 8 short every month, because the
    /// offer is sold out.
    @Test func aSoldOutOfferIsNamed() throws {
        let s = scenario(
            offers: [Fixtures.offer("a-h100", provider: "a", nodes: 2, prices: [.onDemand: 2])],
            workloads: [Fixtures.service("serve", capacity: 24, months: Fixtures.months(1, 4))])
        let p = try plan(s)
        #expect(p.shortfalls.count == 4)
        #expect(p.shortfalls.allSatisfy { $0.reason == "offers sold out: a-h100" }, "\(p.shortfalls.map(\.reason))")
    }
}
