using DaFormer.Tests.Support;
using DaFormer.Training.Data;

namespace DaFormer.Tests.Scripting;

/// The README's "Your own domains" walk-through, step by step on a tiny folder pair: the dry run
/// names the missing statistics and the exact command, `convert custom` writes them, the dry run
/// then passes and a short run trains and evaluates.
[Collection("Console")]
public class CustomDomainWalkthroughTests
{
    /// `root/images/f<i>.png` (RGB) + `root/labels/f<i>.png` (8-bit train IDs 0…2): a "road" band and
    /// a "vehicle" box on "background", the image colour following the label.
    internal static string MakeDomain(string parent, string name, int count, bool labels = true, int seed = 0)
    {
        var root = Path.Combine(parent, name);
        var rng = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            const int w = 64, h = 32;
            var ids = new byte[w * h];
            var px = new byte[w * h * 3];
            var (bx, by) = (rng.Next(0, 40), rng.Next(0, 16));
            for (var y = 0; y < h; y++)
                for (var x = 0; x < w; x++)
                {
                    var c = (byte)(y >= 20 ? 1 : 0);
                    if (x >= bx && x < bx + 20 && y >= by && y < by + 12) c = 2;
                    ids[y * w + x] = c;
                    var k = (y * w + x) * 3;
                    (px[k], px[k + 1], px[k + 2]) = c switch { 0 => ((byte)70, (byte)130, (byte)180), 1 => ((byte)128, (byte)64, (byte)128), _ => ((byte)0, (byte)0, (byte)142) };
                    px[k] = (byte)Math.Clamp(px[k] + rng.Next(-20, 20), 0, 255);
                }
            ImageIo.WriteRgb(Path.Combine(root, "images", $"f{i}.png"), new RgbImage(w, h, px));
            if (labels) ImageIo.WriteLabel(Path.Combine(root, "labels", $"f{i}.png"), new LabelMap(w, h, ids));
        }
        return root;
    }

    internal static string Script(string src, string tgt, string val, string work, int minPixels = 10) =>
        CliHarness.WriteScript($$"""
            var layout = new CustomLayout
            {
                ImageDir = "images", LabelDir = "labels", ImageSuffix = ".png", LabelSuffix = ".png",
                ClassNames = ["background", "road", "vehicle"],
                Palette = [new Rgb(0, 0, 0), new Rgb(128, 64, 128), new Rgb(0, 0, 142)],
                IgnoreIndex = 255, Name = "farm",
            };
            DatasetConfig Domain(string root) => new() { Kind = DatasetKind.Custom, Root = root, Split = "train", Scale = new(64, 32), Custom = layout };
            return Quickstart with
            {
                Model = Quickstart.Model with { NumClasses = 3, Channels = 16 },
                Data = Quickstart.Data with
                {
                    Source = Domain(@"{{src}}"), Target = Domain(@"{{tgt}}"), Validation = Domain(@"{{val}}"),
                    Crop = new(32, 32), Workers = 0, Rcs = Rcs.On(temperature: 0.01, minPixels: {{minPixels}}),
                },
                Uda = Quickstart.Uda with { FeatureDistance = null },
                Schedule = Quickstart.Schedule with { MaxIters = 2, Warmup = new(Iters: 1) },
                Runtime = Quickstart.Runtime with { EvalInterval = 2, CheckpointInterval = 2, LogInterval = 1, DebugImageInterval = 1000 },
            };
            """, "farm.csx");

    [Fact]
    public void The_readme_walkthrough_works_end_to_end()
    {
        var dir = Paths.NewTempDir("dfcustom");
        var src = MakeDomain(dir, "farm_sim", 4, seed: 1);
        var tgt = MakeDomain(dir, "farm_real", 3, labels: false, seed: 2);
        var val = MakeDomain(dir, "farm_real_val", 2, seed: 3);
        var work = Path.Combine(dir, "work_dirs");
        var script = Script(src, tgt, val, work);

        // 1. Without statistics the dry run refuses and names the command that makes them.
        var command = $"daformer convert custom {src} --labels labels --label-suffix .png --classes 3";
        var dry = CliHarness.Run("run", script, "--dry-run", "--device", "cpu", "--work-dir", work);
        MalformedInputTests.AssertClearRefusal(dry, "Data.Rcs", command);

        // 2. That command (the one the README shows) writes them.
        var convert = CliHarness.Run(["convert", .. command.Split(' ')[2..]]);
        Assert.True(convert.ExitCode == 0, convert.All);
        Assert.True(File.Exists(Path.Combine(src, "sample_class_stats.json")));
        Assert.True(File.Exists(Path.Combine(src, "samples_with_class.json")));
        var stats = RcsStatistics.Load(src);
        Assert.Equal(4, stats.SampleClassStats.Count);
        // Independent count: every label is 64×32 with rows 20…31 road (minus the box) — the counts add up to the image.
        Assert.All(stats.SampleClassStats, s => Assert.Equal(64 * 32, s.PixelsPerClass.Values.Sum()));
        Assert.All(stats.SampleClassStats, s => Assert.True(s.PixelsPerClass[2] == 20 * 12));

        // 3. The dry run passes; 4. the run trains and evaluates.
        var dry2 = CliHarness.Run("run", script, "--dry-run", "--device", "cpu", "--work-dir", work);
        Assert.True(dry2.ExitCode == 0, dry2.All);
        var run = CliHarness.Run("run", script, "--device", "cpu", "--work-dir", work);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("target mIoU:", run.Out);
    }

    [Fact]
    public void A_min_pixels_no_image_reaches_is_caught_by_the_dry_run()
    {
        var dir = Paths.NewTempDir("dfcustom");
        var src = MakeDomain(dir, "a", 2, seed: 1);
        var val = MakeDomain(dir, "b", 1, seed: 3);
        Assert.Equal(0, CliHarness.Run("convert", "custom", src, "--classes", "3").ExitCode);
        var work = Path.Combine(dir, "w");
        var script = Script(src, src, val, work, minPixels: 5000);
        MalformedInputTests.AssertClearRefusal(CliHarness.Run("run", script, "--dry-run", "--device", "cpu", "--work-dir", work), "Data.Rcs", "min_pixels = 5000");
    }

    [Fact]
    public void Convert_custom_refuses_a_label_value_outside_the_classes_and_writes_no_statistics()
    {
        var dir = Paths.NewTempDir("dfcustom");
        var src = MakeDomain(dir, "a", 2, seed: 1);
        var bad = Path.Combine(src, "labels", "f1.png");
        var l = ImageIo.ReadLabel(bad);
        l.Values[5] = 7;
        ImageIo.WriteLabel(bad, l);
        var r = CliHarness.Run("convert", "custom", src, "--classes", "3");
        MalformedInputTests.AssertClearRefusal(r, bad, "7 (e.g. at pixel (5, 0))", "0…2");
        Assert.False(File.Exists(Path.Combine(src, "sample_class_stats.json")));
    }
}
