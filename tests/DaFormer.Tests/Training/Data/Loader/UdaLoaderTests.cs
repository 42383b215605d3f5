using DaFormer.Model;
using DaFormer.Tests.Support;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Loader;
using DaFormer.Training.Data.Pipeline;
using DaFormer.Training.Data.Synthetic;
using TorchSharp;

namespace DaFormer.Tests.Training.Data.Loader;

public class UdaLoaderTests
{
    // Small in-memory domains from the synthetic generator (no disk I/O).
    static readonly SynthOptions Synth = new(Images: 6, Width: 48, Height: 24, Seed: 1);
    static readonly Dictionary<string, SynthImage> Images = new();

    static SegDataset Domain(string name, SynthDomain d, int n)
    {
        var samples = new List<SampleFiles>();
        for (var i = 0; i < n; i++)
        {
            var key = $"{name}/{i:D5}.png";
            lock (Images) Images[key] = SynthDataset.Render(Synth, d, i);
            samples.Add(new SampleFiles(key, $"{name}/{i:D5}_labelTrainIds.png"));
        }
        return new SegDataset(name, "/mem", samples, CsClass.Names, [], 255);
    }

    static DecodedSample Read(SampleFiles f, bool withLabel)
    {
        SynthImage s;
        lock (Images) s = Images[f.ImagePath];
        return new DecodedSample(s.Image, withLabel ? s.TrainIds : null);
    }

    static UdaLoaderSpec Spec(int workers, RcsSampler? rcs = null, bool targetLabels = false)
    {
        var src = Domain("src", SynthDomain.Source, 5);
        var tgt = Domain("tgt", SynthDomain.TargetTrain, 3);
        return new UdaLoaderSpec(src, tgt, new PipelineSpec(48, 24, 16, 16, CatMaxRatio: 0.75), new PipelineSpec(48, 24, 16, 16),
            BatchSize: 2, Seed: 7, Workers: workers, PrefetchBatches: 2, Rcs: rcs, TargetLabels: targetLabels, Reader: Read);
    }

    static List<(float[] Si, long[] Sl, float[] Ti, long[]? Tl)> Take(UdaLoaderSpec spec, int batches, long start = 0)
    {
        using var loader = new UdaLoader(spec, start);
        var result = new List<(float[], long[], float[], long[]?)>();
        for (var b = 0; b < batches; b++)
        {
            using var batch = loader.Next();
            Assert.Equal(new long[] { 2, 3, 16, 16 }, batch.SourceImage.shape);
            Assert.Equal(new long[] { 2, 1, 16, 16 }, batch.SourceLabel.shape);
            Assert.Equal(torch.int64, batch.SourceLabel.dtype);
            Assert.Equal(new long[] { 2, 3, 16, 16 }, batch.TargetImage!.shape);
            result.Add((batch.SourceImage.data<float>().ToArray(), batch.SourceLabel.data<long>().ToArray(),
                        batch.TargetImage!.data<float>().ToArray(), batch.TargetLabel?.data<long>().ToArray()));
        }
        Assert.True(loader.DataWaitMs >= 0);
        Assert.Equal(start + batches, loader.NextBatchIndex);
        return result;
    }

    static void AssertSame(List<(float[] Si, long[] Sl, float[] Ti, long[]? Tl)> a, List<(float[] Si, long[] Sl, float[] Ti, long[]? Tl)> b)
    {
        Assert.Equal(a.Count, b.Count);
        for (var i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Si, b[i].Si);
            Assert.Equal(a[i].Sl, b[i].Sl);
            Assert.Equal(a[i].Ti, b[i].Ti);
            Assert.Equal(a[i].Tl, b[i].Tl);
        }
    }

    [Fact]
    public void Batches_are_identical_for_one_and_three_workers()
    {
        var one = Take(Spec(1), 9); // 15 pairs / batch 2 → 14 per epoch: 18 samples cross an epoch
        var three = Take(Spec(3), 9);
        var inline = Take(Spec(0), 9);
        AssertSame(one, three);
        AssertSame(one, inline);
        Assert.NotEqual(one[0].Si, one[1].Si);
    }

    [Fact]
    public void Rcs_batches_are_identical_for_any_worker_count_and_carry_target_labels()
    {
        var spec = Spec(1);
        var stats = spec.Source.Samples.Select(s =>
        {
            var ids = Read(s, true).Label!.Values;
            return (IReadOnlyDictionary<int, long>)ids.GroupBy(v => (int)v).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => (long)g.Count());
        }).ToList();
        var labels = spec.Source.Samples.Select(s => s.LabelPath!).ToList();
        // Every class the statistics list must keep a file: only classes with > 10 pixels in some image.
        var keep = stats.Select(d => (IReadOnlyDictionary<int, long>)d.Where(kv => stats.Max(s => s.GetValueOrDefault(kv.Key)) > 10).ToDictionary(kv => kv.Key, kv => kv.Value)).ToList();
        var rcs = RcsSampler.Create(keep, labels, labels, new RcsSettings(Temperature: 0.1, MinPixels: 10, MinCropRatio: 0.5));
        var one = Take(Spec(1, rcs, targetLabels: true), 4);
        var three = Take(Spec(3, rcs, targetLabels: true), 4);
        AssertSame(one, three);
        Assert.All(one, b => Assert.NotNull(b.Tl));
    }

    [Fact]
    public void Resuming_at_a_batch_index_continues_the_same_stream()
    {
        var all = Take(Spec(2), 5);
        var resumed = Take(Spec(2), 2, start: 3);
        AssertSame(all.Skip(3).ToList(), resumed);
    }

    [Fact]
    public void A_failing_read_surfaces_in_Next_and_dispose_stops_the_workers()
    {
        var spec = Spec(2) with { Reader = (_, _) => throw new DaFormerError("broken.png: cannot decode") };
        var loader = new UdaLoader(spec);
        var e = Assert.Throws<DaFormerError>(() => loader.Next());
        Assert.Contains("broken.png", e.Message);
        loader.Dispose();
    }

    [Fact]
    public void Without_target_the_loader_walks_shuffled_source_epochs()
    {
        var spec = Spec(2) with { WithTarget = false, BatchSize = 2 };
        using var loader = new UdaLoader(spec);
        var seen = new List<int>();
        for (var b = 0; b < 4; b++)
        {
            using var batch = loader.Next();
            Assert.Null(batch.TargetImage);
            Assert.Null(batch.TargetLabel);
            Assert.Equal(new long[] { 2, 1, 16, 16 }, batch.SourceLabel.shape);
            seen.AddRange(batch.SourceIndices);
        }
        // 5 sources, batch 2 → 4 samples per epoch (drop_last), each source at most once per epoch
        Assert.Equal(4, seen.Take(4).Distinct().Count());
        Assert.Equal(4, seen.Skip(4).Distinct().Count());
    }

    [Fact]
    public void Disk_reader_names_a_label_whose_size_differs_from_its_image()
    {
        var dir = Paths.NewTempDir("reader");
        var img = Path.Combine(dir, "a.png");
        var lab = Path.Combine(dir, "a_labelTrainIds.png");
        ImageIo.WriteRgb(img, new RgbImage(8, 4, new byte[8 * 4 * 3]));
        ImageIo.WriteLabel(lab, new LabelMap(8, 5, new byte[40]));
        var e = Assert.Throws<DaFormerError>(() => SampleReaders.FromDisk(new SampleFiles(img, lab), true));
        Assert.Contains(lab, e.Message);
        Assert.Contains("8×5", e.Message);
        var noLabel = Assert.Throws<DaFormerError>(() => SampleReaders.FromDisk(new SampleFiles(img, null), true));
        Assert.Contains(img, noLabel.Message);
        Assert.Null(SampleReaders.FromDisk(new SampleFiles(img, null), false).Label);
    }

    [Fact]
    public void Empty_data_sets_are_rejected_by_name()
    {
        var spec = Spec(0) with { Target = new SegDataset("cityscapes", "/data/cs", [], CsClass.Names, []) };
        var e = Assert.Throws<DaFormerError>(() => new UdaLoader(spec));
        Assert.Contains("/data/cs", e.Message);
    }

    [Fact]
    public void Evaluation_samples_use_the_test_scale_and_full_resolution_ground_truth()
    {
        var ds = Domain("val", SynthDomain.TargetVal, 3);
        var n = 0;
        foreach (var s in EvalSamples.Enumerate(ds, 24, 12, reader: Read))
        {
            using (s)
            {
                Assert.Equal(new long[] { 1, 3, 12, 24 }, s.Image.shape);
                Assert.Equal((48, 24), (s.GroundTruth.Width, s.GroundTruth.Height));
                Assert.Equal(n, s.Index);
                n++;
            }
        }
        Assert.Equal(3, n);
    }
}
