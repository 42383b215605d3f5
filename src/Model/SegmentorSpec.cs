namespace DaFormer.Model;

/// Everything needed to build a segmentor (encoder + decode head). Names follow the original
/// experiment generator: encoders `mit_b0`…`mit_b5`, `r101v1c` (ResNet-101-V1c); heads
/// `daformer_sepaspp` (final DAFormer), `daformer_aspp`, `daformer_conv1`, `daformer_sepaspp_bottleneck`,
/// `segformer`, `dlv2red` (dilations 6,12) and `dlv2` (6,12,18,24).
/// `Channels` is the DAFormer head's channels = embed_dims (256 in the paper; the parity fixture uses 64;
/// SegFormer uses 768 on b3…b5). `DropPathRate` is the MiT stochastic-depth maximum.
public sealed record SegmentorSpec(
    string Encoder = EncoderNames.MitB5,
    string Head = HeadNames.DaformerSepAspp,
    int NumClasses = 19,
    int Channels = 256,
    double DropPathRate = 0.1,
    double DropoutRatio = 0.1,
    bool AlignCorners = false);
