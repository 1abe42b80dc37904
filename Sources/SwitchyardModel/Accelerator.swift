/// A software stack a workload is written for and an accelerator runs: an open set.
public struct SoftwareStack: RawRepresentable, Hashable, Comparable, Sendable, Codable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    /// The stack's name as written in scenario files.
    public let rawValue: String
    /// A stack by name.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A stack from a literal.
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// NVIDIA CUDA.
    public static let cuda: SoftwareStack = "cuda"
    /// AMD ROCm.
    public static let rocm: SoftwareStack = "rocm"
    /// XLA (JAX, TensorFlow, PyTorch/XLA) on TPUs.
    public static let xla: SoftwareStack = "xla"
    /// AWS Neuron on Trainium.
    public static let neuron: SoftwareStack = "neuron"
    /// The stacks Switchyard knows; scenarios may name others.
    public static let known: [SoftwareStack] = [.cuda, .rocm, .xla, .neuron]
}

/// One accelerator model with the specs the planner and scheduler reason about.
///
/// Figures are dense (not 2:4-sparse) per chip. A rack-scale system such as a GB200 NVL72 is listed
/// as well, with `system` naming the chip it is built from; offers are always per chip.
public struct AcceleratorSpec: Hashable, Sendable, Codable {
    /// The model's identifier, e.g. `nvidia-h100`.
    public var id: AcceleratorModelID
    /// Human name, e.g. `NVIDIA H100 SXM`.
    public var name: String
    /// `NVIDIA`, `AMD`, `Google`, `AWS`…
    public var vendor: String
    /// Dense BF16 tensor TFLOPS.
    public var bf16DenseTFLOPS: Double
    /// Dense FP8 tensor TFLOPS, nil where the chip has no FP8 speed-up.
    public var fp8DenseTFLOPS: Double?
    /// HBM capacity in GB.
    public var hbmGB: Double
    /// HBM bandwidth in TB/s.
    public var hbmTBps: Double
    /// Power in W (chip TDP/TBP); nil where the vendor publishes none.
    public var powerW: Double?
    /// How many chips share one scale-up domain (8-GPU node, NVL72 rack, TPU pod or slice).
    public var scaleUpDomain: Int
    /// Software stacks that run on it.
    public var stacks: [SoftwareStack]
    /// Fraction of peak BF16 a well-tuned dense matmul reaches (measured where public; see notes).
    public var matmulEfficiency: Double
    /// For a rack-scale system: the chip and how many of it.
    public var system: SystemComposition?
    /// Remarks: which figures are estimates, what differs between sources.
    public var notes: String
    /// Where the figures come from (public URLs).
    public var source: String

    /// A spec; see the properties for units.
    public init(
        id: AcceleratorModelID, name: String, vendor: String, bf16DenseTFLOPS: Double,
        fp8DenseTFLOPS: Double?, hbmGB: Double, hbmTBps: Double, powerW: Double?, scaleUpDomain: Int,
        stacks: [SoftwareStack], matmulEfficiency: Double, system: SystemComposition? = nil,
        notes: String = "", source: String
    ) {
        self.id = id
        self.name = name
        self.vendor = vendor
        self.bf16DenseTFLOPS = bf16DenseTFLOPS
        self.fp8DenseTFLOPS = fp8DenseTFLOPS
        self.hbmGB = hbmGB
        self.hbmTBps = hbmTBps
        self.powerW = powerW
        self.scaleUpDomain = scaleUpDomain
        self.stacks = stacks
        self.matmulEfficiency = matmulEfficiency
        self.system = system
        self.notes = notes
        self.source = source
    }

    /// Whether a workload written for any of `workloadStacks` runs on this model.
    public func runs(anyOf workloadStacks: [SoftwareStack]) -> Bool {
        workloadStacks.contains { stacks.contains($0) }
    }
}

/// A rack-scale system built from `count` chips of model `chip`.
public struct SystemComposition: Hashable, Sendable, Codable {
    /// The chip the system is built from.
    public var chip: AcceleratorModelID
    /// How many chips in one system.
    public var count: Int
    /// `count` chips of `chip`.
    public init(chip: AcceleratorModelID, count: Int) {
        self.chip = chip
        self.count = count
    }
}
