import Foundation

/// A linear program written out for another solver: free MPS (the names kept, every solver reads
/// it) or CPLEX LP (readable; names made safe for the format).
///
/// ```swift
/// try lp.modelFile(.mps).write(toFile: "plan.mps", atomically: true, encoding: .utf8)
/// ```
extension LinearProgram {
    /// The formats a model can be written in.
    public enum ModelFormat: String, Sendable, CaseIterable {
        /// Free-format MPS, with MARKER lines around integer columns.
        case mps
        /// CPLEX LP format.
        case lp

        /// The format a file name asks for by its extension (`.mps`, `.lp`), if either.
        public init?(path: String) {
            let ext = (path as NSString).pathExtension.lowercased()
            self.init(rawValue: ext)
        }
    }

    /// The program as text in `format`.
    public func modelFile(_ format: ModelFormat, name: String = "switchyard") -> String {
        switch format {
        case .mps: mps(name: name)
        case .lp: lpText()
        }
    }

    /// Names as a whitespace-separated format needs them: no spaces, never empty, unique.
    func safeNames(_ names: [String], prefix: String, allowed: (Character) -> Bool) -> [String] {
        var seen: Set<String> = []
        return names.enumerated().map { index, name in
            var safe = String(name.map { allowed($0) ? $0 : "_" })
            if safe.isEmpty || safe.first!.isNumber || safe.first == "." || seen.contains(safe) {
                safe = "\(prefix)\(index)_" + safe
            }
            seen.insert(safe)
            return safe
        }
    }

    static func number(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%.17g", x)
    }

    /// The rows' terms by column (MPS lists a column's entries together).
    func columnEntries() -> [[(row: Int, value: Double)]] {
        var byColumn = Array(repeating: [(row: Int, value: Double)](), count: variableCount)
        for row in 0..<constraintCount {
            for k in rowStarts[row]..<rowStarts[row + 1] {
                byColumn[Int(columns[k])].append((row, coefficients[k]))
            }
        }
        return byColumn
    }

    func mps(name: String) -> String {
        let printable: (Character) -> Bool = { !$0.isWhitespace && $0.isASCII }
        let cols = safeNames(variableNames, prefix: "x", allowed: printable)
        let rows = safeNames(constraintNames, prefix: "c", allowed: printable)
        let n = Self.number
        // OBJSENSE is not read by every reader (COIN's ignores MAX): a maximisation is written as
        // the minimisation of its negated objective, and says so.
        let flip = sense == .maximize ? -1.0 : 1.0
        var out =
            "* Written by Switchyard: \(variableCount) columns (\(integerCount) integer), \(constraintCount) rows\n"
        if sense == .maximize { out += "* A maximisation, written as the minimisation of the negated objective.\n" }
        out += "NAME \(name)\n"
        out += "ROWS\n N obj\n"
        var ranges: [(String, Double)] = []
        var rhs: [(String, Double)] = []
        for (i, row) in rows.enumerated() {
            let (lo, up) = (rowLower[i], rowUpper[i])
            switch (lo.isFinite, up.isFinite) {
            case (true, true) where lo == up:
                out += " E \(row)\n"
                rhs.append((row, lo))
            case (true, true):
                out += " L \(row)\n"
                rhs.append((row, up))
                ranges.append((row, up - lo))
            case (false, true):
                out += " L \(row)\n"
                rhs.append((row, up))
            case (true, false):
                out += " G \(row)\n"
                rhs.append((row, lo))
            case (false, false):
                out += " N \(row)\n"
            }
        }
        out += "COLUMNS\n"
        var inInteger = false
        var marker = 0
        for (j, entries) in columnEntries().enumerated() {
            if isInteger[j] != inInteger {
                out += "    M\(marker) 'MARKER' '\(isInteger[j] ? "INTORG" : "INTEND")'\n"
                marker += 1
                inInteger = isInteger[j]
            }
            if objective[j] != 0 || entries.isEmpty { out += "    \(cols[j]) obj \(n(flip * objective[j]))\n" }
            for (row, value) in entries { out += "    \(cols[j]) \(rows[row]) \(n(value))\n" }
        }
        if inInteger { out += "    M\(marker) 'MARKER' 'INTEND'\n" }
        out += "RHS\n"
        // MPS holds the objective's constant as the negated right-hand side of its row.
        if objectiveOffset != 0 { out += "    rhs obj \(n(-flip * objectiveOffset))\n" }
        for (row, value) in rhs where value != 0 { out += "    rhs \(row) \(n(value))\n" }
        if !ranges.isEmpty {
            out += "RANGES\n"
            for (row, value) in ranges { out += "    rng \(row) \(n(value))\n" }
        }
        out += "BOUNDS\n"
        for j in 0..<variableCount {
            let (lo, up) = (lower[j], upper[j])
            if lo == up {
                out += " FX bnd \(cols[j]) \(n(lo))\n"
                continue
            }
            if !lo.isFinite {
                out += " MI bnd \(cols[j])\n"
            } else if lo != 0 || isInteger[j] {
                out += " LO bnd \(cols[j]) \(n(lo))\n"
            }
            // An integer column with no bound: MPS readers would make it binary without an UP line
            // of their own; PL says "no upper bound" in every reader.
            if up.isFinite {
                out += " UP bnd \(cols[j]) \(n(up))\n"
            } else if isInteger[j] {
                out += " PL bnd \(cols[j])\n"
            }
        }
        return out + "ENDATA\n"
    }

    func lpText() -> String {
        // CPLEX LP names: letters, digits and !"#$%&()/,.;?@_`'{}|~, not starting with a digit
        // or a period, at most 255 characters.
        let allowed: (Character) -> Bool = {
            $0.isASCII && ($0.isLetter || $0.isNumber || "!\"#$%&()/,.;?@_`'{}|~".contains($0))
        }
        let cols = safeNames(variableNames, prefix: "x", allowed: allowed).map { String($0.prefix(255)) }
        let rows = safeNames(constraintNames, prefix: "c", allowed: allowed).map { String($0.prefix(255)) }
        let n = Self.number
        func terms(_ pairs: [(Int, Double)]) -> String {
            if pairs.isEmpty { return "0 \(cols.first ?? "x0")" }
            var line = ""
            for (k, (j, v)) in pairs.enumerated() {
                let sign = v < 0 ? "- " : (k == 0 ? "" : "+ ")
                line += (k == 0 ? "" : " ") + "\(sign)\(n(abs(v))) \(cols[j])"
                if (k + 1) % 8 == 0 { line += "\n   " }
            }
            return line
        }
        var out =
            "\\ Written by Switchyard: \(variableCount) columns (\(integerCount) integer), \(constraintCount) rows\n"
        out += sense == .maximize ? "Maximize\n" : "Minimize\n"
        var objectiveTerms = terms(objective.enumerated().filter { $0.element != 0 }.map { ($0.offset, $0.element) })
        if objectiveOffset != 0 { objectiveTerms += " + \(n(objectiveOffset))" }
        out += " obj: \(objectiveTerms)\n"
        out += "Subject To\n"
        for i in 0..<constraintCount {
            let pairs = (rowStarts[i]..<rowStarts[i + 1]).map { (Int(columns[$0]), coefficients[$0]) }
            let (lo, up) = (rowLower[i], rowUpper[i])
            let body = terms(pairs)
            switch (lo.isFinite, up.isFinite) {
            case (true, true) where lo == up: out += " \(rows[i]): \(body) = \(n(lo))\n"
            case (true, true):
                out += " \(rows[i])_lo: \(body) >= \(n(lo))\n"
                out += " \(rows[i])_up: \(body) <= \(n(up))\n"
            case (false, true): out += " \(rows[i]): \(body) <= \(n(up))\n"
            case (true, false): out += " \(rows[i]): \(body) >= \(n(lo))\n"
            case (false, false): continue
            }
        }
        out += "Bounds\n"
        for j in 0..<variableCount {
            let (lo, up) = (lower[j], upper[j])
            if lo == up {
                out += " \(cols[j]) = \(n(lo))\n"
            } else {
                let low = lo.isFinite ? n(lo) : "-inf"
                let high = up.isFinite ? n(up) : "+inf"
                out += " \(low) <= \(cols[j]) <= \(high)\n"
            }
        }
        let integers = (0..<variableCount).filter { isInteger[$0] }
        if !integers.isEmpty {
            out += "General\n"
            for chunk in stride(from: 0, to: integers.count, by: 8) {
                out +=
                    " " + integers[chunk..<min(integers.count, chunk + 8)].map { cols[$0] }.joined(separator: " ")
                    + "\n"
            }
        }
        return out + "End\n"
    }
}
