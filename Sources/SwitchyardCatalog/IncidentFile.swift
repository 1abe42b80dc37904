import Foundation
import SwitchyardModel

extension Incident {
    /// Reads and checks an incident against its scenario: every problem with its path.
    public static func load(path: String, scenario: Scenario) throws -> Incident {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError([Diagnostic(path: "", message: ScenarioFile.readFailure(path))], source: path)
        }
        do {
            let root = try DocumentParser.parse(data, format: DocumentFormat(path: path) ?? .yaml)
            return try decode(root, scenario: scenario)
        } catch var error as InputError {
            error.source = path
            throw error
        }
    }

    /// Decodes and checks an incident document.
    public static func decode(_ root: DocumentNode, scenario: Scenario, strictText: Bool = false) throws -> Incident {
        var r = DocumentReader(strictText: strictText)
        guard
            let f = r.fields(
                root, at: "", allowed: ["provider", "kind", "from", "months", "deliveredFraction", "site"])
        else {
            throw InputError(r.diagnostics)
        }
        let provider: ProviderID? = r.required(f, "provider") { $0.identifier($1, $2) }
        let kind: Kind? = r.required(f, "kind") { $0.choice($1, $2) }
        let from = r.required(f, "from") { $0.yearMonth($1, $2) }
        let months = r.optional(f, "months") { $0.int($1, $2) }
        let fraction = r.optional(f, "deliveredFraction") { $0.double($1, $2) } ?? 0
        let site: ColocationSiteID? = r.optional(f, "site") { $0.identifier($1, $2) }
        var problems = r.diagnostics
        if let provider, !scenario.providers.contains(where: { $0.id == provider }) {
            var message = "no provider '\(provider)' in scenario \(scenario.name)"
            if let guess = closestMatch(to: provider.rawValue, in: scenario.providers.map(\.id.rawValue)) {
                message += " (did you mean '\(guess)'?)"
            }
            problems.append(Diagnostic(path: "provider", message: message, line: root.line(at: "provider")))
        }
        if let from, scenario.horizon.period(of: from) == nil {
            problems.append(
                Diagnostic(
                    path: "from",
                    message: "\(from) is outside the horizon \(scenario.horizon.start)…\(scenario.horizon.end)",
                    line: root.line(at: "from")))
        }
        if let months, months < 1 {
            problems.append(Diagnostic(path: "months", message: "must be >= 1", line: root.line(at: "months")))
        }
        if kind == .slip, months == nil {
            problems.append(
                Diagnostic(
                    path: "months", message: "a slip needs months: how many months late", line: root.line(at: "kind")))
        }
        if !(0...1).contains(fraction) {
            problems.append(
                Diagnostic(
                    path: "deliveredFraction", message: "must be between 0 and 1",
                    line: root.line(at: "deliveredFraction")))
        }
        if kind == .sitePower {
            if let site {
                if let known = scenario.colocation.first(where: { $0.id == site }) {
                    if let provider, known.provider != provider {
                        problems.append(
                            Diagnostic(
                                path: "site", message: "site '\(site)' belongs to \(known.provider), not \(provider)",
                                line: root.line(at: "site")))
                    }
                } else {
                    problems.append(
                        Diagnostic(path: "site", message: "no colocation site '\(site)'", line: root.line(at: "site")))
                }
            } else {
                problems.append(
                    Diagnostic(path: "site", message: "site-power needs the site", line: root.line(at: "kind")))
            }
        }
        guard problems.isEmpty, let provider, let kind, let from else { throw InputError(problems) }
        return Incident(
            provider: provider, kind: kind, from: from, months: months, deliveredFraction: fraction, site: site)
    }
}
