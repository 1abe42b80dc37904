import Foundation
import Logging
import SwitchyardCatalog
import Synchronization

/// Log lines as JSON, one object per line on standard error (`--log-format json`): `time`,
/// `level`, `logger`, `message`, then the metadata (a request's `hb.request.id`, `route`,
/// `status`, `ms`; a job's `job`, `kind`, `outcome`, `seconds`).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    static let output = Mutex<FileHandle>(FileHandle.standardError)

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        for (key, value) in event.metadata ?? [:] { merged[key] = value }
        let time = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        var line =
            "{\"time\":\(DocumentWriter.jsonString(time)),\"level\":\(DocumentWriter.jsonString(event.level.rawValue)),"
            + "\"logger\":\(DocumentWriter.jsonString(label)),\"message\":\(DocumentWriter.jsonString(event.message.description))"
        for key in merged.keys.sorted() where !["time", "level", "logger", "message"].contains(key) {
            line += ",\(DocumentWriter.jsonString(key)):\(Self.json(merged[key]!))"
        }
        line += "}\n"
        Self.output.withLock { $0.write(Data(line.utf8)) }
    }

    /// Numbers (metadata given as numbers) stay numbers; everything else is text.
    static func json(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): return DocumentWriter.jsonString(text)
        case .stringConvertible(let value):
            if value is any BinaryInteger { return value.description }
            if let number = value as? Double, number.isFinite { return value.description }
            return DocumentWriter.jsonString(value.description)
        case .array(let items): return "[" + items.map(json).joined(separator: ",") + "]"
        case .dictionary(let map):
            return "{"
                + map.keys.sorted().map { "\(DocumentWriter.jsonString($0)):\(json(map[$0]!))" }
                .joined(separator: ",") + "}"
        }
    }
}
