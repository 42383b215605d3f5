using System.CommandLine;
using DaFormer.Model;
using DaFormer.Training.Reports;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DaFormer.Cli.Commands;

/// `daformer plot RUN_DIR [--out curves.png]`: losses, learning rates per parameter group,
/// pseudo-label confidence and validation mIoU (%) over iterations, as a 2×2 grid PNG. A run
/// directory without log records is an error (exit 1), not an empty picture.
public static class PlotCommand
{
    const int PanelW = 800, PanelH = 480;

    public static Command Build()
    {
        var dir = new Argument<string>("RUN_DIR") { Description = "run directory with log.jsonl" };
        var output = new Option<string?>("--out") { Description = "output PNG (default RUN_DIR/curves.png)" };
        var cmd = new Command("plot", "Plot training curves of a run as a PNG.");
        cmd.Arguments.Add(dir); cmd.Options.Add(output);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var runDir = parse.GetValue(dir)!;
            if (!Directory.Exists(runDir)) throw new DaFormerError($"{runDir}: no such run directory.");
            var curves = TrainingCurves.Read(Path.Combine(runDir, "log.jsonl"));
            var path = parse.GetValue(output) ?? Path.Combine(runDir, "curves.png");
            Render(curves, path);
            Console.WriteLine($"wrote {path}");
            return 0;
        }));
        return cmd;
    }

    public static void Render(TrainingCurves curves, string path)
    {
        var panels = new[]
        {
            Panel("Loss terms", curves.Losses, logY: false),
            Panel("Learning rate", curves.LearningRates, logY: true),
            Panel("Pseudo-label confidence", curves.PseudoConfidence is { } c ? [c] : [], logY: false),
            Panel("Validation mIoU (%)", curves.ValidationMiou is { } m ? [m] : [], logY: false),
        };
        using var grid = new Image<Rgba32>(2 * PanelW, 2 * PanelH, Color.White);
        for (var i = 0; i < panels.Length; i++)
        {
            using var panel = Image.Load<Rgba32>(panels[i]);
            grid.Mutate(g => g.DrawImage(panel, new Point(i % 2 * PanelW, i / 2 * PanelH), 1f));
        }
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        try { Directory.CreateDirectory(dir); }
        catch (UnauthorizedAccessException) { throw new DaFormerError($"--out {path}: the folder {dir} is not writable."); }
        DaFormer.Training.Data.ImageIo.SaveAtomic(path, s => grid.SaveAsPng(s));
    }

    static byte[] Panel(string title, IReadOnlyList<Series> series, bool logY)
    {
        var plt = new ScottPlot.Plot();
        plt.Title(title);
        plt.XLabel("iteration");
        foreach (var s in series)
        {
            var ys = logY ? s.Values.Select(v => Math.Log10(Math.Max(v, 1e-12))).ToArray() : s.Values.ToArray();
            var sc = plt.Add.Scatter(s.Iterations.ToArray(), ys);
            sc.LegendText = s.Name;
            sc.MarkerSize = s.Values.Count > 50 ? 0 : 4;
        }
        if (logY) plt.YLabel("log10");
        if (series.Count > 1) plt.ShowLegend();
        if (series.Count == 0) plt.Add.Annotation("no data in this run's log");
        return plt.GetImage(PanelW, PanelH).GetImageBytes();
    }
}
