using System.CommandLine;
using DaFormer.Cli.ConsoleUi;
using DaFormer.Cli.Downloads;
using DaFormer.Model;

namespace DaFormer.Cli.Commands;

/// `daformer download-checkpoints [--dir pretrained] [--only NAME]... [--catalog FILE]`: by default the
/// DAFormer set (MiT ImageNet weights, the released run); the ResNet-family ImageNet weights of the
/// comparison baselines when named with `--only`.
public static class DownloadCommand
{
    public static Command Build()
    {
        var dir = new Option<string>("--dir") { Description = "target folder", DefaultValueFactory = _ => "pretrained" };
        var only = new Option<string[]>("--only") { Description = "download only these entries (" + string.Join(", ", DownloadCatalog.Default.Select(i => i.Name)) + "; the ResNet-family weights only when named)", AllowMultipleArgumentsPerToken = true };
        var catalog = new Option<string?>("--catalog") { Description = "JSON catalog replacing the built-in one: [{name, url, fileName, size?, sha256? (full or leading hex digits), extract?, onlyWhenNamed?}]" };
        var cmd = new Command("download-checkpoints", "Fetch the ImageNet weights (MiT, ResNet-V1c, ResNeXt, ResNeSt) and the released DAFormer checkpoint (resumable, verified).");
        cmd.Options.Add(dir); cmd.Options.Add(only); cmd.Options.Add(catalog);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var items = parse.GetValue(catalog) is { } c ? DownloadCatalog.Load(c) : DownloadCatalog.Default;
            var selected = DownloadCatalog.Select(items, parse.GetValue(only) ?? []);
            return Run(selected, parse.GetValue(dir)!);
        }));
        return cmd;
    }

    public static int Run(IReadOnlyList<DownloadItem> items, string dir)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        var lastPrint = DateTime.MinValue;
        var downloader = new Downloader(http, (name, done, total) =>
        {
            if ((DateTime.UtcNow - lastPrint).TotalSeconds < 2) return;
            lastPrint = DateTime.UtcNow;
            var pct = total is > 0 ? $" ({100.0 * done / total.Value:F1} %)" : "";
            Console.Error.WriteLine($"{name}: {done / 1048576.0:F1} MiB{pct}");
        });
        var rows = new List<IReadOnlyList<string>>();
        var failed = 0;
        foreach (var item in items)
        {
            try
            {
                var r = downloader.FetchAsync(item, dir).GetAwaiter().GetResult();
                rows.Add([r.Name, r.Skipped ? "present" : r.Resumed ? "resumed" : "downloaded", $"{r.Bytes / 1048576.0:F1} MiB", r.Sha256[..16] + "…", r.Path]);
                if (!r.Skipped && item.Sha256 is null) Console.Error.WriteLine($"{r.Name}: no SHA-256 is pinned for this file; it is {r.Sha256}");
            }
            catch (DaFormerError e)
            {
                failed++;
                Console.Error.WriteLine($"error: {e.Message}");
                rows.Add([item.Name, "failed", "", "", Path.Combine(dir, item.FileName)]);
            }
        }
        Ui.Table("Checkpoints", ["name", "status", "size", "sha256", "path"], rows);
        return failed == 0 ? 0 : 2;
    }
}
