import Foundation
import SwitchyardModel

/// The scenario's `risk` section (docs/scenario.md): per-provider events and failure groups.
extension ScenarioCodec {
    static let readRisk: FieldRead<RiskModel> = { r, node, path in
        guard let f = r.fields(node, at: path, allowed: ["providers", "groups"]) else { return nil }
        let providers = r.optional(f, "providers", DocumentReader.list(readProviderRisk)) ?? []
        let groups = r.optional(f, "groups", DocumentReader.list(readFailureGroup)) ?? []
        return RiskModel(providers: providers, groups: groups)
    }

    static let readProviderRisk: FieldRead<ProviderRisk> = { r, node, path in
        guard let f = r.fields(node, at: path, allowed: ["provider", "slip", "outage"]) else { return nil }
        let provider: ProviderID? = r.required(f, "provider", DocumentReader.id())
        let slip = r.optional(f, "slip", readRiskEvent)
        let outage = r.optional(f, "outage", readRiskEvent)
        guard let provider else { return nil }
        return ProviderRisk(provider: provider, slip: slip, outage: outage)
    }

    static let readFailureGroup: FieldRead<FailureGroup> = { r, node, path in
        guard let f = r.fields(node, at: path, allowed: ["id", "members", "slip", "outage"]) else { return nil }
        let id = r.required(f, "id", DocumentReader.string)
        let members: [ProviderID]? = r.required(f, "members", DocumentReader.list(DocumentReader.id()))
        let slip = r.optional(f, "slip", readRiskEvent)
        let outage = r.optional(f, "outage", readRiskEvent)
        guard let id, let members else { return nil }
        return FailureGroup(id: id, members: members, slip: slip, outage: outage)
    }

    static let readRiskEvent: FieldRead<RiskEvent> = { r, node, path in
        guard let f = r.fields(node, at: path, allowed: ["probability", "lengths", "from", "deliveredFraction"])
        else { return nil }
        let probability = r.required(f, "probability", DocumentReader.double)
        let lengths = r.required(
            f, "lengths",
            DocumentReader.list { r, node, path -> RiskLength? in
                guard let l = r.fields(node, at: path, allowed: ["days", "probability"]) else { return nil }
                let days = r.required(l, "days", DocumentReader.int)
                let probability = r.required(l, "probability", DocumentReader.double)
                guard let days, let probability else { return nil }
                return RiskLength(days: days, probability: probability)
            })
        let from = r.optional(f, "from", DocumentReader.yearMonth)
        let delivered = r.optional(f, "deliveredFraction", DocumentReader.double) ?? 0
        guard let probability, let lengths else { return nil }
        return RiskEvent(probability: probability, lengths: lengths, from: from, deliveredFraction: delivered)
    }

    static func encodeRisk(_ risk: RiskModel) -> DocumentNode {
        func event(_ e: RiskEvent) -> DocumentNode {
            var fields: [(String, DocumentNode)] = [
                ("probability", .number(e.probability)),
                (
                    "lengths",
                    .list(
                        e.lengths.map {
                            .map([("days", .number(Double($0.days))), ("probability", .number($0.probability))])
                        })
                ),
            ]
            if let from = e.from { fields.append(("from", .text(from.description))) }
            if e.deliveredFraction != 0 { fields.append(("deliveredFraction", .number(e.deliveredFraction))) }
            return .map(fields)
        }
        func events(_ slip: RiskEvent?, _ outage: RiskEvent?) -> [(String, DocumentNode)] {
            (slip.map { [("slip", event($0))] } ?? []) + (outage.map { [("outage", event($0))] } ?? [])
        }
        var root: [(String, DocumentNode)] = []
        if !risk.providers.isEmpty {
            root.append(
                (
                    "providers",
                    .list(
                        risk.providers.map {
                            .map([("provider", .text($0.provider.rawValue))] + events($0.slip, $0.outage))
                        })
                ))
        }
        if !risk.groups.isEmpty {
            root.append(
                (
                    "groups",
                    .list(
                        risk.groups.map {
                            .map(
                                [("id", .text($0.id)), ("members", .list($0.members.map { .text($0.rawValue) }))]
                                    + events($0.slip, $0.outage))
                        })
                ))
        }
        return .map(root)
    }
}
