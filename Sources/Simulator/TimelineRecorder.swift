import Foundation
import Scheduler
import SwitchyardModel

/// Collects the per-round time series a simulation reports.
public final class TimelineRecorder: @unchecked Sendable {
    // @unchecked: only the simulation's own thread calls `add`, one round after another, and
    // `csv` runs after the simulation has returned; the lock makes that explicit.
    private let lock = NSLock()
    private var rounds: [RoundReport] = []

    /// An empty recorder.
    public init() {}

    /// Keeps one round.
    public func add(_ round: RoundReport) { lock.withLock { rounds.append(round) } }

    /// One row per round: jobs started, then busy accelerators, available ones at the round's
    /// start, and cost (USD billed for the round's available accelerator-time, to the second) per
    /// pool.
    public func csv(pools: [Pool], names: [String]) -> String {
        lock.withLock {
            let header =
                ["seconds", "runningJobs"] + names.map { "busy:\($0)" } + names.map { "available:\($0)" }
                + names.map { "cost:\($0)" }
            let rows = rounds.map { r in
                let cost = pools.indices.map { String(format: "%.2f", $0 < r.cost.count ? r.cost[$0] : 0) }
                return
                    ([String(format: "%.0f", r.startSeconds), String(r.runningJobs)] + r.busy.map(String.init)
                    + r.available.map(String.init) + cost)
                    .joined(separator: ",")
            }
            return ([header.joined(separator: ",")] + rows).joined(separator: "\n") + "\n"
        }
    }
}
