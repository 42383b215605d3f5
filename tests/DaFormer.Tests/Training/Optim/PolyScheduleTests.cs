using DaFormer.Tests.Support;
using DaFormer.Training.Optim;
using FsCheck;
using FsCheck.Fluent;

namespace DaFormer.Tests.Training.Optim;

public class PolyScheduleTests
{
    static void AssertRel(double expected, double actual, double rel, string what)
    {
        var tol = rel * Math.Abs(expected);
        Assert.True(Math.Abs(expected - actual) <= tol, $"{what}: expected {expected:R}, got {actual:R}");
    }

    [Fact]
    public void Matches_the_original_poly_warmup_lr_for_both_groups()
    {
        var f = FixtureJson.Algorithms.GetProperty("poly_lr_warmup");
        var iters = FixtureJson.Ints(f.GetProperty("iters"));
        var bases = FixtureJson.Numbers(f.GetProperty("param_group_base_lrs"));
        var lrs = f.GetProperty("lr").EnumerateArray().Select(FixtureJson.Numbers).ToArray();
        var maxIters = f.GetProperty("max_iters").GetInt32();
        var warmup = f.GetProperty("warmup_iters").GetInt32();
        var ratio = f.GetProperty("warmup_ratio").GetDouble();
        Assert.Equal(21, iters.Length);
        for (var k = 0; k < iters.Length; k++)
            for (var g = 0; g < 2; g++)
            {
                var lr = PolySchedule.LearningRate(bases[g], iters[k], maxIters, power: 1.0, minLr: 0.0, warmupIters: warmup, warmupRatio: ratio);
                AssertRel(lrs[k][g], lr, 1e-12, $"iter {iters[k]} group {g}");
                AssertRel(lrs[k][g], PolySchedule.Poly10Warm(bases[g], iters[k]), 1e-12, $"poly10warm iter {iters[k]} group {g}");
            }
    }

    [Theory]
    [InlineData(0, 6.0000000002e-11)]
    [InlineData(1, 4.00589585e-08)]
    [InlineData(750, 2.94375294375e-05)]
    [InlineData(1499, 5.77129990385e-05)]
    [InlineData(1500, 5.775e-05)]
    [InlineData(20000, 3.0e-05)]
    [InlineData(39999, 1.5e-09)]
    public void Matches_the_spec_table(int iter, double backbone)
    {
        AssertRel(backbone, PolySchedule.Poly10Warm(6e-5, iter), 1e-9, "backbone");
        AssertRel(backbone * 10, PolySchedule.Poly10Warm(6e-4, iter), 1e-9, "head");
    }

    [Fact]
    public void Reaches_zero_at_max_iters() => Assert.Equal(0.0, PolySchedule.Poly10Warm(6e-5, 40_000));

    [Fact]
    public void Poly10_with_min_lr_above_the_backbone_rate_rises_for_the_backbone_and_falls_for_the_head()
    {
        // Halfway: (b − 1e-4)·0.5 + 1e-4.
        AssertRel(8e-5, PolySchedule.Poly10(6e-5, 20_000), 1e-12, "backbone");
        AssertRel(3.5e-4, PolySchedule.Poly10(6e-4, 20_000), 1e-12, "head");
        Assert.Equal(6e-5, PolySchedule.Poly10(6e-5, 0), 15);
        Assert.True(PolySchedule.Poly10(6e-5, 30_000) > PolySchedule.Poly10(6e-5, 10_000));
    }

    [FsCheck.Xunit.Property]
    public Property Warmup_never_exceeds_and_after_warmup_equals_the_plain_decay() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, 39_999)), i =>
        {
            var plain = PolySchedule.LearningRate(6e-5, i, 40_000);
            var warm = PolySchedule.Poly10Warm(6e-5, i);
            return i >= 1500 ? warm == plain : warm <= plain && warm > 0;
        });

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PolySchedule.LearningRate(1, -1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => PolySchedule.LearningRate(1, 0, 0));
    }
}
