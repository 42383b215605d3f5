using System.Text.Json;
using DaFormer.Model;
using DaFormer.Model.Segmentors;
using DaFormer.Training.Config;

namespace DaFormer.Training.Inference;

/// Reads the original DAFormer config JSON (the mmseg config dict that `run_experiments.py` writes
/// next to a run, e.g. `211108_1622_gta2cs_daformer_s0_7f24c.json`) into an <see cref="InferenceSetup"/>.
/// Only fields whose meaning is unambiguous are mapped; anything else is a DaFormerError naming the
/// JSON path. Legacy names that tools/test.py patches are accepted the same way: decode head
/// `UniHead` = `DAFormerHead`; HRDA's `MultiResEncoderDecoder` = `HRDAEncoderDecoder` and
/// `MultiResAttentionWrapper` = `HRDAHead` (an HRDA config: the per-scale head is the decode head's
/// own fields with `single_scale_head` as its type).
public static class OriginalConfig
{
    /// True when the JSON looks like an mmseg config (top-level `model.backbone`), not one of ours.
    public static bool Looks(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("model", out var m) &&
        m.ValueKind == JsonValueKind.Object && m.TryGetProperty("backbone", out _);

    /// `requireData`: the test data set (data.test) must be mapped (daformer test); the demo only needs the model.
    public static InferenceSetup Parse(JsonElement root, string source, bool requireData)
    {
        var model = Get(root, "model", source);
        var spec = Model(model, source);
        var hrda = Hrda(model, source);
        var test = TestCfg(model, source);
        DatasetConfig? data = null;
        if (requireData || root.TryGetProperty("data", out _))
        {
            try { data = TestData(Get(root, "data", source), source); }
            catch (DaFormerError) when (!requireData) { data = null; }
        }
        var synthia = root.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object && d.TryGetProperty("train", out var train)
                      && (TypeOf(train) == "SynthiaDataset" || train.TryGetProperty("source", out var src) && TypeOf(src) == "SynthiaDataset");
        return new InferenceSetup(spec, data, test, synthia, source, hrda);
    }

    static SegmentorSpec Model(JsonElement model, string source)
    {
        var backbone = Get(model, "backbone", source, "model");
        var bType = Str(backbone, "type", source, "model.backbone");
        string encoder;
        if (bType.StartsWith("mit_b", StringComparison.Ordinal)) encoder = bType;
        else
        {
            // ResNetV1c / ResNeXt / ResNeSt by type and depth, as ArchitectureTable lists them.
            var known = ArchitectureTable.Encoders.Where(e => e.ResNet is not null).ToList();
            if (known.All(e => e.OriginalType != bType))
                throw new DaFormerError($"{source}: model.backbone.type = '{bType}' is not supported; expected mit_b0…mit_b5, ResNetV1c, ResNeXt or ResNeSt.");
            var depth = Get(backbone, "depth", source, "model.backbone").GetInt32();
            encoder = known.FirstOrDefault(e => e.OriginalType == bType && e.Depth == depth)?.Name
                ?? throw new DaFormerError($"{source}: model.backbone (type '{bType}', depth {depth}) is not supported; expected mit_b0…mit_b5 or one of " +
                                           string.Join(", ", known.Select(e => $"{e.OriginalType}-{e.Depth}")) + ".");
        }

        var head = Get(model, "decode_head", source, "model");
        var hType = Str(head, "type", source, "model.decode_head");
        if (hType is "HRDAHead" or "MultiResAttentionWrapper")
        {
            hType = Str(head, "single_scale_head", source, "model.decode_head");
            if (hType != "DAFormerHead")
                throw new DaFormerError($"{source}: model.decode_head.single_scale_head = '{hType}' is not supported; HRDA is built here around DAFormerHead.");
        }
        var numClasses = Get(head, "num_classes", source, "model.decode_head").GetInt32();
        var channels = head.TryGetProperty("channels", out var ch) ? ch.GetInt32() : 256;
        var hasNeck = model.TryGetProperty("neck", out var neck) && neck.ValueKind == JsonValueKind.Object;
        // Each head of the table is known by its signature in an mmseg config: type, `/nodbn` without
        // head norm, `/neck` with a SegFormerAdapter; DAFormerHead by its fusion, DLV2Head by its
        // dilation count, UPerHead by its width.
        string signature;
        switch (hType)
        {
            case "DAFormerHead" or "UniHead":
                var fusion = Get(Get(head, "decoder_params", source, "model.decode_head"), "fusion_cfg", source, "model.decode_head.decoder_params");
                var fType = Str(fusion, "type", source, "model.decode_head.decoder_params.fusion_cfg");
                // `sep` only distinguishes the two ASPP fusions.
                var sep = fType == "aspp" && fusion.TryGetProperty("sep", out var s) && s.ValueKind == JsonValueKind.True;
                signature = $"DAFormerHead/{fType}" + (sep ? "/sep" : "") + (hasNeck ? "/neck" : "");
                if (ArchitectureTable.HeadBySignature(signature) is null)
                    throw new DaFormerError($"{source}: model.decode_head.decoder_params.fusion_cfg.type = '{fType}'" +
                                            (hasNeck ? " with a neck" : "") + " is not supported; expected aspp (sep true/false), conv (with or without the neck) or isa.");
                if (head.GetProperty("decoder_params").TryGetProperty("embed_dims", out var ed)) channels = ed.GetInt32();
                break;
            case "SegFormerHead":
                signature = hType;
                channels = Get(Get(head, "decoder_params", source, "model.decode_head"), "embed_dim", source, "model.decode_head.decoder_params").GetInt32();
                break;
            case "DLV2Head":
                var dil = Get(head, "dilations", source, "model.decode_head").GetArrayLength();
                signature = $"DLV2Head/{dil}";
                if (ArchitectureTable.HeadBySignature(signature) is null)
                    throw new DaFormerError($"{source}: model.decode_head.dilations has {dil} entries; expected 2 ({HeadNames.Dlv2Red}) or 4 ({HeadNames.Dlv2}).");
                break;
            default:
                var noNorm = !head.TryGetProperty("norm_cfg", out var nc) || nc.ValueKind != JsonValueKind.Object;
                signature = hType == "UPerHead" ? $"UPerHead/{channels}" : hType + (noNorm ? "/nodbn" : "") + (hasNeck ? "/neck" : "");
                if (ArchitectureTable.HeadBySignature(signature) is null)
                    throw new DaFormerError($"{source}: model.decode_head.type = '{hType}'" + (noNorm ? " without norm_cfg" : "") + (hasNeck ? " with a neck" : "") +
                                            " is not supported; expected DAFormerHead, SegFormerHead, DLV2Head, DepthwiseSeparableASPPHead, DAHead, ISAHead or UPerHead (512/256 channels).");
                break;
        }
        var headName = ArchitectureTable.HeadBySignature(signature)!.Name;
        var spec = new SegmentorSpec(encoder, headName, numClasses, channels);
        Architectures.Validate(spec);
        return spec;
    }

    /// HRDA's settings of an `HRDAEncoderDecoder` config (`scales`, `hr_crop_size` (h, w),
    /// `crop_coord_divisible`, `hr_slide_inference`, … and the head's attention / loss weights); null
    /// for any other segmentor. Absent keys take the original constructors' defaults.
    static HrdaSpec? Hrda(JsonElement model, string source)
    {
        var type = TypeOf(model);
        if (type is not ("HRDAEncoderDecoder" or "MultiResEncoderDecoder")) return null;
        var head = Get(model, "decode_head", source, "model");
        static bool Has(JsonElement e, string key, out JsonElement v) =>
            e.TryGetProperty(key, out v) && v.ValueKind != JsonValueKind.Null;
        var h = new HrdaSpec();
        if (Has(model, "scales", out var scales))
        {
            var s = scales.EnumerateArray().Select(x => x.GetDouble()).ToList();
            if (s.Count != 2) throw new DaFormerError($"{source}: model.scales = {scales.GetRawText()}; HRDA trains with exactly two scales, e.g. [1, 0.5].");
            h = h with { LrScale = s.Min(), HrScale = s.Max() };
        }
        if (!Has(model, "hr_crop_size", out var crop))
            throw new DaFormerError($"{source}: model.hr_crop_size is missing; HRDA here needs the detail crop (h, w), e.g. [512, 512].");
        var c = Size(crop, source, "model.hr_crop_size", hw: true);
        h = h with { DetailCropHeight = c.Height, DetailCropWidth = c.Width };
        // The original constructors' defaults where a config leaves a key out.
        h = h with
        {
            CropCoordDivisible = Has(model, "crop_coord_divisible", out var d) ? d.GetInt32() : 1,
            HrSlideInference = !Has(model, "hr_slide_inference", out var si) || si.GetBoolean(),
            HrSlideOverlapping = !Has(model, "hr_slide_overlapping", out var so) || so.GetBoolean(),
            BlurHrCrop = Has(model, "blur_hr_crop", out var b) && b.GetBoolean(),
            FeatureScale = !Has(model, "feature_scale", out var fs) ? 1
                : fs.ValueKind == JsonValueKind.String ? fs.GetString() == "all" ? null
                    : throw new DaFormerError($"{source}: model.feature_scale = {fs.GetRawText()}; expected a number or 'all'.")
                : fs.GetDouble(),
            AttentionClasswise = !Has(head, "attention_classwise", out var ac) || ac.GetBoolean(),
            HrLossWeight = Has(head, "hr_loss_weight", out var hw) ? hw.GetDouble() : 0,
            LrLossWeight = Has(head, "lr_loss_weight", out var lw) ? lw.GetDouble() : 0,
            AttentionEmbedDim = Has(head, "attention_embed_dim", out var ad) ? ad.GetInt32() : 256,
            FixedAttention = Has(head, "fixed_attention", out var fa) ? fa.GetDouble() : null,
            BatchedSlide = model.TryGetProperty("test_cfg", out var t) && t.ValueKind == JsonValueKind.Object
                           && Has(t, "batched_slide", out var bs) && bs.GetBoolean(),
        };
        try { HrdaSegmentor.Validate(h); }
        catch (DaFormerError e) { throw new DaFormerError($"{source}: {e.Message}"); }
        return h;
    }

    static TestConfig TestCfg(JsonElement model, string source)
    {
        if (!model.TryGetProperty("test_cfg", out var t) || t.ValueKind != JsonValueKind.Object || !t.TryGetProperty("mode", out var m))
            return TestConfig.Whole;
        return m.GetString() switch
        {
            "whole" => TestConfig.Whole,
            "slide" => TestConfig.Slide(Size(Get(t, "crop_size", source, "model.test_cfg"), source, "model.test_cfg.crop_size", hw: true),
                                        Size(Get(t, "stride", source, "model.test_cfg"), source, "model.test_cfg.stride", hw: true)),
            var other => throw new DaFormerError($"{source}: model.test_cfg.mode = '{other}'; expected whole or slide."),
        };
    }

    static DatasetConfig TestData(JsonElement data, string source)
    {
        var test = Get(data, "test", source, "data");
        var type = Str(test, "type", source, "data.test");
        var root = Str(test, "data_root", source, "data.test").TrimEnd('/', '\\');
        var imgDir = Str(test, "img_dir", source, "data.test").Trim('/', '\\');
        var annDir = test.TryGetProperty("ann_dir", out var a) ? a.GetString() : null;
        var (kind, prefix) = type switch
        {
            "CityscapesDataset" => (DatasetKind.Cityscapes, "leftImg8bit/"),
            "ACDCDataset" => (DatasetKind.Acdc, "rgb_anon/"),
            "DarkZurichDataset" => (DatasetKind.DarkZurich, "rgb_anon/"),
            _ => throw new DaFormerError($"{source}: data.test.type = '{type}' is not supported for testing; expected CityscapesDataset, ACDCDataset or DarkZurichDataset."),
        };
        if (!imgDir.StartsWith(prefix, StringComparison.Ordinal))
            throw new DaFormerError($"{source}: data.test.img_dir = '{imgDir}'; expected {prefix}<split> for {type}.");
        var split = imgDir[prefix.Length..].Split('/')[0];
        if (annDir is not null && !annDir.TrimEnd('/').EndsWith(split, StringComparison.Ordinal))
            throw new DaFormerError($"{source}: data.test.ann_dir = '{annDir}' names another split than img_dir '{imgDir}'.");
        var scale = TestScale(test, source);
        return new DatasetConfig { Kind = kind, Root = root, Split = split, Scale = scale };
    }

    /// `img_scale` of the test pipeline's MultiScaleFlipAug (a single (w, h); several scales are aug-test, not supported).
    static ImageSize TestScale(JsonElement test, string source)
    {
        var pipeline = Get(test, "pipeline", source, "data.test");
        foreach (var step in pipeline.EnumerateArray())
        {
            if (TypeOf(step) != "MultiScaleFlipAug") continue;
            var s = Get(step, "img_scale", source, "data.test.pipeline[MultiScaleFlipAug]");
            if (s.ValueKind == JsonValueKind.Array && s.GetArrayLength() == 1 && s[0].ValueKind == JsonValueKind.Array) s = s[0];
            return Size(s, source, "data.test.pipeline[MultiScaleFlipAug].img_scale", hw: false);
        }
        throw new DaFormerError($"{source}: data.test.pipeline has no MultiScaleFlipAug step with img_scale; cannot tell the test scale.");
    }

    /// mmseg sizes: img_scale is (w, h); crop_size/stride are (h, w).
    static ImageSize Size(JsonElement e, string source, string path, bool hw)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2 || e[0].ValueKind != JsonValueKind.Number)
            throw new DaFormerError($"{source}: {path} = {e.GetRawText()}; expected one pair of numbers.");
        int a = e[0].GetInt32(), b = e[1].GetInt32();
        return hw ? new ImageSize(b, a) : new ImageSize(a, b);
    }

    static string? TypeOf(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;

    static JsonElement Get(JsonElement e, string key, string source, string? parent = null)
    {
        var path = parent is null ? key : $"{parent}.{key}";
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null)
            throw new DaFormerError($"{source}: the original config has no {path}; it is needed to build the model / test data. Add it or pass one of our configs.");
        return v;
    }

    static string Str(JsonElement e, string key, string source, string parent)
    {
        var v = Get(e, key, source, parent);
        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new DaFormerError($"{source}: {parent}.{key} = {v.GetRawText()}; expected a string.");
    }
}
