import Foundation
import SwitchyardModel

/// A seeded generator of job traces with Gavel's synthetic mix (../shared/data/gavel/README.md):
/// job types uniform over the table's, durations on the reference worker of
/// 60·10^U(1.5, 3) s with probability 0.8 and 60·10^U(3, 4) s otherwise, scale factor 1 or — for
/// multi-GPU mixes — 1/2/4/8 with probabilities 0.7/0.1/0.15/0.05 among the types that have it,
/// and Poisson arrivals. The same parameters always give the same trace.
public struct GavelTraceGenerator: Sendable {
    /// The throughput table the job types and their speeds come from.
    public var throughputs: GavelThroughputs
    /// The worker whose throughput turns duration into steps (Gavel uses the V100).
    public var reference: AcceleratorModelID = "nvidia-v100"
    /// Stream seed.
    public var seed: UInt64 = 1
    /// How many jobs.
    public var jobs: Int = 100
    /// Mean arrivals per hour (Poisson).
    public var jobsPerHour: Double = 60
    /// Whether gangs of 2, 4 and 8 occur.
    public var multiGPU: Bool = true

    /// A generator over `throughputs`.
    public init(throughputs: GavelThroughputs) { self.throughputs = throughputs }

    /// The trace, one `GavelTraceJob` per job in arrival order.
    public func generate() throws -> [GavelTraceJob] {
        guard let table = throughputs.throughput[reference] else {
            throw InputError([Diagnostic(path: "", message: "the throughput table has no \(reference) worker")])
        }
        let singles = table.keys.filter { $0.scaleFactor == 1 && table[$0]! > 0 }.sorted()
        guard !singles.isEmpty else {
            throw InputError([Diagnostic(path: "", message: "the table has no single-GPU job types")])
        }
        var rng = SplitMix64(seed: seed)
        var clock = 0.0
        return (0..<jobs).map { i in
            var type = singles[rng.int(singles.count)]
            if multiGPU {
                let draw = rng.uniform()
                let scale = draw < 0.7 ? 1 : draw < 0.8 ? 2 : draw < 0.95 ? 4 : 8
                let candidate = GavelThroughputs.JobType(model: type.model, scaleFactor: scale)
                if let t = table[candidate], t > 0 { type = candidate }
            }
            let exponent = rng.uniform() < 0.8 ? rng.uniform(1.5, 3) : rng.uniform(3, 4)
            let duration = 60 * pow(10, exponent)
            clock += -log(1 - rng.uniform()) / jobsPerHour * 3600
            return GavelTraceJob(
                jobType: type, totalSteps: (duration * table[type]!).rounded(.up), priorityWeight: 1, slo: nil,
                arrivalSeconds: (clock * 1000).rounded() / 1000, line: i + 1)
        }
    }

    /// The trace as text in Gavel's 10-column format.
    public static func text(_ jobs: [GavelTraceJob]) -> String {
        jobs.map { job in
            [
                job.jobType.model, "python3 main.py", "/workspace", "--num_steps", "1", formatNumber(job.totalSteps),
                String(job.jobType.scaleFactor), formatNumber(job.priorityWeight), job.slo.map(formatNumber) ?? "-1",
                formatNumber(job.arrivalSeconds),
            ].joined(separator: "\t")
        }.joined(separator: "\n") + "\n"
    }
}
