import Crypto
import Foundation
import SQLKit
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
    /// The job queue holds as many jobs as it may (in all, or for this submitter).
    case queueFull(String)

    public var description: String {
        switch self {
        case .configuration(let m): m
        case .timeout(let s): "timed out after \(s) s"
        case .notFound(let what): "no \(what)"
        case .conflict(let m, let d): ([m] + d.map(\.description)).joined(separator: "\n")
        case .preconditionFailed(let v): "the version given is stale: the current version is \(v)"
        case .preconditionRequired(let m): m
        case .queueFull(let m): m
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
    /// An If-Match list (`"3", "4"`): it matches when any of them does (RFC 9110 §13.1.1).
    case versions(Set<Int64>)
    /// Tags that name no version of ours (`"abc"`, an empty header): nothing matches them.
    case none

    /// Whether a thing at `current` satisfies it.
    public func allows(_ current: Int64) -> Bool {
        switch self {
        case .any: true
        case .version(let v): v == current
        case .versions(let vs): vs.contains(current)
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
    /// What it is.
    public var kind: EntityKind
    /// Its identifier.
    public var id: String
    /// The entity as JSON, in the scenario file's keys.
    public var body: String
    /// Its version, raised by every change (the ETag).
    public var version: Int64
    /// When it last changed, Unix time in milliseconds.
    public var updatedAtMilliseconds: Int64
}

/// One page of a list, and the cursor of the next (nil on the last page).
public struct Page<Item: Sendable>: Sendable {
    /// The items of this page.
    public var items: [Item]
    /// The cursor of the next page; nil on the last.
    public var next: String?
}

/// A saved, immutable copy of the scenario.
public struct SnapshotRecord: Sendable, Equatable {
    /// Its version, raised by every change (the ETag).
    public var version: Int64
    /// Its name.
    public var name: String
    /// SHA-256 of the scenario's canonical JSON: the plan's input hash.
    public var sha256: String
    /// `import` or `plan`.
    public var source: String
    /// When it was created, Unix time in milliseconds.
    public var createdAtMilliseconds: Int64
    /// Who did it (name and token id).
    public var actor: String
}

/// The states of a lease; see `LeaseState.next` for the moves allowed.
public enum LeaseState: String, Sendable, Codable, CaseIterable {
    case proposed, signed, provisioning, active, ended, breached, terminated, withdrawn

    /// Where a lease can go from here. Ended, breached, terminated and withdrawn are final.
    public var next: [LeaseState] {
        switch self {
        case .proposed: [.signed, .withdrawn]
        case .signed: [.provisioning, .breached, .terminated]
        case .provisioning: [.active, .breached, .terminated]
        case .active: [.ended, .breached, .terminated]
        case .ended, .breached, .terminated, .withdrawn: []
        }
    }

    /// Whether the lease holds (or may yet hold) capacity: proposed, signed, provisioning or active.
    public var isLive: Bool {
        switch self {
        case .proposed, .signed, .provisioning, .active: true
        case .ended, .breached, .terminated, .withdrawn: false
        }
    }
}

/// A lease as kept.
public struct LeaseRecord: Sendable, Equatable, Codable {
    /// Its identifier.
    public var id: String
    /// The plan it belongs to.
    public var planId: String
    /// The offer leased.
    public var offer: String
    /// The provider of the offer.
    public var provider: String
    /// The accelerator model.
    public var accelerator: String
    /// Nodes leased.
    public var nodes: Int
    /// Accelerators leased (nodes × accelerators per node).
    public var accelerators: Int
    /// The commitment term (on-demand, 1y, 3y).
    public var term: String
    /// The first month (YYYY-MM).
    public var start: String
    /// How many months the term runs.
    public var months: Int
    /// USD per accelerator-hour, as decimal text.
    public var pricePerAcceleratorHour: String
    /// USD per month, as decimal text.
    public var monthlyCost: String
    /// USD over the whole term, as decimal text.
    public var totalCost: String
    /// Where it stands.
    public var state: LeaseState
    /// Its version, raised by every change (the ETag).
    public var version: Int64
    /// When it was created, Unix time in milliseconds.
    public var createdAtMilliseconds: Int64
    /// When it last changed, Unix time in milliseconds.
    public var updatedAtMilliseconds: Int64
}

/// One move of a lease.
public struct LeaseEvent: Sendable, Equatable, Codable {
    /// The state it left; nil for the first.
    public var from: LeaseState?
    /// The state it entered.
    public var to: LeaseState
    /// When, Unix time in milliseconds.
    public var at: Int64
    /// Who did it (name and token id).
    public var actor: String
    /// Why, in the actor's words.
    public var note: String
}

/// The state of a job.
public enum JobState: String, Sendable, Codable {
    case queued, running, succeeded, failed
    /// A risk analysis split into parts: waits, unclaimed, until its last part succeeds (then it
    /// is queued again to join them) or one fails (then it fails).
    case waiting
}

/// What a job does.
public enum JobKind: String, Sendable, Codable, CaseIterable {
    /// Plan a scenario snapshot from scratch.
    case plan
    /// Re-plan a plan after an incident.
    case replan
    /// Sample supply futures for a plan and see how it fares (`switchyard risk`).
    case risk
    /// Some of a risk analysis's futures (`payload.futures`), evaluated for the analysis it is a
    /// part of (`parentJob`), which joins the parts' outcomes.
    case riskPart = "risk-part"
}

/// How many jobs may wait at once (queued, or claimed and not finished): in the whole record and
/// per submitter (a token); nil: no limit.
public struct JobLimits: Sendable, Equatable {
    /// Jobs waiting or running in all.
    public var queued: Int?
    /// Jobs waiting or running that one submitter (token) queued.
    public var queuedPerActor: Int?
    /// Limits; nil is none.
    public init(queued: Int?, queuedPerActor: Int?) {
        self.queued = queued
        self.queuedPerActor = queuedPerActor
    }
    /// No limit: for tools and tests that queue what they are given.
    public static let unlimited = JobLimits(queued: nil, queuedPerActor: nil)
    /// What `switchyard serve` allows unless told otherwise: 50 in all, 10 per token.
    public static let serverDefault = JobLimits(queued: 50, queuedPerActor: 10)
}

/// A plan or re-plan job.
public struct JobRecord: Sendable, Equatable {
    /// Its identifier.
    public var id: String
    /// What it is.
    public var kind: JobKind
    /// What it is asked to do.
    public var payload: JobPayload
    /// Where it stands.
    public var state: JobState
    /// Claims so far (a claim that runs out counts).
    public var attempts: Int
    /// Claims after which it fails for good.
    public var maxAttempts: Int
    /// The runner holding its claim.
    public var claimedBy: String?
    /// When the claim runs out unless renewed, Unix time in milliseconds.
    public var leaseUntilMilliseconds: Int64?
    /// When it was created, Unix time in milliseconds.
    public var createdAtMilliseconds: Int64
    /// When it was first claimed, Unix time in milliseconds.
    public var startedAtMilliseconds: Int64?
    /// When it succeeded or failed, Unix time in milliseconds.
    public var finishedAtMilliseconds: Int64?
    /// Why it failed.
    public var error: String?
    /// The plan it belongs to.
    public var planId: String?
    /// Who did it (name and token id).
    public var actor: String
    /// For a part of a risk analysis: the analysis's job.
    public var parentJob: String? = nil
    /// For a plan or re-plan: the best plan and bound so far, as its solve last reported them
    /// (nil before the first report; cleared when the job is claimed again).
    public var progress: SolveProgress? = nil
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
    /// For a re-plan: the incident.
    public var incident: String?
    /// For a risk analysis (whose plan is `basePlan`): how many futures to sample.
    public var samples: Int?
    /// For a risk analysis: the sampling seed.
    public var seed: Int64?
    /// For a part of a risk analysis: the samples it evaluates, each the first of a distinct
    /// future (the analysis's other samples that draw the same incidents share its outcome).
    public var futures: [Int]?
    /// For a plan: changes to the scenario planned without being made (a what-if).
    public var whatIf: WhatIf?

    public init(
        scenarioVersion: Int64, timeLimitSeconds: Double, relativeGap: Double, basePlan: String? = nil,
        incident: String? = nil, samples: Int? = nil, seed: Int64? = nil, futures: [Int]? = nil, whatIf: WhatIf? = nil
    ) {
        self.whatIf = whatIf
        self.futures = futures
        self.scenarioVersion = scenarioVersion
        self.timeLimitSeconds = timeLimitSeconds
        self.relativeGap = relativeGap
        self.basePlan = basePlan
        self.incident = incident
        self.samples = samples
        self.seed = seed
    }
}

/// A risk analysis of a plan, as kept; `body` is its `RiskSummary` as JSON.
public struct RiskRecord: Sendable, Equatable {
    /// Its identifier.
    public var id: String
    /// The plan analysed.
    public var planId: String
    /// The job that made it.
    public var jobId: String
    /// Futures sampled.
    public var samples: Int
    /// The sampling seed.
    public var seed: Int64
    /// When it was made, Unix time in milliseconds.
    public var createdAtMilliseconds: Int64
    /// The summary as JSON (`switchyard risk --format json`).
    public var body: String
}

/// Where a plan stands.
public enum PlanState: String, Sendable, Codable {
    /// Solved, not yet accepted.
    case ready
    /// Accepted: its leases were proposed.
    case accepted
    /// Accepted once, then replaced by another accepted plan: its unsigned leases were withdrawn
    /// or carried into the new plan; its signed leases stand.
    case superseded
    /// Set aside by a planner before it was accepted (a re-plan not taken, a what-if looked at):
    /// kept for the record, never accepted.
    case rejected
}

/// A plan as kept; `body` is the planner's `Plan` as JSON.
public struct PlanRecord: Sendable, Equatable {
    /// Its identifier.
    public var id: String
    /// The scenario snapshot planned.
    public var scenarioVersion: Int64
    /// SHA-256 of the snapshot's canonical JSON.
    public var inputSha256: String
    /// USD over the whole term, as decimal text.
    public var totalCost: String
    /// Ready to accept, or accepted.
    public var state: PlanState
    /// For a re-plan: the plan it replaces.
    public var parentPlan: String?
    /// For a re-plan: the incident it answers.
    public var incidentId: String?
    /// The job that made it.
    public var jobId: String
    /// When it was created, Unix time in milliseconds.
    public var createdAtMilliseconds: Int64
    /// When it was accepted, Unix time in milliseconds.
    public var acceptedAtMilliseconds: Int64?
    /// Who accepted it.
    public var acceptedBy: String?
    /// The plan whose acceptance replaced it.
    public var supersededBy: String?
    /// Its version, raised by every change (the ETag).
    public var version: Int64
    /// The planner's `Plan` as JSON.
    public var body: String
}

/// An incident as kept, with the re-plan it started.
public struct IncidentRecord: Sendable, Equatable {
    /// Its identifier.
    public var id: String
    /// The plan it belongs to.
    public var planId: String
    /// The incident document as JSON (the incident file's keys).
    public var body: String
    /// One line: `coreweave outage from 2027-03 for 2 months (40% delivered)`.
    public var summary: String
    /// The job that made it.
    public var jobId: String
    /// When it was created, Unix time in milliseconds.
    public var createdAtMilliseconds: Int64
    /// Who did it (name and token id).
    public var actor: String
    /// The re-plan, once its job has finished.
    public var replanId: String?
}

/// One line of the audit log.
public struct AuditEntry: Sendable, Equatable, Codable {
    /// Its place in the log.
    public var seq: Int64
    /// When, Unix time in milliseconds.
    public var at: Int64
    /// Who did it (name and token id).
    public var actor: String
    /// What was done (`plan.submit`, `lease.transition`, …).
    public var action: String
    /// What it was done to.
    public var subject: String
    /// More about it.
    public var detail: String
}

/// An API token (the secret itself is never kept).
public struct TokenRecord: Sendable, Equatable {
    /// Its identifier.
    public var id: String
    /// Its name.
    public var name: String
    /// What it may do.
    public var role: Role
    /// When it was created, Unix time in milliseconds.
    public var createdAtMilliseconds: Int64
    /// When it was revoked; a revoked token opens nothing.
    public var revokedAtMilliseconds: Int64? = nil
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

extension Store {
    /// A closed set's value from its column: a value the code does not know means the database
    /// was written by another version or by hand, and is refused rather than guessed.
    static func decode<T: RawRepresentable>(_ type: T.Type, _ row: any SQLRow, column: String) throws -> T
    where T.RawValue == String {
        let raw = try row.decode(column: column, as: String.self)
        guard let value = T(rawValue: raw) else {
            throw StoreError.configuration("the database holds \(column) '\(raw)', which this version does not know")
        }
        return value
    }
}
