import Foundation
import SwitchyardModel

/// Estimates how fast a workload runs on each accelerator model, in reference units (reference
/// accelerator-hours of work) per accelerator-hour.
///
/// Without a measurement, the estimate is a roofline mix calibrated to published results
/// (docs/catalog.md, `AcceleratorCatalog.calibration`). On the calibration accelerator (an H100) a
/// workload spends the fraction `a` of its time bound by compute and `1 − a` bound by HBM
/// bandwidth, `a` set by its profile. On model *m* each part scales with that resource:
///
///     time_m = a / compute_m + (1 − a) / bandwidth_m        (both relative to the H100)
///     speed_m = memory_m / time_m,   memory_m = min(1, HBM_m / 80 GB) ^ 0.67
///
/// where `compute_m` is dense BF16 × measured matmul efficiency, and `memory_m` charges a chip with
/// less HBM than the H100 for the re-computation and extra model parallelism it needs. A workload's
/// speed is `speed_m / speed_reference`. A model that runs none of the workload's stacks has speed 0;
/// a measured figure in the scenario (`workloads[i].speed`) always wins.
public struct SpeedModel: Sendable {
    /// Known accelerator models.
    public let accelerators: [AcceleratorModelID: AcceleratorSpec]
    /// The model whose hour is one reference unit.
    public let reference: AcceleratorSpec

    /// Effective dense BF16 TFLOPS of the calibration accelerator (H100 SXM: 989 × 80.3%).
    public static let calibrationCompute = 989 * 0.803
    /// HBM bandwidth of the calibration accelerator, TB/s.
    public static let calibrationBandwidth = 3.35
    /// HBM below which a chip is charged for memory pressure, GB (the H100's).
    public static let memoryNeedGB = 80.0
    /// How steeply memory pressure costs speed: fitted to TPU v6e vs v5p (32 vs 95 GB).
    public static let memoryExponent = 0.67

    /// The fraction of a workload's H100 time that is compute bound, by profile: pre-training 1.0
    /// and fine-tuning 0.62 fitted to MLPerf Training, decode 0 fitted to MLPerf Inference (the fit
    /// sits at the bound), prefill 1 by the roofline (no calibration point), a stated mix as stated.
    public static func computeFraction(_ profile: WorkloadProfile) -> Double {
        switch profile {
        case .pretraining: 1.0
        case .fineTuning: 0.62
        case .prefill: 1.0
        case .decode: 0.0
        case .mix(let fraction): fraction
        }
    }

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
        return estimate(spec, profile: workload.effectiveProfile)
    }

    /// The estimate alone: `spec`'s speed on `profile` relative to the reference.
    public func estimate(_ spec: AcceleratorSpec, profile: WorkloadProfile) -> Double {
        let base = Self.h100Equivalents(reference, profile: profile)
        return base > 0 ? Self.h100Equivalents(spec, profile: profile) / base : 0
    }

    /// `spec`'s throughput on `profile` in H100s (the calibration accelerator), before any reference.
    public static func h100Equivalents(_ spec: AcceleratorSpec, profile: WorkloadProfile) -> Double {
        let compute = spec.bf16DenseTFLOPS * spec.matmulEfficiency / calibrationCompute
        let bandwidth = spec.hbmTBps / calibrationBandwidth
        let fraction = computeFraction(profile)
        guard compute > 0 || fraction == 0, bandwidth > 0 || fraction == 1 else { return 0 }
        let time = (fraction > 0 ? fraction / compute : 0) + (fraction < 1 ? (1 - fraction) / bandwidth : 0)
        let memory = pow(min(1, spec.hbmGB / memoryNeedGB), memoryExponent)
        return memory / time
    }

    /// Reference units of capacity one accelerator of `model` supplies, for provider shares: its
    /// pre-training estimate.
    public func capacityWeight(of model: AcceleratorModelID) -> Double {
        guard let spec = accelerators[model] else { return 0 }
        return estimate(spec, profile: .pretraining)
    }

    /// The matmul efficiency assumed for a custom model that gives none, by its software stack.
    public static func defaultEfficiency(for stacks: [SoftwareStack]) -> Double {
        if stacks.contains(.cuda) { return 0.78 }
        if stacks.contains(.rocm) { return 0.51 }
        return 0.70
    }
}

/// One published measurement the estimate is checked against: per chip, `model` runs a workload of
/// `profile` `measured` times as fast as `baseline`.
public struct CalibrationPoint: Hashable, Sendable, Codable {
    /// The model measured.
    public var model: AcceleratorModelID
    /// The model it is compared with, per chip.
    public var baseline: AcceleratorModelID
    /// The kind of work measured.
    public var profile: WorkloadProfile
    /// `model`'s speed ÷ `baseline`'s, per chip.
    public var measured: Double
    /// The benchmark and the figures the ratio comes from.
    public var benchmark: String
    /// When the result was published (YYYY-MM-DD).
    public var published: String
    /// Where (public URLs; the MLCommons results table first where there is one).
    public var source: String

    /// A calibration point; see the properties.
    public init(
        model: AcceleratorModelID, baseline: AcceleratorModelID, profile: WorkloadProfile, measured: Double,
        benchmark: String, published: String, source: String
    ) {
        self.model = model
        self.baseline = baseline
        self.profile = profile
        self.measured = measured
        self.benchmark = benchmark
        self.published = published
        self.source = source
    }

    /// The estimate's ratio for this point from `accelerators`; nil when a model is unknown.
    public func estimate(in accelerators: [AcceleratorModelID: AcceleratorSpec]) -> Double? {
        guard let spec = accelerators[model], let base = accelerators[baseline] else { return nil }
        let denominator = SpeedModel.h100Equivalents(base, profile: profile)
        return denominator > 0 ? SpeedModel.h100Equivalents(spec, profile: profile) / denominator : nil
    }

    /// The estimate's relative error against the measurement (+0.10: estimated 10% fast).
    public func error(in accelerators: [AcceleratorModelID: AcceleratorSpec]) -> Double? {
        estimate(in: accelerators).map { $0 / measured - 1 }
    }
}
