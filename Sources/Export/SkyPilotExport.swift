import Foundation
import SwitchyardCatalog
import SwitchyardModel

/// A plan's training runs as SkyPilot tasks: one YAML file per run (per stretch, when a re-plan
/// moved it), asking for the run's gang as nodes of its cluster's model, on that cluster.
///
/// Every cluster is reached as a Kubernetes context named after it (`infra: k8s/CLUSTER`, the
/// name the Kueue export gives the same cluster), because a plan's regions are the scenario's
/// names, not a cloud's. Where the plan's N-1 table restarts the run in another cluster when its
/// provider is lost, that cluster follows the run's own in `resources.ordered` if the gang makes
/// the same number of nodes there; otherwise the restart is a task of its own,
/// `RUN--without-PROVIDER.yaml`. The tasks have no `run:` command: that is the lab's training
/// script, added before `sky launch`.
public enum SkyPilotExport {
    /// One file per training run stretch, sorted by run and start.
    public static func files(scenario: Scenario, plan: Plan) -> [ExportedFile] {
        let clusters = PlanClusters(scenario: scenario, plan: plan)
        let names = KubeName.Names(plan.runs.map(\.workload.rawValue))
        let byName = Dictionary(clusters.clusters.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let stretches = plan.runs.sorted { ($0.workload, $0.start) < ($1.workload, $1.start) }
        var files: [ExportedFile] = []
        for (i, run) in stretches.enumerated() {
            guard let home = byName[run.cluster] else { continue }
            let several = stretches.filter { $0.workload == run.workload }.count > 1
            let base = names[run.workload.rawValue] + (several ? "-from-\(run.start)" : "")
            let restarts =
                i == stretches.firstIndex(where: { $0.workload == run.workload })
                ? clusters.restarts.filter { $0.workload == run.workload && $0.home == home } : []
            let nodes = nodeCount(run.accelerators, clusters.clusters[home])
            let fallback = restarts.filter { nodeCount($0.accelerators, clusters.clusters[$0.cluster]) == nodes }
            let alone = restarts.filter { nodeCount($0.accelerators, clusters.clusters[$0.cluster]) != nodes }
            let task = Task(
                name: base, workload: run.workload, accelerators: run.accelerators, start: run.start, end: run.end,
                deadline: run.deadline, clusters: Self.once([home] + fallback.map(\.cluster)), lost: nil)
            files.append(ExportedFile(path: base + ".yaml", text: task.text(clusters, plan: plan)))
            for r in alone {
                let name = base + "--without-" + KubeName.label(r.lost.rawValue)
                let restart = Task(
                    name: name, workload: run.workload, accelerators: r.accelerators, start: r.start, end: r.end,
                    deadline: run.deadline, clusters: [r.cluster], lost: r.lost)
                files.append(ExportedFile(path: name + ".yaml", text: restart.text(clusters, plan: plan)))
            }
        }
        return files
    }

    /// Clusters in order, each once (two providers' losses may restart a run in the same one).
    static func once(_ clusters: [Int]) -> [Int] {
        var seen: Set<Int> = []
        return clusters.filter { seen.insert($0).inserted }
    }

    /// Nodes a gang takes in a cluster: whole nodes, the last one partly used when the gang is not
    /// a multiple of the node.
    static func nodeCount(_ accelerators: Int, _ cluster: PlanClusters.Cluster) -> Int {
        let perNode = max(1, cluster.acceleratorsPerNode)
        return (accelerators + perNode - 1) / perNode
    }

    /// One task file.
    struct Task {
        var name: String
        var workload: WorkloadID
        var accelerators: Int
        var start: YearMonth
        var end: YearMonth
        var deadline: YearMonth
        /// Its cluster first, then ordered fallbacks.
        var clusters: [Int]
        /// For a restart task: the provider whose loss it answers.
        var lost: ProviderID?

        func text(_ plan: PlanClusters, plan whole: Plan) -> String {
            let first = plan.clusters[clusters[0]]
            let nodes = SkyPilotExport.nodeCount(accelerators, first)
            var header = [
                "# SkyPilot task for \(workload) in plan \(whole.scenario) (switchyard export skypilot).",
                "# \(Formatted.grouped(Double(accelerators))) accelerators as \(nodes) node(s) of "
                    + "\(first.acceleratorsPerNode) \(first.accelerator), \(start) to \(end); deadline \(deadline).",
            ]
            if let lost {
                header.append("# Launch this if \(lost) is lost: the plan's N-1 table restarts the run here.")
            }
            for c in clusters.dropFirst() {
                header.append("# If \(first.name) is gone, the plan restarts it in \(plan.clusters[c].name).")
            }
            if lost == nil {
                for loss in whole.resilience
                where loss.runRestarts.contains(where: { $0.workload == workload && $0.fate == .lost }) {
                    header.append("# Without \(loss.provider) the plan has no cluster that can take it in time.")
                }
            }
            header.append("# Add the run's own command as `run:` before `sky launch`.")
            let resources = clusters.map { c -> DocumentNode in
                let cluster = plan.clusters[c]
                return .map([
                    ("infra", .text("k8s/" + cluster.kubeName)),
                    (
                        "accelerators",
                        .text("\(SkyPilotCatalog.name(of: cluster.accelerator)):\(cluster.acceleratorsPerNode)")
                    ),
                    (
                        "labels",
                        .map([
                            ("switchyard.io/workload", .text(KubeName.label(workload.rawValue))),
                            ("switchyard.io/cluster", .text(cluster.kubeName)),
                        ])
                    ),
                ])
            }
            let document: DocumentNode = .map([
                ("name", .text(name)), ("num_nodes", .number(nodes)),
                ("resources", resources.count == 1 ? resources[0] : .map([("ordered", .list(resources))])),
                (
                    "envs",
                    .map([
                        ("SWITCHYARD_WORKLOAD", .text(workload.rawValue)),
                        ("SWITCHYARD_START", .text(start.description)),
                        ("SWITCHYARD_END", .text(end.description)),
                        ("SWITCHYARD_DEADLINE", .text(deadline.description)),
                    ])
                ),
            ])
            return header.joined(separator: "\n") + "\n" + DocumentWriter.write(document, format: .yaml)
        }
    }
}
