import Foundation
import SwitchyardCatalog
import SwitchyardModel

/// An incident a sample drew, and what drew it: a provider's own event or a failure group's.
public struct SampledIncident: Sendable, Equatable {
    /// The incident, as `switchyard replan` takes it.
    public var incident: Incident
    /// The provider or failure group whose draw it is.
    public var source: String
}

/// Draws the incidents of each sampled future from a scenario's risk model. Sample i has a
/// generator of its own, seeded from (seed, i), so what it draws does not depend on which process
/// draws it, nor on the order samples are drawn in.
public struct RiskSampler: Sendable {
    public let scenario: Scenario
    public let model: RiskModel
    public let seed: UInt64

    /// A sampler of `scenario`'s futures under `model`.
    public init(scenario: Scenario, model: RiskModel, seed: UInt64) {
        self.scenario = scenario
        self.model = model
        self.seed = seed
    }

    /// Days in a month, for rounding lengths up to the whole months a re-plan works in.
    var daysPerMonth: Double { scenario.hoursPerMonth / 24 }

    /// Sample i's incidents, in the order they strike (month, then source, then provider): failure
    /// groups first (by id), then each provider's own events (in scenario order); for each, its
    /// slip, then its outage.
    public func incidents(sample i: Int) -> [SampledIncident] {
        var random = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(i) &* 0xD1B5_4A32_D192_ED03)
        var drawn: [SampledIncident] = []
        for group in model.groups.sorted(by: { $0.id < $1.id }) {
            for (kind, event) in [(Incident.Kind.slip, group.slip), (.outage, group.outage)] {
                guard let event, let (from, months) = draw(event, kind: kind, &random) else { continue }
                for member in group.members {
                    drawn.append(
                        SampledIncident(
                            incident: incident(member, kind, from, months, event), source: "group \(group.id)"))
                }
            }
        }
        for risk in model.providerRisks(scenario) {
            for (kind, event) in [(Incident.Kind.slip, risk.slip), (.outage, risk.outage)] {
                guard let event, let (from, months) = draw(event, kind: kind, &random) else { continue }
                drawn.append(
                    SampledIncident(
                        incident: incident(risk.provider, kind, from, months, event), source: risk.provider.rawValue))
            }
        }
        return drawn.sorted {
            ($0.incident.from, $0.source, $0.incident.provider) < ($1.incident.from, $1.source, $1.incident.provider)
        }
    }

    /// Whether `event` happens in this sample, and if so from which month for how many months.
    /// Every draw is taken whether or not it is used, so one event's outcome never shifts the
    /// random numbers of the next.
    func draw(_ event: RiskEvent, kind: Incident.Kind, _ random: inout SplitMix64) -> (YearMonth, Int)? {
        let happens = random.uniform() < event.probability
        let start = random.uniform()
        let length = random.uniform()
        guard happens else { return nil }
        let months = scenario.horizon.months
        let from =
            event.from
            ?? (kind == .slip
                ? scenario.horizon.start
                : scenario.horizon.start.adding(months: min(months - 1, Int(start * Double(months)))))
        var cumulative = 0.0
        var days = event.lengths.last?.days ?? 0
        for row in event.lengths {
            cumulative += row.probability
            if length < cumulative {
                days = row.days
                break
            }
        }
        return (from, max(1, Int((Double(days) / daysPerMonth - 1e-9).rounded(.up))))
    }

    func incident(_ provider: ProviderID, _ kind: Incident.Kind, _ from: YearMonth, _ months: Int, _ event: RiskEvent)
        -> Incident
    {
        let left = scenario.horizon.start.months(to: scenario.horizon.end) - scenario.horizon.start.months(to: from) + 1
        return Incident(
            provider: provider, kind: kind, from: from, months: kind == .outage ? min(months, max(1, left)) : months,
            deliveredFraction: kind == .outage ? event.deliveredFraction : 0)
    }
}
