using DaFormer.Training.Uda;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Uda;

public class StrongAugmentTests
{
    static readonly double[] Mean = [123.675, 116.28, 103.53];
    static readonly double[] Std = [58.395, 57.12, 57.375];

    static Tensor Normalise(Tensor unit) =>
        (unit * 255.0 - tensor(Mean.Select(v => (float)v).ToArray()).view(1, 3, 1, 1)) / tensor(Std.Select(v => (float)v).ToArray()).view(1, 3, 1, 1);

    [Fact]
    public void Switches_fire_with_the_original_probabilities()
    {
        var rng = new Random(11);
        int jitter = 0, blur = 0;
        const int n = 4000;
        for (var i = 0; i < n; i++)
        {
            var d = StrongAugment.Draw(rng, 2);
            Assert.Equal(d.UColorJitter > 0.2, d.Jitter is not null);
            Assert.Equal(d.UBlur > 0.5, d.BlurSigma is not null);
            if (d.Jitter is not null) { jitter++; Assert.Equal(2, d.Jitter.Count); }
            if (d.BlurSigma is not null) { blur++; Assert.All(d.BlurSigma, s => Assert.InRange(s, 0.15, 1.15)); }
        }
        Assert.InRange(jitter / (double)n, 0.77, 0.83);
        Assert.InRange(blur / (double)n, 0.47, 0.53);
        Assert.Null(StrongAugment.Draw(new Random(1), 2, blur: false).BlurSigma);
    }

    [Fact]
    public void Neutral_jitter_round_trips_through_denormalisation()
    {
        var unit = rand(2, 3, 6, 7, generator: new Generator(3));
        var x = Normalise(unit);
        var draw = new StrongAugmentDraw(0.9, 0.1, [JitterFactors.Identity, JitterFactors.Identity], null);
        var y = StrongAugment.Apply(x, Mean, Std, draw);
        Assert.True(y.allclose(x, 0, 1e-4));
        Assert.NotEqual(x.Handle, y.Handle);
    }

    [Fact]
    public void Brightness_acts_on_the_unit_range_image()
    {
        var unit = rand(1, 3, 4, 5, generator: new Generator(4));
        var draw = new StrongAugmentDraw(0.9, 0.1, [new JitterFactors(1.1, 1, 1, 0, [0, 1, 2, 3])], null);
        var y = StrongAugment.Apply(Normalise(unit), Mean, Std, draw);
        Assert.True(y.allclose(Normalise((unit + 0.1).clamp(0, 1)), 0, 1e-4));
    }

    [Fact]
    public void Blur_comes_after_jitter_and_no_draw_leaves_the_image_unchanged()
    {
        var x = randn(2, 3, 30, 30, generator: new Generator(5));
        var f = new JitterFactors(0.9, 1.1, 1, 0, [1, 0, 2, 3]);
        var draw = new StrongAugmentDraw(0.9, 0.9, [f, f], [0.5, 1.0]);
        var expected = GaussianBlur.Blur(
            Normalise(ColorJitter.ApplyPerSample((x * tensor(Std.Select(v => (float)v).ToArray()).view(1, 3, 1, 1)
                + tensor(Mean.Select(v => (float)v).ToArray()).view(1, 3, 1, 1)) / 255.0, [f, f])), [0.5, 1.0]);
        Assert.True(StrongAugment.Apply(x, Mean, Std, draw).allclose(expected, 0, 1e-4));
        Assert.True(StrongAugment.Apply(x, Mean, Std, StrongAugmentDraw.None).eq(x).all().item<bool>());
    }
}
