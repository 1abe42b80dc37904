import SwitchyardCatalog
import SwitchyardModel

/// Groups identical jobs into job types, so the allocation LP grows with types, not jobs.
///
/// Which fields make two jobs identical depends on the policy: fairness and throughput policies
/// look only at throughputs, gang and weight; makespan and finish-time fairness also at remaining
/// work and elapsed time; throughput per dollar also at deadlines.
public struct JobGrouping: Sendable {
    /// The types, each with the number of jobs it stands for.
    public let classes: [JobClass]
    /// For each job given, the index of its type.
    public let classOfJob: [Int]

    /// Groups `jobs` (each with count 1, or any count) for `policy`.
    public init(_ jobs: [JobClass], policy: AllocationPolicy) {
        struct Key: Hashable {
            let throughput: [Double]
            let gang: Int
            let weight: Double
            let remaining: Double
            let elapsed: Double
            let deadline: Double?
        }
        let usesWork = [.minMakespan, .finishTimeFairness, .maxThroughputPerDollar].contains(policy)
        var index: [Key: Int] = [:]
        var classes: [JobClass] = []
        var classOfJob: [Int] = []
        classOfJob.reserveCapacity(jobs.count)
        // FIFO places jobs in order: grouping would reorder them, so each job stays its own type.
        let ordered = policy == .fifo || policy == .fifoFastest
        for job in jobs {
            let key = Key(
                throughput: job.throughput, gang: job.gang, weight: job.weight,
                remaining: usesWork ? job.remainingWork : 0,
                elapsed: policy == .finishTimeFairness ? job.elapsedSeconds : 0,
                deadline: policy == .maxThroughputPerDollar ? job.deadlineSeconds : nil)
            if !ordered, let k = index[key] {
                classes[k].count += job.count
                classOfJob.append(k)
            } else {
                index[key] = classes.count
                classOfJob.append(classes.count)
                var type = job
                type.id = ordered ? job.id : "type-\(classes.count)"
                // Fields the policy ignores are cleared, so equal job mixes give equal types.
                if !usesWork { type.remainingWork = 1 }
                if policy != .finishTimeFairness { type.elapsedSeconds = 0 }
                if policy != .maxThroughputPerDollar { type.deadlineSeconds = nil }
                classes.append(type)
            }
        }
        self.classes = classes
        self.classOfJob = classOfJob
    }
}

extension JobClass {
    /// One job class per trace line, with throughputs from Gavel's table for each pool's model
    /// (0 where the table has none: the job cannot run there).
    ///
    /// - Throws: `InputError` naming each trace line whose job type is not in the table at all.
    public static func fromGavel(
        trace: [GavelTraceJob], throughputs: GavelThroughputs, pools: [Pool], now: Double = 0
    ) throws -> [JobClass] {
        var problems: [Diagnostic] = []
        let known = Set(throughputs.throughput.values.flatMap(\.keys))
        let classes = trace.compactMap { job -> JobClass? in
            guard known.contains(job.jobType) else {
                problems.append(
                    Diagnostic(
                        path: "line \(job.line).job_type", message: "no throughput for \(job.jobType) in the table",
                        line: job.line))
                return nil
            }
            return JobClass(
                id: "\(job.jobType.model) x\(job.jobType.scaleFactor) (line \(job.line))",
                gang: job.jobType.scaleFactor, weight: job.priorityWeight,
                throughput: pools.map { throughputs.throughput[$0.model]?[job.jobType] ?? 0 },
                remainingWork: job.totalSteps,
                elapsedSeconds: max(0, now - job.arrivalSeconds))
        }
        if !problems.isEmpty { throw InputError(problems) }
        return classes
    }
}
