import Foundation
import HTTPTypes
import SwitchyardServer
import SwitchyardServiceTesting
import SwitchyardTesting
import Testing

/// The keywords of JSON Schema 2020-12 that docs/openapi.yaml uses, evaluated on JSON values (as
/// JSONSerialization gives them), so a test can ask what the document allows without the fuzzer.
struct SchemaEvaluator {
    let components: [String: Any]

    func valid(_ value: Any, _ schema: Any) -> Bool {
        guard let schema = schema as? [String: Any] else { return (schema as? Bool) ?? true }
        if let ref = schema["$ref"] as? String {
            let name = String(ref.split(separator: "/").last!)
            return valid(value, components[name]!)
        }
        if let types = schema["type"].map({ $0 as? [String] ?? [$0 as! String] }),
            !types.contains(where: { Self.has(value, type: $0) })
        {
            return false
        }
        if let options = schema["enum"] as? [Any], !options.contains(where: { Self.equal($0, value) }) { return false }
        if let constant = schema["const"], !Self.equal(constant, value) { return false }
        if let number = Self.number(value) {
            if let m = (schema["minimum"] as? NSNumber)?.doubleValue, number < m { return false }
            if let m = (schema["maximum"] as? NSNumber)?.doubleValue, number > m { return false }
            if let m = (schema["exclusiveMinimum"] as? NSNumber)?.doubleValue, number <= m { return false }
            if let m = (schema["exclusiveMaximum"] as? NSNumber)?.doubleValue, number >= m { return false }
        }
        if let text = value as? String {
            if let n = schema["minLength"] as? Int, text.count < n { return false }
            if let pattern = schema["pattern"] as? String,
                text.range(of: pattern, options: .regularExpression) == nil
            {
                return false
            }
        }
        if let items = value as? [Any] {
            if let n = schema["minItems"] as? Int, items.count < n { return false }
            if let each = schema["items"], !items.allSatisfy({ valid($0, each) }) { return false }
        }
        if let object = value as? [String: Any] {
            if let required = schema["required"] as? [String], !required.allSatisfy({ object[$0] != nil }) {
                return false
            }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, field) in object {
                if let names = schema["propertyNames"], !valid(key, names) { return false }
                if let property = properties[key] {
                    if !valid(field, property) { return false }
                } else if let extra = schema["additionalProperties"], !valid(field, extra) {
                    return false
                }
            }
        }
        if let all = schema["allOf"] as? [Any], !all.allSatisfy({ valid(value, $0) }) { return false }
        if let any = schema["anyOf"] as? [Any], !any.contains(where: { valid(value, $0) }) { return false }
        if let not = schema["not"], valid(value, not) { return false }
        if let condition = schema["if"] {
            let branch = valid(value, condition) ? schema["then"] : schema["else"]
            if let branch, !valid(value, branch) { return false }
        }
        return true
    }

    /// JSONSerialization gives booleans as Bool (or a boolean NSNumber), numbers as Int, Double or NSNumber.
    static func isBoolean(_ value: Any) -> Bool {
        type(of: value) == Bool.self || "\(type(of: value))".contains("Boolean")
    }

    static func number(_ value: Any) -> Double? {
        guard !isBoolean(value) else { return nil }
        return (value as? NSNumber)?.doubleValue ?? (value as? Int).map(Double.init) ?? (value as? Double)
    }

    static func has(_ value: Any, type: String) -> Bool {
        switch type {
        case "null": value is NSNull
        case "boolean": isBoolean(value)
        case "integer": number(value).map { $0.rounded() == $0 } ?? false
        case "number": number(value) != nil
        case "string": value is String
        case "array": value is [Any]
        case "object": value is [String: Any]
        default: false
        }
    }

    static func equal(_ a: Any, _ b: Any) -> Bool {
        if a is NSNull || b is NSNull { return a is NSNull && b is NSNull }
        return (a as? NSObject)?.isEqual(b) ?? false
    }
}

/// The document allows what the server accepts and refuses what it refuses, for the bodies a
/// reader would try first (the fuzzer, `make fuzz-api`, covers the rest).
@Suite struct SchemaAgreementTests {
    /// An entity of the example with one field changed; nil removes it.
    static func edited(_ entity: [String: Any], _ changes: [String: Any?]) -> [String: Any] {
        var entity = entity
        for (key, value) in changes { entity[key] = value }
        return entity
    }

    @Test func theDocumentRefusesWhatTheValidatorRefuses() async throws {
        try await Harness.with { h in
            try await h.test { c in
                let document = try await c.call(.get, "/openapi.json", token: nil).json
                let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
                let evaluator = SchemaEvaluator(components: schemas)
                let scenario = try await c.call(.get, "/v1/scenario", token: h.viewer).json
                func first(_ section: String) throws -> [String: Any] {
                    try #require((scenario[section] as? [[String: Any]])?.first)
                }
                let offer = try first("offers")
                let site = try first("colocation")
                let fleet = try first("ownedFleets")
                let training = try #require(
                    (scenario["workloads"] as? [[String: Any]])?.first { $0["kind"] as? String == "training" })
                let service = try #require(
                    (scenario["workloads"] as? [[String: Any]])?.first { $0["kind"] as? String == "service" })
                // (collection, schema, body, what it shows); the first of each is the example's own.
                let cases: [(String, String, [String: Any], String)] = [
                    ("offers", "Offer", offer, "the example's offer"),
                    ("offers", "Offer", Self.edited(offer, ["availableNodes": 0]), "availableNodes 0"),
                    ("offers", "Offer", Self.edited(offer, ["prices": [String: Any]()]), "empty prices"),
                    ("offers", "Offer", Self.edited(offer, ["prices": ["onDemand": NSNull()]]), "only a null price"),
                    ("offers", "Offer", Self.edited(offer, ["prices": ["onDemand": 0]]), "a price of 0"),
                    ("offers", "Offer", Self.edited(offer, ["prices": ["onDemand": 1e-130]]), "a price of 1e-130"),
                    ("offers", "Offer", Self.edited(offer, ["availableNodes": 2e12]), "availableNodes 2e12"),
                    ("colocation", "ColocationSite", site, "the example's site"),
                    ("colocation", "ColocationSite", Self.edited(site, ["powerKW": 0]), "powerKW 0"),
                    ("owned-fleets", "OwnedFleet", fleet, "the example's fleet"),
                    ("owned-fleets", "OwnedFleet", Self.edited(fleet, ["arrivals": [Any]()]), "no arrivals"),
                    (
                        "owned-fleets", "OwnedFleet",
                        Self.edited(fleet, ["arrivals": [["month": "0000-01", "count": 8]]]), "month 0000-01"
                    ),
                    (
                        "owned-fleets", "OwnedFleet",
                        Self.edited(fleet, ["arrivals": [["month": "2027-01", "count": 0]]]), "an arrival of 0"
                    ),
                    ("workloads", "Workload", training, "the example's training run"),
                    ("workloads", "Workload", Self.edited(training, ["work": 0]), "work 0"),
                    ("workloads", "Workload", Self.edited(training, ["work": nil]), "training without work"),
                    (
                        "workloads", "Workload", Self.edited(training, ["work": nil, "capacity": 100]),
                        "training with capacity"
                    ),
                    ("workloads", "Workload", Self.edited(training, ["stacks": [String]()]), "no stacks"),
                    (
                        "workloads", "Workload", Self.edited(training, ["profile": "decode", "computeFraction": 0.5]),
                        "profile and computeFraction"
                    ),
                    ("workloads", "Workload", service, "the example's service"),
                    ("workloads", "Workload", Self.edited(service, ["capacity": 0]), "capacity 0"),
                ]
                for (collection, schema, body, what) in cases {
                    let allowed = evaluator.valid(body, schemas[schema]!)
                    let data = try JSONSerialization.data(withJSONObject: body)
                    let id = try #require(body["id"] as? String)
                    let reply = try await c.call(
                        .put, "/v1/\(collection)/\(id)", token: h.planner, body: String(decoding: data, as: UTF8.self),
                        headers: ["If-Match": "*"])
                    #expect((reply.status == 200) == allowed, "\(what): document \(allowed), server \(reply.status)")
                    #expect(allowed == what.hasPrefix("the example's"), "\(what)")
                }
            }
        }
    }
}
