/// A distinct identifier type per entity, so a provider's id can never be passed where an offer's is
/// expected.
///
/// ```swift
/// let p: ProviderID = "coreweave"
/// let o: OfferID = "cw-gb200-nvl72"
/// // p == o  // does not compile
/// ```
public struct Identifier<Tag>: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    /// The identifier as written in scenario files.
    public let rawValue: String

    /// Wraps a raw identifier.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Wraps a raw identifier.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// Wraps a string literal.
    public init(stringLiteral value: String) { self.rawValue = value }

    public init(from decoder: Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension Identifier: CodingKeyRepresentable {
    /// Identifiers key JSON objects by their text (`{"coreweave": …}`), not as key/value arrays.
    public var codingKey: any CodingKey { IdentifierCodingKey(stringValue: rawValue) }
    public init?<T: CodingKey>(codingKey: T) { self.init(rawValue: codingKey.stringValue) }
}

struct IdentifierCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Tags that make each identifier a distinct type.
public enum IdentifierTag {
    public enum Provider {}
    public enum Offer {}
    public enum ColocationSite {}
    public enum OwnedFleet {}
    public enum Workload {}
    public enum AcceleratorModel {}
    public enum Region {}
}

/// Identifies a provider (`coreweave`).
public typealias ProviderID = Identifier<IdentifierTag.Provider>
/// Identifies an offer (`cw-gb200-nvl72`).
public typealias OfferID = Identifier<IdentifierTag.Offer>
/// Identifies a colocation site (`cw-colo-nj`).
public typealias ColocationSiteID = Identifier<IdentifierTag.ColocationSite>
/// Identifies an owned fleet (`tpu-v7-phase1`).
public typealias OwnedFleetID = Identifier<IdentifierTag.OwnedFleet>
/// Identifies a workload (`frontier-pretrain`).
public typealias WorkloadID = Identifier<IdentifierTag.Workload>
/// Identifies an accelerator model (`nvidia-h100`).
public typealias AcceleratorModelID = Identifier<IdentifierTag.AcceleratorModel>
/// Names a region (`us-east`).
public typealias RegionID = Identifier<IdentifierTag.Region>
