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

    /// Expected bytes produced by OpenCV 4.13 itself (OpenCvSharp, `Cv2.Resize(..., InterpolationFlags.Linear)`)
    /// on the input (x·37 + y·91 + c·53 + x·y·17) mod 256 — an external reference for the fixed-point rounding.
    [Theory]
    [InlineData(9, 7, 4, 3, "5B90C5C7678789B489612B60487DB22E6378B4E93E9A6FA475AA6A699F74695373737267")]
    [InlineData(5, 4, 11, 9, "00356A073C71174D81285D92396EA34A7FB45B90C56BA1D67CB1E68DC2F794C9FE0F4479164B80285D923A70A04D829F5F949E7192B08391C2859FD484B1E784B9EE386DA14075AA568BC06BA0C781B69596CB64AC9A79C1688F9E6FA46C85BA598EC26095BC6A9CC683AFDF9BC3E2ADDC8DC0F438D9A051F24B6AB3497E5E5B903C629889BE7394B17EB0949AC181ABA39E8D86BB70A29D8CBE7FA8AC61968E437883386DB1E629BEC736DD7956E7417499608E4B80A76B99C78BB3E7A57AAFBF2B60C90C4176AB43849C51A77875BC638F98868575A97B6B9F9E6195C27B77AC9E5388AC457A2C616C3C697B637DA28594B599BA7BACE14172A767386C8E4B70A57284B9818BC011467B21568B497EB371A6C499CE77C1F62B74A953285D7B396EA36196CB71A6DB")]
    [InlineData(13, 9, 10, 6, "1D52875287A0888DB27EB3DEB3A5476C34532254895489BE8ABF67BFBE29A9C153AA758D979CC1A422574479989BA648B5305C497EB39FD47C53526035619691A281558A5F5D92BE92B1696382B7C5443C3D72A7B55D92536297A5D0627E906F64996E83B83766857759776998CD0F31669B6172A76D99CE457A9272A75593C85D7A689D9D558AB1697578A4D6565B905388BD9A992AB4467B5F94ACA1466BA098CD716398A798A44B80B2DA4F54699E7CD12C61")]
    public void Bilinear_is_bit_identical_to_OpenCV(int sw, int sh, int dw, int dh, string expectedHex)
    {
        var px = new byte[sw * sh * 3];
        for (var y = 0; y < sh; y++)
            for (var x = 0; x < sw; x++)
                for (var c = 0; c < 3; c++)
                    px[(y * sw + x) * 3 + c] = (byte)((x * 37 + y * 91 + c * 53 + x * y * 17) % 256);
        Assert.Equal(expectedHex, Convert.ToHexString(Resize.Bilinear(new RgbImage(sw, sh, px), dw, dh).Pixels));
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
