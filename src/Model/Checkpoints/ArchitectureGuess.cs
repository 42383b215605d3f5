using DaFormer.Model.Backbones;
using DaFormer.Model.Segmentors;
using DaFormer.Model;
using static TorchSharp.torch;

namespace DaFormer.Model.Checkpoints;

/// The architecture a segmentor state dict fits (`Spec`, and `Hrda` when it is an HRDA segmentor
/// around that encoder and head), or why none could be inferred (`Reason`). Of HRDA only what the
/// weights show is known (attention channels, class-wise or not); the crop sizes are the defaults.
public sealed record SpecGuess(SegmentorSpec? Spec, string? Reason, HrdaSpec? Hrda = null);

/// The encoder a state dict fits (`Encoder`, e.g. `mit_b0`), or why none could be inferred (`Reason`).
public sealed record EncoderGuess(string? Encoder, string? Reason);

/// Infers from keys and shapes alone which `SegmentorSpec` a checkpoint was saved from, so that a
/// wrong-architecture error can say what the file DOES fit (pure: no model is built).
/// Encoder: MiT variant by patch_embed1 width and blocks per stage (MitVariant table, spec §3.1);
/// ResNet family by stem and block keys (deep stem `stem.*` = V1c, with split-attention `conv2.conv.*`
/// = ResNeSt; 7×7 `conv1.*` = ResNeXt) and the depth by the blocks per stage (ArchitectureTable).
/// Head by the key roots of each decoder (spec §3.2/§3.3 key names):
///   `embed_layers.*` → DAFormer head, its fusion by `fuse_layer` (sep-ASPP: depthwise_conv branches,
///   ASPP: plain conv branches, conv1: a single ConvModule; the bottleneck ablation has an ASPP inside
///   `embed_layers.3.1`); `linear_c.*` → SegFormer; `aspp_modules.*` directly under the head → DeepLabV2
///   (2 branches = dlv2red, 4 = dlv2); `image_pool.*` → DeepLabV3+ (`sfa_` on MiT), `pam_in_conv.*` →
///   DANet, `global_relation.*` → ISANet, `psp_modules.*` → UPerNet (its width by conv_seg); `_nodbn`
///   when the head's ConvModules carry biases.
public static class ArchitectureGuess
{
    public static IReadOnlyDictionary<string, long[]> ShapesOf(IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape, StringComparer.Ordinal);

    /// The segmentor a checkpoint's segmentor weights fit: of a training checkpoint, the student
    /// (`model.*`) or teacher (`ema_model.*`); of a plain state dict, all of it.
    public static SpecGuess Segmentor(CheckpointContents c, WhichWeights which = WhichWeights.Student)
    {
        var shapes = ShapesOf(c.Tensors);
        switch (c.Layout)
        {
            case CheckpointLayout.Segmentor:
                return Segmentor(shapes);
            case CheckpointLayout.UdaTraining:
                var prefix = WeightSelection.PrefixOf(which);
                return Segmentor(shapes.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                    .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal));
            case CheckpointLayout.Encoder:
                var e = Encoder(shapes);
                return new SpecGuess(null, e.Encoder is null ? $"an encoder-only file: {e.Reason}" : $"an encoder-only file ({e.Encoder}) without a decode head");
            default:
                return new SpecGuess(null, "the keys are not those of a segmentor, a training checkpoint or an encoder");
        }
    }

    /// The segmentor (keys `backbone.*`, `decode_head.*`) these weights fit.
    public static SpecGuess Segmentor(IReadOnlyDictionary<string, long[]> shapes)
    {
        if (HasRoot(shapes, "decode_head.head.")) return Hrda(shapes);
        var encoder = Encoder(shapes, "backbone.");
        if (encoder.Encoder is null) return new SpecGuess(null, encoder.Reason);
        var defaults = new SegmentorSpec();
        const string h = "decode_head.";
        if (!shapes.Keys.Any(k => k.StartsWith(h, StringComparison.Ordinal)))
            return new SpecGuess(null, $"the {encoder.Encoder} encoder weights are there but there are no decode_head.* keys");
        var isMit = ArchitectureTable.Encoder(encoder.Encoder).Family == EncoderFamily.Mit;

        string head;
        int channels = defaults.Channels, classes;
        if (shapes.TryGetValue(h + "embed_layers.0.proj.weight", out var embed))
        {
            channels = (int)embed[0];
            if (!shapes.TryGetValue(h + "conv_seg.weight", out var seg)) return new SpecGuess(null, "a DAFormer head without decode_head.conv_seg.weight");
            classes = (int)seg[0];
            if (HasRoot(shapes, h + "embed_layers.3.1.")) head = HeadNames.DaformerSepAsppBottleneck;
            else if (HasRoot(shapes, h + "fuse_layer.aspp_modules.1.depthwise_conv.")) head = HeadNames.DaformerSepAspp;
            else if (HasRoot(shapes, h + "fuse_layer.aspp_modules.1.conv.")) head = HeadNames.DaformerAspp;
            else if (HasRoot(shapes, h + "fuse_layer.global_relation.")) head = HeadNames.DaformerIsa;
            else if (shapes.ContainsKey(h + "fuse_layer.conv.weight")) head = HeadNames.DaformerConv1;
            else return new SpecGuess(null, "a DAFormer head (embed_layers.*) whose fuse_layer is none of sep-ASPP, ASPP, ISA or conv1");
        }
        else if (shapes.TryGetValue(h + "linear_c.0.proj.weight", out var linear))
        {
            head = HeadNames.Segformer;
            channels = (int)linear[0];
            if (!shapes.TryGetValue(h + "linear_pred.weight", out var pred)) return new SpecGuess(null, "a SegFormer head without decode_head.linear_pred.weight");
            classes = (int)pred[0];
        }
        else if (shapes.TryGetValue(h + "conv_seg.weight", out var convSeg)) // DeepLabV2 is the one head without conv_seg
        {
            classes = (int)convSeg[0];
            // The head's signature in the table (as OriginalConfig reads it from an mmseg config): without
            // BN (`_nodbn`) every ConvModule carries a bias; DeepLabV3+ on MiT sits behind the SegFormer adapter.
            string Norm(string conv) => shapes.ContainsKey(h + conv + ".conv.bias") ? "/nodbn" : "";
            var signature =
                HasRoot(shapes, h + "image_pool.") ? "DepthwiseSeparableASPPHead" + Norm("image_pool.1") + (isMit ? "/neck" : "")
                : HasRoot(shapes, h + "pam_in_conv.") ? "DAHead" + Norm("pam_in_conv")
                : HasRoot(shapes, h + "global_relation.") ? "ISAHead" + Norm("in_conv")
                : HasRoot(shapes, h + "psp_modules.") ? $"UPerHead/{convSeg[1]}"
                : null;
            if (signature is null)
                return new SpecGuess(null, $"the decode_head.* keys ({string.Join(", ", shapes.Keys.Where(k => k.StartsWith(h, StringComparison.Ordinal)).Take(3))}, …) match no known head");
            if (ArchitectureTable.HeadBySignature(signature) is not { } known)
                return new SpecGuess(null, $"a {signature} head, which the original builds in no experiment");
            head = known.Name;
        }
        else if (shapes.TryGetValue(h + "aspp_modules.0.conv.weight", out var aspp))
        {
            var branches = Indices(shapes, h + "aspp_modules.");
            head = ArchitectureTable.HeadBySignature($"DLV2Head/{branches}")?.Name ?? "";
            if (head == "") return new SpecGuess(null, $"a DeepLabV2 head with {branches} ASPP branches (expected 2 for {HeadNames.Dlv2Red} or 4 for {HeadNames.Dlv2})");
            classes = (int)aspp[0];
        }
        else
            return new SpecGuess(null, $"the decode_head.* keys ({string.Join(", ", shapes.Keys.Where(k => k.StartsWith(h, StringComparison.Ordinal)).Take(3))}, …) match no known head");

        var info = ArchitectureTable.Head(head);
        if (!info.UsesChannels) channels = defaults.Channels;
        var spec = defaults with { Encoder = encoder.Encoder, Head = head, Channels = channels, NumClasses = classes };
        if (!ArchitectureTable.Fits(ArchitectureTable.Encoder(encoder.Encoder), info))
            return new SpecGuess(null, $"a {encoder.Encoder} encoder with a {head} head, a combination the original does not build");
        return new SpecGuess(spec, null);
    }

    /// HRDA (`decode_head.head.*` = the per-scale DAFormer head, `decode_head.scale_attention.*` = the
    /// attention head): the inner head is guessed from its keys moved to `decode_head.*`.
    static SpecGuess Hrda(IReadOnlyDictionary<string, long[]> shapes)
    {
        const string head = "decode_head.head.", att = "decode_head.scale_attention.";
        var inner = shapes.Where(kv => !kv.Key.StartsWith("decode_head.", StringComparison.Ordinal))
            .Concat(shapes.Where(kv => kv.Key.StartsWith(head, StringComparison.Ordinal))
                .Select(kv => KeyValuePair.Create("decode_head." + kv.Key[head.Length..], kv.Value)))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var guess = Segmentor(inner);
        if (guess.Spec is not { } spec) return new SpecGuess(null, $"an HRDA segmentor (decode_head.head.*) whose per-scale head is not recognised: {guess.Reason}");
        if (SegmentorFactory.HrdaFusion(spec.Head) is null)
            return new SpecGuess(null, $"an HRDA segmentor around {Describe(spec)}, a head HRDA is not built with here (expected a DAFormer head)");
        if (!shapes.TryGetValue(att + "embed_layers.0.proj.weight", out var embed) || !shapes.TryGetValue(att + "conv_seg.weight", out var seg))
            return new SpecGuess(null, "an HRDA segmentor without a learned scale attention (no decode_head.scale_attention.* keys): a fixed attention, whose value is not stored in the weights — give the config");
        var hrda = new HrdaSpec { AttentionEmbedDim = (int)embed[0], AttentionClasswise = seg[0] != 1 || spec.NumClasses == 1 };
        return new SpecGuess(spec, null, hrda);
    }

    /// "HRDA (scale attention 256 ch, class-wise) around mit_b5 + daformer_sepaspp (channels 256, 19 classes)".
    public static string Describe(SegmentorSpec spec, HrdaSpec? hrda) =>
        hrda is null ? Describe(spec)
        : $"HRDA (scale attention {(hrda.FixedAttention is { } f ? $"fixed {f}" : $"{hrda.AttentionEmbedDim} ch, {(hrda.AttentionClasswise ? "class-wise" : "single channel")}")}) around {Describe(spec)}";

    /// The encoder whose keys start with `prefix` (`backbone.` in a segmentor, empty in an ImageNet file).
    public static EncoderGuess Encoder(IReadOnlyDictionary<string, long[]> shapes, string prefix = "")
    {
        if (shapes.TryGetValue(prefix + "patch_embed1.proj.weight", out var patch))
        {
            var dims = Enumerable.Range(1, 4)
                .Select(s => shapes.TryGetValue($"{prefix}patch_embed{s}.proj.weight", out var w) ? (int)w[0] : 0).ToArray();
            var depths = Enumerable.Range(1, 4).Select(s => Indices(shapes, $"{prefix}block{s}.")).ToArray();
            var variant = MitVariant.All.FirstOrDefault(v => v.EmbedDims.SequenceEqual(dims) && v.Depths.SequenceEqual(depths));
            return variant is not null
                ? new EncoderGuess(variant.Name, null)
                : new EncoderGuess(null, $"a MiT encoder with widths [{string.Join(",", dims)}] and blocks per stage [{string.Join(",", depths)}], which is none of mit_b0…mit_b5");
        }
        if ((shapes.ContainsKey(prefix + "stem.0.weight") || shapes.ContainsKey(prefix + "conv1.weight")) && HasRoot(shapes, prefix + "layer3."))
        {
            var kind = shapes.ContainsKey(prefix + "conv1.weight") ? ResNetKind.ResNeXt
                : HasRoot(shapes, prefix + "layer1.0.conv2.conv.") ? ResNetKind.ResNeSt : ResNetKind.V1c;
            if (kind == ResNetKind.ResNeXt && !(shapes.TryGetValue(prefix + "layer1.0.conv2.weight", out var c2) && c2[0] != c2[1]))
                return new EncoderGuess(null, "a ResNet with the plain 7×7 stem (conv1.weight) and ungrouped 3×3 convs; only ResNeXt (grouped) uses that stem here, ResNet-V1c has the deep stem (stem.*)");
            var blocks = Enumerable.Range(1, 4).Select(s => Indices(shapes, $"{prefix}layer{s}.")).ToArray();
            // The depth by layer3's block count (50: 6, 101: 23, 200: 36), as every family uses the same table.
            var match = ArchitectureTable.Encoders.FirstOrDefault(e => e.ResNet is { } o && o.Kind == kind && ResNetOptions.BlocksPerDepth[o.Depth][2] == blocks[2]);
            var known = string.Join(", ", ArchitectureTable.Encoders.Where(e => e.ResNet?.Kind == kind).Select(e => e.Name));
            return match is not null
                ? new EncoderGuess(match.Name, null)
                : new EncoderGuess(null, $"a {kind} with blocks per stage [{string.Join(",", blocks)}], which is none of {known}");
        }
        var sample = string.Join(", ", shapes.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Take(3));
        return new EncoderGuess(null, sample.Length == 0
            ? $"there are no {prefix}* keys"
            : $"the keys ({sample}, …) are those of neither a MiT (patch_embed1.*) nor a ResNet-family (stem.* / conv1.*, layer1.*) encoder");
    }

    /// "mit_b0 + daformer_sepaspp (channels 64, 19 classes)".
    public static string Describe(SegmentorSpec spec) =>
        UsesChannels(spec)
            ? $"{spec.Encoder} + {spec.Head} (channels {spec.Channels}, {spec.NumClasses} classes)"
            : $"{spec.Encoder} + {spec.Head} ({spec.NumClasses} classes)";

    /// How to build a model that fits: "mit_b0 + daformer_sepaspp with Channels=64" (and NumClasses when not 19).
    public static string BuildInstruction(SegmentorSpec spec)
    {
        var settings = new List<string>();
        if (UsesChannels(spec)) settings.Add($"Channels={spec.Channels}");
        settings.Add($"NumClasses={spec.NumClasses}");
        return $"{spec.Encoder} + {spec.Head} with {string.Join(", ", settings)}";
    }

    static bool UsesChannels(SegmentorSpec spec) => ArchitectureTable.FindHead(spec.Head)?.UsesChannels ?? true;

    static bool HasRoot(IReadOnlyDictionary<string, long[]> shapes, string root) =>
        shapes.Keys.Any(k => k.StartsWith(root, StringComparison.Ordinal));

    /// Number of distinct numeric children `root{i}.` (block counts, branch counts).
    static int Indices(IReadOnlyDictionary<string, long[]> shapes, string root) =>
        shapes.Keys.Where(k => k.StartsWith(root, StringComparison.Ordinal))
            .Select(k => k[root.Length..].Split('.')[0])
            .Where(s => int.TryParse(s, out _)).Distinct().Count();
}
