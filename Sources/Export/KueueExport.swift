import Foundation
import SwitchyardCatalog
import SwitchyardModel

/// A file an export writes: its path under the output directory and its text.
public struct ExportedFile: Sendable, Equatable {
    /// Relative path (`2027-05/manager.yaml`).
    public var path: String
    /// The file's text.
    public var text: String

    /// A file from its fields.
    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }

    /// Files as one YAML stream: each file's documents, after a comment naming the file.
    public static func stream(_ files: [ExportedFile]) -> String {
        files.filter { $0.path.hasSuffix(".yaml") }.map { "# file: \($0.path)\n" + $0.text }
            .joined(separator: "---\n")
    }
}

/// A plan as Kueue objects (`kueue.x-k8s.io/v1beta2`), month by month: what a lab applies to the
/// clusters that admit its jobs. docs/export.md maps every plan field to a manifest field.
///
/// Per month, `YYYY-MM/manager.yaml` holds, for the cluster that admits jobs (the MultiKueue
/// manager when the month has more than one cluster):
/// - a `ResourceFlavor` per cluster (node labels for cluster, provider, model and region; the
///   accelerator's taint and its toleration; a `Topology` where the model's scale-up domain spans
///   nodes),
/// - a `Cohort` for the lab and a `ClusterQueue` per cluster in it, whose nominal quota is the
///   plan's capacity there that month; what the plan's workloads do not use (standby for N-1) is
///   lent within the cohort, and a critical run's queue may borrow its gang from the cluster it
///   restarts in when its provider is lost, preempting standard work there as the N-1 case does,
/// - `WorkloadPriorityClass`es (critical work first), a namespace per workload and a
///   `LocalQueue` there per cluster it uses,
/// - with several clusters: a `MultiKueueCluster`, `MultiKueueConfig` and `AdmissionCheck` per
///   cluster; `YYYY-MM/workers/CLUSTER.yaml` then holds what each worker cluster needs.
///
/// `changes.md` says what changes from each month to the next.
public enum KueueExport {
    /// The API version written (Kueue's storage version).
    public static let apiVersion = "kueue.x-k8s.io/v1beta2"
    /// The priority class of critical workloads, and of the rest.
    public static let criticalPriorityClass = "switchyard-critical"
    public static let standardPriorityClass = "switchyard-standard"
    /// The topology of scale-up domains that span nodes (NVL72 racks, TPU slices).
    public static let topologyName = "switchyard-scale-up"
    /// The label prefix of everything Switchyard writes.
    static let prefix = "switchyard.io/"

    /// The files for `months` of `plan` (each month of the horizon it names; others are skipped).
    public static func files(scenario: Scenario, plan: Plan, months: [YearMonth]) -> [ExportedFile] {
        let clusters = PlanClusters(scenario: scenario, plan: plan)
        let catalog = AcceleratorCatalog.merged(with: scenario.accelerators)
        var files: [ExportedFile] = []
        var periods: [Int] = []
        for month in Set(months).sorted() {
            guard let t = scenario.horizon.period(of: month) else { continue }
            periods.append(t)
            let view = MonthView(clusters: clusters, catalog: catalog, period: t, lab: KubeName.label(scenario.name))
            files.append(ExportedFile(path: "\(month)/manager.yaml", text: yaml(view.managerDocuments())))
            if view.multi {
                for c in view.active {
                    files.append(
                        ExportedFile(
                            path: "\(month)/workers/\(clusters.clusters[c].kubeName).yaml",
                            text: yaml(view.workerDocuments(c))))
                }
            }
        }
        files.append(ExportedFile(path: "changes.md", text: changes(clusters, periods: periods, plan: plan)))
        return files
    }

    /// Documents as one YAML stream.
    static func yaml(_ documents: [DocumentNode]) -> String {
        documents.map { DocumentWriter.write($0, format: .yaml) }.joined(separator: "---\n")
    }

    /// The Kubernetes resource an accelerator is requested as.
    public static func resourceName(of spec: AcceleratorSpec?) -> String {
        switch spec?.vendor {
        case "NVIDIA": "nvidia.com/gpu"
        case "AMD": "amd.com/gpu"
        case "Google": "google.com/tpu"
        case "AWS": "aws.amazon.com/neuron"
        default: "switchyard.io/accelerator"
        }
    }

    /// `changes.md`: for each exported month, clusters joining and leaving and quotas moving
    /// against the month before it.
    static func changes(_ clusters: PlanClusters, periods: [Int], plan: Plan) -> String {
        var lines = [
            "# Kueue quotas of plan \(plan.scenario), month by month", "",
            "Nominal quotas are the accelerators the plan holds in each cluster; backups are options held,",
            "not quota until exercised.", "",
        ]
        let kube = Dictionary(clusters.clusters.map { ($0.name, $0.kubeName) }, uniquingKeysWith: { a, _ in a })
        for t in periods {
            let month = clusters.horizon.month(ofPeriod: t)
            lines.append("## \(month)")
            var items: [String] = []
            for cluster in clusters.clusters {
                let now = cluster.capacity[t]
                let before = t > 0 ? cluster.capacity[t - 1] : 0
                let name = "`\(cluster.kubeName)`"
                if now > 0 && before == 0 {
                    items.append("- \(name) joins with \(Formatted.grouped(Double(now))) accelerators")
                } else if now == 0 && before > 0 {
                    items.append("- \(name) leaves (it held \(Formatted.grouped(Double(before))))")
                } else if now != before {
                    let verb = now > before ? "up" : "down"
                    items.append(
                        "- \(name) quota \(verb): \(Formatted.grouped(Double(before))) → \(Formatted.grouped(Double(now))) accelerators"
                    )
                }
                let backups = (cluster.backups[t], t > 0 ? cluster.backups[t - 1] : 0)
                if backups.0 != backups.1 {
                    items.append(
                        "- \(name) backup options: \(Formatted.grouped(Double(backups.1))) → \(Formatted.grouped(Double(backups.0))) accelerators"
                    )
                }
            }
            for run in plan.runs.sorted(by: { ($0.workload, $0.start) < ($1.workload, $1.start) }) {
                if run.start == month {
                    items.append(
                        "- run `\(run.workload)` starts: \(Formatted.grouped(Double(run.accelerators))) in `\(kube[run.cluster] ?? run.cluster)`"
                    )
                }
                if run.end.adding(months: 1) == month {
                    items.append("- run `\(run.workload)` ends in `\(kube[run.cluster] ?? run.cluster)`")
                }
            }
            lines += items.isEmpty ? ["- no change from the month before"] : items
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }
}

/// One month of the plan as Kueue objects.
struct MonthView {
    let clusters: PlanClusters
    let catalog: [AcceleratorModelID: AcceleratorSpec]
    let period: Int
    let lab: String
    /// Clusters present this month (indices into `clusters.clusters`).
    let active: [Int]
    /// Whether the month spans several clusters (MultiKueue).
    let multi: Bool
    /// Names of workloads' namespaces.
    let namespaces: KubeName.Names

    init(clusters: PlanClusters, catalog: [AcceleratorModelID: AcceleratorSpec], period: Int, lab: String) {
        self.clusters = clusters
        self.catalog = catalog
        self.period = period
        self.lab = lab
        active = clusters.active(in: period)
        multi = active.count > 1
        namespaces = KubeName.Names(clusters.workloads.keys.map(\.rawValue))
    }

    var month: YearMonth { clusters.horizon.month(ofPeriod: period) }

    func cluster(_ c: Int) -> PlanClusters.Cluster { clusters.clusters[c] }

    func spec(_ c: Int) -> AcceleratorSpec? { catalog[cluster(c).accelerator] }

    func resource(_ c: Int) -> String { KueueExport.resourceName(of: spec(c)) }

    /// Whether the cluster's scale-up domain spans nodes, so placement must respect it.
    func usesTopology(_ c: Int) -> Bool { (spec(c)?.scaleUpDomain ?? 1) > cluster(c).acceleratorsPerNode }

    /// Restarts of runs homed in `c` that run in this month.
    func restarts(from c: Int) -> [PlanClusters.Restart] {
        clusters.restarts.filter { $0.home == c && $0.start <= month && month <= $0.end }
    }

    /// The clusters a home cluster's jobs may be dispatched to: itself, then where its runs restart.
    func dispatch(_ c: Int) -> [Int] {
        var out = [c]
        for r in restarts(from: c) where !out.contains(r.cluster) { out.append(r.cluster) }
        return Array(out.prefix(20))
    }

    /// Each workload's local queues this month: (namespace, queue name = home cluster).
    var localQueues: [(workload: WorkloadID, cluster: Int)] {
        clusters.placed[period].flatMap { w, cs in cs.map { (w, $0) } }
            .sorted { ($0.workload, $0.cluster) < ($1.workload, $1.cluster) }
    }

    // MARK: manager

    func managerDocuments() -> [DocumentNode] {
        var docs = priorityClasses()
        if active.contains(where: usesTopology) { docs.append(topology()) }
        docs += active.map(flavor)
        docs.append(object("Cohort", name: lab, spec: [], labels: [("plan-month", month.description)]))
        docs += active.map(clusterQueue)
        if multi { docs += active.flatMap(multiKueue) }
        docs += namespaceAndQueues(localQueues.map { ($0.workload, $0.cluster, $0.cluster) })
        return docs
    }

    /// The priority values of critical and standard work.
    static let criticalPriority = 1000
    static let standardPriority = 100

    func priorityClasses() -> [DocumentNode] {
        [
            (
                KueueExport.criticalPriorityClass, MonthView.criticalPriority,
                "Critical work: training runs and services the plan keeps whole under N-1."
            ),
            (KueueExport.standardPriorityClass, MonthView.standardPriority, "Everything else in the plan."),
        ].map { name, value, description in
            .map([
                ("apiVersion", .text(KueueExport.apiVersion)), ("kind", .text("WorkloadPriorityClass")),
                ("metadata", metadata(name)), ("value", .number(value)), ("description", .text(description)),
            ])
        }
    }

    func topology() -> DocumentNode {
        object(
            "Topology", name: KueueExport.topologyName,
            spec: [
                (
                    "levels",
                    .list([
                        .map([("nodeLabel", .text(KueueExport.prefix + "scale-up-domain"))]),
                        .map([("nodeLabel", .text("kubernetes.io/hostname"))]),
                    ])
                )
            ])
    }

    func flavor(_ c: Int) -> DocumentNode {
        let cl = cluster(c)
        var labels: [(String, DocumentNode)] = [
            (KueueExport.prefix + "cluster", .text(cl.kubeName)),
            (KueueExport.prefix + "provider", .text(KubeName.label(cl.provider.rawValue))),
            (KueueExport.prefix + "accelerator", .text(KubeName.label(cl.accelerator.rawValue))),
            ("topology.kubernetes.io/region", .text(KubeName.label(cl.region.rawValue))),
        ]
        if let fleet = cl.fleet { labels.append((KueueExport.prefix + "fleet", .text(KubeName.label(fleet.rawValue)))) }
        let taint: DocumentNode = .map([
            ("key", .text(resource(c))), ("value", .text("present")), ("effect", .text("NoSchedule")),
        ])
        let toleration: DocumentNode = .map([
            ("key", .text(resource(c))), ("operator", .text("Exists")), ("effect", .text("NoSchedule")),
        ])
        var spec: [(String, DocumentNode)] = [
            ("nodeLabels", .map(labels)), ("nodeTaints", .list([taint])), ("tolerations", .list([toleration])),
        ]
        if usesTopology(c) { spec.append(("topologyName", .text(KueueExport.topologyName))) }
        return object(
            "ResourceFlavor", name: cl.kubeName, spec: spec, annotations: [("cluster", cl.name)])
    }

    func clusterQueue(_ c: Int) -> DocumentNode {
        let cl = cluster(c)
        var groups: [(resource: String, flavors: [DocumentNode])] = [
            (resource(c), [quota(cl.kubeName, resource(c), nominal: cl.capacity[period])])
        ]
        var borrow: [Int: Int] = [:]
        for r in restarts(from: c) { borrow[r.cluster, default: 0] += r.accelerators }
        for (target, gangs) in borrow.sorted(by: { $0.key < $1.key }) {
            let entry = quota(cluster(target).kubeName, resource(target), nominal: 0, borrowing: gangs)
            if let g = groups.firstIndex(where: { $0.resource == resource(target) }) {
                groups[g].flavors.append(entry)
            } else {
                groups.append((resource(target), [entry]))
            }
        }
        // A queue whose critical runs restart elsewhere may preempt standard work there to take
        // its gang, as the N-1 case gives way to it; every queue reclaims what it lent.
        var preemption: [(String, DocumentNode)] = [
            ("withinClusterQueue", .text("LowerPriority")), ("reclaimWithinCohort", .text("Any")),
        ]
        if !borrow.isEmpty {
            preemption.append(
                (
                    "borrowWithinCohort",
                    .map([
                        ("policy", .text("LowerPriority")),
                        ("maxPriorityThreshold", .number(MonthView.standardPriority)),
                    ])
                ))
        }
        var spec: [(String, DocumentNode)] = [
            ("cohortName", .text(lab)), ("namespaceSelector", .map([])), ("queueingStrategy", .text("BestEffortFIFO")),
            ("preemption", .map(preemption)),
            (
                "resourceGroups",
                .list(
                    groups.map {
                        .map([("coveredResources", .list([.text($0.resource)])), ("flavors", .list($0.flavors))])
                    })
            ),
        ]
        if multi {
            spec.append(
                (
                    "admissionChecksStrategy",
                    .map([("admissionChecks", .list([.map([("name", .text(admissionCheck(c)))])]))])
                ))
        }
        var annotations = [
            ("cluster", cl.name), ("in-use", String(cl.inUse[period])),
            ("standby", String(max(0, cl.capacity[period] - cl.inUse[period]))),
        ]
        if cl.backups[period] > 0 { annotations.append(("backup-accelerators", String(cl.backups[period]))) }
        return object(
            "ClusterQueue", name: cl.kubeName, spec: spec, labels: [("plan-month", month.description)],
            annotations: annotations)
    }

    func quota(_ flavor: String, _ resource: String, nominal: Int, borrowing: Int? = nil) -> DocumentNode {
        var fields: [(String, DocumentNode)] = [("name", .text(resource)), ("nominalQuota", .number(nominal))]
        if let borrowing { fields.append(("borrowingLimit", .number(borrowing))) }
        return .map([("name", .text(flavor)), ("resources", .list([.map(fields)]))])
    }

    func admissionCheck(_ c: Int) -> String { "multikueue-" + cluster(c).kubeName }

    func multiKueue(_ c: Int) -> [DocumentNode] {
        let name = cluster(c).kubeName
        let source: DocumentNode = .map([
            ("kubeConfig", .map([("location", .text(name + "-kubeconfig")), ("locationType", .text("Secret"))]))
        ])
        return [
            object("MultiKueueCluster", name: name, spec: [("clusterSource", source)]),
            object(
                "MultiKueueConfig", name: name,
                spec: [("clusters", .list(dispatch(c).map { .text(cluster($0).kubeName) }))]),
            object(
                "AdmissionCheck", name: admissionCheck(c),
                spec: [
                    ("controllerName", .text("kueue.x-k8s.io/multikueue")),
                    (
                        "parameters",
                        .map([
                            ("apiGroup", .text("kueue.x-k8s.io")), ("kind", .text("MultiKueueConfig")),
                            ("name", .text(name)),
                        ])
                    ),
                ]),
        ]
    }

    /// Namespaces and local queues: (workload, queue named after this home cluster, served by
    /// this cluster queue).
    func namespaceAndQueues(_ queues: [(WorkloadID, Int, Int)]) -> [DocumentNode] {
        var docs: [DocumentNode] = []
        for w in Set(queues.map(\.0)).sorted() {
            let critical = clusters.workloads[w]?.critical ?? false
            docs.append(
                .map([
                    ("apiVersion", .text("v1")), ("kind", .text("Namespace")),
                    (
                        "metadata",
                        .map([
                            ("name", .text(namespaces[w.rawValue])),
                            (
                                "labels",
                                .map([
                                    (KueueExport.prefix + "workload", .text(KubeName.label(w.rawValue))),
                                    (KueueExport.prefix + "critical", .text(critical ? "true" : "false")),
                                ])
                            ),
                            (
                                "annotations",
                                .map([
                                    (
                                        KueueExport.prefix + "priority-class",
                                        .text(
                                            critical
                                                ? KueueExport.criticalPriorityClass : KueueExport.standardPriorityClass)
                                    ),
                                    (KueueExport.prefix + "workload-id", .text(w.rawValue)),
                                ])
                            ),
                        ])
                    ),
                ]))
        }
        for (w, home, served) in queues {
            docs.append(
                .map([
                    ("apiVersion", .text(KueueExport.apiVersion)), ("kind", .text("LocalQueue")),
                    (
                        "metadata",
                        .map([
                            ("name", .text(cluster(home).kubeName)), ("namespace", .text(namespaces[w.rawValue])),
                            ("labels", .map([(KueueExport.prefix + "plan-month", .text(month.description))])),
                        ])
                    ),
                    ("spec", .map([("clusterQueue", .text(cluster(served).kubeName))])),
                ]))
        }
        return docs
    }

    // MARK: workers

    /// What worker cluster `c` needs: its flavor and queue (no cohort: it lends to no one), and
    /// the local queues MultiKueue may dispatch to it, under the names they have on the manager.
    func workerDocuments(_ c: Int) -> [DocumentNode] {
        var docs = priorityClasses()
        if usesTopology(c) { docs.append(topology()) }
        docs.append(flavor(c))
        let cl = cluster(c)
        let spec: [(String, DocumentNode)] = [
            ("namespaceSelector", .map([])), ("queueingStrategy", .text("BestEffortFIFO")),
            ("preemption", .map([("withinClusterQueue", .text("LowerPriority"))])),
            (
                "resourceGroups",
                .list([
                    .map([
                        ("coveredResources", .list([.text(resource(c))])),
                        ("flavors", .list([quota(cl.kubeName, resource(c), nominal: cl.capacity[period])])),
                    ])
                ])
            ),
        ]
        docs.append(
            object(
                "ClusterQueue", name: cl.kubeName, spec: spec, labels: [("plan-month", month.description)],
                annotations: [("cluster", cl.name)]))
        let queues = localQueues.filter { dispatch($0.cluster).contains(c) }.map { ($0.workload, $0.cluster, c) }
        return docs + namespaceAndQueues(queues)
    }

    // MARK: helpers

    func metadata(_ name: String, labels: [(String, String)] = [], annotations: [(String, String)] = [])
        -> DocumentNode
    {
        var fields: [(String, DocumentNode)] = [("name", .text(name))]
        if !labels.isEmpty {
            fields.append(("labels", .map(labels.map { (KueueExport.prefix + $0.0, .text($0.1)) })))
        }
        if !annotations.isEmpty {
            fields.append(("annotations", .map(annotations.map { (KueueExport.prefix + $0.0, .text($0.1)) })))
        }
        return .map(fields)
    }

    func object(
        _ kind: String, name: String, spec: [(String, DocumentNode)], labels: [(String, String)] = [],
        annotations: [(String, String)] = []
    ) -> DocumentNode {
        .map([
            ("apiVersion", .text(KueueExport.apiVersion)), ("kind", .text(kind)),
            ("metadata", metadata(name, labels: labels, annotations: annotations)), ("spec", .map(spec)),
        ])
    }
}
