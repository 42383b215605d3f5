using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DaFormer.Cli.ConsoleUi;
using DaFormer.Model;
using DaFormer.Training.Data.Synthetic;

namespace DaFormer.Cli.Commands;

/// `daformer synth OUT`: writes the built-in two-domain synthetic street-scene data set (source in
/// the GTA layout, target in the Cityscapes layout) and prints the class shares of both domains.
public static class SynthCommand
{
    public static Command Build()
    {
        var outArg = new Argument<string>("OUT") { Description = "Output folder (gets source/ and target/)." };
        var images = new Option<int>("--images") { Description = "Source images and target training images.", DefaultValueFactory = _ => 200 };
        var val = new Option<int?>("--val") { Description = "Target validation images (default: images/4)." };
        var size = new Option<string>("--size") { Description = "Image size WxH.", DefaultValueFactory = _ => "256x128" };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same data set).", DefaultValueFactory = _ => 0 };
        var gap = new Option<double>("--gap") { Description = "Strength of the target look (0 = like the source, 1 = default).", DefaultValueFactory = _ => 1.0 };
        var preview = new Option<bool>("--preview") { Description = "Also write OUT/preview.png (4 source/target images with their labels)." };
        var cmd = new Command("synth", "Generate the synthetic source (game-like, GTA layout) and target (camera-like, Cityscapes layout) domains.");
        cmd.Arguments.Add(outArg);
        foreach (var o in new Option[] { images, val, size, seed, gap, preview }) cmd.Options.Add(o);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var (w, h) = ParseSize(parse.GetValue(size)!);
            var opts = new SynthOptions(parse.GetValue(images), w, h, parse.GetValue(seed), parse.GetValue(val), parse.GetValue(gap));
            opts.Validate();
            var root = parse.GetValue(outArg)!;
            var total = 2 * opts.Images + opts.TargetValImages;
            var sw = Stopwatch.StartNew();
            var counts = SynthDataset.Write(root, opts, n => { if (n % 50 == 0 || n == total) Console.Error.Write($"\r{n}/{total} images"); });
            Console.Error.WriteLine();
            Console.WriteLine($"wrote {total} images ({opts.Images} source, {opts.Images} target train, {opts.TargetValImages} target val) " +
                              $"of {w}x{h} to {root} in {sw.Elapsed.TotalSeconds:F1} s");
            var rows = CsClass.Names.Select((name, k) => (IReadOnlyList<string>)[name, Share(counts[0], k), Share(counts[1], k), Share(counts[2], k)]);
            Ui.Table("class pixel share (%)", ["class", "source", "target train", "target val"], rows);
            if (parse.GetValue(preview))
            {
                var sheet = SynthPreview.Sheet(opts, Math.Min(4, opts.Images));
                Training.Data.ImageIo.WriteRgb(Path.Combine(root, "preview.png"), sheet);
                Console.WriteLine($"preview: {Path.Combine(root, "preview.png")}");
            }
            Console.WriteLine("next: convert the labels (daformer convert gta ROOT/source; daformer convert cityscapes ROOT/target)");
            return 0;
        }));
        return cmd;
    }

    static string Share(long[] c, int k) => (100.0 * c[k] / Math.Max(1, c.Sum())).ToString("F2", CultureInfo.InvariantCulture);

    public static (int W, int H) ParseSize(string s)
    {
        var parts = s.ToLowerInvariant().Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], out var w) && int.TryParse(parts[1], out var h) && w > 0 && h > 0) return (w, h);
        throw new DaFormerError($"--size '{s}' is not WxH (e.g. 256x128).");
    }
}
