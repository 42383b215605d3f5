using DaFormer.Model.Backbones;
using DaFormer.Model.Heads;

namespace DaFormer.Model.Segmentors;

/// Builds the segmentor a description asks for: the plain encoder–decoder of
/// <see cref="Architectures"/>, or HRDA around the same encoder and DAFormer head.
public static class SegmentorFactory
{
    public static SegmentorBase Build(SegmentorSpec spec, HrdaSpec? hrda) =>
        hrda is null ? Architectures.Build(spec) : BuildHrda(spec, hrda);

    /// The DAFormer heads HRDA can wrap (the original's `single_scale_head='DAFormerHead'` with its
    /// fusion variants); the attention head replaces an ASPP fusion with a 1×1 conv.
    public static DaformerFusion? HrdaFusion(string head) =>
        ArchitectureTable.FindHead(head)?.Fusion is { } f && HrdaFusions.Contains(f) ? f : null;

    static readonly DaformerFusion[] HrdaFusions = [DaformerFusion.SepAspp, DaformerFusion.Aspp, DaformerFusion.Conv1];

    /// "daformer_sepaspp, daformer_aspp or daformer_conv1": the heads HRDA wraps, for messages.
    public static string HrdaHeads()
    {
        var names = ArchitectureTable.Heads.Where(h => HrdaFusion(h.Name) is not null).Select(h => h.Name).ToList();
        return string.Join(", ", names[..^1]) + " or " + names[^1];
    }

    public static HrdaSegmentor BuildHrda(SegmentorSpec spec, HrdaSpec hrda)
    {
        Architectures.Validate(spec);
        if (HrdaFusion(spec.Head) is not { } fusion || MitVariant.Find(spec.Encoder) is not { } variant)
            throw new DaFormerError($"HRDA wraps a MiT encoder with a DAFormer head ({HrdaHeads()}); got {spec.Encoder} + {spec.Head}.");
        HrdaSegmentor.Validate(hrda);
        if (hrda.AttentionEmbedDim < 1) throw new DaFormerError($"HRDA's AttentionEmbedDim must be ≥ 1, got {hrda.AttentionEmbedDim}.");
        var encoder = new MixTransformer(variant, spec.DropPathRate);
        var head = new HrdaHead(encoder.OutChannels, spec.Channels, spec.NumClasses, fusion, spec.DropoutRatio, hrda);
        return new HrdaSegmentor(spec with { Head = Architectures.CanonicalHead(spec.Head) }, hrda, encoder, head);
    }
}
