import Foundation
import SwitchyardModel

/// Loads and saves scenario files (YAML or JSON, the same schema).
public enum ScenarioFile {
    /// Reads, decodes and validates a scenario: every structural and semantic problem at once.
    ///
    /// - Throws: `InputError` (with `source` set to `path`) listing each problem with its path.
    public static func load(path: String) throws -> Scenario {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw InputError([Diagnostic(path: "", message: readFailure(path))], source: path)
        }
        let format = DocumentFormat(path: path) ?? .yaml
        do {
            return try load(data: data, format: format)
        } catch var error as InputError {
            error.source = path
            throw error
        }
    }

    /// Decodes and validates a scenario from bytes.
    public static func load(data: Data, format: DocumentFormat) throws -> Scenario {
        let root = try DocumentParser.parse(data, format: format)
        return try load(document: root, strictText: format == .json)
    }

    /// Decodes and validates a scenario from a parsed document; `strictText` when it was JSON.
    public static func load(document root: DocumentNode, strictText: Bool = false) throws -> Scenario {
        let (decoded, structural) = ScenarioCodec.decodeCollecting(root, strictText: strictText)
        var problems = structural
        if let decoded {
            // Check what did decode too, so one run reports every problem. Elements whose fields
            // failed were left out, so positions are mapped back to the file's own.
            var semantic = decoded.validate(accelerators: AcceleratorCatalog.merged(with: decoded.accelerators))
            if semantic.isEmpty, structural.isEmpty { semantic = DemandCheck.problems(decoded) }
            let remap = SectionIndex(root)
            for var problem in semantic {
                problem.path = remap.filePath(for: problem.path, decoded: decoded)
                // A field already reported as unreadable is not reported twice.
                if structural.contains(where: { problem.path.hasPrefix($0.path) && !$0.path.isEmpty }) { continue }
                problem.line = problem.line ?? root.line(at: problem.path)
                problems.append(problem)
            }
        }
        // Document order: a user fixes a file from the top.
        problems = problems.enumerated().sorted {
            ($0.element.line ?? .max, $0.offset) < ($1.element.line ?? .max, $1.offset)
        }
        .map(\.element)
        if !problems.isEmpty || decoded == nil {
            throw InputError(problems.isEmpty ? [Diagnostic(path: "", message: "not a scenario")] : problems)
        }
        return decoded!
    }

    /// The scenario as text.
    public static func text(_ scenario: Scenario, format: DocumentFormat) -> String {
        DocumentWriter.write(ScenarioCodec.encode(scenario), format: format)
    }

    /// Writes a scenario atomically: a reader never sees half a file.
    public static func save(_ scenario: Scenario, to path: String, format: DocumentFormat? = nil) throws {
        let chosen = format ?? DocumentFormat(path: path) ?? .yaml
        try Data(text(scenario, format: chosen).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// A clear sentence for a file that cannot be read.
    public static func readFailure(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) { return "no such file" }
        if isDirectory.boolValue { return "is a directory, not a file" }
        return "cannot be read (permissions?)"
    }
}

/// Maps positions in the decoded scenario's lists back to positions in the file, by id: an element
/// that failed to decode is missing from the decoded list, which shifts the ones after it.
struct SectionIndex {
    /// For each section, the ids in file order ("" where an element has no readable id).
    let idsInFile: [String: [String]]

    init(_ root: DocumentNode) {
        var ids: [String: [String]] = [:]
        if case .mapping(let pairs, _) = root {
            for (key, value) in pairs {
                guard case .sequence(let items, _) = value else { continue }
                ids[key] = items.map { item in
                    if case .mapping(let fields, _) = item,
                        let id = fields.first(where: { $0.key == "id" }), case .scalar(let text, _, _) = id.value
                    {
                        return text
                    }
                    return ""
                }
            }
        }
        idsInFile = ids
    }

    func filePath(for path: String, decoded: Scenario) -> String {
        guard let open = path.firstIndex(of: "["), let close = path.firstIndex(of: "]"), open < close,
            let position = Int(path[path.index(after: open)..<close])
        else { return path }
        let section = String(path[..<open])
        let decodedIDs: [String]
        switch section {
        case "accelerators": decodedIDs = decoded.accelerators.map(\.id.rawValue)
        case "providers": decodedIDs = decoded.providers.map(\.id.rawValue)
        case "offers": decodedIDs = decoded.offers.map(\.id.rawValue)
        case "colocation": decodedIDs = decoded.colocation.map(\.id.rawValue)
        case "ownedFleets": decodedIDs = decoded.ownedFleets.map(\.id.rawValue)
        case "workloads": decodedIDs = decoded.workloads.map(\.id.rawValue)
        default: return path
        }
        guard position < decodedIDs.count, let fileIDs = idsInFile[section] else { return path }
        // The n-th decoded element with this id is the n-th such element in the file.
        let id = decodedIDs[position]
        let occurrence = decodedIDs[..<position].filter { $0 == id }.count
        let matches = fileIDs.indices.filter { fileIDs[$0] == id }
        guard occurrence < matches.count else { return path }
        return "\(section)[\(matches[occurrence])]" + path[path.index(after: close)...]
    }
}

extension DocumentNode {
    /// The source line of the node at a diagnostic path such as `offers[2].prices.onDemand`, or
    /// of the deepest node on the way there.
    public func line(at path: String) -> Int? {
        var node = self
        var best = line
        var rest = Substring(path)
        while !rest.isEmpty {
            if rest.hasPrefix(".") { rest = rest.dropFirst() }
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]"),
                    let index = Int(rest[rest.index(after: rest.startIndex)..<close]),
                    case .sequence(let items, _) = node, index < items.count
                else { return best }
                node = items[index]
                rest = rest[rest.index(after: close)...]
            } else {
                let end = rest.firstIndex(where: { $0 == "." || $0 == "[" }) ?? rest.endIndex
                let key = String(rest[..<end])
                guard case .mapping(let pairs, _) = node, let next = pairs.first(where: { $0.key == key }) else {
                    return best
                }
                node = next.value
                rest = rest[end...]
            }
            best = node.line ?? best
        }
        return best
    }
}
