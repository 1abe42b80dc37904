import Foundation
import Scheduler
import SwitchyardCatalog
import SwitchyardModel

extension ScheduleInput {
    /// Parses a job trace for `simulate`: `id, arrivalSeconds, work` and optionally `gang`,
    /// `weight`, `deadlineSeconds`, plus one `throughput:<model>` column per fleet model. Arrival
    /// times must be >= 0 and never go backwards; every bad cell is reported with its line.
    public static func trace(csv text: String, pools: [Pool]) throws -> [SimulatedJob] {
        let (throughputColumns, columnOfPool) = throughputColumns(pools)
        let (header, rows) = try table(
            text, required: ["id", "arrivalSeconds", "work"],
            optional: ["gang", "weight", "deadlineSeconds"] + throughputColumns)
        var problems: [Diagnostic] = []
        var jobs: [SimulatedJob] = []
        var order = ArrivalOrder()
        for (line, cells) in rows {
            func number(_ column: String, _ fallback: Double?, positive: Bool) -> Double? {
                cellNumber(
                    header, cells, line, column, default: fallback, minimum: 0, strictly: positive, problems: &problems)
            }
            let arrival = number("arrivalSeconds", nil, positive: false)
            let work = number("work", nil, positive: true)
            let gang = number("gang", 1, positive: true)
            let weight = number("weight", 1, positive: true)
            let deadline = number("deadlineSeconds", nil, positive: true)
            let perModel = throughputColumns.map { number($0, 0, positive: false) ?? 0 }
            let throughput = columnOfPool.map { perModel[$0] }
            if let arrival { order.note(arrival, line: line, column: "arrivalSeconds", problems: &problems) }
            if let gang, gang != gang.rounded() {
                problems.append(Diagnostic(path: "line \(line).gang", message: "must be a whole number", line: line))
            }
            guard let arrival, let work, let gang, let weight else { continue }
            jobs.append(
                SimulatedJob(
                    id: cells[header["id"]!], arrivalSeconds: arrival, work: work, gang: Int(gang), weight: weight,
                    throughput: throughput, deadlineSeconds: deadline))
        }
        if !problems.isEmpty { throw InputError(problems) }
        return jobs
    }
}
