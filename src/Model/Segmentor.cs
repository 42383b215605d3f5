using DaFormer.Model.Backbones;
using DaFormer.Model.Heads;
using DaFormer.Model.Layers;
using DaFormer.Model.Necks;
using DaFormer.Model.Segmentors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model;

/// mmseg `EncoderDecoder` (`mmseg/models/segmentors/encoder_decoder.py`): `backbone` → optional parameter-free `neck` → `decode_head`.
/// Field names make the state-dict keys `backbone.…` / `decode_head.…`. `forward` = `EncodeDecode`:
/// logits bilinearly resized (align_corners=False) to the input size.
public sealed class Segmentor : SegmentorBase
{
    public const long IgnoreIndex = 255;

    public readonly Encoder backbone;
    public readonly SegFormerAdapter? neck;
    public readonly DecodeHead decode_head;

    public override SegmentorSpec Spec { get; }
    public override int NumClasses => decode_head.NumClasses;
    public override Encoder Backbone => backbone;

    /// The dtype the network computes in after `LowPrecisionInference.Prepare` (bf16/fp16): images are
    /// cast to it on the way in and the logits come out as float32. Null (the default): the network
    /// computes in the dtype of its weights and input (float32, or float64 for reference checks).
    public ScalarType? ComputeType { get; internal set; }

    public Segmentor(SegmentorSpec spec, Encoder backbone, DecodeHead decodeHead, SegFormerAdapter? neck = null)
        : base(nameof(Segmentor))
    {
        Spec = spec;
        this.backbone = backbone;
        this.neck = neck;
        decode_head = decodeHead;
        RegisterComponents();
    }

    /// Backbone (+ neck) features — mmseg `extract_feat`, also used for the feature distance.
    public override Tensor[] ExtractFeatures(Tensor img)
    {
        if (ComputeType is { } compute && img.dtype != compute)
        {
            using var cast = img.to(compute);
            return ExtractFeatures(cast);
        }
        var features = backbone.forward(img);
        if (neck is null) return features;
        var necked = neck.forward(features);
        foreach (var f in features) if (!necked.Any(n => ReferenceEquals(n, f))) f.Dispose();
        return necked;
    }

    /// Decode-head logits at the head's resolution (1/4 of the input for MiT).
    public Tensor DecodeLogits(Tensor[] features)
    {
        var logits = decode_head.forward(features);
        if (logits.dtype is not (ScalarType.BFloat16 or ScalarType.Float16)) return logits;
        using (logits) return logits.to(ScalarType.Float32);
    }

    /// Logits resized to the input size (mmseg `encode_decode`).
    public override Tensor EncodeDecode(Tensor img)
    {
        var features = ExtractFeatures(img);
        try
        {
            using var logits = DecodeLogits(features);
            return Resize.Bilinear(logits, img.shape[2], img.shape[3]);
        }
        finally { foreach (var f in features) f.Dispose(); }
    }

    /// mmseg `EncoderDecoder.forward_train`: one forward, `decode.loss_seg` and `decode.acc_seg`.
    public override TrainingOutput ForwardTrain(Tensor img, Tensor gt, Tensor? pixelWeight = null, Random? random = null, bool returnFeatures = false)
    {
        var features = ExtractFeatures(img);
        var logits = DecodeLogits(features);
        var loss = Loss(logits, gt, pixelWeight);
        var accuracy = Accuracy(logits, gt);
        if (!returnFeatures) foreach (var f in features) f.Dispose();
        return new TrainingOutput(
            [new("decode.loss_seg", loss)],
            new Dictionary<string, double> { ["decode.acc_seg"] = accuracy },
            logits,
            returnFeatures ? features : null);
    }

    /// The original's segmentation loss (spec §3.4): logits bilinearly upsampled to the label size,
    /// per-pixel softmax cross-entropy with ignore index 255 (ignored pixels contribute 0), times the
    /// optional per-pixel weight (B,H,W), averaged over ALL B·H·W pixels (no re-normalisation).
    /// `label` is (B,1,H,W) int64.
    public static Tensor Loss(Tensor logits, Tensor label, Tensor? pixelWeight = null)
    {
        using var target = label.dim() == 4 ? label.squeeze(1) : label.alias();
        using var up = Resize.Bilinear(logits, target.shape[1], target.shape[2]);
        using var perPixel = nn.functional.cross_entropy(up, target, ignore_index: IgnoreIndex, reduction: nn.Reduction.None);
        if (pixelWeight is null) return perPixel.mean();
        using var weighted = perPixel * pixelWeight;
        return weighted.mean();
    }

    /// The decode head's training loss on `features` (mmseg `decode_head.forward_train` + `_parse_losses`):
    /// the sum of one <see cref="Loss"/> per training output of the head (DANet: pam_cam, pam, cam, each
    /// weight 1.0) and the log entries `{output}.loss_seg` / `{output}.acc_seg` (`decode.loss_seg`, or
    /// `decode.pam_cam.loss_seg`, …), with `logPrefix` in front (`mix.`).
    public (Tensor Loss, Dictionary<string, double> Logs) DecodeLosses(Tensor[] features, Tensor label, Tensor? pixelWeight = null, string logPrefix = "")
    {
        var outputs = decode_head.ForwardTrain(features);
        var logs = new Dictionary<string, double>();
        Tensor? total = null;
        foreach (var (name, logits) in outputs)
        {
            var loss = Loss(logits, label, pixelWeight);
            logs[$"{logPrefix}{name}.loss_seg"] = loss.ToDouble();
            logs[$"{logPrefix}{name}.acc_seg"] = Accuracy(logits, label);
            if (total is null) total = loss;
            else
            {
                var sum = total + loss;
                total.Dispose();
                loss.Dispose();
                total = sum;
            }
            logits.Dispose();
        }
        return (total!, logs);
    }

    /// mmseg `accuracy` (logged as `decode.acc_seg`): % of ALL pixels whose arg-max of the upsampled
    /// logits equals the label (ignored pixels count as wrong).
    public static double Accuracy(Tensor logits, Tensor label)
    {
        using var _ = no_grad();
        using var target = label.dim() == 4 ? label.squeeze(1) : label.alias();
        using var up = Resize.Bilinear(logits, target.shape[1], target.shape[2]);
        using var pred = up.argmax(1);
        using var correct = pred.eq(target);
        using var n = correct.sum();
        return n.item<long>() * 100.0 / target.numel();
    }
}
