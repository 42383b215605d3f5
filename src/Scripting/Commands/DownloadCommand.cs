using System.CommandLine;
using DaFormer.Cli.ConsoleUi;
using DaFormer.Cli.Downloads;
using DaFormer.Model;

namespace DaFormer.Cli.Commands;

/// `daformer download-checkpoints [--dir pretrained] [--only NAME]... [--catalog FILE]`.
public static class DownloadCommand
{
    public static Command Build()
    {
        var dir = new Option<string>("--dir") { Description = "target folder", DefaultValueFactory = _ => "pretrained" };
        var only = new Option<string[]>("--only") { Description = "download only these entries (mit_b3, mit_b4, mit_b5, daformer_gta2cs)", AllowMultipleArgumentsPerToken = true };
        var catalog = new Option<string?>("--catalog") { Description = "JSON catalog replacing the built-in one: [{name, url, fileName, size?, sha256?, extract?}]" };
        var cmd = new Command("download-checkpoints", "Fetch the ImageNet MiT weights and the released DAFormer checkpoint (resumable, verified).");
        cmd.Options.Add(dir); cmd.Options.Add(only); cmd.Options.Add(catalog);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var items = parse.GetValue(catalog) is { } c ? DownloadCatalog.Load(c) : DownloadCatalog.Default;
            var wanted = parse.GetValue(only) ?? [];
            var unknown = wanted.Where(w => items.All(i => i.Name != w)).ToList();
            if (unknown.Count > 0) throw new DaFormerError($"--only {string.Join(", ", unknown)}: unknown; choose from {string.Join(", ", items.Select(i => i.Name))}.");
            var selected = wanted.Length == 0 ? items : items.Where(i => wanted.Contains(i.Name)).ToList();
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
