using DaFormer.Model.Backbones;
using DaFormer.Model.Heads;
using DaFormer.Model.Segmentors;

namespace DaFormer.Model;

/// Analytic forward-pass FLOP count (multiply + add = 2 FLOPs) of MiT encoders with the DAFormer and
/// SegFormer heads, per image, from the architecture numbers and the input size. Used by the
/// benchmarks to report achieved GFLOP/s; counts convolutions, linear layers and the attention
/// matrix products (norms, activations and resizes are negligible and left out).
public static class FlopCount
{
    /// Forward FLOPs of one image of size h×w, or null for encoders/heads it does not model.
    public static double? Forward(SegmentorSpec spec, int h, int w)
    {
        var v = MitVariant.Find(spec.Encoder);
        if (v is null) return null;
        var (encoder, sizes) = Mit(v, h, w);
        var info = ArchitectureTable.FindHead(spec.Head);
        double Mlp() => Embeds(v, sizes, spec.Channels) + Conv(sizes[0], 4.0 * spec.Channels, spec.Channels, 1) + Conv(sizes[0], spec.Channels, spec.NumClasses, 1);
        var head = info?.Fusion switch
        {
            DaformerFusion.SepAspp => DaformerHead(v, sizes, spec.Channels, spec.NumClasses, sep: true),
            DaformerFusion.Aspp => DaformerHead(v, sizes, spec.Channels, spec.NumClasses, sep: false),
            DaformerFusion.Conv1 => Mlp(),
            // SegFormer's all-MLP head counts as the 1×1 fusion does.
            null when info?.Name == HeadNames.Segformer => Mlp(),
            _ => (double?)null,
        };
        return head is null ? null : encoder + head.Value;
    }

    /// Forward FLOPs of HRDA's training forward on one h×w crop (`HRDAEncoderDecoder.forward_train`):
    /// the encoder and head on the context view (the crop at the LR scale), the scale-attention head
    /// on the context features, and the encoder and head on the detail crop. Null where
    /// <see cref="Forward"/> is.
    public static double? HrdaTrainForward(SegmentorSpec spec, HrdaSpec hrda, int h, int w)
    {
        var (lh, lw) = Scaled(h, w, hrda.LrScale);
        return Sum(Forward(spec, lh, lw), Attention(spec, hrda, lh, lw),
                   Forward(spec, hrda.DetailCropHeight, hrda.DetailCropWidth));
    }

    /// Forward FLOPs of HRDA's inference on one h×w image (`encode_decode`, as the teacher's
    /// pseudo-labels and the test use it): context view and attention as in training, and the
    /// detail branch on every HR sliding window (`hr_slide_inference`) or on the whole image.
    public static double? HrdaInference(SegmentorSpec spec, HrdaSpec hrda, int h, int w)
    {
        var (lh, lw) = Scaled(h, w, hrda.LrScale);
        var (hh, hw) = Scaled(h, w, hrda.HrScale);
        double? detail;
        if (hrda.HrSlideInference)
        {
            int ch = hrda.DetailCropHeight, cw = hrda.DetailCropWidth;
            long rows = SegmentorBase.Windows(hh, ch, hrda.HrSlideOverlapping ? ch / 2 : ch).Count();
            long cols = SegmentorBase.Windows(hw, cw, hrda.HrSlideOverlapping ? cw / 2 : cw).Count();
            detail = rows * cols * Forward(spec, Math.Min(ch, hh), Math.Min(cw, hw));
        }
        else detail = Forward(spec, hh, hw);
        return Sum(Forward(spec, lh, lw), Attention(spec, hrda, lh, lw), detail);
    }

    /// Forward FLOPs of the MiT encoder alone on one h×w image (e.g. the ImageNet model of the feature distance).
    public static double? Encoder(SegmentorSpec spec, int h, int w) =>
        MitVariant.Find(spec.Encoder) is { } v ? Mit(v, h, w).Flops : null;

    /// HRDA's scale-attention head (`HRDAHead.scale_attention`): a DAFormer head with
    /// `attention_embed_dim` channels and a 1×1 fusion, one output per class or one.
    static double? Attention(SegmentorSpec spec, HrdaSpec hrda, int h, int w)
    {
        if (hrda.FixedAttention is not null) return 0;
        if (MitVariant.Find(spec.Encoder) is not { } v) return null;
        var pixels = Mit(v, h, w).Pixels;
        int e = hrda.AttentionEmbedDim, outputs = hrda.AttentionClasswise ? spec.NumClasses : 1;
        return Embeds(v, pixels, e) + Conv(pixels[0], 4.0 * e, e, 1) + Conv(pixels[0], e, outputs, 1);
    }

    /// The size of `Resize.BilinearByFactor` (floor of side × scale).
    static (int H, int W) Scaled(int h, int w, double scale) => ((int)Math.Floor(h * scale), (int)Math.Floor(w * scale));

    static double? Sum(params double?[] parts) => parts.Any(p => p is null) ? null : parts.Sum(p => p!.Value);

    static double Conv(double pixels, double cin, double cout, int k, int groups = 1) => 2.0 * pixels * (cin / groups) * cout * k * k;

    static (double Flops, double[] Pixels) Mit(MitVariant v, int h, int w)
    {
        double total = 0;
        var pixels = new double[4];
        long hs = h, ws = w, cin = 3;
        for (var s = 0; s < 4; s++)
        {
            int k = MitVariant.PatchKernels[s], stride = MitVariant.PatchStrides[s], pad = k / 2;
            hs = (hs + 2 * pad - k) / stride + 1;
            ws = (ws + 2 * pad - k) / stride + 1;
            double n = hs * ws, c = v.EmbedDims[s];
            total += Conv(n, cin, c, k);
            var r = MitVariant.SrRatios[s];
            double nKv = r > 1 ? (hs / r) * (ws / r) : n;
            var block = 2 * n * c * c                          // q
                        + (r > 1 ? Conv(nKv, c, c, r) : 0)      // spatial-reduction conv
                        + 2 * nKv * c * 2 * c                   // kv
                        + 2 * 2 * n * nKv * c                   // q·kᵀ and attn·v over all heads
                        + 2 * n * c * c                         // proj
                        + 2 * n * c * 4 * c + Conv(n, 4 * c, 4 * c, 3, groups: (int)(4 * c)) + 2 * n * 4 * c * c; // Mix-FFN
            total += block * v.Depths[s];
            pixels[s] = n;
            cin = (long)c;
        }
        return (total, pixels);
    }

    static double Embeds(MitVariant v, double[] pixels, int e) => Enumerable.Range(0, 4).Sum(i => 2 * pixels[i] * v.EmbedDims[i] * e);

    static double DaformerHead(MitVariant v, double[] pixels, int e, int classes, bool sep)
    {
        double n = pixels[0], cin = 4.0 * e;
        var branches = Conv(n, cin, e, 1) + 3 * (sep ? Conv(n, cin, cin, 3, groups: (int)cin) + Conv(n, cin, e, 1) : Conv(n, cin, e, 3));
        return Embeds(v, pixels, e) + branches + Conv(n, 4.0 * e, e, 3) + Conv(n, e, classes, 1);
    }
}
