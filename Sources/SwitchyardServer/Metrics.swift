import Foundation
import Synchronization

/// Prometheus metrics in the text exposition format: request latencies per route, plan job
/// durations and solver time. Histograms with fixed buckets; thread-safe.
public final class Metrics: Sendable {
    struct Histogram {
        var buckets: [Double]
        var counts: [Int]
        var sum = 0.0
        var count = 0

        init(buckets: [Double]) {
            self.buckets = buckets
            counts = Array(repeating: 0, count: buckets.count)
        }

        mutating func observe(_ value: Double) {
            for (i, bound) in buckets.enumerated() where value <= bound { counts[i] += 1 }
            sum += value
            count += 1
        }
    }

    struct Family {
        var help: String
        var buckets: [Double]
        var series: [String: Histogram] = [:]
    }

    static let requestBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
    static let jobBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

    private let families: Mutex<[String: Family]>

    public init() {
        families = Mutex([
            "switchyard_http_request_duration_seconds": Family(
                help: "HTTP request latency by method, route and status.", buckets: Self.requestBuckets),
            "switchyard_plan_job_duration_seconds": Family(
                help: "Plan and re-plan job duration, claim to finish, by kind and outcome.", buckets: Self.jobBuckets),
            "switchyard_solver_seconds": Family(help: "Time in the solver per plan job.", buckets: Self.jobBuckets),
        ])
    }

    /// Records one observation under `labels`.
    public func observe(_ name: String, _ value: Double, labels: [(String, String)]) {
        let key = labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
        families.withLock { families in
            // In place: copying the family out and back copied its series on every request.
            guard let buckets = families[name]?.buckets else { return }
            families[name]!.series[key, default: Histogram(buckets: buckets)].observe(value)
        }
    }

    /// The exposition text, with `extra` gauges appended.
    public func render(gauges: [(name: String, help: String, labels: [(String, String)], value: Double)] = []) -> String
    {
        var out = ""
        let snapshot = families.withLock { $0 }
        for name in snapshot.keys.sorted() {
            let family = snapshot[name]!
            out += "# HELP \(name) \(family.help)\n# TYPE \(name) histogram\n"
            for key in family.series.keys.sorted() {
                let h = family.series[key]!
                let prefix = key.isEmpty ? "" : key + ","
                for (bound, count) in zip(h.buckets, h.counts) {
                    out += "\(name)_bucket{\(prefix)le=\"\(Self.number(bound))\"} \(count)\n"
                }
                out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(h.count)\n"
                let labels = key.isEmpty ? "" : "{\(key)}"
                out += "\(name)_sum\(labels) \(Self.number(h.sum))\n\(name)_count\(labels) \(h.count)\n"
            }
        }
        var described = Set<String>()
        for gauge in gauges {
            if described.insert(gauge.name).inserted {
                out += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) gauge\n"
            }
            let labels = gauge.labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
            out += "\(gauge.name)\(labels.isEmpty ? "" : "{\(labels)}") \(Self.number(gauge.value))\n"
        }
        return out
    }

    static func number(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
