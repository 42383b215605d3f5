using System.Text.Json;
using DaFormer.Model;
using DaFormer.Tests.Support;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Converters;
using DaFormer.Training.Data.Datasets;

namespace DaFormer.Tests.Training.Data.Converters;

/// Real-layout converter runs on tiny data sets; every expected value is computed here from the raw
/// IDs the test wrote and the fixture id→trainId dicts.
public class ConverterTests
{
    /// sample_class_stats.json parsed in file order: (file, [(class, count)…]) with "file" required last.
    static List<(string File, List<(int, long)> Counts)> ReadStats(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Join(dir, "sample_class_stats.json")));
        return doc.RootElement.EnumerateArray().Select(e =>
        {
            var props = e.EnumerateObject().ToList();
            Assert.Equal("file", props[^1].Name);
            return (props[^1].Value.GetString()!, props.SkipLast(1).Select(p => (int.Parse(p.Name), p.Value.GetInt64())).ToList());
        }).ToList();
    }

    /// IHDR bit depth and colour type, read from the bytes (0 = grey, 2 = RGB, 3 = indexed).
    static (int Depth, int ColourType) PngDepthAndColourType(string path)
    {
        var b = File.ReadAllBytes(path);
        return (b[24], b[25]);
    }

    static string[] Files(string root) => Directory.GetFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Gta_palette_labels_become_train_ids_and_statistics_match_an_independent_count()
    {
        var root = Paths.NewTempDir("gta");
        var raw = TinyData.MakeGta(root, 4);
        // The root as a user types it: relative to the working directory, with a trailing slash.
        var typed = Path.GetRelativePath(Environment.CurrentDirectory, root) + "/";
        var result = GtaConverter.Run(typed, new ConvertOptions(Nproc: 2));
        Assert.Equal(4, result.LabelsWritten);

        var stats = ReadStats(root);
        var names = raw.Keys.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(names.Select(n => Path.Join(typed, "labels", n + "_labelTrainIds.png")), stats.Select(s => s.File));
        Assert.StartsWith(typed.TrimEnd('/') + "/labels/", stats[0].File);
        for (var i = 0; i < names.Length; i++)
        {
            Assert.Equal(TinyData.ExpectedCounts("gta", raw[names[i]]), stats[i].Counts);
            var written = ImageIo.ReadLabel(Path.Join(root, "labels", names[i] + "_labelTrainIds.png"));
            Assert.Equal((TinyData.W, TinyData.H), (written.Width, written.Height));
            Assert.Equal((8, 0), PngDepthAndColourType(Path.Join(root, "labels", names[i] + "_labelTrainIds.png"))); // 8-bit grey
            Assert.Equal(TinyData.ExpectedTrainIds("gta", raw[names[i]]), written.Values);
        }
        CheckDerivedFiles(root, stats);
    }

    /// sample_class_stats_dict.json and samples_with_class.json against the per-image stats.
    static void CheckDerivedFiles(string dir, List<(string File, List<(int, long)> Counts)> stats)
    {
        using var dict = JsonDocument.Parse(File.ReadAllText(Path.Join(dir, "sample_class_stats_dict.json")));
        Assert.Equal(stats.Select(s => s.File), dict.RootElement.EnumerateObject().Select(p => p.Name));
        foreach (var (file, counts) in stats)
            Assert.Equal(counts, dict.RootElement.GetProperty(file).EnumerateObject().Select(p => (int.Parse(p.Name), p.Value.GetInt64())));

        using var withClass = JsonDocument.Parse(File.ReadAllText(Path.Join(dir, "samples_with_class.json")));
        var firstSeen = stats.SelectMany(s => s.Counts.Select(c => c.Item1)).Distinct().ToArray();
        Assert.Equal(firstSeen, withClass.RootElement.EnumerateObject().Select(p => int.Parse(p.Name)));
        foreach (var c in firstSeen)
            Assert.Equal(
                stats.Where(s => s.Counts.Any(x => x.Item1 == c)).Select(s => (s.File, s.Counts.Single(x => x.Item1 == c).Item2)),
                withClass.RootElement.GetProperty(c.ToString()).EnumerateArray().Select(p => (p[0].GetString()!, p[1].GetInt64())));
        // Python json.dump(indent=2) layout: two-space indentation, no trailing newline.
        var text = File.ReadAllText(Path.Join(dir, "samples_with_class.json"));
        Assert.StartsWith("{\n  \"", text);
        Assert.EndsWith("\n}", text);
    }

    [Fact]
    public void Synthia_16_bit_labels_use_the_first_channel_and_ids_above_255_are_ignored()
    {
        var root = Paths.NewTempDir("syn");
        var raw = TinyData.MakeSynthia(root, 3);
        Assert.Equal((16, 2), PngDepthAndColourType(Path.Join(root, "GT", "LABELS", "0000000.png"))); // really 16-bit RGB
        var outDir = Path.Join(root, "stats");
        SynthiaConverter.Run(root, new ConvertOptions(OutDir: outDir));
        var stats = ReadStats(outDir);
        var names = raw.Keys.Order(StringComparer.Ordinal).ToArray();
        for (var i = 0; i < names.Length; i++)
        {
            var written = ImageIo.ReadLabel(Path.Join(root, "GT", "LABELS", names[i] + "_labelTrainIds.png"));
            Assert.Equal(TinyData.ExpectedTrainIds("synthia", raw[names[i]]), written.Values);
            Assert.Equal([255, 255, 255, 0], written.Values.Take(4).Select(v => (int)v)); // 259, 259, 65535, 3
            Assert.Equal(TinyData.ExpectedCounts("synthia", raw[names[i]]), stats[i].Counts);
            Assert.Equal(Path.Join(root, "GT", "LABELS", names[i] + "_labelTrainIds.png"), stats[i].File);
        }
        Assert.False(File.Exists(Path.Join(root, "sample_class_stats.json")));
        CheckDerivedFiles(outDir, stats);
    }

    [Fact]
    public void Cityscapes_converts_every_split_keeps_train_statistics_and_writes_split_lists()
    {
        var root = Paths.NewTempDir("cs");
        var raw = TinyData.MakeCityscapes(root, [("train", "zurich", 2), ("train", "aachen", 1), ("val", "lindau", 2)]);
        var result = CityscapesConverter.Run(root, new ConvertOptions(Nproc: 3));
        Assert.Equal(5, result.LabelsWritten);
        foreach (var (rel, ids) in raw)
            Assert.Equal(TinyData.ExpectedTrainIds("gta", ids), ImageIo.ReadLabel(Path.Join(root, "gtFine", rel + "_gtFine_labelTrainIds.png")).Values);

        var stats = ReadStats(root);
        var trainRels = raw.Keys.Where(k => k.StartsWith("train")).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(trainRels.Select(r => Path.Join(root, "gtFine", r + "_gtFine_labelTrainIds.png")), stats.Select(s => s.File));
        for (var i = 0; i < trainRels.Length; i++) Assert.Equal(TinyData.ExpectedCounts("gta", raw[trainRels[i]]), stats[i].Counts);
        CheckDerivedFiles(root, stats);

        Assert.Equal("aachen/aachen_000000_000019\nzurich/zurich_000000_000019\nzurich/zurich_000001_000019\n", File.ReadAllText(Path.Join(root, "train.txt")));
        Assert.Equal("lindau/lindau_000000_000019\nlindau/lindau_000001_000019\n", File.ReadAllText(Path.Join(root, "val.txt")));
        Assert.False(File.Exists(Path.Join(root, "test.txt"))); // no test folder: fine, nothing written
        Assert.Equal(3, Cityscapes.Scan(root, "train").Samples.Count);
    }

    [Fact]
    public void Output_is_identical_for_any_nproc_and_a_rerun_is_idempotent()
    {
        var root = Paths.NewTempDir("gta");
        TinyData.MakeGta(root, 7);
        var one = Path.Join(root, "o1");
        var three = Path.Join(root, "o3");
        var progress = new List<int>();
        GtaConverter.Run(root, new ConvertOptions(1, one, p => progress.Add(p.Done)));
        var labelsAfterFirst = Files(Path.Join(root, "labels")).Select(File.ReadAllBytes).ToArray();
        var r3 = GtaConverter.Run(root, new ConvertOptions(3, three));
        Assert.Equal(Enumerable.Range(1, 7), progress);
        Assert.Equal(7, r3.LabelsWritten); // the _labelTrainIds.png outputs were not picked up as inputs
        foreach (var f in new[] { "sample_class_stats.json", "sample_class_stats_dict.json", "samples_with_class.json" })
            Assert.Equal(File.ReadAllBytes(Path.Join(one, f)), File.ReadAllBytes(Path.Join(three, f)));
        Assert.Equal(labelsAfterFirst, Files(Path.Join(root, "labels")).Select(File.ReadAllBytes).ToArray());
        Assert.Equal(14, Files(Path.Join(root, "labels")).Length);
    }

    [Fact]
    public void A_corrupt_label_is_an_error_naming_it_and_no_statistics_are_written()
    {
        var root = Paths.NewTempDir("gta");
        TinyData.MakeGta(root, 3);
        var bad = Path.Join(root, "labels", "00001.png");
        var bytes = File.ReadAllBytes(bad);
        File.WriteAllBytes(bad, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<DaFormerError>(() => GtaConverter.Run(root, new ConvertOptions(Nproc: 2)));
        Assert.Contains(bad, e.Message);
        Assert.False(File.Exists(Path.Join(root, "sample_class_stats.json")));
        Assert.False(File.Exists(Path.Join(root, "labels", "00001_labelTrainIds.png")));
        Assert.DoesNotContain(Files(root), f => Path.GetFileName(f).StartsWith('.')); // no temp files left
    }

    [Fact]
    public void A_corrupt_synthia_label_is_an_error_naming_it()
    {
        var root = Paths.NewTempDir("syn");
        TinyData.MakeSynthia(root, 1);
        var bad = Path.Join(root, "GT", "LABELS", "0000000.png");
        File.WriteAllBytes(bad, [1, 2, 3, 4, 5]);
        var e = Assert.Throws<DaFormerError>(() => SynthiaConverter.Run(root));
        Assert.Contains(bad, e.Message);
    }

    [Fact]
    public void A_label_whose_size_differs_from_its_image_is_an_error_naming_both()
    {
        var root = Paths.NewTempDir("gta");
        TinyData.MakeGta(root, 2);
        var image = Path.Join(root, "images", "00001.png");
        TinyData.WriteRgb(image, w: TinyData.W + 1);
        var e = Assert.Throws<DaFormerError>(() => GtaConverter.Run(root));
        Assert.Contains(Path.Join(root, "labels", "00001.png"), e.Message);
        Assert.Contains(image, e.Message);
        Assert.Contains($"{TinyData.W}×{TinyData.H}", e.Message);
        Assert.False(File.Exists(Path.Join(root, "sample_class_stats.json")));
    }

    [Fact]
    public void Missing_folders_and_empty_label_folders_are_errors_naming_the_folder()
    {
        var root = Paths.NewTempDir();
        var e = Assert.Throws<DaFormerError>(() => GtaConverter.Run(root));
        Assert.Contains(Path.Join(root, "labels"), e.Message);
        e = Assert.Throws<DaFormerError>(() => CityscapesConverter.Run(root));
        Assert.Contains(Path.Join(root, "gtFine"), e.Message);
        Directory.CreateDirectory(Path.Join(root, "GT", "LABELS"));
        File.WriteAllBytes(Path.Join(root, "GT", "LABELS", "0000001_labelTrainIds.png"), []);
        e = Assert.Throws<DaFormerError>(() => SynthiaConverter.Run(root));
        Assert.Contains(Path.Join(root, "GT", "LABELS"), e.Message);
        Assert.Contains("nothing to convert", e.Message);
    }

    [Theory]
    [InlineData("00001.png", true)]
    [InlineData("00001_labelTrainIds.png", false)]
    [InlineData("a9.png", true)]
    [InlineData("x.png", false)]
    [InlineData("1.jpg", false)]
    public void Only_names_ending_in_a_digit_dot_png_are_raw_labels(string name, bool scanned) =>
        Assert.Equal(scanned, LabelConversion.EndsInDigitPng(name));
}
