namespace DaFormer.Model;

/// Builds segmentors from a `SegmentorSpec` by the original experiment names (see ArchitectureTable).
public static class Architectures
{
    /// Our encoder names (`mit_b0`…`mit_b5`, `r50v1c`, `r101v1c`, `x50-32`, `x101-32`, `s50`, `s101`, `s200`).
    public static readonly IReadOnlyList<string> Encoders = [.. ArchitectureTable.Encoders.Select(e => e.Name)];

    /// Every decode head name (the generator's names; `daformer` is accepted for `daformer_sepaspp`).
    public static readonly IReadOnlyList<string> Heads = [.. ArchitectureTable.Heads.Select(h => h.Name)];

    /// The head's table name: aliases (`daformer`) become `daformer_sepaspp`; unknown names are kept.
    public static string CanonicalHead(string head) => ArchitectureTable.FindHead(head)?.Name ?? head;

    /// The encoder's table name: the generator's `mitb5` / `mitb5-del` become `mit_b5`; unknown names are kept.
    public static string CanonicalEncoder(string encoder) => ArchitectureTable.FindEncoder(encoder)?.Name ?? encoder;

    /// The spec with table names for encoder and head.
    public static SegmentorSpec Canonical(SegmentorSpec spec) =>
        spec with { Encoder = CanonicalEncoder(spec.Encoder), Head = CanonicalHead(spec.Head) };

    /// Checks names, pairing and numbers; throws a DaFormerError that lists the valid choices.
    public static void Validate(SegmentorSpec spec)
    {
        var encoder = ArchitectureTable.Encoder(spec.Encoder);
        var head = ArchitectureTable.Head(spec.Head);
        ArchitectureTable.CheckPairing(encoder, head);
        if (spec.NumClasses < 1) throw new DaFormerError($"NumClasses must be at least 1, got {spec.NumClasses}.");
        if (spec.Channels < 1) throw new DaFormerError($"Channels must be at least 1, got {spec.Channels}.");
        if (spec.DropPathRate is < 0 or >= 1) throw new DaFormerError($"DropPathRate must be in [0, 1), got {spec.DropPathRate}.");
        if (spec.DropoutRatio is < 0 or >= 1) throw new DaFormerError($"DropoutRatio must be in [0, 1), got {spec.DropoutRatio}.");
        if (spec.AlignCorners) throw new DaFormerError("AlignCorners=true is not supported: every DAFormer configuration uses align_corners=False.");
    }

    public static Segmentor Build(SegmentorSpec spec)
    {
        Validate(spec);
        var encoderInfo = ArchitectureTable.Encoder(spec.Encoder);
        var headInfo = ArchitectureTable.Head(spec.Head);
        var encoder = encoderInfo.Create(spec);
        var decoder = headInfo.Create(encoder.OutChannels, spec, headInfo.ChannelsFor(spec));
        return new Segmentor(Canonical(spec), encoder, decoder, headInfo.Neck?.Invoke());
    }
}
