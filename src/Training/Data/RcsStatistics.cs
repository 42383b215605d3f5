using System.Globalization;
using System.Text.Json;
using DaFormer.Model;

namespace DaFormer.Training.Data;

/// Pixel count of every train ID present (count > 0) in one converted label, in the file's key order
/// (increasing train ID). `File` is the `_labelTrainIds.png` path as the converter wrote it.
public sealed record ImageClassStats(string File, IReadOnlyDictionary<int, long> PixelsPerClass);

/// The converter side-products Rare Class Sampling reads (spec §1.3, §2.7): `sample_class_stats.json`
/// (one entry per image, in scan order) and `samples_with_class.json` (per class, in order of first
/// occurrence: every image containing it with its pixel count — no threshold applied here).
public sealed record RcsStatistics(
    IReadOnlyList<ImageClassStats> SampleClassStats,
    IReadOnlyDictionary<int, IReadOnlyList<(string File, long Pixels)>> SamplesWithClass)
{
    public const string SampleClassStatsFile = "sample_class_stats.json";
    public const string SampleClassStatsDictFile = "sample_class_stats_dict.json";
    public const string SamplesWithClassFile = "samples_with_class.json";

    /// `samples_with_class` as the original `save_class_stats` derives it from the per-image stats
    /// (class keys in order of first occurrence, images in order).
    public static RcsStatistics FromImages(IReadOnlyList<ImageClassStats> images)
    {
        var byClass = new OrderedDictionary<int, List<(string, long)>>();
        foreach (var image in images)
            foreach (var (c, n) in image.PixelsPerClass)
            {
                if (!byClass.TryGetValue(c, out var list)) byClass.Add(c, list = []);
                list.Add((image.File, n));
            }
        var frozen = new OrderedDictionary<int, IReadOnlyList<(string File, long Pixels)>>();
        foreach (var (c, list) in byClass) frozen.Add(c, list);
        return new RcsStatistics(images, frozen);
    }

    /// Reads both files from `dir` (the converter's output directory — by default the data set root).
    /// `convertHint` (e.g. "daformer convert gta data/gta") is quoted when the files are missing.
    public static RcsStatistics Load(string dir, string? convertHint = null)
    {
        var hint = convertHint ?? "daformer convert gta|synthia|cityscapes ROOT";
        var statsPath = Path.Join(dir, SampleClassStatsFile);
        var withClassPath = Path.Join(dir, SamplesWithClassFile);
        foreach (var p in new[] { statsPath, withClassPath })
            if (!File.Exists(p))
                throw new DaFormerError($"{p}: Rare Class Sampling statistics not found. Run `{hint}` first (it writes {SampleClassStatsFile} and {SamplesWithClassFile} into the data set root, or into --out DIR).");
        return new RcsStatistics(ParseSampleClassStats(statsPath), ParseSamplesWithClass(withClassPath));
    }

    static IReadOnlyList<ImageClassStats> ParseSampleClassStats(string path)
    {
        using var doc = Parse(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
            throw Bad(path, "the top level is not an array of per-image objects");
        var result = new List<ImageClassStats>();
        var index = 0;
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object) throw Bad(path, $"entry {index} is not an object");
            string? file = null;
            var counts = new OrderedDictionary<int, long>();
            foreach (var prop in entry.EnumerateObject())
            {
                if (prop.Name == "file")
                {
                    file = prop.Value.ValueKind == JsonValueKind.String ? prop.Value.GetString() : throw Bad(path, $"entry {index}: \"file\" is not a string");
                    continue;
                }
                counts.Add(ClassKey(path, prop.Name, $"entry {index}"), Count(path, prop.Value, $"entry {index}, class {prop.Name}"));
            }
            result.Add(new ImageClassStats(file ?? throw Bad(path, $"entry {index} has no \"file\""), counts));
            index++;
        }
        return result;
    }

    static IReadOnlyDictionary<int, IReadOnlyList<(string File, long Pixels)>> ParseSamplesWithClass(string path)
    {
        using var doc = Parse(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw Bad(path, "the top level is not an object {\"<trainId>\": [[file, pixels], …]}");
        var result = new OrderedDictionary<int, IReadOnlyList<(string File, long Pixels)>>();
        foreach (var prop in doc.RootElement.EnumerateObject())
        {
            var c = ClassKey(path, prop.Name, "top level");
            if (prop.Value.ValueKind != JsonValueKind.Array) throw Bad(path, $"class {prop.Name} is not a list");
            var list = new List<(string, long)>();
            foreach (var pair in prop.Value.EnumerateArray())
            {
                if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2 || pair[0].ValueKind != JsonValueKind.String)
                    throw Bad(path, $"class {prop.Name}: every item must be [\"file\", pixels]");
                list.Add((pair[0].GetString()!, Count(path, pair[1], $"class {prop.Name}")));
            }
            result.Add(c, list);
        }
        return result;
    }

    static JsonDocument Parse(string path)
    {
        try { return JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e) { throw Bad(path, $"not valid JSON ({e.Message})"); }
    }

    static int ClassKey(string path, string key, string where) =>
        int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c < 256
            ? c : throw Bad(path, $"{where}: key \"{key}\" is not a train ID");

    static long Count(string path, JsonElement v, string where) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n >= 0
            ? n : throw Bad(path, $"{where}: {v.GetRawText()} is not a pixel count");

    static DaFormerError Bad(string path, string what) =>
        new($"{path}: {what}. Re-create the statistics with `daformer convert …`.");
}
