using System.Text.Json.Serialization;
using DaFormer.Model;

namespace DaFormer.Training.Config;

/// <summary>Encoders of the original experiment generator (<c>experiments.py</c>: <c>get_backbone_cfg</c>,
/// <c>get_pretraining_file</c>). JSON writes the names below; JSON and <c>--set</c> also accept the
/// generator's spelling where it differs (<c>mitb5</c> for <c>mit_b5</c>) and the member names (<c>MitB5</c>).
/// New members go at the end: stored configs hold names, but the numeric values stay stable too.</summary>
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
    /// <summary>ResNet-50-V1c (encoder study, Table 3).</summary>
    [JsonStringEnumMemberName("r50v1c")] R50V1c,
    /// <summary>ResNeSt-50 (split attention, radix 2; encoder study).</summary>
    [JsonStringEnumMemberName("s50")] S50,
    /// <summary>ResNeSt-101 (128-channel deep stem; encoder study).</summary>
    [JsonStringEnumMemberName("s101")] S101,
    /// <summary>ResNeSt-200 (128-channel deep stem; encoder study).</summary>
    [JsonStringEnumMemberName("s200")] S200,
    /// <summary>ResNeXt-50 32×4d (the generator's start-up test; plain 7×7 stem).</summary>
    [JsonStringEnumMemberName("x50-32")] X50_32,
    /// <summary>ResNeXt-101 32×4d (the generator's start-up test).</summary>
    [JsonStringEnumMemberName("x101-32")] X101_32,
    /// <summary>MiT-b5 placed into a ResNet-based model config (the generator's <c>_delete_=True</c> backbone),
    /// the encoder of the SegFormer-adapter + DeepLabV3+ row of Table 2.</summary>
    [JsonStringEnumMemberName("mitb5-del")] MitB5Del,
}

/// <summary>Decode heads, named as the architectures of the original's <c>experiments.py</c>
/// (<c>_nodbn</c> = no BatchNorm in the decode head, <c>sfa_</c> = SegFormer-adapter neck in front).</summary>
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
    /// <summary>DAFormer framework with an interlaced-sparse-self-attention fusion (decoder study, Table 7).</summary>
    [JsonStringEnumMemberName("daformer_isa")] DaformerIsa,
    /// <summary>UPerNet with 512 channels on MiT (decoder study).</summary>
    [JsonStringEnumMemberName("upernet")] Upernet,
    /// <summary>UPerNet with 256 channels on MiT (decoder study).</summary>
    [JsonStringEnumMemberName("upernet_ch256")] UpernetCh256,
    /// <summary>DeepLabV3+ without decoder BatchNorm (architecture comparison, Table 1).</summary>
    [JsonStringEnumMemberName("dlv3p_nodbn")] Dlv3pNodbn,
    /// <summary>DANet without decoder BatchNorm (Table 1).</summary>
    [JsonStringEnumMemberName("da_nodbn")] DaNodbn,
    /// <summary>ISANet without decoder BatchNorm (Table 1).</summary>
    [JsonStringEnumMemberName("isa_nodbn")] IsaNodbn,
    /// <summary>SegFormer adapter (F4 upsampled ×4) + DeepLabV3+ without decoder BatchNorm, on <c>mitb5-del</c> (Table 2).</summary>
    [JsonStringEnumMemberName("sfa_dlv3p_nodbn")] SfaDlv3pNodbn,
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
    public string? Pretrained { get; init; } = "pretrained/mit_b5.pth";
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
