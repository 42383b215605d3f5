using DaFormer.Tests.Support;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Formats;
using DaFormer.Training.Data.Synthetic;
using Xunit.Abstractions;

namespace DaFormer.Tests.Training.Data.Synthetic;

public class SynthDatasetTests(ITestOutputHelper output)
{
    static readonly SynthOptions Small = new(Images: 2, Width: 64, Height: 32, Seed: 3, TargetVal: 1);

    [Fact]
    public void Rendering_is_deterministic_per_seed()
    {
        foreach (var d in Enum.GetValues<SynthDomain>())
        {
            var a = SynthDataset.Render(Small, d, 1);
            var b = SynthDataset.Render(Small, d, 1);
            Assert.Equal(a.Image.Pixels, b.Image.Pixels);
            Assert.Equal(a.TrainIds.Values, b.TrainIds.Values);
            var other = SynthDataset.Render(Small with { Seed = 4 }, d, 1);
            Assert.NotEqual(a.Image.Pixels, other.Image.Pixels);
        }
        Assert.NotEqual(SynthDataset.Render(Small, SynthDomain.Source, 0).TrainIds.Values, SynthDataset.Render(Small, SynthDomain.TargetTrain, 0).TrainIds.Values);
    }

    [Fact]
    public void Writes_the_gta_and_cityscapes_layouts_with_label_ids()
    {
        var root = Paths.NewTempDir("synth");
        SynthDataset.Write(root, Small, threads: 2);
        string[] expected =
        [
            "source/images/00000.png", "source/images/00001.png", "source/labels/00000.png", "source/labels/00001.png",
            "target/leftImg8bit/train/synthtown/synthtown_000000_000019_leftImg8bit.png",
            "target/leftImg8bit/train/synthville/synthville_000001_000019_leftImg8bit.png",
            "target/gtFine/train/synthtown/synthtown_000000_000019_gtFine_labelIds.png",
            "target/gtFine/train/synthville/synthville_000001_000019_gtFine_labelIds.png",
            "target/leftImg8bit/val/synthburg/synthburg_000000_000019_leftImg8bit.png",
            "target/gtFine/val/synthburg/synthburg_000000_000019_gtFine_labelIds.png",
            "synth.json",
        ];
        var written = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order().ToList();
        Assert.Equal(expected.Order().ToList(), written);

        var labelIds = CsClass.LabelIdOfTrainId.ToHashSet();
        var src = SynthDataset.Render(Small, SynthDomain.Source, 1);
        var gtaLabel = PalettePng.ReadIndices(Path.Combine(root, "source/labels/00001.png"));
        Assert.All(gtaLabel.Values, v => Assert.Contains(v, labelIds));
        Assert.Equal(src.TrainIds.Values.Select(t => CsClass.LabelIdOfTrainId[t]), gtaLabel.Values);
        Assert.Equal(src.Image.Pixels, ImageIo.ReadRgb(Path.Combine(root, "source/images/00001.png")).Pixels);

        var tgt = SynthDataset.Render(Small, SynthDomain.TargetVal, 0);
        var csLabel = ImageIo.ReadLabel(Path.Combine(root, "target/gtFine/val/synthburg/synthburg_000000_000019_gtFine_labelIds.png"));
        Assert.Equal(tgt.TrainIds.Values.Select(t => CsClass.LabelIdOfTrainId[t]), csLabel.Values);
    }

    [Fact]
    public void Scenes_cover_the_nineteen_classes_with_a_long_tail()
    {
        var o = new SynthOptions(Width: 128, Height: 64, Seed: 0);
        var counts = new long[19];
        for (var i = 0; i < 60; i++)
            foreach (var t in SynthDataset.Render(o, SynthDomain.Source, i).TrainIds.Values) counts[t]++;
        var total = (double)counts.Sum();
        output.WriteLine(string.Join(", ", counts.Select((c, k) => $"{CsClass.Names[k]} {100 * c / total:F2}%")));
        Assert.All(counts, c => Assert.True(c > 0));
        Assert.True(counts[CsClass.Road] / total > 0.15);
        Assert.True(counts[CsClass.Train] / total < 0.02 && counts[CsClass.Bicycle] / total < 0.01, "rare classes should be rare");
    }

    /// Per-class mean colour of each domain, and a nearest-class-mean colour classifier: fitted on the
    /// source it must lose clearly on the target (the gap), while one fitted on target training images
    /// does well on target validation images (the target stays learnable).
    [Fact]
    public void The_domain_gap_is_measurable_and_the_target_is_learnable()
    {
        var o = new SynthOptions(Width: 96, Height: 48, Seed: 5);
        double[,] Means(SynthDomain d, int first, int n)
        {
            var sum = new double[19, 4];
            for (var i = first; i < first + n; i++)
            {
                var s = SynthDataset.Render(o, d, i);
                for (var p = 0; p < s.TrainIds.Values.Length; p++)
                {
                    int k = s.TrainIds.Values[p];
                    for (var c = 0; c < 3; c++) sum[k, c] += s.Image.Pixels[3 * p + c];
                    sum[k, 3]++;
                }
            }
            var m = new double[19, 3];
            for (var k = 0; k < 19; k++) for (var c = 0; c < 3; c++) m[k, c] = sum[k, 3] > 0 ? sum[k, c] / sum[k, 3] : double.NaN;
            return m;
        }
        double Accuracy(double[,] means, SynthDomain d, int first, int n)
        {
            long ok = 0, all = 0;
            for (var i = first; i < first + n; i++)
            {
                var s = SynthDataset.Render(o, d, i);
                for (var p = 0; p < s.TrainIds.Values.Length; p++)
                {
                    var best = -1; var bestD = double.MaxValue;
                    for (var k = 0; k < 19; k++)
                    {
                        if (double.IsNaN(means[k, 0])) continue;
                        double dist = 0;
                        for (var c = 0; c < 3; c++) dist += Math.Pow(s.Image.Pixels[3 * p + c] - means[k, c], 2);
                        if (dist < bestD) { bestD = dist; best = k; }
                    }
                    ok += best == s.TrainIds.Values[p] ? 1 : 0; all++;
                }
            }
            return (double)ok / all;
        }
        var source = Means(SynthDomain.Source, 0, 30);
        var target = Means(SynthDomain.TargetTrain, 0, 30);
        double Dist(int k) => Math.Sqrt(Enumerable.Range(0, 3).Sum(c => Math.Pow(source[k, c] - target[k, c], 2)));
        int[] stuff = [CsClass.Road, CsClass.Sidewalk, CsClass.Building, CsClass.Vegetation, CsClass.Sky];
        var meanShift = stuff.Average(Dist);
        var srcOnSrc = Accuracy(source, SynthDomain.Source, 100, 10);
        var srcOnTgt = Accuracy(source, SynthDomain.TargetVal, 0, 10);
        var tgtOnTgt = Accuracy(target, SynthDomain.TargetVal, 0, 10);
        output.WriteLine($"mean colour shift (road, sidewalk, building, vegetation, sky): {meanShift:F1}; " +
                         $"colour classifier accuracy source→source {srcOnSrc:P1}, source→target {srcOnTgt:P1}, target→target {tgtOnTgt:P1}");
        Assert.True(meanShift > 15, $"per-class colour shift {meanShift:F1} is too small to be a domain gap");
        Assert.True(srcOnTgt < srcOnSrc - 0.1, "a source-fitted classifier must lose clearly on the target");
        Assert.True(tgtOnTgt > srcOnTgt + 0.05, "the target must be learnable from target data");
    }
}
