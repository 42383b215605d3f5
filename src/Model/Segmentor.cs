using DaFormer.Model.Backbones;
using DaFormer.Model.Heads;
using DaFormer.Model.Layers;
using DaFormer.Model.Necks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model;

/// mmseg `EncoderDecoder` (spec §3.4): `backbone` → optional parameter-free `neck` → `decode_head`.
/// Field names make the state-dict keys `backbone.…` / `decode_head.…`. `forward` = `EncodeDecode`:
/// logits bilinearly resized (align_corners=False) to the input size.
public sealed class Segmentor : nn.Module<Tensor, Tensor>
{
    public const long IgnoreIndex = 255;

    public readonly Encoder backbone;
    public readonly SegFormerAdapter? neck;
    public readonly DecodeHead decode_head;

    public SegmentorSpec Spec { get; }
    public int NumClasses => decode_head.NumClasses;

    /// The dtype the network computes in: float32, or bf16/fp16 after `LowPrecisionInference.Prepare`.
    /// Images are cast to it on the way in; logits come out as float32 whatever it is.
    public ScalarType ComputeType { get; internal set; } = ScalarType.Float32;

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
    public Tensor[] ExtractFeatures(Tensor img)
    {
        if (img.dtype != ComputeType)
        {
            using var cast = img.to(ComputeType);
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
        if (logits.dtype == ScalarType.Float32) return logits;
        using (logits) return logits.to(ScalarType.Float32);
    }

    /// Logits resized to the input size (mmseg `encode_decode`).
    public Tensor EncodeDecode(Tensor img)
    {
        var features = ExtractFeatures(img);
        try
        {
            using var logits = DecodeLogits(features);
            return Resize.Bilinear(logits, img.shape[2], img.shape[3]);
        }
        finally { foreach (var f in features) f.Dispose(); }
    }

    public override Tensor forward(Tensor img) => EncodeDecode(img);

    /// Whole-image inference (`test_cfg.mode='whole'`): logits at the input size.
    public Tensor WholeInference(Tensor img) => EncodeDecode(img);

    /// Sliding-window inference (spec §2.5): windows of `crop` with step `stride`, per axis
    /// `max(H − crop + stride − 1, 0) // stride + 1` windows, each clamped to end inside the image;
    /// overlapping logits are summed and divided by the per-pixel window count.
    public Tensor SlideInference(Tensor img, (int H, int W) crop, (int H, int W) stride)
    {
        long b = img.shape[0], h = img.shape[2], w = img.shape[3];
        var preds = zeros([b, NumClasses, h, w], dtype: img.dtype, device: img.device);
        using var count = zeros([1, 1, h, w], dtype: img.dtype, device: img.device);
        foreach (var (y1, y2) in Windows(h, crop.H, stride.H))
        foreach (var (x1, x2) in Windows(w, crop.W, stride.W))
        {
            using var window = img[.., .., (int)y1..(int)y2, (int)x1..(int)x2];
            using var logits = EncodeDecode(window);
            using var target = preds[.., .., (int)y1..(int)y2, (int)x1..(int)x2];
            target.add_(logits);
            using var c = count[.., .., (int)y1..(int)y2, (int)x1..(int)x2];
            c.add_(1);
        }
        using (preds) return preds.div(count);
    }

    /// Window [start, end) ranges along one axis, as mmseg's slide_inference computes them.
    public static IEnumerable<(long Start, long End)> Windows(long size, long crop, long stride)
    {
        if (crop <= 0 || stride <= 0) throw new DaFormerError($"Sliding-window crop ({crop}) and stride ({stride}) must be positive.");
        var grids = Math.Max(size - crop + stride - 1, 0) / stride + 1;
        for (long i = 0; i < grids; i++)
        {
            var end = Math.Min(i * stride + crop, size);
            yield return (Math.Max(end - crop, 0), end);
        }
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

    /// Enables or disables the stochastic layers (Dropout2d, DropPath) independently of BatchNorm.
    /// The EMA teacher runs with BN in train mode (batch statistics) but stochastic layers off
    /// (spec §4.5): call `train()` then `SetStochasticLayersEnabled(false)`, or `TeacherMode()`.
    /// Note that a later `train()`/`eval()` resets these layers together with the rest.
    public void SetStochasticLayersEnabled(bool enabled)
    {
        foreach (var m in modules())
            if (m is Dropout2d or DropPath) m.train(enabled);
    }

    /// BN in train mode, Dropout/DropPath off — the EMA teacher's state during training (spec §4.5).
    public void TeacherMode()
    {
        train();
        SetStochasticLayersEnabled(false);
    }
}
