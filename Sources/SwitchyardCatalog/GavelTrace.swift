import Foundation
import SwitchyardModel

/// Jobs in Gavel's trace format: one job per line, ten tab-separated fields
/// (`job_type command working_directory num_steps_arg needs_data_dir total_steps scale_factor
/// priority_weight SLO arrival_time`). Only the fields a scheduler needs are kept.
public struct GavelTraceJob: Sendable, Equatable {
    /// Model name and scale factor: the key into the throughput table.
    public var jobType: GavelThroughputs.JobType
    /// Steps to run.
    public var totalSteps: Double
    /// Priority weight.
    public var priorityWeight: Double
    /// Deadline factor, nil for none (Gavel writes -1).
    public var slo: Double?
    /// Seconds from the trace's start.
    public var arrivalSeconds: Double
    /// 1-based line in the trace.
    public var line: Int

    /// Parses a trace; every bad line is reported with its number, and times must not go backwards.
    public static func parse(_ text: String) throws -> [GavelTraceJob] {
        var jobs: [GavelTraceJob] = []
        var problems: [Diagnostic] = []
        var order = ArrivalOrder()
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let trimmed = raw.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            if trimmed.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let fields = trimmed.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 10 else {
                problems.append(
                    Diagnostic(
                        path: "line \(line)", message: "has \(fields.count) tab-separated fields; expected 10",
                        line: line))
                continue
            }
            func number(_ i: Int, _ name: String, positive: Bool = false) -> Double? {
                guard let v = Double(fields[i]), v.isFinite, positive ? v > 0 : v >= 0 else {
                    problems.append(
                        Diagnostic(
                            path: "line \(line).\(name)",
                            message: "must be a number \(positive ? "> 0" : ">= 0"), found '\(fields[i])'", line: line))
                    return nil
                }
                return v
            }
            let steps = number(5, "total_steps", positive: true)
            let scale = number(6, "scale_factor", positive: true)
            let weight = number(7, "priority_weight", positive: true)
            let slo = Double(fields[8])
            if slo == nil {
                problems.append(
                    Diagnostic(path: "line \(line).SLO", message: "must be a number (-1 for none)", line: line))
            }
            let arrival = number(9, "arrival_time")
            if let arrival { order.note(arrival, line: line, column: "arrival_time", problems: &problems) }
            if fields[0].isEmpty {
                problems.append(Diagnostic(path: "line \(line).job_type", message: "must not be empty", line: line))
            }
            guard let steps, let scale, let weight, let slo, let arrival, scale == scale.rounded() else {
                if let scale, scale != scale.rounded() {
                    problems.append(
                        Diagnostic(path: "line \(line).scale_factor", message: "must be a whole number", line: line))
                }
                continue
            }
            jobs.append(
                GavelTraceJob(
                    jobType: .init(model: fields[0], scaleFactor: Int(scale)), totalSteps: steps,
                    priorityWeight: weight,
                    slo: slo < 0 ? nil : slo, arrivalSeconds: arrival, line: line))
        }
        if !problems.isEmpty { throw InputError(problems) }
        return jobs
    }
}
