using DaFormer.Model.Backbones;
using DaFormer.Model.Heads;

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
