using System.Text.Json.Serialization;
using DaFormer.Model;

namespace DaFormer.Training.Config;

/// Encoders of the original experiment generator (spec §3.1, §6.1). JSON and `--set` use the
/// original's names (`mit_b5`, `r101v1c`).
public enum Encoder
{
    [JsonStringEnumMemberName("mit_b0")] MitB0,
    [JsonStringEnumMemberName("mit_b1")] MitB1,
    [JsonStringEnumMemberName("mit_b2")] MitB2,
    [JsonStringEnumMemberName("mit_b3")] MitB3,
    [JsonStringEnumMemberName("mit_b4")] MitB4,
    [JsonStringEnumMemberName("mit_b5")] MitB5,
    /// ResNet-101-V1c (deep stem), the CNN encoder of the paper's comparisons.
    [JsonStringEnumMemberName("r101v1c")] R101V1c,
}

/// Decode heads (spec §3.2–3.3), named as in the original's `experiments.py`.
public enum Decoder
{
    /// The final DAFormer head: context-aware fusion with depthwise-separable ASPP.
    [JsonStringEnumMemberName("daformer_sepaspp")] DaformerSepAspp,
    /// DAFormer without depthwise-separable convolutions ("w/o DSC").
    [JsonStringEnumMemberName("daformer_aspp")] DaformerAspp,
    /// SegFormer-style 1×1 fusion with C_e = 256.
    [JsonStringEnumMemberName("daformer_conv1")] DaformerConv1,
    /// Context only at F4.
    [JsonStringEnumMemberName("daformer_sepaspp_bottleneck")] DaformerSepAsppBottleneck,
    /// SegFormer's All-MLP head (768 channels on b3…b5).
    [JsonStringEnumMemberName("segformer")] Segformer,
    /// DeepLabV2 with dilations (6, 12) as in AdaptSegNet ("red" = reduced).
    [JsonStringEnumMemberName("dlv2red")] Dlv2Red,
    /// DeepLabV2 with dilations (6, 12, 18, 24).
    [JsonStringEnumMemberName("dlv2")] Dlv2,
}

public static class ArchitectureNames
{
    /// `mit_b5`, `r101v1c`, … — the names <see cref="SegmentorSpec"/> and the original configs use.
    public static string Name(this Encoder e) => e == Encoder.R101V1c ? "r101v1c" : $"mit_b{(int)e}";

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

    public static bool IsMit(this Encoder e) => e != Encoder.R101V1c;

    public static bool IsDeepLabV2(this Decoder d) => d is Decoder.Dlv2Red or Decoder.Dlv2;
}

/// The segmentor: encoder, decode head and the ImageNet weights it starts from.
/// Defaults: the final DAFormer (MiT-b5 + daformer_sepaspp, 256 channels, spec §3.2).
public sealed record ModelConfig
{
    public Encoder Encoder { get; init; } = Encoder.MitB5;
    public Decoder Decoder { get; init; } = Decoder.DaformerSepAspp;
    /// Decoder channels (DAFormer embed_dims = channels = 256; SegFormer 768; ignored by DeepLabV2).
    public int Channels { get; init; } = 256;
    public int NumClasses { get; init; } = 19;
    /// MiT stochastic-depth maximum (mit_b5 default 0.1, spec §3.1).
    public double DropPathRate { get; init; } = 0.1;
    /// Dropout2d before the classifier (spec §3.2).
    public double DropoutRatio { get; init; } = 0.1;
    /// ImageNet weights of the encoder (`pretrained/mit_b5.pth`); null trains from scratch.
    public string? Pretrained { get; init; } = "pretrained/mit_b5.pth";
    /// HRDA multi-resolution training and inference around this segmentor; null = plain DAFormer.
    /// Left out of the JSON when null, so configs (and run-directory hashes) of runs without HRDA
    /// stay as they were before HRDA existed.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HrdaConfig? Hrda { get; init; }

    /// The network description the model library builds from.
    public SegmentorSpec ToSpec() => new(
        Encoder: Encoder.Name(),
        Head: Decoder.Name(),
        NumClasses: NumClasses,
        Channels: Channels,
        DropPathRate: DropPathRate,
        DropoutRatio: DropoutRatio);

    /// HRDA's description for the model library; null for plain DAFormer.
    public DaFormer.Model.Segmentors.HrdaSpec? ToHrdaSpec() => Hrda?.ToSpec();
}
