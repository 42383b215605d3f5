using DaFormer.Model;
using DaFormer.Model.Segmentors;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DaFormer.Tests.Model.Segmentors;

/// The detail-crop sampler against the rules of the original's `get_crop_bbox`: offsets
/// `d·randint(0, (margin + 1) // d)` (exclusive upper bound), the box inside the image, no draw
/// when the crop equals the image, an error where the original's randint(0, 0) fails.
public class DetailCropSamplerTests
{
    static readonly Gen<(int H, int W, int Ch, int Cw, int D, int Seed)> Cases =
        from ch in Gen.Choose(1, 64)
        from cw in Gen.Choose(1, 64)
        from d in Gen.Elements(1, 2, 4, 8, 16)
        from mh in Gen.Choose(d - 1, 200)
        from mw in Gen.Choose(d - 1, 200)
        from seed in Gen.Choose(0, 100000)
        select (ch + mh, cw + mw, ch, cw, d, seed);

    [Property]
    public Property Boxes_lie_inside_the_image_have_divisible_offsets_and_the_original_range() =>
        Prop.ForAll(Arb.From(Cases), c =>
        {
            var box = DetailCropSampler.Sample(c.H, c.W, c.Ch, c.Cw, c.D, new Random(c.Seed));
            var maxH = c.D * ((c.H - c.Ch + 1) / c.D - 1);
            var maxW = c.D * ((c.W - c.Cw + 1) / c.D - 1);
            return box.Y1 >= 0 && box.X1 >= 0 && box.Y2 <= c.H && box.X2 <= c.W
                && box.Height == c.Ch && box.Width == c.Cw
                && box.Y1 % c.D == 0 && box.X1 % c.D == 0
                && box.Y1 <= maxH && box.X1 <= maxW;
        });

    [Fact]
    public void For_1024_crops_512_detail_and_8_the_offsets_are_0_to_504_and_all_occur()
    {
        Assert.Equal(Enumerable.Range(0, 64).Select(i => 8 * i), DetailCropSampler.PossibleOffsets(1024, 512, 8));
        var rng = new Random(5);
        var seen = new HashSet<int>();
        for (var i = 0; i < 3000; i++)
        {
            var b = DetailCropSampler.Sample(1024, 1024, 512, 512, 8, rng);
            seen.Add(b.Y1);
            seen.Add(b.X1);
        }
        Assert.Equal(DetailCropSampler.PossibleOffsets(1024, 512, 8).ToHashSet(), seen);
        Assert.DoesNotContain(512, seen); // rows 1016–1023 are never inside the detail crop
    }

    [Fact]
    public void A_crop_equal_to_the_image_is_the_whole_image_and_draws_nothing()
    {
        var rng = new Random(3);
        Assert.Equal(new DetailCropBox(0, 96, 0, 128), DetailCropSampler.Sample(96, 128, 96, 128, 8, rng));
        Assert.Equal(new Random(3).Next(), rng.Next());
    }

    [Fact]
    public void Height_is_drawn_first_like_numpy()
    {
        var expected = new Random(9);
        var offH = 8 * expected.Next(0, (96 - 48 + 1) / 8);
        var offW = 8 * expected.Next(0, (128 - 64 + 1) / 8);
        Assert.Equal(new DetailCropBox(offH, offH + 48, offW, offW + 64), DetailCropSampler.Sample(96, 128, 48, 64, 8, new Random(9)));
    }

    [Fact]
    public void Placements_the_original_cannot_draw_are_one_clear_error()
    {
        // One side equal to the crop: the original's randint(0, 0) raises.
        var e = Assert.Throws<DaFormerError>(() => DetailCropSampler.Sample(1024, 512, 1024, 256, 8, new Random(1)));
        Assert.Contains("multiples of 8", e.Message);
        var small = Assert.Throws<DaFormerError>(() => DetailCropSampler.Sample(256, 256, 512, 512, 8, new Random(1)));
        Assert.Contains("does not fit into the 256x256 training image", small.Message);
    }
}
