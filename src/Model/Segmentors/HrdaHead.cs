using DaFormer.Model.Runtime;
using DaFormer.Model.LowPrecision;
using DaFormer.Model.Heads;
using DaFormer.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Segmentors;

/// HRDA's decode head (the original's `mmseg/models/decode_heads/hrda_head.py`, `HRDAHead`). It has
/// no parameters of its own; it owns two DAFormer heads, each shared by both views:
/// - `head`: the configured DAFormer head, run on the context (LR) and the detail (HR) features;
/// - `scale_attention`: a lighter DAFormer head on the context features only, with
///   `attention_embed_dim` channels, a 1×1 ConvModule fusion instead of ASPP, and one output
///   channel per class (or one in all). Absent with a fixed attention.
/// Field order gives the original's keys `decode_head.head.*` then `decode_head.scale_attention.*`.
public sealed class HrdaHead : nn.Module
{
    /// Output stride of the DAFormer head on MiT features (the original's `os`).
    public const int OutputStride = 4;

    public readonly DaformerHead head;
    public readonly DaformerHead? scale_attention;
    readonly HrdaSpec spec;

    public int NumClasses => head.NumClasses;

    public HrdaHead(IReadOnlyList<int> inChannels, int channels, int numClasses, DaformerFusion fusion, double dropoutRatio, HrdaSpec spec)
        : base(nameof(HrdaHead))
    {
        this.spec = spec;
        head = new DaformerHead(inChannels, channels, numClasses, fusion, dropoutRatio);
        if (spec.FixedAttention is null)
        {
            // HRDAHead.__init__: an 'aspp' fusion (separable or not) becomes a 1×1 conv in the attention head.
            var attentionFusion = fusion is DaformerFusion.SepAspp or DaformerFusion.Aspp ? DaformerFusion.Conv1 : fusion;
            scale_attention = new DaformerHead(inChannels, spec.AttentionEmbedDim, spec.AttentionClasswise ? numClasses : 1,
                                               attentionFusion, dropoutRatio);
        }
        RegisterComponents();
    }

    /// Class logits of one view at stride 4 (the shared `head`), float32 also under `Autocast` (the
    /// fusion and the losses run in float32).
    public Tensor Decode(Tensor[] features) => Autocast.ToFloat32(head.forward(features));

    /// `sigmoid(scale_attention(F_LR))` (B, C or 1, h, w), or the fixed attention as a constant map.
    public Tensor Attention(Tensor[] lrFeatures, Tensor lrLogits)
    {
        if (scale_attention is null)
        {
            using var value = spec.FixedAttention!.Value.ToScalar();
            return full([lrLogits.shape[0], 1, lrLogits.shape[2], lrLogits.shape[3]], value, dtype: lrLogits.dtype, device: lrLogits.device);
        }
        using var raw = Autocast.ToFloat32(scale_attention.forward(lrFeatures));
        return raw.sigmoid();
    }

    /// `HRDAHead.decode_hr` for sliding windows: the head runs once on all windows' features
    /// (window-major batch), each window's logits are added into a stride-4 canvas at its box / 4
    /// (truncated), and the canvas is divided by the number of windows covering each cell.
    public Tensor DecodeSlide(Tensor[] windowFeatures, IReadOnlyList<DetailCropBox> boxes, long batch)
    {
        using var logits = Autocast.ToFloat32(head.forward(windowFeatures));
        var cells = boxes.Select(b => b.Scaled(OutputStride)).ToList();
        long h = cells.Max(c => c.Y2), w = cells.Max(c => c.X2);
        var canvas = zeros([batch, logits.shape[1], h, w], dtype: logits.dtype, device: logits.device);
        using var count = zeros([batch, 1, h, w], dtype: logits.dtype, device: logits.device);
        for (var k = 0; k < cells.Count; k++)
        {
            var c = cells[k];
            using var part = logits[(int)(k * batch)..(int)((k + 1) * batch)];
            using var slot = canvas[.., .., c.Y1..c.Y2, c.X1..c.X2];
            slot.PlusInPlace(part);
            using var n = count[.., .., c.Y1..c.Y2, c.X1..c.X2];
            n.PlusInPlace(1L);
        }
        using var zero = 0.ToScalar();
        using var uncovered = count.eq(zero).any();
        if (uncovered.item<bool>()) throw new InvalidOperationException("HRDA slide windows leave cells of the canvas uncovered.");
        using (canvas) return canvas.div(count);
    }

    /// `HRDAHead.forward` after the per-view logits: with a detail box (training) the attention is
    /// zeroed outside the box at context resolution, the context logits are scaled by (1 − a), both
    /// are upsampled by hr/lr scale (bilinear with the factor), and the detail logits, hard-inserted
    /// at box / 4, are added with weight `up(a)`. Returns (fused, scaled context logits). The mask
    /// comes before the upsampling, so `up(a)` ramps down over about one context cell at the box
    /// border while the detail logits are cut hard — as in the original.
    public static (Tensor Fused, Tensor ScaledLr) Fuse(Tensor lr, Tensor hr, Tensor attention, DetailCropBox? box,
                                                      double lrScale, double hrScale)
    {
        using var scope = NewDisposeScope();
        var a = attention;
        if (box is { } b)
        {
            var m = b.Scaled(OutputStride / lrScale);
            var mask = zeros([lr.shape[0], 1, lr.shape[2], lr.shape[3]], dtype: lr.dtype, device: lr.device);
            mask[.., .., m.Y1..m.Y2, m.X1..m.X2].FilledWith(1);
            a = a * mask;
        }
        var scaledLr = a.SubtractedFrom(1) * lr;
        var factor = hrScale / lrScale;
        var upLr = Resize.BilinearByFactor(scaledLr, factor);
        var upA = Resize.BilinearByFactor(a, factor);
        Tensor hrInserted;
        if (box is { } b2)
        {
            var c = b2.Scaled(OutputStride / hrScale);
            hrInserted = zeros_like(upLr);
            hrInserted[.., .., c.Y1..c.Y2, c.X1..c.X2].copy_(hr);
        }
        else hrInserted = hr;
        if (!hrInserted.shape.SequenceEqual(upLr.shape))
            throw new InvalidOperationException($"HRDA fusion: detail logits [{string.Join(",", hrInserted.shape)}] and upsampled context logits [{string.Join(",", upLr.shape)}] differ in size.");
        var fused = (upA * hrInserted).Plus(upLr);
        return (fused.MoveToOuterDisposeScope(), scaledLr.MoveToOuterDisposeScope());
    }
}
