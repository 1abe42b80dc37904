import Crypto
import Foundation
import SwitchyardModel

/// What went wrong in the store, in terms an API maps to a status: every case is the caller's
/// mistake or a conflict with another writer, except `configuration` and `timeout`.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The database cannot be opened or reached.
    case configuration(String)
    /// An operation took longer than it may.
    case timeout(Double)
    /// No such thing: `provider 'x'`.
    case notFound(String)
    /// The change conflicts with the record's state (an id that exists, a plan already accepted).
    case conflict(String, [Diagnostic] = [])
    /// The caller's version is stale: the current one is given.
    case preconditionFailed(current: Int64)
    /// A change to an existing thing needs the version it was read at.
    case preconditionRequired(String)
    /// The input has problems, each with its path.
    case invalid(InputError)
    /// A lease cannot move from `from` to `to`; `allowed` says where it can.
    case transition(from: LeaseState, to: LeaseState, allowed: [LeaseState])

    public var description: String {
        switch self {
        case .configuration(let m): m
        case .timeout(let s): "timed out after \(s) s"
        case .notFound(let what): "no \(what)"
        case .conflict(let m, let d): ([m] + d.map(\.description)).joined(separator: "\n")
        case .preconditionFailed(let v): "the version given is stale: the current version is \(v)"
        case .preconditionRequired(let m): m
        case .invalid(let e): e.description
        case .transition(let from, let to, let allowed):
            "a lease cannot go from \(from.rawValue) to \(to.rawValue)"
                + (allowed.isEmpty
                    ? " (\(from.rawValue) is final)"
                    : "; from \(from.rawValue) it can go to "
                        + allowed.map(\.rawValue).joined(separator: ", "))
        }
    }
}

/// An If-Match condition: the version the caller read, or `*` (any current version).
public enum Precondition: Sendable, Equatable {
    case any
    case version(Int64)
    /// Tags that name no version of ours (`"abc"`, an empty header): nothing matches them.
    case none

    /// Whether a thing at `current` satisfies it.
    public func allows(_ current: Int64) -> Bool {
        switch self {
        case .any: true
        case .version(let v): v == current
        case .none: false
        }
    }
}

/// Who may do what. Each role can do everything the one before it can.
public enum Role: String, Sendable, Codable, CaseIterable, Comparable {
    /// Reads everything.
    case viewer
    /// Also edits the scenario, runs and accepts plans, moves leases and records incidents.
    case planner
    /// Also manages tokens.
    case admin

    public static func < (a: Role, b: Role) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Who made a change, for the audit log and lease history.
public struct Actor: Sendable, Equatable {
    /// The token's id (`system` for the server itself, `cli` for the command line).
    public var id: String
    /// The token's name.
    public var name: String
    /// What it may do.
    public var role: Role

    public init(id: String, name: String, role: Role) {
        self.id = id
        self.name = name
        self.role = role
    }

    /// The server acting on its own (startup import, job completion).
    public static let system = Actor(id: "system", name: "system", role: .admin)

    /// How the audit log names this actor.
    public var label: String { id == name ? id : "\(name) (\(id))" }
}

/// The kinds of scenario entity kept one per row.
public enum EntityKind: String, Sendable, CaseIterable {
    case providers, offers, colocation
    case ownedFleets = "owned-fleets"
    case workloads

    /// The scenario document's key for this section.
    public var section: String {
        switch self {
        case .providers: "providers"
        case .offers: "offers"
        case .colocation: "colocation"
        case .ownedFleets: "ownedFleets"
        case .workloads: "workloads"
        }
    }

    /// One of them, in words.
    public var singular: String {
        switch self {
        case .providers: "provider"
        case .offers: "offer"
        case .colocation: "colocation site"
        case .ownedFleets: "owned fleet"
        case .workloads: "workload"
        }
    }
}

/// A scenario entity as kept: its scenario-format JSON and its version (the ETag).
public struct EntityRecord: Sendable, Equatable {
    public var kind: EntityKind
    public var id: String
    /// The entity as JSON, in the scenario file's keys.
    public var body: String
    public var version: Int64
    public var updatedAt: Int64
}

/// One page of a list, and the cursor of the next (nil on the last page).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: String?
}

/// A saved, immutable copy of the scenario.
public struct SnapshotRecord: Sendable, Equatable {
    public var version: Int64
    public var name: String
    /// SHA-256 of the scenario's canonical JSON: the plan's input hash.
    public var sha256: String
    /// `import` or `plan`.
    public var source: String
    public var createdAt: Int64
    public var actor: String
}

/// The states of a lease; see `LeaseState.next` for the moves allowed.
public enum LeaseState: String, Sendable, Codable, CaseIterable {
    case proposed, signed, provisioning, active, ended, breached, terminated

    /// Where a lease can go from here. Ended, breached and terminated are final.
    public var next: [LeaseState] {
        switch self {
        case .proposed: [.signed, .terminated]
        case .signed: [.provisioning, .breached, .terminated]
        case .provisioning: [.active, .breached, .terminated]
        case .active: [.ended, .breached, .terminated]
        case .ended, .breached, .terminated: []
        }
    }
}

/// A lease as kept.
public struct LeaseRecord: Sendable, Equatable, Codable {
    public var id: String
    public var planId: String
    public var offer: String
    public var provider: String
    public var accelerator: String
    public var nodes: Int
    public var accelerators: Int
    public var term: String
    public var start: String
    public var months: Int
    public var pricePerAcceleratorHour: String
    public var monthlyCost: String
    public var totalCost: String
    public var state: LeaseState
    public var version: Int64
    public var createdAt: Int64
    public var updatedAt: Int64
}

/// One move of a lease.
public struct LeaseEvent: Sendable, Equatable, Codable {
    public var from: LeaseState?
    public var to: LeaseState
    public var at: Int64
    public var actor: String
    public var note: String
}

/// The state of a job.
public enum JobState: String, Sendable, Codable {
    case queued, running, succeeded, failed
}

/// A plan or re-plan job.
public struct JobRecord: Sendable, Equatable {
    public var id: String
    public var kind: String
    public var payload: JobPayload
    public var state: JobState
    public var attempts: Int
    public var maxAttempts: Int
    public var claimedBy: String?
    public var leaseUntil: Int64?
    public var createdAt: Int64
    public var startedAt: Int64?
    public var finishedAt: Int64?
    public var error: String?
    public var planId: String?
    public var actor: String
}

/// What a job is asked to do.
public struct JobPayload: Sendable, Equatable, Codable {
    /// The scenario snapshot planned.
    public var scenarioVersion: Int64
    /// The solver's time limit.
    public var timeLimitSeconds: Double
    /// The relative gap the solver stops at.
    public var relativeGap: Double
    /// For a re-plan: the plan it starts from and the incident.
    public var basePlan: String?
    public var incident: String?

    public init(
        scenarioVersion: Int64, timeLimitSeconds: Double, relativeGap: Double, basePlan: String? = nil,
        incident: String? = nil
    ) {
        self.scenarioVersion = scenarioVersion
        self.timeLimitSeconds = timeLimitSeconds
        self.relativeGap = relativeGap
        self.basePlan = basePlan
        self.incident = incident
    }
}

/// A plan as kept; `body` is the planner's `Plan` as JSON.
public struct PlanRecord: Sendable, Equatable {
    public var id: String
    public var scenarioVersion: Int64
    public var inputSha256: String
    public var totalCost: String
    /// `ready` or `accepted`.
    public var state: String
    public var parentPlan: String?
    public var incidentId: String?
    public var jobId: String
    public var createdAt: Int64
    public var acceptedAt: Int64?
    public var acceptedBy: String?
    public var version: Int64
    public var body: String
}

/// An incident as kept, with the re-plan it started.
public struct IncidentRecord: Sendable, Equatable {
    public var id: String
    public var planId: String
    /// The incident document as JSON (the incident file's keys).
    public var body: String
    /// One line: `coreweave outage from 2027-03 for 2 months (40% delivered)`.
    public var summary: String
    public var jobId: String
    public var createdAt: Int64
    public var actor: String
    /// The re-plan, once its job has finished.
    public var replanId: String?
}

/// One line of the audit log.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var seq: Int64
    public var at: Int64
    public var actor: String
    public var action: String
    public var subject: String
    public var detail: String
}

/// An API token (the secret itself is never kept).
public struct TokenRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var role: Role
    public var createdAt: Int64
    /// When it was revoked; a revoked token opens nothing.
    public var revokedAt: Int64? = nil
}

/// SHA-256 as lowercase hex.
public func sha256Hex(_ text: String) -> String {
    SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
}

/// A new random identifier with a readable prefix: `plan-3f9c…`.
func newID(_ prefix: String) -> String {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<10).map { _ in UInt8.random(in: 0...255, using: &generator) }
    return prefix + "-" + bytes.map { String(format: "%02x", $0) }.joined()
}
