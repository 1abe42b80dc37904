/// One problem found in input, with where it is.
///
/// `path` follows the file's own keys (`offers[3].prices.onDemand`); `line` is the 1-based line in
/// the source file when known.
public struct Diagnostic: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Where: `offers[2].provider`.
    public var path: String
    /// What is wrong, in words a user can act on: `no provider 'corewave' (did you mean 'coreweave'?)`.
    public var message: String
    /// 1-based source line, when the input came from a file.
    public var line: Int?

    /// A problem at `path`.
    public init(path: String, message: String, line: Int? = nil) {
        self.path = path
        self.message = message
        self.line = line
    }

    public var description: String {
        switch (path.isEmpty, line) {
        case (true, nil): return message
        case (true, let line?): return message.contains("line \(line)") ? message : "line \(line): \(message)"
        case (false, nil): return "\(path): \(message)"
        case (false, let line?): return "\(path) (line \(line)): \(message)"
        }
    }
}

/// The model's error: input that cannot be used, with every problem found.
public struct InputError: Error, Sendable, CustomStringConvertible {
    /// Every problem, in document order.
    public var diagnostics: [Diagnostic]
    /// The file or source the problems are in, when known.
    public var source: String?

    /// An error carrying `diagnostics`.
    public init(_ diagnostics: [Diagnostic], source: String? = nil) {
        self.diagnostics = diagnostics
        self.source = source
    }

    public var description: String {
        let prefix = source.map { "\($0): " } ?? ""
        return diagnostics.map { prefix + $0.description }.joined(separator: "\n")
    }
}

/// Suggests the closest of `candidates` to a misspelt `word`, if one is close enough to be a typo.
public func closestMatch(to word: String, in candidates: [String]) -> String? {
    let limit = max(2, word.count / 3)
    var best: (String, Int)?
    for candidate in candidates {
        let d = editDistance(word.lowercased(), candidate.lowercased())
        if d <= limit, best == nil || d < best!.1 { best = (candidate, d) }
    }
    return best?.0
}

/// Levenshtein distance between two strings.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
