/// A calendar month in UTC, written `YYYY-MM`. Sourcing plans in whole months.
public struct YearMonth: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The year, e.g. 2027.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int

    /// A month; `month` must be 1...12.
    public init(year: Int, month: Int) {
        precondition((1...12).contains(month), "month out of range")
        self.year = year
        self.month = month
    }

    /// Parses `YYYY-MM`; nil for anything else (`2027-1`, `2027-13`, `27-01`).
    public init?(parsing text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month),
            year >= 1970, year <= 9999
        else { return nil }
        self.init(year: year, month: month)
    }

    /// The month `count` months later (earlier when negative).
    public func adding(months count: Int) -> YearMonth {
        let index = year * 12 + (month - 1) + count
        return YearMonth(year: index / 12, month: index % 12 + 1)
    }

    /// Whole months from `self` to `other` (negative when `other` is earlier).
    public func months(to other: YearMonth) -> Int {
        (other.year * 12 + other.month) - (year * 12 + month)
    }

    public var description: String {
        let m = month < 10 ? "0\(month)" : "\(month)"
        return "\(year)-\(m)"
    }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = YearMonth(parsing: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected YYYY-MM, got '\(text)'"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension YearMonth: CodingKeyRepresentable {
    /// Months key JSON objects as `YYYY-MM`.
    public var codingKey: any CodingKey { IdentifierCodingKey(stringValue: description) }
    public init?<T: CodingKey>(codingKey: T) {
        guard let value = YearMonth(parsing: codingKey.stringValue) else { return nil }
        self = value
    }
}

/// The months a plan covers: `months` consecutive months from `start`.
public struct Horizon: Hashable, Sendable, Codable {
    /// The first month.
    public var start: YearMonth
    /// How many months, at least 1.
    public var months: Int

    /// A horizon of `months` months from `start`.
    public init(start: YearMonth, months: Int) {
        self.start = start
        self.months = months
    }

    /// The last month inside the horizon.
    public var end: YearMonth { start.adding(months: months - 1) }

    /// The period index (0-based) of `month`, or nil when it lies outside the horizon.
    public func period(of month: YearMonth) -> Int? {
        let index = start.months(to: month)
        return (0..<months).contains(index) ? index : nil
    }

    /// The month of period `index`.
    public func month(ofPeriod index: Int) -> YearMonth { start.adding(months: index) }

    /// The first period that starts at least `days` days after the horizon's start (30.4 days a month).
    public func firstPeriod(afterLeadTimeDays days: Int) -> Int {
        Int((Double(days) / Horizon.daysPerMonth).rounded(.up))
    }

    /// The average Gregorian month, used to turn lead times in days into whole months.
    public static let daysPerMonth = 365.2425 / 12
}
