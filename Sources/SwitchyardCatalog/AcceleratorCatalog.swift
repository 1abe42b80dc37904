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
            matmulEfficiency: 0.87, notes: "no FP8; efficiency 87% of peak measured (ml-engineering MAMF)",
            source:
                "https://glennklockwood.com/garden/processors/A100 ; https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md"
        ),
        AcceleratorSpec(
            id: "nvidia-h100", name: "NVIDIA H100 SXM5", vendor: "NVIDIA", bf16DenseTFLOPS: 989, fp8DenseTFLOPS: 1979,
            hbmGB: 80, hbmTBps: 3.35, powerW: 700, scaleUpDomain: 8, stacks: [.cuda], matmulEfficiency: 0.78,
            notes: "the reference accelerator; datasheet 1979/3958 are sparse; efficiency 78% measured",
            source:
                "https://glennklockwood.com/garden/processors/h100 ; https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md"
        ),
        AcceleratorSpec(
            id: "nvidia-h200", name: "NVIDIA H200 SXM", vendor: "NVIDIA", bf16DenseTFLOPS: 989, fp8DenseTFLOPS: 1979,
            hbmGB: 141, hbmTBps: 4.8, powerW: 700, scaleUpDomain: 8, stacks: [.cuda], matmulEfficiency: 0.78,
            notes: "same GH100 compute as H100, more and faster HBM",
            source:
                "https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md ; https://github.com/mlcommons/inference_results_v4.1 (H200-SXM-141GBx8 system JSON)"
        ),
        AcceleratorSpec(
            id: "nvidia-b200", name: "NVIDIA B200 SXM", vendor: "NVIDIA", bf16DenseTFLOPS: 2250, fp8DenseTFLOPS: 4500,
            hbmGB: 180, hbmTBps: 8.0, powerW: 1000, scaleUpDomain: 8, stacks: [.cuda], matmulEfficiency: 0.78,
            notes: "180 GB usable of 192 physical; efficiency 78-80% measured, 78% used",
            source:
                "https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md ; https://glennklockwood.com/garden/processors/B200"
        ),
        AcceleratorSpec(
            id: "nvidia-gb200", name: "NVIDIA GB200 (per GPU)", vendor: "NVIDIA", bf16DenseTFLOPS: 2500,
            fp8DenseTFLOPS: 5000, hbmGB: 186, hbmTBps: 8.0, powerW: 1200, scaleUpDomain: 72, stacks: [.cuda],
            matmulEfficiency: 0.78,
            notes: "sold as NVL72 racks: offers use 72 accelerators per node; efficiency assumed as B200",
            source:
                "https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md ; https://glennklockwood.com/garden/processors/B200"
        ),
        AcceleratorSpec(
            id: "nvidia-b300", name: "NVIDIA B300 (Blackwell Ultra) SXM", vendor: "NVIDIA", bf16DenseTFLOPS: 2250,
            fp8DenseTFLOPS: 4500, hbmGB: 288, hbmTBps: 8.0, powerW: 1100, scaleUpDomain: 8, stacks: [.cuda],
            matmulEfficiency: 0.78,
            notes:
                "power: sources differ (1000 W DGX capping, 1100 W Verda, up to 1400 W Klockwood); efficiency assumed as B200",
            source:
                "https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md ; https://verda.com/blog/gb300-nvl72-architecture ; https://glennklockwood.com/garden/processors/B300"
        ),
        AcceleratorSpec(
            id: "nvidia-gb300", name: "NVIDIA GB300 (per GPU)", vendor: "NVIDIA", bf16DenseTFLOPS: 2500,
            fp8DenseTFLOPS: 5000, hbmGB: 288, hbmTBps: 8.0, powerW: 1400, scaleUpDomain: 72, stacks: [.cuda],
            matmulEfficiency: 0.78, notes: "usable HBM ~279 GB per Verda; efficiency assumed as B200",
            source:
                "https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md ; https://verda.com/blog/gb300-nvl72-architecture"
        ),
        AcceleratorSpec(
            id: "amd-mi300x", name: "AMD Instinct MI300X", vendor: "AMD", bf16DenseTFLOPS: 1307, fp8DenseTFLOPS: 2615,
            hbmGB: 192, hbmTBps: 5.3, powerW: 750, scaleUpDomain: 8, stacks: [.rocm], matmulEfficiency: 0.51,
            notes: "efficiency 51% of peak measured",
            source:
                "https://awesomeagents.ai/hardware/amd-mi325x ; https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md"
        ),
        AcceleratorSpec(
            id: "amd-mi325x", name: "AMD Instinct MI325X", vendor: "AMD", bf16DenseTFLOPS: 1307, fp8DenseTFLOPS: 2615,
            hbmGB: 256, hbmTBps: 6.0, powerW: 1000, scaleUpDomain: 8, stacks: [.rocm], matmulEfficiency: 0.51,
            notes: "compute identical to MI300X; efficiency assumed as MI300X",
            source:
                "https://awesomeagents.ai/hardware/amd-mi325x ; https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md"
        ),
        AcceleratorSpec(
            id: "amd-mi355x", name: "AMD Instinct MI355X", vendor: "AMD", bf16DenseTFLOPS: 2500, fp8DenseTFLOPS: 5000,
            hbmGB: 288, hbmTBps: 8.0, powerW: 1400, scaleUpDomain: 8, stacks: [.rocm], matmulEfficiency: 0.51,
            notes: "liquid cooled (MI350X air: 1000 W); 10.1 PF FP8 headline is sparse; efficiency assumed as MI300X",
            source:
                "https://github.com/stas00/ml-engineering/blob/master/compute/accelerator/README.md ; https://www.theregister.com/2025/06/12/amd_mi355x/ ; https://www.tomshardware.com/pc-components/gpus/amds-instinct-mi355x-accelerator-will-consume-1-400-watts"
        ),
        AcceleratorSpec(
            id: "google-tpu-v5e", name: "Google TPU v5e", vendor: "Google", bf16DenseTFLOPS: 197, fp8DenseTFLOPS: nil,
            hbmGB: 16, hbmTBps: 0.819, powerW: nil, scaleUpDomain: 256, stacks: [.xla], matmulEfficiency: 0.70,
            notes:
                "Google publishes no power; efficiency 70% is an assumption (no public matmul measurement in our sources)",
            source: "https://docs.cloud.google.com/tpu/docs/v5e"),
        AcceleratorSpec(
            id: "google-tpu-v5p", name: "Google TPU v5p", vendor: "Google", bf16DenseTFLOPS: 459, fp8DenseTFLOPS: nil,
            hbmGB: 95, hbmTBps: 2.765, powerW: nil, scaleUpDomain: 8960, stacks: [.xla], matmulEfficiency: 0.70,
            notes: "largest slice 6144 chips; no FP8 speed-up; power unpublished; efficiency assumed",
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
            matmulEfficiency: 0.78, system: SystemComposition(chip: "nvidia-gb200", count: 72),
            notes:
                "72 GPUs + 36 Grace; ~120 kW typical, 132 kW power-shelf capacity; liquid cooled; headline 720 PF FP8 is sparse",
            source:
                "https://aiwiki.ai/wiki/nvidia_gb200_nvl72 ; https://introl.com/blog/why-nvidia-gb300-nvl72-blackwell-ultra-matters"
        ),
        AcceleratorSpec(
            id: "nvidia-gb300-nvl72", name: "NVIDIA GB300 NVL72 (rack)", vendor: "NVIDIA", bf16DenseTFLOPS: 180_000,
            fp8DenseTFLOPS: 360_000, hbmGB: 20_736, hbmTBps: 576, powerW: 135_000, scaleUpDomain: 72, stacks: [.cuda],
            matmulEfficiency: 0.78, system: SystemComposition(chip: "nvidia-gb300", count: 72),
            notes: "NVIDIA Mission Control example budgets 135 kW per rack; blogs cite 120-142 kW",
            source:
                "https://verda.com/blog/gb300-nvl72-architecture ; https://glennklockwood.com/garden/processors/B300"),
    ]

    /// The bundled models by id, merged with (and overridden by) a scenario's own.
    public static func merged(with custom: [AcceleratorSpec]) -> [AcceleratorModelID: AcceleratorSpec] {
        var byID = Dictionary(uniqueKeysWithValues: builtin.map { ($0.id, $0) })
        for spec in custom { byID[spec.id] = spec }
        return byID
    }
}
