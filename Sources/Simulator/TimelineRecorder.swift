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

    /// One row per round: running jobs, then busy and available accelerators and cost (USD for
    /// the round's available accelerator-time) per pool.
    public func csv(pools: [Pool], providers: [ProviderID?], roundSeconds: Double) -> String {
        lock.withLock {
            let names = pools.indices.map { m in pools[m].model.rawValue + (providers[m].map { "@\($0)" } ?? "") }
            let header =
                ["seconds", "runningJobs"] + names.map { "busy:\($0)" } + names.map { "available:\($0)" }
                + names.map { "cost:\($0)" }
            let rows = rounds.map { r in
                let cost = pools.indices.map {
                    String(
                        format: "%.2f",
                        Double(r.available[$0]) * pools[$0].pricePerAcceleratorHour * roundSeconds / 3600)
                }
                return
                    ([String(format: "%.0f", r.startSeconds), String(r.runningJobs)] + r.busy.map(String.init)
                    + r.available.map(String.init) + cost)
                    .joined(separator: ",")
            }
            return ([header.joined(separator: ",")] + rows).joined(separator: "\n") + "\n"
        }
    }
}
