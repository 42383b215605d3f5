using DaFormer.Tests.Support;
using DaFormer.Training.Uda;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Uda;

public class FeatureDistanceTests
{
    static Tensor T(string key) => FixtureJson.AlgorithmsTensor(key);
    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();
    static System.Text.Json.JsonElement F => FixtureJson.Algorithms.GetProperty("feature_distance");

    static void AssertRel(double expected, double actual, double rel = 1e-5) =>
        Assert.True(Math.Abs(expected - actual) <= rel * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    [Fact]
    public void Label_downscale_and_thing_mask_match_the_original()
    {
        var r = FeatureDistance.DownscaleLabelRatio(T("fd.gt"), F.GetProperty("scale_factor").GetInt32(),
            F.GetProperty("min_ratio").GetDouble(), F.GetProperty("n_classes").GetInt32(), 255);
        Assert.True(Same(T("fd.gt_rescaled"), r));
        var classes = FixtureJson.Ints(F.GetProperty("fdist_classes")).Select(x => (long)x).ToArray();
        Assert.Equal(FeatureDistance.ThingClasses, classes);
        var mask = FeatureDistance.ClassMask(r, classes);
        Assert.True(Same(T("fd.fdist_mask").to(ScalarType.Bool), mask));
        Assert.Equal(F.GetProperty("n_mask_true").GetInt64(), mask.sum().item<long>());
    }

    [Fact]
    public void Masked_distance_all_cell_distance_and_loss_match_the_original()
    {
        var (fs, fi, gt) = (T("fd.feat_student"), T("fd.feat_imnet"), T("fd.gt"));
        var masked = FeatureDistance.Compute(fs, fi, gt, 1.0, FeatureDistance.ThingClasses);
        AssertRel(F.GetProperty("masked_feat_dist").GetDouble(), masked.Value);
        Assert.Equal(20, masked.SelectedCells);
        var all = FeatureDistance.Compute(fs, fi, gt, 1.0, null);
        AssertRel(F.GetProperty("feat_dist_all_pixels").GetDouble(), all.Value);
        var loss = FeatureDistance.Compute(fs, fi, gt, F.GetProperty("lambda_").GetDouble(), FeatureDistance.ThingClasses);
        AssertRel(F.GetProperty("feat_loss").GetDouble(), loss.Value);
    }

    [Fact]
    public void Spec_9_7_toy_example()
    {
        var gt = tensor(new long[] { 13, 13, 11, 11, 13, 255, 12, 12, 255, 255, 18, 18, 255, 0, 18, 18 }).reshape(1, 1, 4, 4);
        var r = FeatureDistance.DownscaleLabelRatio(gt, 2, 0.75, 19, 255);
        Assert.Equal([13L, 255, 255, 18], r.data<long>().ToArray());
        Assert.Equal([true, false, false, true], FeatureDistance.ClassMask(r, FeatureDistance.ThingClasses).data<bool>().ToArray());
    }

    /// Independent per-cell loop: majority class (lowest on ties), ignore → 255, fraction < minRatio → 255.
    static long[] ReferenceDownscale(long[] gt, int b, int hh, int ww, int sf, double minRatio, int n)
    {
        int h = hh / sf, w = ww / sf;
        var res = new long[b * h * w];
        for (var i = 0; i < b; i++)
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    var counts = new int[n + 1];
                    for (var dy = 0; dy < sf; dy++)
                        for (var dx = 0; dx < sf; dx++)
                        {
                            var v = gt[(i * hh + y * sf + dy) * ww + x * sf + dx];
                            counts[v == 255 ? n : v]++;
                        }
                    var best = 0;
                    for (var c = 1; c <= n; c++) if (counts[c] > counts[best]) best = c;
                    var frac = (float)counts[best] / (sf * sf);
                    res[(i * h + y) * w + x] = best == n || frac < (float)minRatio ? 255 : best;
                }
        return res;
    }

    [Theory]
    [InlineData(0, 3, 0.5)]
    [InlineData(1, 4, 0.75)]
    [InlineData(2, 2, 0.3)]
    [InlineData(3, 5, 0.6)]
    public void Downscale_equals_a_per_cell_loop_on_random_labels_with_remainders(int seed, int sf, double minRatio)
    {
        var rng = new Random(seed);
        const int b = 2, hh = 13, ww = 17, n = 4;   // sizes not divisible by sf: the remainder is dropped
        var gt = Enumerable.Range(0, b * hh * ww).Select(_ => rng.Next(6) == 5 ? 255L : rng.Next(n)).ToArray();
        var r = FeatureDistance.DownscaleLabelRatio(tensor(gt).reshape(b, 1, hh, ww), sf, minRatio, n, 255);
        Assert.Equal([b, 1, hh / sf, ww / sf], r.shape);
        Assert.Equal(ReferenceDownscale(gt, b, hh, ww, sf, minRatio, n), r.data<long>().ToArray());
    }

    [Fact]
    public void No_selected_cell_gives_no_loss_and_a_NaN_value()
    {
        var gt = full(1, 1, 8, 8, 255L);
        var fs = randn(1, 4, 2, 2, requires_grad: true);
        var res = FeatureDistance.Compute(fs, randn(1, 4, 2, 2), gt, 0.005, FeatureDistance.ThingClasses);
        Assert.True(res.IsEmpty);
        Assert.Equal(0, res.SelectedCells);
        Assert.True(double.IsNaN(res.Value));
    }

    [Fact]
    public void Gradient_reaches_only_the_selected_student_cells()
    {
        // Cell (0,0) is class 13 (thing), cell (0,1) is road: only the first cell gets gradient.
        var gt = zeros(1, 1, 2, 4, dtype: ScalarType.Int64);
        gt[.., .., .., ..2] = 13;
        var fs = randn(1, 3, 1, 2).requires_grad_(true);
        var fi = randn(1, 3, 1, 2).requires_grad_(true);
        var res = FeatureDistance.Compute(fs, fi, gt, 0.005, FeatureDistance.ThingClasses);
        res.Loss!.backward();
        var d = (fs - fi).detach()[0, .., 0, 0];
        var expected = d / d.norm() * 0.005;   // ∂(λ‖d‖)/∂d
        Assert.True(fs.grad!.select(3, 0).squeeze().allclose(expected, 1e-5, 1e-7));
        Assert.True(fs.grad!.select(3, 1).abs().sum().item<float>() == 0);
        Assert.Null(fi.grad);
    }
}
