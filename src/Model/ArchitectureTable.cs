using DaFormer.Model.Backbones;
using DaFormer.Model.Heads;
using DaFormer.Model.Necks;

namespace DaFormer.Model;

/// Encoder families, for the pairing rules of <see cref="ArchitectureTable"/>.
public enum EncoderFamily { Mit, ResNet }

/// One encoder of the paper. `Name` is ours (what <see cref="SegmentorSpec.Encoder"/> holds: `mit_b5`,
/// `r101v1c`, `s101`, `x50-32`); `GeneratorName` is the original `experiments.py` name (`mitb5`, …;
/// `mitb5-del` is accepted as an alias, see <see cref="ArchitectureTable.GeneratorEncoderName"/>).
/// `OriginalType`/`Depth` are the mmseg backbone `type`/`depth` of the original config.
/// `Pretrained` is the original's `pretrained` value; `CheckpointFile` the local ImageNet file name
/// under `pretrained/` and `CheckpointUrl` where `download-checkpoints` fetches it (MiT weights come
/// from Google Drive, see the download catalog).
public sealed record EncoderInfo(
    string Name,
    string GeneratorName,
    EncoderFamily Family,
    string OriginalType,
    int Depth,
    string Pretrained,
    string CheckpointFile,
    string? CheckpointUrl,
    string Description,
    MitVariant? Mit = null,
    ResNetOptions? ResNet = null)
{
    /// Where a config finds the ImageNet weights: `pretrained/mit_b5.pth`, `pretrained/resnet101_v1c.pth`.
    public string PretrainedPath => $"pretrained/{CheckpointFile}";

    public Encoder Create(SegmentorSpec spec) =>
        Mit is not null ? new MixTransformer(Mit, spec.DropPathRate) : new ResNet(ResNet!);
}

/// One decode head of the paper (with its neck when it has one). `Name` is the `experiments.py`
/// architecture name, which is also ours; `Encoders` are the families the original builds it with;
/// `Channels` is the fixed width of the head's base config, or null when <see cref="SegmentorSpec.Channels"/>
/// sets it (DAFormer / SegFormer heads) — DeepLabV2 has none. `ResNetBase`: its base config is a
/// ResNet `*_r50-d8.py` file, so on MiT the original needs the `mitbN-del` backbone name.
/// `OriginalSignature` identifies it in an original mmseg config (see OriginalConfig and
/// <see cref="ArchitectureTable.HeadBySignature"/>); `Fusion` is the DAFormerHead fusion of the DAFormer variants.
public sealed record HeadInfo(
    string Name,
    IReadOnlyList<EncoderFamily> Encoders,
    string OriginalSignature,
    int? Channels,
    bool UsesChannels,
    bool ResNetBase,
    string Description,
    Func<IReadOnlyList<int>, SegmentorSpec, int, DecodeHead> Create,
    Func<SegFormerAdapter>? Neck = null,
    IReadOnlyList<string>? Aliases = null,
    DaformerFusion? Fusion = null)
{
    /// The head's width for a spec: the fixed base-config value, or the spec's Channels.
    public int ChannelsFor(SegmentorSpec spec) => Channels ?? spec.Channels;
}

/// Every encoder name of the paper, once: ours, which is also the generator's for the ResNet family
/// (the generator writes MiT without the underscore, <see cref="EncoderInfo.GeneratorName"/>).
/// <see cref="ArchitectureTable.Encoders"/>, <see cref="MitVariant"/> and the run config's encoder enum
/// take their names from here.
public static class EncoderNames
{
    public const string MitB0 = "mit_b0", MitB1 = "mit_b1", MitB2 = "mit_b2", MitB3 = "mit_b3", MitB4 = "mit_b4", MitB5 = "mit_b5";
    /// MiT-b5 under a ResNet-based model config (`_delete_=True` backbone), the generator's name for
    /// the `sfa_dlv3p_nodbn` row; builds the same network as `mit_b5` (see <see cref="ArchitectureTable.FindEncoder"/>).
    public const string MitB5Del = "mitb5-del";
    public const string R50V1c = "r50v1c", R101V1c = "r101v1c";
    public const string X50_32 = "x50-32", X101_32 = "x101-32";
    public const string S50 = "s50", S101 = "s101", S200 = "s200";
}

/// Every decode-head name of the paper, once: the architecture strings of the original `experiments.py`
/// (`_nodbn` = no BatchNorm in the head, `sfa_` = SegFormer-adapter neck). <see cref="ArchitectureTable.Heads"/>
/// and the run config's decoder enum take their names from here.
public static class HeadNames
{
    public const string DaformerSepAspp = "daformer_sepaspp", DaformerAspp = "daformer_aspp", DaformerConv1 = "daformer_conv1",
        DaformerSepAsppBottleneck = "daformer_sepaspp_bottleneck", DaformerIsa = "daformer_isa";
    /// The short name `model describe` and configs accept for <see cref="DaformerSepAspp"/>.
    public const string Daformer = "daformer";
    public const string Segformer = "segformer";
    public const string Upernet = "upernet", UpernetCh256 = "upernet_ch256";
    public const string Dlv2Red = "dlv2red", Dlv2 = "dlv2";
    public const string Dlv3pNodbn = "dlv3p_nodbn", Dlv3p = "dlv3p", SfaDlv3pNodbn = "sfa_dlv3p_nodbn";
    public const string DaNodbn = "da_nodbn", Da = "da";
    public const string IsaNodbn = "isa_nodbn", Isa = "isa";
}

/// Every encoder and decode head this implementation builds, under our names and the original
/// generator's (`experiments.py` of DAFormer), with the pairings the original builds and the ImageNet
/// checkpoints. Architectures.Build/Validate, ArchitectureGuess, the original-config reader and
/// `daformer model describe` all read this table.
public static class ArchitectureTable
{
    const string OpenMmlab = "https://download.openmmlab.com/pretrain/third_party/";

    static EncoderInfo MitEncoder(MitVariant v) => new(
        v.Name, v.Name.Replace("_", ""), EncoderFamily.Mit, v.Name, 0, $"pretrained/{v.Name}.pth", $"{v.Name}.pth", null,
        $"Mix Transformer {v.Name[^2..].ToUpperInvariant()} (SegFormer)", Mit: v);

    static EncoderInfo ResNetEncoder(string name, string type, ResNetOptions o, string openMmlab, string urlFile, string description) => new(
        name, name, EncoderFamily.ResNet, type, o.Depth, $"open-mmlab://{openMmlab}", $"{openMmlab}.pth", OpenMmlab + urlFile, description, ResNet: o);

    public static readonly IReadOnlyList<EncoderInfo> Encoders =
    [
        .. MitVariant.All.Select(MitEncoder),
        ResNetEncoder(EncoderNames.R50V1c, "ResNetV1c", ResNetOptions.V1c(50), "resnet50_v1c", "resnet50_v1c-2cccc1ad.pth", "ResNet-50-V1c (deep stem)"),
        ResNetEncoder(EncoderNames.R101V1c, "ResNetV1c", ResNetOptions.V1c(101), "resnet101_v1c", "resnet101_v1c-e67eebb6.pth", "ResNet-101-V1c (deep stem)"),
        ResNetEncoder(EncoderNames.X50_32, "ResNeXt", ResNetOptions.ResNeXt32x4d(50), "resnext50_32x4d", "resnext50-32x4d-0ab1a123.pth", "ResNeXt-50 32×4d (7×7 stem)"),
        ResNetEncoder(EncoderNames.X101_32, "ResNeXt", ResNetOptions.ResNeXt32x4d(101), "resnext101_32x4d", "resnext101_32x4d-a5af3160.pth", "ResNeXt-101 32×4d (7×7 stem)"),
        ResNetEncoder(EncoderNames.S50, "ResNeSt", ResNetOptions.ResNeSt(50), "resnest50", "resnest50_d2-7497a55b.pth", "ResNeSt-50 (split attention, radix 2, stem 64)"),
        ResNetEncoder(EncoderNames.S101, "ResNeSt", ResNetOptions.ResNeSt(101), "resnest101", "resnest101_d2-f3b931b2.pth", "ResNeSt-101 (split attention, radix 2, stem 128)"),
        ResNetEncoder(EncoderNames.S200, "ResNeSt", ResNetOptions.ResNeSt(200), "resnest200", "resnest200_d2-ca88e41f.pth", "ResNeSt-200 (split attention, radix 2, stem 128)"),
    ];

    static readonly EncoderFamily[] MitOnly = [EncoderFamily.Mit];
    static readonly EncoderFamily[] ResNetOnly = [EncoderFamily.ResNet];
    static readonly EncoderFamily[] Any = [EncoderFamily.Mit, EncoderFamily.ResNet];

    static HeadInfo Daformer(string name, DaformerFusion fusion, string signature, string description) => new(
        name, MitOnly, signature, null, true, false, description,
        (ins, s, ch) => new DaformerHead(ins, ch, s.NumClasses, fusion, s.DropoutRatio),
        fusion == DaformerFusion.SepAsppBottleneck ? () => new SegFormerAdapter([3], [8]) : null,
        Aliases: fusion == DaformerFusion.SepAspp ? [HeadNames.Daformer] : null, Fusion: fusion);

    static HeadInfo Dlv2(string name, int[] dilations, string description) => new(
        name, Any, $"DLV2Head/{dilations.Length}", null, false, true, description,
        (ins, s, _) => new DeepLabV2Head(ins[^1], s.NumClasses, dilations));

    static HeadInfo Dlv3p(string name, bool norm, bool sfa) => new(
        name, sfa ? MitOnly : ResNetOnly, "DepthwiseSeparableASPPHead" + (norm ? "" : "/nodbn") + (sfa ? "/neck" : ""), 512, false, true,
        (sfa ? "SegFormerAdapter (F4 ×4) + " : "") + "DeepLabV3+ (depthwise-separable ASPP 1,12,24,36 + image pool, c1 skip 48)" + (norm ? "" : " without head BN"),
        (ins, s, ch) => new DepthwiseSeparableAsppHead(ins[^1], ins[0], ch, 48, s.NumClasses, DepthwiseSeparableAsppHead.Dilations, norm, s.DropoutRatio),
        sfa ? () => new SegFormerAdapter([3], [4]) : null);

    static HeadInfo Da(string name, bool norm) => new(
        name, ResNetOnly, "DAHead" + (norm ? "" : "/nodbn"), 512, false, true,
        "DANet (position + channel attention, pam_channels 64)" + (norm ? "" : " without head BN"),
        (ins, s, ch) => new DaHead(ins[^1], ch, 64, s.NumClasses, norm, s.DropoutRatio));

    static HeadInfo Isa(string name, bool norm) => new(
        name, ResNetOnly, "ISAHead" + (norm ? "" : "/nodbn"), 512, false, true,
        "ISANet (interlaced sparse self-attention, isa_channels 256, down factor 8×8)" + (norm ? "" : " without head BN"),
        (ins, s, ch) => new IsaHead(ins[^1], ch, 256, s.NumClasses, norm, (8, 8), s.DropoutRatio));

    static HeadInfo Uper(string name, int channels) => new(
        name, MitOnly, $"UPerHead/{channels}", channels, false, false,
        $"UPerNet (PPM 1,2,3,6 + FPN, {channels} channels)",
        (ins, s, ch) => new UperHead(ins, ch, s.NumClasses, s.DropoutRatio));

    public static readonly IReadOnlyList<HeadInfo> Heads =
    [
        Daformer(HeadNames.DaformerSepAspp, DaformerFusion.SepAspp, "DAFormerHead/aspp/sep", "DAFormer: context-aware fusion with depthwise-separable ASPP (final)"),
        Daformer(HeadNames.DaformerAspp, DaformerFusion.Aspp, "DAFormerHead/aspp", "DAFormer fusion with plain ASPP (w/o DSC)"),
        Daformer(HeadNames.DaformerConv1, DaformerFusion.Conv1, "DAFormerHead/conv", "DAFormer embeddings + 1×1 fusion (SegFormer-like, C_e 256)"),
        Daformer(HeadNames.DaformerSepAsppBottleneck, DaformerFusion.SepAsppBottleneck, "DAFormerHead/conv/neck", "context only at F4 (F4 ×8, 1×1 conv + sep-ASPP), 1×1 fusion"),
        Daformer(HeadNames.DaformerIsa, DaformerFusion.Isa, "DAFormerHead/isa", "DAFormer embeddings + ISA fusion (decoder study)"),
        new(HeadNames.Segformer, Any, "SegFormerHead", null, true, false, "SegFormer all-MLP head",
            (ins, s, ch) => new SegformerHead(ins, ch, s.NumClasses, s.DropoutRatio)),
        Uper(HeadNames.Upernet, 512),
        Uper(HeadNames.UpernetCh256, 256),
        Dlv2(HeadNames.Dlv2Red, DeepLabV2Head.ReducedDilations, "DeepLabV2 classifier, dilations 6,12"),
        Dlv2(HeadNames.Dlv2, DeepLabV2Head.FullDilations, "DeepLabV2 classifier, dilations 6,12,18,24"),
        Dlv3p(HeadNames.Dlv3pNodbn, norm: false, sfa: false),
        Dlv3p(HeadNames.Dlv3p, norm: true, sfa: false),
        Dlv3p(HeadNames.SfaDlv3pNodbn, norm: false, sfa: true),
        Da(HeadNames.DaNodbn, norm: false),
        Da(HeadNames.Da, norm: true),
        Isa(HeadNames.IsaNodbn, norm: false),
        Isa(HeadNames.Isa, norm: true),
    ];

    /// Names the original generator knows but cannot build, with the reason.
    static readonly IReadOnlyDictionary<string, string> Unbuildable = new Dictionary<string, string>
    {
        ["uper"] = "the original maps 'uper' to _base_/models/upernet_r50.py, a file that does not exist (the decoder study uses 'upernet' on MiT)",
    };

    /// The encoder with this name (ours, the generator's, or `mitbN-del`), or null.
    public static EncoderInfo? FindEncoder(string name)
    {
        var n = name.EndsWith("-del", StringComparison.Ordinal) && name.StartsWith("mitb", StringComparison.Ordinal) ? name[..^4] : name;
        return Encoders.FirstOrDefault(e => e.Name == n || e.GeneratorName == n);
    }

    /// The head with this name or alias (`daformer` = `daformer_sepaspp`), or null.
    public static HeadInfo? FindHead(string name) =>
        Heads.FirstOrDefault(h => h.Name == name || (h.Aliases?.Contains(name) ?? false));

    /// The head an original mmseg config describes by its signature (`DAHead/nodbn`, `DLV2Head/2`,
    /// `DAFormerHead/aspp/sep`, `UPerHead/256`, …; see <see cref="HeadInfo.OriginalSignature"/>), or null.
    public static HeadInfo? HeadBySignature(string signature) => Heads.FirstOrDefault(h => h.OriginalSignature == signature);

    /// The head a bare encoder is paired with when nothing else says which (an ImageNet file checked
    /// on its own): the DAFormer head on MiT, the paper's DeepLabV2 on the ResNet family.
    public static HeadInfo DefaultHead(EncoderInfo encoder) =>
        Head(encoder.Family == EncoderFamily.Mit ? HeadNames.DaformerSepAspp : HeadNames.Dlv2Red);

    /// The encoder; a DaFormerError listing the choices when unknown.
    public static EncoderInfo Encoder(string name) => FindEncoder(name)
        ?? throw new DaFormerError($"Unknown encoder '{name}'; expected one of: {string.Join(", ", Encoders.Select(e => e.Name))} " +
                                   $"(or the generator's names {string.Join(", ", Encoders.Where(e => e.GeneratorName != e.Name).Select(e => e.GeneratorName))}, mitbN-del).");

    /// The head; a DaFormerError listing the choices (and why a known-but-unbuildable name fails).
    public static HeadInfo Head(string name)
    {
        if (FindHead(name) is { } h) return h;
        if (Unbuildable.TryGetValue(name, out var why)) throw new DaFormerError($"Decode head '{name}' cannot be built: {why}.");
        throw new DaFormerError($"Unknown decode head '{name}'; expected one of: {string.Join(", ", Heads.Select(x => x.Name))} (or 'daformer').");
    }

    public static bool Fits(EncoderInfo encoder, HeadInfo head) => head.Encoders.Contains(encoder.Family);

    /// Throws a DaFormerError naming both and every pairing that exists when the original does not build them together.
    public static void CheckPairing(EncoderInfo encoder, HeadInfo head)
    {
        if (Fits(encoder, head)) return;
        throw new DaFormerError($"Decode head '{head.Name}' does not fit encoder '{encoder.Name}': the original builds {head.Name} only with " +
                                $"{FamilyList(head.Encoders)}. Pairings that exist: {PairingSummary()}.");
    }

    /// "daformer_sepaspp, … with MiT (mit_b0…mit_b5); dlv3p_nodbn, … with ResNet (…); dlv2red, … with any encoder".
    public static string PairingSummary() => string.Join("; ", Heads
        .GroupBy(h => string.Join(",", h.Encoders.Order()))
        .Select(g => $"{string.Join(", ", g.Select(h => h.Name))} with {FamilyList(g.First().Encoders)}"));

    static string FamilyList(IReadOnlyList<EncoderFamily> families) =>
        families.Count == 2 ? "any encoder"
        : string.Join(" or ", families.Select(f => f == EncoderFamily.Mit
            ? "MiT encoders (" + string.Join(", ", Encoders.Where(e => e.Family == f).Select(e => e.Name)) + ")"
            : "ResNet-family encoders (" + string.Join(", ", Encoders.Where(e => e.Family == f).Select(e => e.Name)) + ")"));

    /// The encoder name the original generator writes into run names: `mitb5`, `r101v1c`, and
    /// `mitb5-del` for a MiT under a head whose base config is a ResNet one (`sfa_dlv3p_nodbn`, DLV2).
    public static string GeneratorEncoderName(string encoder, string head)
    {
        var e = Encoder(encoder);
        return e.Family == EncoderFamily.Mit && Head(head).ResNetBase ? e.GeneratorName + "-del" : e.GeneratorName;
    }
}
