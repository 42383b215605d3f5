using DaFormer.Training.Data;
using DaFormer.Training.Data.Pipeline;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DaFormer.Tests.Training.Data.Pipeline;

public class RandomCropTests
{
    static LabelMap RandomLabel(int w, int h, Random r, byte[] values) =>
        new(w, h, Enumerable.Range(0, w * h).Select(_ => values[r.Next(values.Length)]).ToArray());

    [Property(MaxTest = 200)]
    public Property Accepts_iff_more_than_one_class_and_the_largest_is_below_the_ratio() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, 100000)), Arb.From(Gen.Choose(1, 99)), (seed, ratioPct) =>
        {
            var r = new Random(seed);
            var values = new[] { (byte)0, (byte)1, (byte)255, (byte)(r.Next(3) == 0 ? 1 : 7) }.Take(r.Next(1, 5)).ToArray();
            var label = RandomLabel(r.Next(1, 9), r.Next(1, 9), r, values);
            var box = RandomCrop.DrawBox(label.Height, label.Width, r.Next(1, 9), r.Next(1, 9), r);
            var inside = new List<byte>();
            for (var y = box.Top; y < box.Bottom; y++)
                for (var x = box.Left; x < box.Right; x++) inside.Add(label[y, x]);
            var counts = inside.Where(v => v != 255).GroupBy(v => v).Select(g => g.Count()).ToList();
            var ratio = ratioPct / 100.0;
            var expected = counts.Count > 1 && (double)counts.Max() / counts.Sum() < ratio;
            return RandomCrop.Accepts(label, box, ratio) == expected;
        });

    [Property(MaxTest = 200)]
    public Property Boxes_lie_inside_the_image_with_offsets_up_to_the_margin() =>
        Prop.ForAll(Arb.From(from h in Gen.Choose(1, 60) from w in Gen.Choose(1, 60) from crop in Gen.Choose(1, 40) from seed in Gen.Choose(0, 9999) select (h, w, crop, seed)),
            x =>
            {
                var (h, w, crop, seed) = x;
                var b = RandomCrop.DrawBox(h, w, crop, crop, new Random(seed));
                return b.Top >= 0 && b.Left >= 0 && b.Top <= Math.Max(h - crop, 0) && b.Left <= Math.Max(w - crop, 0)
                       && b.Height == Math.Min(crop, h) && b.Width == Math.Min(crop, w) && b.Bottom <= h && b.Right <= w;
            });

    [Fact]
    public void A_never_acceptable_label_uses_the_box_drawn_after_the_tenth_check()
    {
        var single = new LabelMap(20, 20, Enumerable.Repeat((byte)3, 400).ToArray());
        var replay = new Random(42);
        CropBox eleventh = default;
        for (var i = 0; i < 11; i++) eleventh = RandomCrop.DrawBox(20, 20, 5, 5, replay);
        Assert.Equal(eleventh, RandomCrop.Choose(single, 5, 5, 0.75, new Random(42)));
    }

    [Fact]
    public void An_acceptable_first_box_and_a_disabled_ratio_use_the_first_draw()
    {
        var r = new Random(1);
        var mixed = RandomLabel(20, 20, r, [0, 1, 2, 3]);
        var first = RandomCrop.DrawBox(20, 20, 5, 5, new Random(7));
        Assert.Equal(first, RandomCrop.Choose(mixed, 5, 5, 0.75, new Random(7)));
        var single = new LabelMap(20, 20, Enumerable.Repeat((byte)3, 400).ToArray());
        Assert.Equal(first, RandomCrop.Choose(single, 5, 5, 1.0, new Random(7)));
    }
}
