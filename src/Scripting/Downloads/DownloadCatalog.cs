using System.Text.Json;
using System.Text.Json.Serialization;
using DaFormer.Model;

namespace DaFormer.Cli.Downloads;

/// One downloadable file. `Size`/`Sha256` are verified when known; `Extract` unpacks a .tar.gz into
/// the target folder after verification (the released DAFormer run directory ships that way).
public sealed record DownloadItem(
    string Name,
    string Url,
    string FileName,
    long? Size = null,
    string? Sha256 = null,
    bool Extract = false,
    string? Description = null);

/// The public locations the original's `tools/download_checkpoints.sh` uses (Google Drive ids from
/// the DAFormer repository). Sizes and hashes were not recorded there and cannot be fetched on this
/// machine, so for these entries the size is checked against the server's Content-Length and the
/// SHA-256 is printed for the user to pin in their own catalog (`--catalog FILE`).
public static class DownloadCatalog
{
    static string Drive(string id) => $"https://drive.usercontent.google.com/download?id={id}&export=download&confirm=t";

    public static IReadOnlyList<DownloadItem> Default { get; } =
    [
        new("mit_b3", Drive("1d3wU8KNjPL4EqMCIEO_rO-O3-REpG82T"), "mit_b3.pth", Description: "MiT-B3 ImageNet-1K weights (SegFormer)"),
        new("mit_b4", Drive("1BUtU42moYrOFbsMCE-LTTkUE-mrWnfG2"), "mit_b4.pth", Description: "MiT-B4 ImageNet-1K weights (SegFormer)"),
        new("mit_b5", Drive("1d7I50jVjtCddnhpf-lqj8-f13UyCzoW1"), "mit_b5.pth", Description: "MiT-B5 ImageNet-1K weights (SegFormer) — the DAFormer encoder"),
        new("daformer_gta2cs", Drive("1pG3kDClZDGwp1vSTEXmTchkGHmnLQNdP"), "211108_1622_gta2cs_daformer_s0_7f24c.tar.gz", Extract: true,
            Description: "Released DAFormer GTA→Cityscapes run (68.85 mIoU): config JSON + latest.pth"),
    ];

    static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// Reads a catalog JSON file: `[{"name":…, "url":…, "fileName":…, "size":…, "sha256":…, "extract":…}]`.
    public static IReadOnlyList<DownloadItem> Load(string path)
    {
        if (!File.Exists(path)) throw new DaFormerError($"--catalog {path}: file not found.");
        try
        {
            var items = JsonSerializer.Deserialize<List<DownloadItem>>(File.ReadAllText(path), Json)
                        ?? throw new DaFormerError($"{path}: the catalog is empty; expected a JSON array of {{name, url, fileName, size?, sha256?, extract?}}.");
            foreach (var (item, i) in items.Select((x, i) => (x, i)))
                if (string.IsNullOrWhiteSpace(item.Name) || string.IsNullOrWhiteSpace(item.Url) || string.IsNullOrWhiteSpace(item.FileName))
                    throw new DaFormerError($"{path}: entry {i} needs 'name', 'url' and 'fileName'.");
            return items;
        }
        catch (JsonException e)
        {
            throw new DaFormerError($"{path}: not a valid catalog ({e.Message}); expected a JSON array of {{name, url, fileName, size?, sha256?, extract?}}.");
        }
    }
}
