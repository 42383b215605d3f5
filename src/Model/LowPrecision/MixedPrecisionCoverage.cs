using DaFormer.Model.Runtime;

namespace DaFormer.Model.LowPrecision;

/// Which networks compute in the low precision under <see cref="Autocast"/>: those whose every
/// convolution and linear layer goes through it — the MiT encoder with the DAFormer heads (all fusions
/// but ISA) or the SegFormer head, alone or inside HRDA. (In `daformer_sepaspp_bottleneck` the 1×1
/// convolution in front of the bottleneck ASPP is a plain `Sequential` member and stays float32.)
/// The ResNet encoders and the other heads call their convolutions directly: under a scope they would
/// mix bf16 activations with float32 weights, so training them in bf16/fp16 is refused.
public static class MixedPrecisionCoverage
{
    public static readonly IReadOnlyList<string> Heads =
        [HeadNames.DaformerSepAspp, HeadNames.DaformerAspp, HeadNames.DaformerConv1, HeadNames.DaformerSepAsppBottleneck, HeadNames.Segformer];

    public static bool Covers(SegmentorSpec spec) =>
        ArchitectureTable.FindEncoder(spec.Encoder)?.Family == EncoderFamily.Mit
        && Heads.Contains(Architectures.CanonicalHead(spec.Head));

    /// Nothing for fp32; otherwise a DaFormerError naming the architecture, `what` and what is covered.
    public static void Ensure(SegmentorSpec spec, Precision precision, string what)
    {
        if (precision == Precision.Fp32 || Covers(spec)) return;
        throw new DaFormerError(
            $"{what} {precision.Name()}: mixed-precision training covers the MiT encoders (mit_b0…mit_b5) with the heads " +
            $"{string.Join(", ", Heads)} (also inside HRDA), but this model is {spec.Encoder} + {spec.Head}. " +
            "Train it in fp32 (`--set Runtime.Precision=fp32`).");
    }
}
