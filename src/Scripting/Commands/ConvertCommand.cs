using System.CommandLine;
using System.Globalization;
using DaFormer.Cli.ConsoleUi;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Converters;
using Spectre.Console;

namespace DaFormer.Cli.Commands;

/// `daformer convert gta|synthia|cityscapes ROOT [--nproc N] [--out DIR]`: the original
/// `tools/convert_datasets/*.py` — writes `*_labelTrainIds.png` next to each raw label and the Rare
/// Class Sampling statistics (spec §1.3).
public static class ConvertCommand
{
    public static Command Build()
    {
        var cmd = new Command("convert", "Convert raw GTA5 / SYNTHIA / Cityscapes labels to train IDs and write the RCS class statistics (custom: statistics only).");
        cmd.Subcommands.Add(Sub("gta", "GTA5: ROOT/labels/<n>.png (palette label IDs) → <n>_labelTrainIds.png", GtaConverter.Run));
        cmd.Subcommands.Add(Sub("synthia", "SYNTHIA RAND-CITYSCAPES: ROOT/GT/LABELS/<n>.png (16-bit IDs) → <n>_labelTrainIds.png", SynthiaConverter.Run));
        cmd.Subcommands.Add(Custom());
        cmd.Subcommands.Add(Sub("cityscapes", "Cityscapes: ROOT/gtFine/<split>/<city>/*_gtFine_labelIds.png → *_gtFine_labelTrainIds.png (stats: train only)", CityscapesConverter.Run));
        return cmd;
    }

    static Command Sub(string name, string description, Func<string, ConvertOptions, ConvertResult> convert)
    {
        var root = new Argument<string>("ROOT") { Description = $"data set root as you will give it in configs, e.g. data/{name}" };
        var nproc = new Option<int>("--nproc") { Description = "parallel workers (the output does not depend on it)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var outDir = new Option<string?>("--out") { Description = "folder for the statistics JSON files (default: ROOT)" };
        var cmd = new Command(name, description);
        cmd.Arguments.Add(root);
        cmd.Options.Add(nproc);
        cmd.Options.Add(outDir);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var rootPath = parse.GetValue(root)!;
            var options = new ConvertOptions(parse.GetValue(nproc), parse.GetValue(outDir));
            var result = Ui.Interactive ? WithProgressBar(name, rootPath, options, convert) : WithProgressLines(rootPath, options, convert);
            PrintSummary(result);
            return 0;
        }));
        return cmd;
    }

    /// `convert custom ROOT --labels DIR --label-suffix SUF --classes N [--ignore 255]`: the RCS
    /// statistics of a folder-pair domain whose labels already hold train IDs (checked on the way).
    static Command Custom()
    {
        var root = new Argument<string>("ROOT") { Description = "data set root as you will give it in the config (Data.Source.Root), e.g. data/farm_sim" };
        var labels = new Option<string>("--labels") { Description = "label folder relative to ROOT (CustomLayout.LabelDir)", DefaultValueFactory = _ => "labels" };
        var suffix = new Option<string>("--label-suffix") { Description = "label file suffix (CustomLayout.LabelSuffix)", DefaultValueFactory = _ => ".png" };
        var classes = new Option<int>("--classes") { Description = "number of classes (CustomLayout.ClassNames.Count); label values must be 0…N−1 or the ignore index", Required = true };
        var ignore = new Option<int>("--ignore") { Description = "ignore index (CustomLayout.IgnoreIndex)", DefaultValueFactory = _ => 255 };
        var nproc = new Option<int>("--nproc") { Description = "parallel workers (the output does not depend on it)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var outDir = new Option<string?>("--out") { Description = "folder for the statistics JSON files (default: ROOT)" };
        var cmd = new Command("custom", "Your own folder-pair domain: check its train-ID labels and write the RCS class statistics into ROOT");
        cmd.Arguments.Add(root);
        foreach (var o in new Option[] { labels, suffix, classes, ignore, nproc, outDir }) cmd.Options.Add(o);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var n = parse.GetValue(classes);
            var options = new ConvertOptions(parse.GetValue(nproc), parse.GetValue(outDir));
            ConvertResult Convert(string r, ConvertOptions o) =>
                CustomConverter.Run(r, parse.GetValue(labels)!, parse.GetValue(suffix)!, n, parse.GetValue(ignore), o);
            var rootPath = parse.GetValue(root)!;
            var result = Ui.Interactive ? WithProgressBar("custom", rootPath, options, Convert) : WithProgressLines(rootPath, options, Convert);
            PrintSummary(result, n);
            return 0;
        }));
        return cmd;
    }

    static ConvertResult WithProgressBar(string name, string root, ConvertOptions options, Func<string, ConvertOptions, ConvertResult> convert)
    {
        ConvertResult? result = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"convert {name}", maxValue: 1);
                result = convert(root, options with
                {
                    Progress = p => { task.MaxValue = p.Total; task.Value = p.Done; },
                });
                task.Value = task.MaxValue;
            });
        return result!;
    }

    /// Redirected output: one line per 10 % (logs stay short).
    static ConvertResult WithProgressLines(string root, ConvertOptions options, Func<string, ConvertOptions, ConvertResult> convert)
    {
        var lastDecile = -1;
        return convert(root, options with
        {
            Progress = p =>
            {
                var decile = p.Done * 10 / p.Total;
                if (decile == lastDecile) return;
                lastDecile = decile;
                Console.WriteLine($"converted {p.Done}/{p.Total} labels ({decile * 10} %)");
            },
        });
    }

    static void PrintSummary(ConvertResult r, int numClasses = LabelMaps.NumClasses)
    {
        string Name(int c) => numClasses == LabelMaps.NumClasses ? LabelMaps.CityscapesClasses[c] : $"class {c}";
        var totals = new long[numClasses];
        var images = new int[numClasses];
        foreach (var s in r.Stats)
            foreach (var (c, n) in s.PixelsPerClass)
                if (c < totals.Length) { totals[c] += n; images[c]++; }
        var all = Math.Max(1, totals.Sum());
        var inv = CultureInfo.InvariantCulture;
        Ui.Table($"{r.Dataset}: class statistics of {r.Stats.Count} image(s)", ["class", "images", "pixels", "share"],
            Enumerable.Range(0, totals.Length).Select(c => (IReadOnlyList<string>)
            [
                $"{c} {Name(c)}", images[c].ToString(inv), totals[c].ToString(inv),
                (100.0 * totals[c] / all).ToString("0.000", inv) + "%",
            ]));
        Console.WriteLine(r.LabelsWritten > 0
            ? $"{r.Dataset}: wrote {r.LabelsWritten} *_labelTrainIds.png label(s) in {r.Elapsed.TotalSeconds.ToString("0.0", inv)} s"
            : $"{r.Dataset}: checked {r.Stats.Count} label(s) in {r.Elapsed.TotalSeconds.ToString("0.0", inv)} s");
        foreach (var f in r.FilesWritten) Console.WriteLine($"  {f}");
        var absent = Enumerable.Range(0, totals.Length).Where(c => totals[c] == 0).Select(Name).ToArray();
        if (r.Stats.Count > 0 && absent.Length > 0)
            Console.WriteLine($"classes never seen (not sampled by RCS): {string.Join(", ", absent)}");
    }
}
