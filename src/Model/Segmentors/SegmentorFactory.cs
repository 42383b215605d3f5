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
    public static DaformerFusion? HrdaFusion(string head) => Architectures.CanonicalHead(head) switch
    {
        "daformer_sepaspp" => DaformerFusion.SepAspp,
        "daformer_aspp" => DaformerFusion.Aspp,
        "daformer_conv1" => DaformerFusion.Conv1,
        _ => null,
    };

    public static HrdaSegmentor BuildHrda(SegmentorSpec spec, HrdaSpec hrda)
    {
        Architectures.Validate(spec);
        if (HrdaFusion(spec.Head) is not { } fusion || MitVariant.Find(spec.Encoder) is not { } variant)
            throw new DaFormerError($"HRDA wraps a MiT encoder with a DAFormer head (daformer_sepaspp, daformer_aspp or daformer_conv1); got {spec.Encoder} + {spec.Head}.");
        HrdaSegmentor.Validate(hrda);
        if (hrda.AttentionEmbedDim < 1) throw new DaFormerError($"HRDA's AttentionEmbedDim must be ≥ 1, got {hrda.AttentionEmbedDim}.");
        var encoder = new MixTransformer(variant, spec.DropPathRate);
        var head = new HrdaHead(encoder.OutChannels, spec.Channels, spec.NumClasses, fusion, spec.DropoutRatio, hrda);
        return new HrdaSegmentor(spec with { Head = Architectures.CanonicalHead(spec.Head) }, hrda, encoder, head);
    }
}
