import SwitchyardModel

/// Estimates how fast a workload runs on each accelerator model, in reference units (reference
/// accelerator-hours of work) per accelerator-hour.
///
/// Without a measurement, speed is the ratio of *effective* dense BF16 throughput — peak TFLOPS ×
/// the model's measured matmul efficiency — to the reference accelerator's. Training is compute
/// bound, so it uses that ratio alone. Serving is bound by memory bandwidth as much as compute, so
/// a service uses the geometric mean of the compute ratio and the HBM bandwidth ratio. A model
/// that runs none of the workload's stacks has speed 0. A measured figure in the scenario
/// (`workloads[i].speed`) always wins.
public struct SpeedModel: Sendable {
    /// Known accelerator models.
    public let accelerators: [AcceleratorModelID: AcceleratorSpec]
    /// The model whose hour is one reference unit.
    public let reference: AcceleratorSpec

    /// A speed model over `accelerators` relative to `reference`; nil when `reference` is unknown.
    public init?(accelerators: [AcceleratorModelID: AcceleratorSpec], reference: AcceleratorModelID) {
        guard let spec = accelerators[reference] else { return nil }
        self.accelerators = accelerators
        self.reference = spec
    }

    /// A speed model for a scenario's catalog and reference.
    public init?(scenario: Scenario) {
        self.init(
            accelerators: AcceleratorCatalog.merged(with: scenario.accelerators),
            reference: scenario.referenceAccelerator)
    }

    /// Reference units per accelerator-hour of `workload` on `model`; 0 where it cannot run.
    public func speed(of workload: Workload, on model: AcceleratorModelID) -> Double {
        guard let spec = accelerators[model], spec.runs(anyOf: workload.stacks) else { return 0 }
        if let measured = workload.speed[model] { return measured }
        let serving: Bool
        if case .service = workload.demand { serving = true } else { serving = false }
        return estimate(spec, serving: serving)
    }

    /// The estimate alone, for a training (compute-bound) or serving (compute and bandwidth) job.
    public func estimate(_ spec: AcceleratorSpec, serving: Bool) -> Double {
        let compute =
            (spec.bf16DenseTFLOPS * spec.matmulEfficiency) / (reference.bf16DenseTFLOPS * reference.matmulEfficiency)
        guard serving else { return compute }
        let bandwidth = spec.hbmTBps / reference.hbmTBps
        return (compute * bandwidth).squareRoot()
    }

    /// Reference units of capacity one accelerator of `model` supplies, for provider shares: its
    /// training estimate.
    public func capacityWeight(of model: AcceleratorModelID) -> Double {
        guard let spec = accelerators[model] else { return 0 }
        return estimate(spec, serving: false)
    }

    /// The matmul efficiency assumed for a custom model that gives none, by its software stack.
    public static func defaultEfficiency(for stacks: [SoftwareStack]) -> Double {
        if stacks.contains(.cuda) { return 0.78 }
        if stacks.contains(.rocm) { return 0.51 }
        return 0.70
    }
}
