using DaFormer.Training.Uda;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Uda;

public class ColorJitterTests
{
    static Tensor Rgb(int seed, int h = 5, int w = 6) => rand(2, 3, h, w, generator: new Generator((ulong)seed));

    static Tensor Pixel(double r, double g, double b) => tensor(new[] { (float)r, (float)g, (float)b }).view(1, 3, 1, 1);

    [Fact]
    public void Brightness_is_additive_and_contrast_multiplicative_both_clamped()
    {
        var x = Rgb(1);
        var v = x.data<float>().ToArray();
        var bright = ColorJitter.AdjustBrightness(x, 1.15).data<float>().ToArray();
        var contrast = ColorJitter.AdjustContrast(x, 1.3).data<float>().ToArray();
        for (var i = 0; i < v.Length; i++)
        {
            Assert.Equal(Math.Clamp(v[i] + 0.15, 0, 1), bright[i], 5);
            Assert.Equal(Math.Clamp(v[i] * 1.3, 0, 1), contrast[i], 5);
        }
    }

    /// Textbook RGB→HSV in double with kornia's conventions (H radians, S = Δ/(V + 1e-6), r-g-b priority).
    static (double H, double S, double V) Hsv(double r, double g, double b)
    {
        var max = Math.Max(r, Math.Max(g, b));
        var min = Math.Min(r, Math.Min(g, b));
        var d = max - min;
        double h = d == 0 ? 0 : max == r ? (g - b) / d : max == g ? 2 + (b - r) / d : 4 + (r - g) / d;
        h = ((h / 6) % 1 + 1) % 1;
        return (h * 2 * Math.PI, d / (max + 1e-6), max);
    }

    [Fact]
    public void Rgb_to_hsv_matches_a_per_pixel_formula()
    {
        var x = Rgb(2);
        var hsv = ColorJitter.RgbToHsv(x);
        var v = x.permute(0, 2, 3, 1).reshape(-1, 3).data<float>().ToArray();
        var o = hsv.permute(0, 2, 3, 1).reshape(-1, 3).data<float>().ToArray();
        for (var p = 0; p < v.Length / 3; p++)
        {
            var e = Hsv(v[3 * p], v[3 * p + 1], v[3 * p + 2]);
            var dh = Math.Abs(e.H - o[3 * p]);
            Assert.True(Math.Min(dh, 2 * Math.PI - dh) < 1e-4, $"H at {p}: {e.H} vs {o[3 * p]}");
            Assert.Equal(e.S, o[3 * p + 1], 5);
            Assert.Equal(e.V, o[3 * p + 2], 6);
        }
    }

    [Fact]
    public void Hsv_round_trip_and_neutral_saturation_and_hue_are_identities()
    {
        var x = Rgb(3);
        Assert.True(ColorJitter.HsvToRgb(ColorJitter.RgbToHsv(x)).allclose(x, 0, 1e-5));
        Assert.True(ColorJitter.AdjustSaturation(x, 1.0).allclose(x, 0, 1e-5));
        Assert.True(ColorJitter.AdjustHue(x, 0.0).allclose(x, 0, 1e-5));
        Assert.True(ColorJitter.Apply(x, JitterFactors.Identity).allclose(x, 0, 1e-5));
    }

    [Fact]
    public void Zero_saturation_gives_grey_at_the_value_channel()
    {
        var x = Rgb(4);
        var grey = ColorJitter.AdjustSaturation(x, 0.0);
        var max = x.amax([1], keepdim: true).expand_as(x);
        Assert.True(grey.allclose(max, 0, 1e-6));
    }

    [Theory]
    [InlineData(1.0 / 3, 0, 1, 0)]   // red + 120° → green
    [InlineData(-1.0 / 3, 0, 0, 1)]  // red − 120° → blue (negative fmod path)
    [InlineData(0.5, 0, 1, 1)]       // red + 180° → cyan
    public void Hue_rotates_pure_red(double hue, double r, double g, double b)
    {
        var y = ColorJitter.AdjustHue(Pixel(1, 0, 0), hue);
        Assert.True(y.allclose(Pixel(r, g, b), 0, 1e-5), string.Join(",", y.data<float>().ToArray()));
    }

    [Fact]
    public void Saturation_scales_S_and_keeps_H_and_V()
    {
        var y = ColorJitter.AdjustSaturation(Pixel(0.8, 0.4, 0.2), 0.5);
        // S 0.75 → 0.375 with V 0.8: min = 0.8·(1 − 0.375) = 0.5; hue 1/12 of the circle keeps g in between.
        var expected = Pixel(0.8, 0.6, 0.5);
        Assert.True(y.allclose(expected, 0, 1e-5), string.Join(",", y.data<float>().ToArray()));
    }

    [Fact]
    public void Ops_follow_the_drawn_order()
    {
        var x = Rgb(5);
        var bc = new JitterFactors(1.1, 1.2, 1, 0, [0, 1, 2, 3]);
        var cb = bc with { Order = [1, 0, 3, 2] };
        var expectedBc = ColorJitter.AdjustContrast(ColorJitter.AdjustBrightness(x, 1.1), 1.2);
        var expectedCb = ColorJitter.AdjustBrightness(ColorJitter.AdjustContrast(x, 1.2), 1.1);
        Assert.True(ColorJitter.Apply(x, bc).allclose(expectedBc, 0, 1e-5));
        Assert.True(ColorJitter.Apply(x, cb).allclose(expectedCb, 0, 1e-5));
        Assert.False(expectedBc.allclose(expectedCb, 0, 1e-3));
    }

    [Fact]
    public void Per_sample_factors_apply_to_their_own_sample()
    {
        var x = Rgb(6);
        var f0 = new JitterFactors(1.2, 1, 1, 0, [0, 1, 2, 3]);
        var y = ColorJitter.ApplyPerSample(x, [f0, JitterFactors.Identity]);
        Assert.True(y[0].allclose(ColorJitter.AdjustBrightness(x[0], 1.2), 0, 1e-5));
        Assert.True(y[1].allclose(x[1], 0, 1e-5));
    }

    [Fact]
    public void Drawn_factors_are_in_kornia_ranges_with_a_permutation()
    {
        var rng = new Random(1);
        for (var i = 0; i < 200; i++)
        {
            var f = JitterFactors.Draw(rng);
            Assert.InRange(f.Brightness, 0.8, 1.2);
            Assert.InRange(f.Contrast, 0.8, 1.2);
            Assert.InRange(f.Saturation, 0.8, 1.2);
            Assert.InRange(f.Hue, -0.2, 0.2);
            Assert.Equal([0, 1, 2, 3], f.Order.Order());
        }
    }
}
