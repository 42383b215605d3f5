using System.Text.Json;
using DaFormer.Model;
using DaFormer.Tests.Support;
using DaFormer.Training.Data;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DaFormer.Tests.Training.Data;

public class RcsTests
{
    static IReadOnlyDictionary<int, long> D(params (int C, long N)[] kv) => kv.ToDictionary(x => x.C, x => x.N);

    // spec §9.6: images a, b, c
    static readonly IReadOnlyList<IReadOnlyDictionary<int, long>> Toy = [D((0, 1000), (13, 500)), D((0, 2000), (11, 300)), D((0, 500), (13, 200), (18, 100))];
    static readonly string[] ToyFiles = ["data/gta/labels/a_labelTrainIds.png", "data/gta/labels/b_labelTrainIds.png", "data/gta/labels/c_labelTrainIds.png"];

    [Theory]
    [InlineData(0.01, 9.872282e-01, 1.276970e-02, 2.136520e-06, 7.841346e-33)]
    [InlineData(0.1, 5.210039e-01, 3.373007e-01, 1.413741e-01, 3.212464e-04)]
    [InlineData(1.0, 3.018689e-01, 2.890254e-01, 2.649545e-01, 1.441512e-01)]
    public void Toy_probabilities_match_the_spec_table(double t, double p18, double p11, double p13, double p0)
    {
        var r = Rcs.ClassProbabilities(Toy, t);
        Assert.Equal([18, 11, 13, 0], r.Classes);
        double[] expected = [p18, p11, p13, p0];
        for (var i = 0; i < 4; i++)
            // The table is float64 arithmetic, the original (and this port) float32: abs 1e-6 as the fixture tolerance, rel 1e-4.
            Assert.True(Math.Abs(r.Probabilities[i] - expected[i]) <= Math.Min(1e-6, 1e-4 * expected[i]) + 1e-40,
                $"class {r.Classes[i]}: {r.Probabilities[i]:E6} vs {expected[i]:E6}");
    }

    [Fact]
    public void Toy_file_lists_follow_min_pixels_strictly()
    {
        var classes = Rcs.ClassProbabilities(Toy, 0.01).Classes;
        var e3000 = Assert.Throws<DaFormerError>(() => Rcs.FilesPerClass(Toy, ToyFiles, classes, 3000));
        Assert.Contains("min_pixels = 3000", e3000.Message);
        var e250 = Assert.Throws<DaFormerError>(() => Rcs.FilesPerClass(Toy, ToyFiles, classes, 250));
        Assert.Contains("18", e250.Message);
        Assert.DoesNotContain("13 (", e250.Message);
        var ok = Rcs.FilesPerClass(Toy, ToyFiles, classes, 50);
        Assert.Equal(["a_labelTrainIds.png", "b_labelTrainIds.png", "c_labelTrainIds.png"], ok[0]);
        Assert.Equal(["a_labelTrainIds.png", "c_labelTrainIds.png"], ok[13]);
        Assert.Equal(["b_labelTrainIds.png"], ok[11]);
        Assert.Equal(["c_labelTrainIds.png"], ok[18]);
    }

    [Fact]
    public void Fixture_probabilities_match_the_original()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "algorithms.json")));
        var rcs = doc.RootElement.GetProperty("rcs");
        var stats = new List<IReadOnlyDictionary<int, long>>();
        foreach (var img in rcs.GetProperty("sample_class_stats").EnumerateArray())
        {
            var d = new Dictionary<int, long>(); // insertion order = JSON key order
            foreach (var p in img.EnumerateObject())
                if (p.Name != "file") d[int.Parse(p.Name)] = p.Value.GetInt64();
            stats.Add(d);
        }
        var checkedCount = 0;
        foreach (var res in rcs.GetProperty("results").EnumerateArray())
        {
            var r = Rcs.ClassProbabilities(stats, res.GetProperty("temperature").GetDouble());
            Assert.Equal(res.GetProperty("classes").EnumerateArray().Select(e => e.GetInt32()), r.Classes);
            var probs = res.GetProperty("probs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (var i = 0; i < probs.Length; i++) Assert.True(Math.Abs(probs[i] - r.Probabilities[i]) <= 1e-6, $"T={res.GetProperty("temperature")}, #{i}");
            checkedCount++;
        }
        Assert.Equal(2, checkedCount);
    }

    [Fact]
    public void Ties_keep_first_seen_order()
    {
        var r = Rcs.ClassProbabilities([D((5, 10), (2, 10)), D((9, 10))], 0.1);
        Assert.Equal([5, 2, 9], r.Classes);
    }

    static Gen<IReadOnlyList<IReadOnlyDictionary<int, long>>> StatsGen =>
        from n in Gen.Choose(1, 6)
        from images in Gen.ListOf(
            from k in Gen.Choose(1, 5)
            from pairs in Gen.ListOf(Gen.Zip(Gen.Choose(0, 18), Gen.Choose(1, 100000)), k)
            select (IReadOnlyDictionary<int, long>)pairs.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => (long)g.First().Item2), n)
        select (IReadOnlyList<IReadOnlyDictionary<int, long>>)images.ToList();

    [Property(MaxTest = 200)]
    public Property Probabilities_sum_to_one_and_rarer_classes_are_at_least_as_likely() =>
        Prop.ForAll(Arb.From(StatsGen), Arb.From(Gen.Elements(0.005, 0.01, 0.1, 1.0, 10.0)), (stats, t) =>
        {
            var r = Rcs.ClassProbabilities(stats, t);
            var totals = r.Classes.Select(c => stats.Sum(s => s.TryGetValue(c, out var n) ? n : 0)).ToArray();
            var sortedAscending = totals.Zip(totals.Skip(1), (a, b) => a <= b).All(x => x);
            var monotone = r.Probabilities.Zip(r.Probabilities.Skip(1), (a, b) => a >= b - 1e-12).All(x => x);
            var strict = Enumerable.Range(0, totals.Length - 1).All(i =>
                (double)(totals[i + 1] - totals[i]) / totals.Sum() < 1e-3 || r.Probabilities[i] > r.Probabilities[i + 1]);
            return Math.Abs(r.Probabilities.Sum() - 1) < 1e-9 && sortedAscending && monotone && strict;
        });

    [Property(MaxTest = 100)]
    public Property Large_temperature_is_uniform() =>
        Prop.ForAll(Arb.From(StatsGen), stats =>
        {
            var inf = Rcs.ClassProbabilities(stats, double.PositiveInfinity);
            var big = Rcs.ClassProbabilities(stats, 1e7);
            var u = 1.0 / inf.Classes.Count;
            return inf.Probabilities.All(p => Math.Abs(p - u) < 1e-12) && big.Probabilities.All(p => Math.Abs(p - u) < 1e-6);
        });

    [Fact]
    public void Empirical_sampling_frequencies_agree_with_the_probabilities()
    {
        var sampler = RcsSampler.Create(Toy, ToyFiles, ToyFiles, new RcsSettings(Temperature: 0.1, MinPixels: 50));
        var rng = new Random(1234);
        const int draws = 40000;
        var counts = new Dictionary<int, int>();
        for (var i = 0; i < draws; i++) { var c = sampler.SampleClass(rng); counts[c] = counts.GetValueOrDefault(c) + 1; }
        // Pearson chi-square over the classes with expected count ≥ 5 (class 0 has p ≈ 3e-4 → 13).
        double chi2 = 0;
        for (var i = 0; i < 4; i++)
        {
            var e = sampler.Probabilities.Probabilities[i] * draws;
            var o = counts.GetValueOrDefault(sampler.Probabilities.Classes[i]);
            chi2 += (o - e) * (o - e) / e;
        }
        Assert.True(chi2 < 16.27, $"chi-square {chi2:F2} exceeds the 0.999 quantile for 3 degrees of freedom"); // df = 3
    }

    [Fact]
    public void Files_are_drawn_uniformly_from_the_kept_list_and_mapped_to_source_indices()
    {
        // source label paths in a different order than the statistics: matched by basename
        string[] sourceLabels = ["/x/c_labelTrainIds.png", "/x/a_labelTrainIds.png", "/x/b_labelTrainIds.png"];
        var sampler = RcsSampler.Create(Toy, ToyFiles, sourceLabels, new RcsSettings(MinPixels: 50));
        Assert.Equal([1, 0], sampler.SourceIndicesOf(13));
        var rng = new Random(5);
        var hits = new int[3];
        for (var i = 0; i < 3000; i++) hits[sampler.SampleSourceIndex(0, rng)]++;
        Assert.All(hits, h => Assert.InRange(h, 850, 1150));
    }

    [Fact]
    public void Stale_statistics_name_a_missing_file()
    {
        var e = Assert.Throws<DaFormerError>(() => RcsSampler.Create(Toy, ToyFiles, ["/x/a_labelTrainIds.png"], new RcsSettings(MinPixels: 50)));
        Assert.Contains("not a label of the source data set", e.Message);
        Assert.True(e.Message.Contains("b_labelTrainIds.png") || e.Message.Contains("c_labelTrainIds.png"), e.Message);
    }

    [Theory]
    [InlineData(0L, 11)]      // never enough: first run + 10 re-runs
    [InlineData(1501L, 1)]    // enough at once (1501 > 3000·0.5)
    [InlineData(1500L, 11)]   // strict threshold
    public void Crop_retries_run_the_pipeline_at_most_eleven_times(long pixels, int expectedRuns)
    {
        var sampler = RcsSampler.Create(Toy, ToyFiles, ToyFiles, new RcsSettings(MinPixels: 50));
        var strict = new RcsSampler(sampler.Probabilities, new Dictionary<int, IReadOnlyList<string>>(), [], new RcsSettings(MinPixels: 3000, MinCropRatio: 0.5));
        var runs = 0;
        var result = strict.WithCropRetries(13, () => ++runs, _ => pixels);
        Assert.Equal(expectedRuns, runs);
        Assert.Equal(expectedRuns, result);
    }

    [Fact]
    public void Zero_min_crop_ratio_disables_retries()
    {
        var s = new RcsSampler(new RcsClassProbabilities([1], [1.0]), new Dictionary<int, IReadOnlyList<string>>(), [], new RcsSettings(MinCropRatio: 0));
        var runs = 0;
        s.WithCropRetries(1, () => ++runs, _ => 0);
        Assert.Equal(1, runs);
    }
}
