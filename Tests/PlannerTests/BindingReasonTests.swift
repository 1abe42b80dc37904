import Foundation
import Solver
import SwitchyardCatalog
import SwitchyardModel
import SwitchyardTesting
import Testing

@testable import Planner

/// What the shares count and what runs, and every shortfall naming the limit that binds,
/// solved by hand: the share cap (for a run and for whole replicas), lead times, offers sold out. The budget and
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

    /// One 64-accelerator run under a 50% cap, on two providers that could each hold it. The
    /// shares count capacity held (docs/planner.md, shares), so the plan meets the cap with 64
    /// idle accelerators at b; it says so: on what runs, a supplies 100%, and the Overview and
    /// the shares section name it.
    @Test func aCapMetWithIdleCapacityIsSaidSo() throws {
        let s = scenario(
            offers: [
                Fixtures.offer("a-h100", provider: "a", nodes: 10, prices: [.onDemand: 2]),
                Fixtures.offer("b-h100", provider: "b", nodes: 10, prices: [.onDemand: 3]),
            ],
            workloads: [Fixtures.training("run", work: 64 * 730 * 2, window: Fixtures.months(1, 4), gang: 64)],
            cap: 0.5)
        let p = try plan(s)
        #expect(p.shortfalls.isEmpty)
        let a = p.shares.filter { $0.provider == "a" }
        let b = p.shares.filter { $0.provider == "b" }
        #expect(a.count == 2 && b.count == 2)
        #expect(a.allSatisfy { abs($0.share - 0.5) < 1e-9 && $0.shareInUse == 1 })
        #expect(b.allSatisfy { $0.inUseReferenceCapacity == 0 && abs($0.idleReferenceCapacity - 64) < 1e-6 })
        // The report wraps its sentences at 100 columns; read them joined again.
        let text = PlanReport.render(p, format: .text).replacingOccurrences(of: "\n  ", with: " ")
        #expect(
            text.contains(
                "The share cap is met on capacity held, some of it idle: on what runs, a reaches 100.0% in 2027-01, and a provider is above the cap in 2 provider-month(s) (see Supplier shares)."
            ))
        #expect(
            text.contains(
                "Shares count capacity held, and 128 reference-unit-months of it (50.0%) are idle: nothing runs on them."
            ))
    }

    /// The same run when b can deliver only 32 accelerators: even with all of them beside it, a
    /// would hold 66.7%, so no placement meets the cap. Nothing is leased; the run is short, and
    /// the reason is the cap, with that share.
    @Test func aRunNoCapAllowsIsShortWithTheCapAsItsReason() throws {
        let s = scenario(
            offers: [
                Fixtures.offer("a-h100", provider: "a", nodes: 10, prices: [.onDemand: 2]),
                Fixtures.offer("b-h100", provider: "b", nodes: 4, prices: [.onDemand: 3]),
            ],
            workloads: [Fixtures.training("run", work: 64 * 730 * 2, window: Fixtures.months(1, 4), gang: 64)],
            cap: 0.5)
        let p = try plan(s)
        #expect(p.leases.isEmpty, "\(p.leases)")
        let short = try #require(p.shortfalls.first { $0.workload == "run" })
        #expect(abs(short.fraction - 1) < 1e-9)
        #expect(
            short.reason
                == "the 50% share cap binds: wherever its gang goes, its provider would hold more than the cap even with all the other providers can deliver beside it (the closest, a nvidia-h100 us-east: a at 66.7% in 2027-01)",
            "\(short.reason)")
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
