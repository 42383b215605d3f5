using DaFormer.Model.Backbones;
using DaFormer.Model.Heads;
using DaFormer.Model.Necks;

namespace DaFormer.Model;

/// Builds segmentors from a `SegmentorSpec` by the original experiment names (spec §3.2, §3.3).
public static class Architectures
{
    public static readonly IReadOnlyList<string> Encoders =
        [.. MitVariant.All.Select(v => v.Name), "r50v1c", "r101v1c"];

    public static readonly IReadOnlyList<string> Heads =
        ["daformer_sepaspp", "daformer_aspp", "daformer_conv1", "daformer_sepaspp_bottleneck", "segformer", "dlv2red", "dlv2"];

    /// "daformer" is accepted as shorthand for the final head `daformer_sepaspp`.
    public static string CanonicalHead(string head) => head == "daformer" ? "daformer_sepaspp" : head;

    /// Checks names and numbers; throws a DaFormerError that lists the valid choices.
    public static void Validate(SegmentorSpec spec)
    {
        if (!Encoders.Contains(spec.Encoder))
            throw new DaFormerError($"Unknown encoder '{spec.Encoder}'; expected one of: {string.Join(", ", Encoders)}.");
        var head = CanonicalHead(spec.Head);
        if (!Heads.Contains(head))
            throw new DaFormerError($"Unknown decode head '{spec.Head}'; expected one of: {string.Join(", ", Heads)} (or 'daformer').");
        var isResNet = spec.Encoder.StartsWith('r');
        if (isResNet != head.StartsWith("dlv2"))
            throw new DaFormerError($"Decode head '{head}' does not fit encoder '{spec.Encoder}': the DeepLabV2 heads (dlv2, dlv2red) go with r50v1c/r101v1c, the others with mit_b0…mit_b5.");
        if (spec.NumClasses < 1) throw new DaFormerError($"NumClasses must be at least 1, got {spec.NumClasses}.");
        if (spec.Channels < 1) throw new DaFormerError($"Channels must be at least 1, got {spec.Channels}.");
        if (spec.DropPathRate is < 0 or >= 1) throw new DaFormerError($"DropPathRate must be in [0, 1), got {spec.DropPathRate}.");
        if (spec.DropoutRatio is < 0 or >= 1) throw new DaFormerError($"DropoutRatio must be in [0, 1), got {spec.DropoutRatio}.");
        if (spec.AlignCorners) throw new DaFormerError("AlignCorners=true is not supported: every DAFormer configuration uses align_corners=False.");
    }

    public static Segmentor Build(SegmentorSpec spec)
    {
        Validate(spec);
        var head = CanonicalHead(spec.Head);
        Encoder encoder = spec.Encoder switch
        {
            "r50v1c" => new ResNetV1c(50),
            "r101v1c" => new ResNetV1c(101),
            var name => new MixTransformer(MitVariant.Find(name)!, spec.DropPathRate),
        };
        var inChannels = encoder.OutChannels;
        DecodeHead decoder = head switch
        {
            "daformer_sepaspp" => new DaformerHead(inChannels, spec.Channels, spec.NumClasses, DaformerFusion.SepAspp, spec.DropoutRatio),
            "daformer_aspp" => new DaformerHead(inChannels, spec.Channels, spec.NumClasses, DaformerFusion.Aspp, spec.DropoutRatio),
            "daformer_conv1" => new DaformerHead(inChannels, spec.Channels, spec.NumClasses, DaformerFusion.Conv1, spec.DropoutRatio),
            "daformer_sepaspp_bottleneck" => new DaformerHead(inChannels, spec.Channels, spec.NumClasses, DaformerFusion.SepAsppBottleneck, spec.DropoutRatio),
            "segformer" => new SegformerHead(inChannels, spec.Channels, spec.NumClasses, spec.DropoutRatio),
            "dlv2red" => new DeepLabV2Head(inChannels[^1], spec.NumClasses, DeepLabV2Head.ReducedDilations),
            _ => new DeepLabV2Head(inChannels[^1], spec.NumClasses, DeepLabV2Head.FullDilations),
        };
        // The bottleneck ablation's neck: F4 upsampled ×8 to stride 4 (SegFormerAdapter(out_layers=[3], scales=[8])).
        var neck = head == "daformer_sepaspp_bottleneck" ? new SegFormerAdapter([3], [8]) : null;
        return new Segmentor(spec with { Head = head }, encoder, decoder, neck);
    }
}
