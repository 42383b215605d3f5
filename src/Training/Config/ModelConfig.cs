using System.Text.Json.Serialization;
using DaFormer.Model;

namespace DaFormer.Training.Config;

/// Encoders of the original experiment generator (`experiments.py`: `get_backbone_cfg`,
/// `get_pretraining_file`). JSON writes the names below; JSON and `--set` also accept the
/// generator's spelling where it differs (`mitb5` for `mit_b5`) and the member names (`MitB5`).
/// New members go at the end: stored configs hold names, but the numeric values stay stable too.
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
    /// ResNet-50-V1c (encoder study, Table 3).
    [JsonStringEnumMemberName("r50v1c")] R50V1c,
    /// ResNeSt-50 (split attention, radix 2; encoder study).
    [JsonStringEnumMemberName("s50")] S50,
    /// ResNeSt-101 (128-channel deep stem; encoder study).
    [JsonStringEnumMemberName("s101")] S101,
    /// ResNeSt-200 (128-channel deep stem; encoder study).
    [JsonStringEnumMemberName("s200")] S200,
    /// ResNeXt-50 32×4d (the generator's start-up test; plain 7×7 stem).
    [JsonStringEnumMemberName("x50-32")] X50_32,
    /// ResNeXt-101 32×4d (the generator's start-up test).
    [JsonStringEnumMemberName("x101-32")] X101_32,
    /// MiT-b5 placed into a ResNet-based model config (the generator's `_delete_=True` backbone),
    /// the encoder of the SegFormer-adapter + DeepLabV3+ row of Table 2.
    [JsonStringEnumMemberName("mitb5-del")] MitB5Del,
}

/// Decode heads, named as the architectures of the original's `experiments.py`
/// (`_nodbn` = no BatchNorm in the decode head, `sfa_` = SegFormer-adapter neck in front).
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
    /// DAFormer framework with an interlaced-sparse-self-attention fusion (decoder study, Table 7).
    [JsonStringEnumMemberName("daformer_isa")] DaformerIsa,
    /// UPerNet with 512 channels on MiT (decoder study).
    [JsonStringEnumMemberName("upernet")] Upernet,
    /// UPerNet with 256 channels on MiT (decoder study).
    [JsonStringEnumMemberName("upernet_ch256")] UpernetCh256,
    /// DeepLabV3+ without decoder BatchNorm (architecture comparison, Table 1).
    [JsonStringEnumMemberName("dlv3p_nodbn")] Dlv3pNodbn,
    /// DANet without decoder BatchNorm (Table 1).
    [JsonStringEnumMemberName("da_nodbn")] DaNodbn,
    /// ISANet without decoder BatchNorm (Table 1).
    [JsonStringEnumMemberName("isa_nodbn")] IsaNodbn,
    /// SegFormer adapter (F4 upsampled ×4) + DeepLabV3+ without decoder BatchNorm, on `mitb5-del` (Table 2).
    [JsonStringEnumMemberName("sfa_dlv3p_nodbn")] SfaDlv3pNodbn,
}

/// The segmentor: encoder, decode head and the ImageNet weights it starts from.
/// Defaults: the final DAFormer (MiT-b5 + daformer_sepaspp, 256 channels).
/// <see cref="RunConfig.WithArchitecture"/> sets encoder, head and what the generator couples to them.
public sealed record ModelConfig
{
    public Encoder Encoder { get; init; } = Encoder.MitB5;
    public Decoder Decoder { get; init; } = Decoder.DaformerSepAspp;
    /// Decoder channels (DAFormer embed_dims = channels = 256; SegFormer 768; UPerNet, DeepLabV3+,
    /// DANet, ISANet 512; ignored by DeepLabV2).
    public int Channels { get; init; } = 256;
    public int NumClasses { get; init; } = 19;
    /// MiT stochastic-depth maximum (mit_b5 default 0.1).
    public double DropPathRate { get; init; } = 0.1;
    /// Dropout2d before the classifier.
    public double DropoutRatio { get; init; } = 0.1;
    /// ImageNet weights of the encoder (`pretrained/mit_b5.pth`); null trains from scratch.
    public string? Pretrained { get; init; } = "pretrained/mit_b5.pth";

    /// The network description the model library builds from: encoder and head by the names of the
    /// model table (`mit_b5`, `r101v1c`, `s101`, `x50-32`, `mitb5-del`; `sfa_dlv3p_nodbn`, …).
    public SegmentorSpec ToSpec() => new(
        Encoder: Encoder.Name(),
        Head: Decoder.Name(),
        NumClasses: NumClasses,
        Channels: Channels,
        DropPathRate: DropPathRate,
        DropoutRatio: DropoutRatio);
}
