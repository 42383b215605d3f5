using DaFormer.Model.Runtime;
using static TorchSharp.torch;

namespace DaFormer.Training.Uda;

/// Random factors of one kornia ColorJitter call (one image in the DACS mix step). Brightness/contrast/
/// saturation are multiplicative-style factors around 1, `Hue` is a fraction of the colour circle in
/// [−0.5, 0.5]; `Order` is the permutation of ops (0 brightness, 1 contrast, 2 saturation, 3 hue).
public sealed record JitterFactors(double Brightness, double Contrast, double Saturation, double Hue, int[] Order)
{
    public static JitterFactors Identity { get; } = new(1, 1, 1, 0, [0, 1, 2, 3]);

    /// kornia 0.5 ColorJitter(s, s, s, s): b, c, sat ~ U(1−s, 1+s), hue ~ U(−s, s), random order.
    public static JitterFactors Draw(Random rng, double strength = 0.2)
    {
        double U(double lo, double hi) => lo + (hi - lo) * rng.NextDouble();
        var b = U(1 - strength, 1 + strength);
        var c = U(1 - strength, 1 + strength);
        var s = U(1 - strength, 1 + strength);
        var h = U(-strength, strength);
        var order = new[] { 0, 1, 2, 3 };
        for (var i = order.Length - 1; i > 0; i--) { var j = rng.Next(i + 1); (order[i], order[j]) = (order[j], order[i]); }
        return new JitterFactors(b, c, s, h, order);
    }
}

/// Colour jitter with kornia 0.5 semantics (spec §4.4 step 7) on RGB images in [0, 1], shape (…,3,H,W).
public static class ColorJitter
{
    /// kornia's rgb_to_hsv eps (s = Δ / (v + eps)).
    public const double HsvEps = 1e-6;

    public static Tensor AdjustBrightness(Tensor x, double factor)
    {
        using var scope = NewDisposeScope();
        return x.Plus(factor - 1.0).Clamped(0.0, 1.0).MoveToOuterDisposeScope();   // additive (kornia 0.5)
    }

    public static Tensor AdjustContrast(Tensor x, double factor)
    {
        using var scope = NewDisposeScope();
        return x.Times(factor).Clamped(0.0, 1.0).MoveToOuterDisposeScope();        // multiplicative, no mean
    }

    public static Tensor AdjustSaturation(Tensor x, double factor)
    {
        using var scope = NewDisposeScope();
        var hsv = RgbToHsv(x);
        var s = hsv.narrow(-3, 1, 1).Times(factor).Clamped(0.0, 1.0);
        return HsvToRgb(cat([hsv.narrow(-3, 0, 1), s, hsv.narrow(-3, 2, 1)], -3)).MoveToOuterDisposeScope();
    }

    /// `hue` is a fraction of the circle; H ← fmod(H + 2π·hue, 2π) (truncated: may be negative, which
    /// HsvToRgb wraps with floor/remainder like kornia).
    public static Tensor AdjustHue(Tensor x, double hue)
    {
        using var scope = NewDisposeScope();
        var hsv = RgbToHsv(x);
        var h = hsv.narrow(-3, 0, 1).Plus(hue * 2 * Math.PI).Fmod(2 * Math.PI);
        return HsvToRgb(cat([h, hsv.narrow(-3, 1, 2)], -3)).MoveToOuterDisposeScope();
    }

    /// kornia 0.5.8 rgb_to_hsv: H in radians [0, 2π), S = Δ/(V + eps), V = max. The hue formula is
    /// chosen by the FIRST channel holding the maximum (r, then g, then b).
    public static Tensor RgbToHsv(Tensor rgb)
    {
        using var scope = NewDisposeScope();
        var r = rgb.narrow(-3, 0, 1); var g = rgb.narrow(-3, 1, 1); var b = rgb.narrow(-3, 2, 1);
        var maxc = rgb.amax([-3], keepdim: true);
        var minc = rgb.amin([-3], keepdim: true);
        var delta = maxc - minc;
        var s = delta / maxc.Plus(HsvEps);
        var d = delta.FilledWhere(delta.Equal(0), 1.0);
        var rc = maxc - r; var gc = maxc - g; var bc = maxc - b;
        var isR = r.eq(maxc);
        var isG = g.eq(maxc).logical_and(isR.logical_not());
        var h = where(isR, bc - gc, where(isG, d.Times(2.0).Plus(rc) - bc, d.Times(4.0).Plus(gc) - rc)) / d;
        h = h.DividedBy(6.0).Remainder(1.0).Times(2 * Math.PI);
        return cat([h, s, maxc], -3).MoveToOuterDisposeScope();
    }

    /// kornia 0.5.8 hsv_to_rgb: sector hi = floor(6h) mod 6, f = (6h mod 6) − hi, gather of (v,q,p,t).
    public static Tensor HsvToRgb(Tensor hsv)
    {
        using var scope = NewDisposeScope();
        var h = hsv.narrow(-3, 0, 1).DividedBy(2 * Math.PI);
        var s = hsv.narrow(-3, 1, 1); var v = hsv.narrow(-3, 2, 1);
        var h6 = h.Times(6.0);
        var hi = h6.floor().Remainder(6.0);
        var f = h6.Remainder(6.0) - hi;
        var p = v * s.SubtractedFrom(1.0);
        var q = v * (f * s).SubtractedFrom(1.0);
        var t = v * (f.SubtractedFrom(1.0) * s).SubtractedFrom(1.0);
        var index = hi.to(ScalarType.Int64);
        var planes = cat([v, q, p, p, t, v, t, v, v, q, p, p, p, p, t, v, v, q], -3);
        var indices = cat([index, index.Plus(6), index.Plus(12)], -3);
        return planes.gather(-3, indices).MoveToOuterDisposeScope();
    }

    /// The four ops in `f.Order` on one image or a batch sharing the same factors.
    public static Tensor Apply(Tensor x, JitterFactors f)
    {
        using var scope = NewDisposeScope();
        var y = x;
        foreach (var op in f.Order)
            y = op switch
            {
                0 => AdjustBrightness(y, f.Brightness),
                1 => AdjustContrast(y, f.Contrast),
                2 => AdjustSaturation(y, f.Saturation),
                3 => AdjustHue(y, f.Hue),
                _ => throw new ArgumentException($"jitter op index {op} is not 0..3"),
            };
        return y.MoveToOuterDisposeScope();
    }

    /// Per-sample factors on a (B,3,H,W) batch (DACS calls the jitter once per mixed image).
    public static Tensor ApplyPerSample(Tensor batch, IReadOnlyList<JitterFactors> factors)
    {
        if (factors.Count != batch.shape[0]) throw new ArgumentException($"{factors.Count} jitter draws for a batch of {batch.shape[0]}");
        using var scope = NewDisposeScope();
        return cat(Enumerable.Range(0, factors.Count).Select(i => Apply(batch[i..(i + 1)], factors[i])).ToArray(), 0)
            .MoveToOuterDisposeScope();
    }
}
