using DaFormer.Training.Data;
using DaFormer.Training.Data.Pipeline;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DaFormer.Tests.Training.Data.Pipeline;

public class ResizeTests
{
    [Theory] // spec §2.2 / §9.5
    [InlineData(1914, 1052, 1280, 720, 1280, 704)]
    [InlineData(1280, 760, 1280, 760, 1280, 760)]
    [InlineData(2048, 1024, 1024, 512, 1024, 512)]
    [InlineData(1920, 1080, 960, 540, 960, 540)]
    [InlineData(2048, 1024, 512, 1024, 1024, 512)] // scale tuple order does not matter
    public void KeepRatio_matches_the_spec_sizes(int w, int h, int a, int b, int ew, int eh) =>
        Assert.Equal((ew, eh), KeepRatio.Size(w, h, a, b));

    [Property(MaxTest = 300)]
    public Property KeepRatio_is_within_rounding_of_the_ratio_and_respects_both_bounds() =>
        Prop.ForAll(Arb.From(from w in Gen.Choose(1, 4000) from h in Gen.Choose(1, 4000) from a in Gen.Choose(16, 2048) from b in Gen.Choose(16, 2048) select (w, h, a, b)),
            x =>
            {
                var (w, h, a, b) = x;
                var (nw, nh) = KeepRatio.Size(w, h, a, b);
                double s = Math.Min((double)Math.Max(a, b) / Math.Max(w, h), (double)Math.Min(a, b) / Math.Min(w, h));
                bool rounding = Math.Abs(nw - w * s) <= 0.5 + 1e-9 && Math.Abs(nh - h * s) <= 0.5 + 1e-9;
                bool bounds = Math.Max(nw, nh) <= Math.Max(a, b) && Math.Min(nw, nh) <= Math.Min(a, b);
                bool tight = Math.Max(nw, nh) == Math.Max(a, b) || Math.Min(nw, nh) == Math.Min(a, b);
                return rounding && bounds && tight;
            });

    static RgbImage RandomImage(int w, int h, int seed)
    {
        var r = new Random(seed);
        var p = new byte[w * h * 3];
        r.NextBytes(p);
        return new RgbImage(w, h, p);
    }

    /// Independent textbook formula: half-pixel centres, coordinates clamped at the borders,
    /// bilinear weights in double precision, rounded to the nearest integer.
    static double Reference(RgbImage src, int dw, int dh, int x, int y, int c)
    {
        double fx = Math.Clamp((x + 0.5) * src.Width / dw - 0.5, 0, src.Width - 1);
        double fy = Math.Clamp((y + 0.5) * src.Height / dh - 0.5, 0, src.Height - 1);
        int x0 = (int)Math.Floor(fx), y0 = (int)Math.Floor(fy);
        int x1 = Math.Min(x0 + 1, src.Width - 1), y1 = Math.Min(y0 + 1, src.Height - 1);
        double ax = fx - x0, ay = fy - y0;
        double top = src[y0, x0, c] * (1 - ax) + src[y0, x1, c] * ax;
        double bottom = src[y1, x0, c] * (1 - ax) + src[y1, x1, c] * ax;
        return top * (1 - ay) + bottom * ay;
    }

    [Theory]
    [InlineData(7, 5, 3, 2)]     // downscale, odd sizes
    [InlineData(19, 11, 13, 7)]  // GTA-like ratio
    [InlineData(5, 4, 11, 9)]    // upscale
    [InlineData(8, 6, 4, 3)]     // exact 2x (OpenCV switches to INTER_AREA)
    [InlineData(6, 6, 6, 3)]     // one axis only
    public void Bilinear_agrees_with_the_per_pixel_formula_within_one_grey_level(int sw, int sh, int dw, int dh)
    {
        var src = RandomImage(sw, sh, sw * 100 + dw);
        var dst = Resize.Bilinear(src, dw, dh);
        Assert.Equal((dw, dh), (dst.Width, dst.Height));
        for (var y = 0; y < dh; y++)
            for (var x = 0; x < dw; x++)
                for (var c = 0; c < 3; c++)
                    Assert.True(Math.Abs(dst[y, x, c] - Reference(src, dw, dh, x, y, c)) <= 1.0,
                        $"pixel ({x},{y},{c}): {dst[y, x, c]} vs {Reference(src, dw, dh, x, y, c):F3}");
    }

    [Fact]
    public void Bilinear_of_a_constant_image_is_the_constant()
    {
        var src = new RgbImage(9, 7, Enumerable.Repeat((byte)200, 9 * 7 * 3).ToArray());
        Assert.All(Resize.Bilinear(src, 5, 4).Pixels, v => Assert.Equal(200, v));
        Assert.All(Resize.Bilinear(src, 13, 11).Pixels, v => Assert.Equal(200, v));
    }

    [Property(MaxTest = 40)]
    public Property BilinearRegion_equals_the_crop_of_the_full_resize() =>
        Prop.ForAll(Arb.From(from sw in Gen.Choose(2, 24) from sh in Gen.Choose(2, 24) from dw in Gen.Choose(2, 24) from dh in Gen.Choose(2, 24) from seed in Gen.Choose(0, 1000) select (sw, sh, dw, dh, seed)),
            x =>
            {
                var (sw, sh, dw, dh, seed) = x;
                var src = RandomImage(sw, sh, seed);
                var r = new Random(seed);
                int top = r.Next(dh), left = r.Next(dw);
                var box = new CropBox(top, left, r.Next(1, dh - top + 1), r.Next(1, dw - left + 1));
                var full = Crop.Image(Resize.Bilinear(src, dw, dh), box);
                var part = Resize.BilinearRegion(src, dw, dh, box);
                return full.Pixels.AsSpan().SequenceEqual(part.Pixels);
            });

    [Fact]
    public void Nearest_takes_floor_of_dst_times_src_over_dst()
    {
        var src = new LabelMap(7, 3, Enumerable.Range(0, 21).Select(i => (byte)i).ToArray());
        var dst = Resize.Nearest(src, 4, 2);
        for (var y = 0; y < 2; y++)
            for (var x = 0; x < 4; x++)
                Assert.Equal(src[(int)Math.Floor(y * 3.0 / 2), (int)Math.Floor(x * 7.0 / 4)], dst[y, x]);
        var up = Resize.Nearest(src, 15, 7);
        Assert.Equal(src[2, 6], up[6, 14]);
        Assert.Equal(src[0, 0], up[0, 0]);
    }
}
