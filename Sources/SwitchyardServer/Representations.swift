import Foundation
import SwitchyardModel
import SwitchyardStore

/// The JSON the API returns for each record; field names match the OpenAPI document.
enum Representation {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func encode(_ value: some Encodable) -> String {
        (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// Stored JSON without its surrounding whitespace, cheaply (Foundation's trimming walks the
    /// whole text as UTF-16; plans are 100 KB and more).
    static func trimmed(_ json: String) -> Substring {
        let bytes = json.utf8
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return json[first...last]
    }

    /// Milliseconds since 1970 as an RFC 3339 time.
    static func time(_ millis: Int64?) -> String? {
        guard let millis else { return nil }
        return Date(timeIntervalSince1970: Double(millis) / 1000).formatted(timeFormat)
    }

    /// One format for every timestamp (a list page has hundreds; building a formatter each time
    /// was most of a page's cost).
    static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// A list page: `{"items": [...], "next": "cursor" | null}` from items already in JSON.
    static func page(_ items: [String], next: String?) -> String {
        "{\"items\":[" + items.joined(separator: ",") + "],\"next\":" + (next.map(jsonString) ?? "null") + "}"
    }

    struct Snapshot: Encodable {
        var version: Int64
        var name: String
        var sha256: String
        var source: String
        var createdAt: String?
        var actor: String
        var href: String

        init(_ r: SnapshotRecord) {
            version = r.version
            name = r.name
            sha256 = r.sha256
            source = r.source
            createdAt = time(r.createdAtMilliseconds)
            actor = r.actor
            href = "/v1/scenarios/\(r.version)"
        }
    }

    struct Job: Encodable {
        var id: String
        var kind: String
        var state: String
        var attempts: Int
        var scenarioVersion: Int64
        var timeLimitSeconds: Double
        var relativeGap: Double
        var basePlan: String?
        var incident: String?
        var samples: Int?
        var seed: Int64?
        var parent: String?
        var futures: Int?
        var parts: Parts?
        var createdAt: String?
        var startedAt: String?
        var finishedAt: String?
        var error: String?
        var plan: String?
        var progress: Progress?
        var href: String

        init(_ r: JobRecord) {
            id = r.id
            kind = r.kind.rawValue
            state = r.state.rawValue
            attempts = r.attempts
            scenarioVersion = r.payload.scenarioVersion
            timeLimitSeconds = r.payload.timeLimitSeconds
            relativeGap = r.payload.relativeGap
            basePlan = r.payload.basePlan
            incident = r.payload.incident
            samples = r.payload.samples
            seed = r.payload.seed
            parent = r.parentJob
            futures = r.payload.futures?.count
            createdAt = time(r.createdAtMilliseconds)
            startedAt = time(r.startedAtMilliseconds)
            finishedAt = time(r.finishedAtMilliseconds)
            error = r.error
            // Links to other resources are their ids, as in every representation and request body
            // (`href` is the one URL, the resource's own).
            plan = r.planId
            progress = r.progress.map(Progress.init)
            href = "/v1/jobs/\(r.id)"
        }
    }

    /// A plan job's solve so far: the best plan and bound over time, and the gap now.
    struct Progress: Encodable {
        var seconds: Double?
        var objectiveUSD: Double?
        var boundUSD: Double?
        var gap: Double?
        var unavoidablePenaltyUSD: Double
        var points: [Point]

        struct Point: Encodable {
            var seconds: Double
            var step: String
            var objectiveUSD: Double?
            var boundUSD: Double?
            var gap: Double?
        }

        init(_ p: SolveProgress) {
            seconds = p.latest?.seconds
            objectiveUSD = p.latest?.objectiveUSD
            boundUSD = p.latest?.boundUSD
            gap = p.gap
            unavoidablePenaltyUSD = p.unavoidablePenaltyUSD
            points = p.points.map {
                Point(
                    seconds: $0.seconds, step: $0.step.rawValue, objectiveUSD: $0.objectiveUSD, boundUSD: $0.boundUSD,
                    gap: $0.gap(unavoidablePenaltyUSD: p.unavoidablePenaltyUSD))
            }
        }
    }

    /// A split risk analysis's parts, counted.
    struct Parts: Encodable {
        var total: Int
        var succeeded: Int
        var failed: Int
    }

    struct PlanSummary: Encodable {
        var id: String
        var state: String
        var scenarioVersion: Int64
        var inputSha256: String
        var totalCostUSD: String
        var parentPlan: String?
        var incident: String?
        var job: String
        var createdAt: String?
        var acceptedAt: String?
        var acceptedBy: String?
        var supersededBy: String?
        var version: Int64
        var href: String

        init(_ r: PlanRecord) {
            id = r.id
            state = r.state.rawValue
            scenarioVersion = r.scenarioVersion
            inputSha256 = r.inputSha256
            totalCostUSD = r.totalCost
            parentPlan = r.parentPlan
            incident = r.incidentId
            job = r.jobId
            createdAt = time(r.createdAtMilliseconds)
            acceptedAt = time(r.acceptedAtMilliseconds)
            acceptedBy = r.acceptedBy
            supersededBy = r.supersededBy
            version = r.version
            href = "/v1/plans/\(r.id)"
        }
    }

    /// A plan with the planner's whole answer under `plan`.
    static func plan(_ r: PlanRecord) -> String {
        let summary = encode(PlanSummary(r))
        return String(summary.dropLast()) + ",\"plan\":" + trimmed(r.body) + "}"
    }

    struct Lease: Encodable {
        var id: String
        var plan: String
        var offer: String
        var provider: String
        var accelerator: String
        var nodes: Int
        var accelerators: Int
        var term: String
        var start: String
        var months: Int
        var pricePerAcceleratorHour: String
        var monthlyCostUSD: String
        var totalCostUSD: String
        var state: String
        var next: [String]
        var version: Int64
        var createdAt: String?
        var updatedAt: String?
        var history: [Event]?

        init(_ r: LeaseRecord, history: [LeaseEvent]? = nil) {
            id = r.id
            plan = r.planId
            offer = r.offer
            provider = r.provider
            accelerator = r.accelerator
            nodes = r.nodes
            accelerators = r.accelerators
            term = r.term
            start = r.start
            months = r.months
            pricePerAcceleratorHour = r.pricePerAcceleratorHour
            monthlyCostUSD = r.monthlyCost
            totalCostUSD = r.totalCost
            state = r.state.rawValue
            next = r.state.next.map(\.rawValue)
            version = r.version
            createdAt = time(r.createdAtMilliseconds)
            updatedAt = time(r.updatedAtMilliseconds)
            self.history = history?.map(Event.init)
        }
    }

    struct Event: Encodable {
        var from: String?
        var to: String
        var at: String?
        var actor: String
        var note: String

        init(_ e: LeaseEvent) {
            from = e.from?.rawValue
            to = e.to.rawValue
            at = time(e.at)
            actor = e.actor
            note = e.note
        }
    }

    /// An incident, with the incident document under `incident`.
    static func incident(_ r: IncidentRecord) -> String {
        let fields: [String] = [
            "\"id\":\(jsonString(r.id))", "\"plan\":\(jsonString(r.planId))", "\"summary\":\(jsonString(r.summary))",
            "\"job\":\(jsonString(r.jobId))", "\"createdAt\":\(jsonString(time(r.createdAtMilliseconds) ?? ""))",
            "\"actor\":\(jsonString(r.actor))", "\"replan\":\(r.replanId.map(jsonString) ?? "null")",
            "\"href\":\(jsonString("/v1/incidents/\(r.id)"))",
            "\"incident\":\(trimmed(r.body))",
        ]
        return "{" + fields.joined(separator: ",") + "}"
    }

    struct Audit: Encodable {
        var seq: Int64
        var at: String?
        var actor: String
        var action: String
        var subject: String
        var detail: String

        init(_ e: AuditEntry) {
            seq = e.seq
            at = time(e.at)
            actor = e.actor
            action = e.action
            subject = e.subject
            detail = e.detail
        }
    }
}
