using System.Text.Json.Serialization;
using DaFormer.Model;

namespace DaFormer.Training.Config;

/// <summary>
/// Encoders of the original experiment generator (<c>experiments.py</c>). JSON and <c>--set</c> use the
/// original's names (<c>mit_b5</c>, <c>r101v1c</c>).
/// </summary>
public enum Encoder
{
    /// <summary>Mix Transformer MiT-b0: the smallest Mix Transformer, CPU-sized.</summary>
    [JsonStringEnumMemberName("mit_b0")] MitB0,
    /// <summary>Mix Transformer MiT-b1.</summary>
    [JsonStringEnumMemberName("mit_b1")] MitB1,
    /// <summary>Mix Transformer MiT-b2.</summary>
    [JsonStringEnumMemberName("mit_b2")] MitB2,
    /// <summary>Mix Transformer MiT-b3 (encoder study).</summary>
    [JsonStringEnumMemberName("mit_b3")] MitB3,
    /// <summary>Mix Transformer MiT-b4 (encoder study).</summary>
    [JsonStringEnumMemberName("mit_b4")] MitB4,
    /// <summary>Mix Transformer MiT-b5: DAFormer's encoder.</summary>
    [JsonStringEnumMemberName("mit_b5")] MitB5,
    /// <summary>ResNet-101-V1c (deep stem), the CNN encoder of the paper's comparisons (with DeepLabV2).</summary>
    [JsonStringEnumMemberName("r101v1c")] R101V1c,
}

/// <summary>Decode heads, named as in the original's <c>experiments.py</c> (the paper's decoder study).</summary>
public enum Decoder
{
    /// <summary>The final DAFormer head: context-aware feature fusion with depthwise-separable ASPP over all four levels.</summary>
    [JsonStringEnumMemberName("daformer_sepaspp")] DaformerSepAspp,
    /// <summary>DAFormer without depthwise-separable convolutions (the paper's "w/o DSC").</summary>
    [JsonStringEnumMemberName("daformer_aspp")] DaformerAspp,
    /// <summary>SegFormer-style 1×1 fusion with C_e = 256 (no context-aware fusion).</summary>
    [JsonStringEnumMemberName("daformer_conv1")] DaformerConv1,
    /// <summary>Context-aware fusion only at the bottleneck feature F4.</summary>
    [JsonStringEnumMemberName("daformer_sepaspp_bottleneck")] DaformerSepAsppBottleneck,
    /// <summary>SegFormer's All-MLP head (768 channels on b3…b5).</summary>
    [JsonStringEnumMemberName("segformer")] Segformer,
    /// <summary>DeepLabV2 with dilations (6, 12) as in AdaptSegNet ("red" = reduced); the CNN baseline head.</summary>
    [JsonStringEnumMemberName("dlv2red")] Dlv2Red,
    /// <summary>DeepLabV2 with dilations (6, 12, 18, 24).</summary>
    [JsonStringEnumMemberName("dlv2")] Dlv2,
}

/// <summary>The original's names of encoders and decoders, and what they imply.</summary>
public static class ArchitectureNames
{
    /// <summary><c>mit_b5</c>, <c>r101v1c</c>, … — the names <see cref="SegmentorSpec"/> and the original configs use.</summary>
    public static string Name(this Encoder e) => e == Encoder.R101V1c ? "r101v1c" : $"mit_b{(int)e}";

    /// <summary><c>daformer_sepaspp</c>, <c>segformer</c>, … — the original's decoder names.</summary>
    public static string Name(this Decoder d) => d switch
    {
        Decoder.DaformerSepAspp => "daformer_sepaspp",
        Decoder.DaformerAspp => "daformer_aspp",
        Decoder.DaformerConv1 => "daformer_conv1",
        Decoder.DaformerSepAsppBottleneck => "daformer_sepaspp_bottleneck",
        Decoder.Segformer => "segformer",
        Decoder.Dlv2Red => "dlv2red",
        Decoder.Dlv2 => "dlv2",
        _ => throw new ArgumentOutOfRangeException(nameof(d), d, null),
    };

    /// <summary>True for the Mix Transformers (MiT-b0…b5), false for ResNet-101.</summary>
    public static bool IsMit(this Encoder e) => e != Encoder.R101V1c;

    /// <summary>True for the DeepLabV2 heads.</summary>
    public static bool IsDeepLabV2(this Decoder d) => d is Decoder.Dlv2Red or Decoder.Dlv2;
}

/// <summary>
/// The segmentation network: encoder, decode head and the ImageNet weights it starts from. Defaults:
/// the final DAFormer (MiT-b5 + <c>daformer_sepaspp</c>, 256 channels). To change the architecture
/// with what the original couples to it (weights file, channels, weight decay), use
/// <see cref="RunConfig.WithArchitecture"/>.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>The encoder (backbone): MiT-b5 in DAFormer.</summary>
    public Encoder Encoder { get; init; } = Encoder.MitB5;
    /// <summary>The decode head: the DAFormer head (<c>daformer_sepaspp</c>) by default.</summary>
    public Decoder Decoder { get; init; } = Decoder.DaformerSepAspp;
    /// <summary>Decoder channels (DAFormer's embed dims C_e = 256; SegFormer 768; ignored by DeepLabV2).</summary>
    public int Channels { get; init; } = 256;
    /// <summary>Output classes (19 Cityscapes train IDs).</summary>
    public int NumClasses { get; init; } = 19;
    /// <summary>MiT stochastic-depth maximum rate (<c>drop_path_rate</c>, 0.1).</summary>
    public double DropPathRate { get; init; } = 0.1;
    /// <summary>Dropout2d before the classifier (<c>dropout_ratio</c>, 0.1).</summary>
    public double DropoutRatio { get; init; } = 0.1;
    /// <summary>ImageNet weights of the encoder (<c>pretrained/mit_b5.pth</c>); also the frozen reference of the
    /// ImageNet Feature Distance. Null trains from scratch.</summary>
    public string? Pretrained { get; init; } = "pretrained/mit_b5.pth";

    /// <summary>The network description the model library builds from.</summary>
    public SegmentorSpec ToSpec() => new(
        Encoder: Encoder.Name(),
        Head: Decoder.Name(),
        NumClasses: NumClasses,
        Channels: Channels,
        DropPathRate: DropPathRate,
        DropoutRatio: DropoutRatio);
}
