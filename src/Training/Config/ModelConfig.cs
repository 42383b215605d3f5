using System.Text.Json.Serialization;
using DaFormer.Model;

namespace DaFormer.Training.Config;

/// <summary>Encoders of the original experiment generator (<c>experiments.py</c>: <c>get_backbone_cfg</c>,
/// <c>get_pretraining_file</c>). JSON writes the names below; JSON and <c>--set</c> also accept the
/// generator's spelling where it differs (<c>mitb5</c> for <c>mit_b5</c>) and the member names (<c>MitB5</c>).
/// New members go at the end: stored configs hold names, but the numeric values stay stable too.
/// The names are the model table's (<see cref="EncoderNames"/>), and so is everything coupled to an
/// encoder (<see cref="ArchitectureNames"/> reads <see cref="ArchitectureTable"/>).</summary>
public enum Encoder
{
    /// <summary>Mix Transformer MiT-b0: the smallest Mix Transformer, CPU-sized.</summary>
    [JsonStringEnumMemberName(EncoderNames.MitB0)] MitB0,
    /// <summary>Mix Transformer MiT-b1.</summary>
    [JsonStringEnumMemberName(EncoderNames.MitB1)] MitB1,
    /// <summary>Mix Transformer MiT-b2.</summary>
    [JsonStringEnumMemberName(EncoderNames.MitB2)] MitB2,
    /// <summary>Mix Transformer MiT-b3 (encoder study).</summary>
    [JsonStringEnumMemberName(EncoderNames.MitB3)] MitB3,
    /// <summary>Mix Transformer MiT-b4 (encoder study).</summary>
    [JsonStringEnumMemberName(EncoderNames.MitB4)] MitB4,
    /// <summary>Mix Transformer MiT-b5: DAFormer's encoder.</summary>
    [JsonStringEnumMemberName(EncoderNames.MitB5)] MitB5,
    /// <summary>ResNet-101-V1c (deep stem), the CNN encoder of the paper's comparisons (with DeepLabV2).</summary>
    [JsonStringEnumMemberName(EncoderNames.R101V1c)] R101V1c,
    /// <summary>ResNet-50-V1c (encoder study, Table 3).</summary>
    [JsonStringEnumMemberName(EncoderNames.R50V1c)] R50V1c,
    /// <summary>ResNeSt-50 (split attention, radix 2; encoder study).</summary>
    [JsonStringEnumMemberName(EncoderNames.S50)] S50,
    /// <summary>ResNeSt-101 (128-channel deep stem; encoder study).</summary>
    [JsonStringEnumMemberName(EncoderNames.S101)] S101,
    /// <summary>ResNeSt-200 (128-channel deep stem; encoder study).</summary>
    [JsonStringEnumMemberName(EncoderNames.S200)] S200,
    /// <summary>ResNeXt-50 32×4d (the generator's start-up test; plain 7×7 stem).</summary>
    [JsonStringEnumMemberName(EncoderNames.X50_32)] X50_32,
    /// <summary>ResNeXt-101 32×4d (the generator's start-up test).</summary>
    [JsonStringEnumMemberName(EncoderNames.X101_32)] X101_32,
    /// <summary>MiT-b5 placed into a ResNet-based model config (the generator's <c>_delete_=True</c> backbone),
    /// the encoder of the SegFormer-adapter + DeepLabV3+ row of Table 2.</summary>
    [JsonStringEnumMemberName(EncoderNames.MitB5Del)] MitB5Del,
}

/// <summary>Decode heads, named as the architectures of the original's <c>experiments.py</c>
/// (<c>_nodbn</c> = no BatchNorm in the decode head, <c>sfa_</c> = SegFormer-adapter neck in front);
/// the names are the model table's (<see cref="HeadNames"/>).</summary>
public enum Decoder
{
    /// <summary>The final DAFormer head: context-aware feature fusion with depthwise-separable ASPP over all four levels.</summary>
    [JsonStringEnumMemberName(HeadNames.DaformerSepAspp)] DaformerSepAspp,
    /// <summary>DAFormer without depthwise-separable convolutions (the paper's "w/o DSC").</summary>
    [JsonStringEnumMemberName(HeadNames.DaformerAspp)] DaformerAspp,
    /// <summary>SegFormer-style 1×1 fusion with C_e = 256 (no context-aware fusion).</summary>
    [JsonStringEnumMemberName(HeadNames.DaformerConv1)] DaformerConv1,
    /// <summary>Context-aware fusion only at the bottleneck feature F4.</summary>
    [JsonStringEnumMemberName(HeadNames.DaformerSepAsppBottleneck)] DaformerSepAsppBottleneck,
    /// <summary>SegFormer's All-MLP head (768 channels on b3…b5).</summary>
    [JsonStringEnumMemberName(HeadNames.Segformer)] Segformer,
    /// <summary>DeepLabV2 with dilations (6, 12) as in AdaptSegNet ("red" = reduced); the CNN baseline head.</summary>
    [JsonStringEnumMemberName(HeadNames.Dlv2Red)] Dlv2Red,
    /// <summary>DeepLabV2 with dilations (6, 12, 18, 24).</summary>
    [JsonStringEnumMemberName(HeadNames.Dlv2)] Dlv2,
    /// <summary>DAFormer framework with an interlaced-sparse-self-attention fusion (decoder study, Table 7).</summary>
    [JsonStringEnumMemberName(HeadNames.DaformerIsa)] DaformerIsa,
    /// <summary>UPerNet with 512 channels on MiT (decoder study).</summary>
    [JsonStringEnumMemberName(HeadNames.Upernet)] Upernet,
    /// <summary>UPerNet with 256 channels on MiT (decoder study).</summary>
    [JsonStringEnumMemberName(HeadNames.UpernetCh256)] UpernetCh256,
    /// <summary>DeepLabV3+ without decoder BatchNorm (architecture comparison, Table 1).</summary>
    [JsonStringEnumMemberName(HeadNames.Dlv3pNodbn)] Dlv3pNodbn,
    /// <summary>DANet without decoder BatchNorm (Table 1).</summary>
    [JsonStringEnumMemberName(HeadNames.DaNodbn)] DaNodbn,
    /// <summary>ISANet without decoder BatchNorm (Table 1).</summary>
    [JsonStringEnumMemberName(HeadNames.IsaNodbn)] IsaNodbn,
    /// <summary>SegFormer adapter (F4 upsampled ×4) + DeepLabV3+ without decoder BatchNorm, on <c>mitb5-del</c> (Table 2).</summary>
    [JsonStringEnumMemberName(HeadNames.SfaDlv3pNodbn)] SfaDlv3pNodbn,
}

/// <summary>The segmentor: encoder, decode head and the ImageNet weights it starts from.
/// Defaults: the final DAFormer (MiT-b5 + daformer_sepaspp, 256 channels).
/// <see cref="RunConfig.WithArchitecture"/> sets encoder, head and what the generator couples to them.</summary>
public sealed record ModelConfig
{
    /// <summary>The encoder (backbone): MiT-b5 in DAFormer.</summary>
    public Encoder Encoder { get; init; } = Encoder.MitB5;
    /// <summary>The decode head: the DAFormer head (<c>daformer_sepaspp</c>) by default.</summary>
    public Decoder Decoder { get; init; } = Decoder.DaformerSepAspp;
    /// <summary>Decoder channels (DAFormer embed_dims = channels = 256; SegFormer 768; UPerNet, DeepLabV3+,
    /// DANet, ISANet 512; ignored by DeepLabV2).</summary>
    public int Channels { get; init; } = 256;
    /// <summary>Output classes (19 Cityscapes train IDs).</summary>
    public int NumClasses { get; init; } = 19;
    /// <summary>MiT stochastic-depth maximum (mit_b5 default 0.1).</summary>
    public double DropPathRate { get; init; } = 0.1;
    /// <summary>Dropout2d before the classifier.</summary>
    public double DropoutRatio { get; init; } = 0.1;
    /// <summary>ImageNet weights of the encoder (<c>pretrained/mit_b5.pth</c>); also the frozen reference of the
    /// ImageNet Feature Distance. Null trains from scratch.</summary>
    public string? Pretrained { get; init; } = ArchitectureTable.Encoder(EncoderNames.MitB5).PretrainedPath;
    /// HRDA multi-resolution training and inference around this segmentor; null = plain DAFormer.
    /// Left out of the JSON when null, so configs (and run-directory hashes) of runs without HRDA
    /// stay as they were before HRDA existed.
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HrdaConfig? Hrda { get; init; }

    /// <summary>The network description the model library builds from: encoder and head by the names of the
    /// model table (<c>mit_b5</c>, <c>r101v1c</c>, <c>s101</c>, <c>x50-32</c>, <c>mitb5-del</c>; <c>sfa_dlv3p_nodbn</c>, …).</summary>
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
