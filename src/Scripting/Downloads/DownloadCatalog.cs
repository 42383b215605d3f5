using System.Text.Json;
using System.Text.Json.Serialization;
using DaFormer.Model;

namespace DaFormer.Cli.Downloads;

/// One downloadable file. `Size`/`Sha256` (the full hash or its leading hex digits) are verified when known; `Extract` unpacks a .tar.gz into
/// the target folder after verification (the released DAFormer run directory ships that way).
/// `OnlyWhenNamed`: fetched only when `--only` names it (the comparison baselines' weights), not by default.
public sealed record DownloadItem(
    string Name,
    string Url,
    string FileName,
    long? Size = null,
    string? Sha256 = null,
    bool Extract = false,
    string? Description = null,
    bool OnlyWhenNamed = false);

/// The public locations the original's `tools/download_checkpoints.sh` uses (Google Drive ids from
/// the DAFormer repository). Sizes and hashes were not recorded there and cannot be fetched on this
/// machine, so for these entries the size is checked against the server's Content-Length and the
/// SHA-256 is printed for the user to pin in their own catalog (`--catalog FILE`). The ResNet-family
/// ImageNet weights come from the architecture table (the open-mmlab model zoo the original's
/// `open-mmlab://` names resolve to), saved under the file name the run config's `Pretrained` expects;
/// their zoo file names end in the first 8 hex digits of the SHA-256, which is checked. Only the
/// comparison baselines need them, so they are fetched when named (`--only r101v1c s101`).
public static class DownloadCatalog
{
    static string Drive(string id) => $"https://drive.usercontent.google.com/download?id={id}&export=download&confirm=t";

    public static IReadOnlyList<DownloadItem> Default { get; } =
    [
        Mit(EncoderNames.MitB3, "1d3wU8KNjPL4EqMCIEO_rO-O3-REpG82T"),
        Mit(EncoderNames.MitB4, "1BUtU42moYrOFbsMCE-LTTkUE-mrWnfG2"),
        Mit(EncoderNames.MitB5, "1d7I50jVjtCddnhpf-lqj8-f13UyCzoW1", " — the DAFormer encoder"),
        .. ArchitectureTable.Encoders.Where(e => e.CheckpointUrl is not null).Select(ImageNet),
        new("daformer_gta2cs", Drive("1pG3kDClZDGwp1vSTEXmTchkGHmnLQNdP"), "211108_1622_gta2cs_daformer_s0_7f24c.tar.gz", Extract: true,
            Description: "Released DAFormer GTA→Cityscapes run (68.85 mIoU): config JSON + latest.pth"),
    ];

    /// A MiT entry under the table's name and file name (`mit_b5`, `mit_b5.pth`).
    static DownloadItem Mit(string encoder, string driveId, string note = "")
    {
        var e = ArchitectureTable.Encoder(encoder);
        return new(e.Name, Drive(driveId), e.CheckpointFile, Description: $"{e.Description} ImageNet-1K weights{note}");
    }

    /// The entries `--only` names (an unknown name is a DaFormerError listing the catalog), or without
    /// names every entry but the `OnlyWhenNamed` ones.
    public static IReadOnlyList<DownloadItem> Select(IReadOnlyList<DownloadItem> items, IReadOnlyList<string> wanted)
    {
        var unknown = wanted.Where(w => items.All(i => i.Name != w)).ToList();
        if (unknown.Count > 0) throw new DaFormerError($"--only {string.Join(", ", unknown)}: unknown; choose from {string.Join(", ", items.Select(i => i.Name))}.");
        return wanted.Count == 0 ? [.. items.Where(i => !i.OnlyWhenNamed)] : [.. items.Where(i => wanted.Contains(i.Name))];
    }

    /// `…/resnet101_v1c-e67eebb6.pth` → entry `r101v1c` saved as `resnet101_v1c.pth`, SHA-256 starting `e67eebb6`.
    static DownloadItem ImageNet(EncoderInfo e)
    {
        var zooName = Path.GetFileNameWithoutExtension(new Uri(e.CheckpointUrl!).AbsolutePath);
        var hash = zooName[(zooName.LastIndexOf('-') + 1)..];
        return new(e.Name, e.CheckpointUrl!, e.CheckpointFile, Sha256: hash,
                   Description: $"{e.Description} ImageNet weights ({e.Pretrained})", OnlyWhenNamed: true);
    }

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
