import SwitchyardModel

/// The accelerator models Switchyard knows without being told, with their public sources.
///
/// Figures were checked against ../shared/data/reference/accelerators.csv and the sources it
/// cites. They live in Swift rather than a resource file so the `switchyard` binary carries them
/// wherever it is copied (a SwiftPM resource bundle must sit beside the binary, and `Bundle.module`
/// stops the process when it is missing).
public enum AcceleratorCatalog {
    /// Every bundled model, chips first, then rack-scale systems.
    public static let builtin: [AcceleratorSpec] = [
        AcceleratorSpec(
            id: "nvidia-a100-80gb", name: "NVIDIA A100 80GB SXM4", vendor: "NVIDIA", bf16DenseTFLOPS: 312,
            fp8DenseTFLOPS: nil, hbmGB: 80, hbmTBps: 2.039, powerW: 400, scaleUpDomain: 8, stacks: [.cuda],
            matmulEfficiency: 0.869, notes: "no FP8; efficiency 86.9% measured (MAMF 271.2 of 312)",
            source:
                "https://glennklockwood.com/garden/processors/A100 ; https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md (specs; MAMF BF16 efficiency table, read 2026-11-30)"
        ),
        AcceleratorSpec(
            id: "nvidia-h100", name: "NVIDIA H100 SXM5", vendor: "NVIDIA", bf16DenseTFLOPS: 989, fp8DenseTFLOPS: 1979,
            hbmGB: 80, hbmTBps: 3.35, powerW: 700, scaleUpDomain: 8, stacks: [.cuda], matmulEfficiency: 0.803,
            notes:
                "the reference and calibration accelerator; datasheet 1979/3958 are sparse; efficiency 80.3% measured (MAMF 794.5 of 989)",
            source:
                "https://glennklockwood.com/garden/processors/h100 ; https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md (specs; MAMF BF16 efficiency table, read 2026-11-30)"
        ),
        AcceleratorSpec(
            id: "nvidia-h200", name: "NVIDIA H200 SXM", vendor: "NVIDIA", bf16DenseTFLOPS: 989, fp8DenseTFLOPS: 1979,
            hbmGB: 141, hbmTBps: 4.8, powerW: 700, scaleUpDomain: 8, stacks: [.cuda], matmulEfficiency: 0.803,
            notes: "same GH100 compute as H100 (MAMF table: 'H200 is the same'), more and faster HBM",
            source:
                "https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md (specs; MAMF BF16 efficiency table, read 2026-11-30) ; https://github.com/mlcommons/inference_results_v4.1 (H200-SXM-141GBx8 system JSON)"
        ),
        AcceleratorSpec(
            id: "nvidia-b200", name: "NVIDIA B200 SXM", vendor: "NVIDIA", bf16DenseTFLOPS: 2250, fp8DenseTFLOPS: 4500,
            hbmGB: 180, hbmTBps: 8.0, powerW: 1000, scaleUpDomain: 8, stacks: [.cuda], matmulEfficiency: 0.776,
            notes: "180 GB usable of 192 physical; efficiency 77.6% measured (MAMF 1745 of 2250)",
            source:
                "https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md (specs; MAMF BF16 efficiency table, read 2026-11-30) ; https://glennklockwood.com/garden/processors/B200"
        ),
        AcceleratorSpec(
            id: "nvidia-gb200", name: "NVIDIA GB200 (per GPU)", vendor: "NVIDIA", bf16DenseTFLOPS: 2500,
            fp8DenseTFLOPS: 5000, hbmGB: 186, hbmTBps: 8.0, powerW: 1200, scaleUpDomain: 72, stacks: [.cuda],
            matmulEfficiency: 0.729,
            notes:
                "186 GB usable; sold as NVL72 racks: offers use 72 accelerators per node; efficiency 72.9% measured (MAMF 1822 of 2500)",
            source:
                "https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md (specs; MAMF BF16 efficiency table, read 2026-11-30) ; https://glennklockwood.com/garden/processors/B200"
        ),
        AcceleratorSpec(
            id: "nvidia-b300", name: "NVIDIA B300 (Blackwell Ultra) SXM", vendor: "NVIDIA", bf16DenseTFLOPS: 2250,
            fp8DenseTFLOPS: 4500, hbmGB: 270, hbmTBps: 8.0, powerW: 1100, scaleUpDomain: 8, stacks: [.cuda],
            matmulEfficiency: 0.786,
            notes:
                "270 GB usable of 288 physical (MLPerf systems B300-SXM-270GB), usable like B200's 180; power is the maximum as for every row (1100 W; DGX B300 caps at 1000 W, Klockwood cites up to 1400 W); efficiency 78.6% measured (MAMF 1769 of 2250)",
            source:
                "https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md (specs; MAMF BF16 efficiency table, read 2026-11-30) ; https://verda.com/blog/gb300-nvl72-architecture ; https://glennklockwood.com/garden/processors/B300"
        ),
        AcceleratorSpec(
            id: "nvidia-gb300", name: "NVIDIA GB300 (per GPU)", vendor: "NVIDIA", bf16DenseTFLOPS: 2500,
            fp8DenseTFLOPS: 5000, hbmGB: 279, hbmTBps: 8.0, powerW: 1400, scaleUpDomain: 72, stacks: [.cuda],
            matmulEfficiency: 0.729,
            notes:
                "279 GB usable of 288 physical (Verda), usable like GB200's 186; efficiency assumed as GB200 (no measurement)",
            source:
                "https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md (specs; MAMF BF16 efficiency table, read 2026-11-30) ; https://verda.com/blog/gb300-nvl72-architecture"
        ),
        AcceleratorSpec(
            id: "amd-mi300x", name: "AMD Instinct MI300X", vendor: "AMD", bf16DenseTFLOPS: 1307, fp8DenseTFLOPS: 2615,
            hbmGB: 192, hbmTBps: 5.3, powerW: 750, scaleUpDomain: 8, stacks: [.rocm], matmulEfficiency: 0.514,
            notes: "efficiency 51.4% measured (MAMF 668.4 of 1300)",
            source:
                "https://awesomeagents.ai/hardware/amd-mi325x ; https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md (specs; MAMF BF16 efficiency table, read 2026-11-30)"
        ),
        AcceleratorSpec(
            id: "amd-mi325x", name: "AMD Instinct MI325X", vendor: "AMD", bf16DenseTFLOPS: 1307, fp8DenseTFLOPS: 2615,
            hbmGB: 256, hbmTBps: 6.0, powerW: 1000, scaleUpDomain: 8, stacks: [.rocm], matmulEfficiency: 0.604,
            notes: "compute identical to MI300X; efficiency 60.4% measured (MAMF 784.9 of 1300, at 1000 W)",
            source:
                "https://awesomeagents.ai/hardware/amd-mi325x ; https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md (specs; MAMF BF16 efficiency table, read 2026-11-30)"
        ),
        AcceleratorSpec(
            id: "amd-mi355x", name: "AMD Instinct MI355X", vendor: "AMD", bf16DenseTFLOPS: 2500, fp8DenseTFLOPS: 5000,
            hbmGB: 288, hbmTBps: 8.0, powerW: 1400, scaleUpDomain: 8, stacks: [.rocm], matmulEfficiency: 0.626,
            notes:
                "liquid cooled (MI350X air: 1000 W); 10.1 PF FP8 headline is sparse; efficiency 62.6% measured (MAMF 1565 of this row's 2500; ml-engineering divides by 2300: 68%)",
            source:
                "https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md (specs; MAMF BF16 efficiency table, read 2026-11-30) ; https://www.theregister.com/2025/06/12/amd_mi355x/ ; https://www.tomshardware.com/pc-components/gpus/amds-instinct-mi355x-accelerator-will-consume-1-400-watts"
        ),
        AcceleratorSpec(
            id: "google-tpu-v5e", name: "Google TPU v5e", vendor: "Google", bf16DenseTFLOPS: 197, fp8DenseTFLOPS: nil,
            hbmGB: 16, hbmTBps: 0.819, powerW: nil, scaleUpDomain: 256, stacks: [.xla], matmulEfficiency: 0.70,
            notes:
                "Google publishes no power; efficiency 70% is an assumption (no public matmul measurement in our sources)",
            source: "https://docs.cloud.google.com/tpu/docs/v5e"),
        AcceleratorSpec(
            id: "google-tpu-v5p", name: "Google TPU v5p", vendor: "Google", bf16DenseTFLOPS: 459, fp8DenseTFLOPS: nil,
            hbmGB: 95, hbmTBps: 2.765, powerW: nil, scaleUpDomain: 6144, stacks: [.xla], matmulEfficiency: 0.70,
            notes:
                "domain is the largest schedulable slice (6144 chips) of the 8960-chip pod; no FP8 speed-up; power unpublished; efficiency assumed",
            source: "https://docs.cloud.google.com/tpu/docs/v5p-training ; https://docs.cloud.google.com/tpu/docs/tpu7x"
        ),
        AcceleratorSpec(
            id: "google-tpu-v6e", name: "Google TPU v6e (Trillium)", vendor: "Google", bf16DenseTFLOPS: 918,
            fp8DenseTFLOPS: nil, hbmGB: 32, hbmTBps: 1.638, powerW: nil, scaleUpDomain: 256, stacks: [.xla],
            matmulEfficiency: 0.70, notes: "power unpublished; efficiency assumed",
            source: "https://docs.cloud.google.com/tpu/docs/v6e ; https://docs.cloud.google.com/tpu/docs/tpu7x"),
        AcceleratorSpec(
            id: "google-tpu-v7", name: "Google TPU7x (Ironwood)", vendor: "Google", bf16DenseTFLOPS: 2307,
            fp8DenseTFLOPS: 4614, hbmGB: 192, hbmTBps: 7.37, powerW: nil, scaleUpDomain: 9216, stacks: [.xla],
            matmulEfficiency: 0.70, notes: "HBM in GiB; power unpublished; efficiency assumed",
            source: "https://docs.cloud.google.com/tpu/docs/tpu7x"),
        AcceleratorSpec(
            id: "aws-trainium2", name: "AWS Trainium2", vendor: "AWS", bf16DenseTFLOPS: 667, fp8DenseTFLOPS: 1299,
            hbmGB: 96, hbmTBps: 2.9, powerW: nil, scaleUpDomain: 64, stacks: [.neuron], matmulEfficiency: 0.60,
            notes: "Trn2 UltraServer = 64 chips; power unpublished; efficiency 60% is an assumption",
            source:
                "https://github.com/aws-neuron/aws-neuron-sdk/blob/master/about-neuron/arch/neuron-hardware/trainium2.rst"
        ),
        AcceleratorSpec(
            id: "nvidia-v100", name: "NVIDIA V100 SXM2 32GB", vendor: "NVIDIA", bf16DenseTFLOPS: 125,
            fp8DenseTFLOPS: nil, hbmGB: 32, hbmTBps: 0.9, powerW: 300, scaleUpDomain: 8, stacks: [.cuda],
            matmulEfficiency: 0.78,
            notes: "legacy, for Gavel traces: no BF16, the figure is FP16 tensor; efficiency assumed as H100",
            source:
                "https://images.nvidia.com/content/technologies/volta/pdf/volta-v100-datasheet-update-us-1165301-r5.pdf"
        ),
        AcceleratorSpec(
            id: "nvidia-p100", name: "NVIDIA P100 SXM2 16GB", vendor: "NVIDIA", bf16DenseTFLOPS: 21.2,
            fp8DenseTFLOPS: nil, hbmGB: 16, hbmTBps: 0.732, powerW: 300, scaleUpDomain: 8, stacks: [.cuda],
            matmulEfficiency: 0.78, notes: "legacy, for Gavel traces: FP16 figure, no tensor cores; efficiency assumed",
            source: "https://images.nvidia.com/content/tesla/pdf/nvidia-tesla-p100-datasheet.pdf"),
        AcceleratorSpec(
            id: "nvidia-k80", name: "NVIDIA K80 (one GK210 of two)", vendor: "NVIDIA", bf16DenseTFLOPS: 4.4,
            fp8DenseTFLOPS: nil, hbmGB: 12, hbmTBps: 0.24, powerW: 150, scaleUpDomain: 8, stacks: [.cuda],
            matmulEfficiency: 0.78,
            notes: "legacy, for Gavel traces: FP32 boost figure per GPU (half a K80 board); GDDR5, not HBM",
            source:
                "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/tesla-product-literature/Tesla-K80-BoardSpec-07317-001-v05.pdf"
        ),
        AcceleratorSpec(
            id: "nvidia-gb200-nvl72", name: "NVIDIA GB200 NVL72 (rack)", vendor: "NVIDIA", bf16DenseTFLOPS: 180_000,
            fp8DenseTFLOPS: 360_000, hbmGB: 13_392, hbmTBps: 576, powerW: 120_000, scaleUpDomain: 72, stacks: [.cuda],
            matmulEfficiency: 0.729, system: SystemComposition(chip: "nvidia-gb200", count: 72),
            notes:
                "72 GPUs + 36 Grace; ~120 kW typical, 132 kW power-shelf capacity; liquid cooled; headline 720 PF FP8 is sparse",
            source:
                "https://aiwiki.ai/wiki/nvidia_gb200_nvl72 ; https://introl.com/blog/why-nvidia-gb300-nvl72-blackwell-ultra-matters"
        ),
        AcceleratorSpec(
            id: "nvidia-gb300-nvl72", name: "NVIDIA GB300 NVL72 (rack)", vendor: "NVIDIA", bf16DenseTFLOPS: 180_000,
            fp8DenseTFLOPS: 360_000, hbmGB: 20_736, hbmTBps: 576, powerW: 135_000, scaleUpDomain: 72, stacks: [.cuda],
            matmulEfficiency: 0.729, system: SystemComposition(chip: "nvidia-gb300", count: 72),
            notes: "NVIDIA Mission Control example budgets 135 kW per rack; blogs cite 120-142 kW",
            source:
                "https://verda.com/blog/gb300-nvl72-architecture ; https://glennklockwood.com/garden/processors/B300"),
    ]

    /// Published measurements the speed estimate is calibrated against and checked with: per-chip
    /// ratios from MLPerf rounds, each with its figures, date and source. docs/catalog.md lists the
    /// estimate's error on each; `switchyard catalog accelerators` prints them.
    public static let calibration: [CalibrationPoint] = [
        CalibrationPoint(
            model: "nvidia-h200", baseline: "nvidia-h100", profile: .fineTuning, measured: 1.17,
            benchmark: "MLPerf Training v4.0-v4.1, Llama 2 70B LoRA, 8 GPUs: H200 vs H100 time to train",
            published: "2024-11-13",
            source: "https://mlcommons.org/benchmarks/training/ (v4.1 results table)"),
        CalibrationPoint(
            model: "amd-mi300x", baseline: "nvidia-h100", profile: .fineTuning, measured: 0.96,
            benchmark: "MLPerf Training v5.0, Llama 2 70B LoRA, 8 GPUs: MI300X vs H100 time to train",
            published: "2025-06-04",
            source:
                "https://mlcommons.org/2025/06/mlperf-training-v5-0-results/ ; https://rocm.blogs.amd.com/artificial-intelligence/mlperf-training-v5.0/README.html"
        ),
        CalibrationPoint(
            model: "amd-mi325x", baseline: "nvidia-h100", profile: .fineTuning, measured: 1.27,
            benchmark:
                "MLPerf Training v5.0, Llama 2 70B LoRA, 8 GPUs: MI325X vs H100 (AMD: up to 8% ahead of H200, 30% ahead of MI300X)",
            published: "2025-06-04",
            source:
                "https://mlcommons.org/2025/06/mlperf-training-v5-0-results/ ; https://www.amd.com/en/blogs/2025/amd-drives-ai-gains-with-mlperf-training-results.html"
        ),
        CalibrationPoint(
            model: "nvidia-b200", baseline: "nvidia-h100", profile: .fineTuning, measured: 2.2,
            benchmark: "MLPerf Training v4.1, Llama 2 70B LoRA: B200 vs Hopper per GPU", published: "2024-11-13",
            source:
                "https://mlcommons.org/benchmarks/training/ (v4.1 results table) ; https://developer.nvidia.com/blog/nvidia-blackwell-doubles-llm-training-performance-in-mlperf-training-v4-1/"
        ),
        CalibrationPoint(
            model: "nvidia-b200", baseline: "nvidia-h100", profile: .pretraining, measured: 2.0,
            benchmark: "MLPerf Training v4.1, GPT-3 175B: B200 vs Hopper per GPU", published: "2024-11-13",
            source:
                "https://mlcommons.org/benchmarks/training/ (v4.1 results table) ; https://developer.nvidia.com/blog/nvidia-blackwell-doubles-llm-training-performance-in-mlperf-training-v4-1/"
        ),
        CalibrationPoint(
            model: "google-tpu-v6e", baseline: "google-tpu-v5p", profile: .pretraining, measured: 29.616 / 27.330,
            benchmark: "MLPerf Training v4.1, GPT-3 175B on 2,048 chips each: v5p 29.616 min, v6e 27.330 min",
            published: "2024-11-13", source: "https://mlcommons.org/benchmarks/training/ (v4.1 results table)"),
        CalibrationPoint(
            model: "nvidia-h200", baseline: "nvidia-h100", profile: .decode, measured: 1.45,
            benchmark: "MLPerf Inference v4.0, Llama 2 70B: H200 up to 45% over H100 per GPU", published: "2024-03-27",
            source:
                "https://mlcommons.org/benchmarks/inference-datacenter/ (v4.0 results table) ; https://developer.nvidia.com/blog/nvidia-h200-tensor-core-gpus-and-nvidia-tensorrt-llm-set-mlperf-llm-inference-records/"
        ),
    ]

    /// The bundled models by id, merged with (and overridden by) a scenario's own.
    public static func merged(with custom: [AcceleratorSpec]) -> [AcceleratorModelID: AcceleratorSpec] {
        var byID = Dictionary(uniqueKeysWithValues: builtin.map { ($0.id, $0) })
        for spec in custom { byID[spec.id] = spec }
        return byID
    }
}
