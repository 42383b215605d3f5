using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DaFormer.Model;
using DaFormer.Training.Config;
using DaFormer.Training.Runs;

namespace DaFormer.Training.Reports;

/// Final and best validation mIoU (percent, 0–100) of one run, read from its `log.jsonl` evaluation
/// records, and the key of the experiment it belongs to: its whole config except the seed.
public sealed record RunResult(string RunDir, string RunName, string Group, string ConfigKey, int? Seed,
                               double? FinalMIoUPercent, double? BestMIoUPercent, long? FinalIteration);

/// Runs of one experiment (configs equal except for the seed), as mean ± sample standard deviation (percent).
public sealed record GroupResult(string Group, int Runs, double? FinalMean, double? FinalStd, double? BestMean, double? BestStd);

public static partial class RunComparison
{
    [GeneratedRegex(@"_s(?<seed>\d+)$")]
    private static partial Regex SeedSuffix();

    public static RunResult Read(string runDir)
    {
        var log = Path.Combine(runDir, "log.jsonl");
        if (!File.Exists(log)) throw new DaFormerError($"{runDir}: no log.jsonl; expected a run directory written by `daformer run`.");
        var evals = JsonlLog.Read(log)
            .Where(e => e.TryGetProperty("mode", out var m) && m.GetString() == "val" && e.TryGetProperty("mIoU", out var v) && v.ValueKind == JsonValueKind.Number)
            .Select(e => (Iter: e.TryGetProperty("iter", out var i) ? i.GetInt64() : 0, Miou: MIoUPercent(e)))
            .ToList();
        var name = RunDirectory.RunNameOf(runDir) ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(runDir));
        var s = SeedSuffix().Match(name);
        var group = s.Success ? name[..s.Index] : name;
        int? seed = s.Success ? int.Parse(s.Groups["seed"].Value) : null;
        var configFile = Path.Combine(runDir, "config.json");
        var key = File.Exists(configFile) ? ConfigKeyWithoutSeed(File.ReadAllText(configFile), configFile) : "name:" + group;
        return new RunResult(runDir, name, group, key, seed,
            evals.Count > 0 ? evals[^1].Miou : null, evals.Count > 0 ? evals.Max(e => e.Miou) : null,
            evals.Count > 0 ? evals[^1].Iter : null);
    }

    /// A val record's mIoU in percent. Records with `"unit": "%"` hold percentages; logs written
    /// before the unit was recorded held fractions (0–1), like the original's log.json.
    public static double MIoUPercent(JsonElement valRecord)
    {
        var v = valRecord.GetProperty("mIoU").GetDouble();
        return valRecord.TryGetProperty("unit", out var u) && u.GetString() == TrainingRecords.PercentUnit ? v : 100 * v;
    }

    /// The config without `runtime.seed` and the derived name (and the legacy device / work-dir
    /// fields), as canonical JSON text: two runs belong to one experiment iff these are equal.
    public static string ConfigKeyWithoutSeed(string configJson, string source)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(ConfigJson.WithoutLegacyFields(configJson)); }
        catch (JsonException e) { throw new DaFormerError($"{source}: not valid JSON ({e.Message}); expected the config.json of a run directory.", e); }
        if (root is not JsonObject o) throw new DaFormerError($"{source}: expected a JSON object (a run config).");
        o.Remove("name");
        if (o["runtime"] is JsonObject rt) rt.Remove("seed");
        return o.ToJsonString();
    }

    /// Groups runs whose configs are equal except for the seed. Groups that share a display name but
    /// differ in another field (e.g. 20 vs 400 iterations) are told apart by a short hash of their config.
    public static IReadOnlyList<GroupResult> Group(IEnumerable<RunResult> runs)
    {
        var groups = runs.GroupBy(r => r.ConfigKey).ToList();
        var ambiguous = groups.GroupBy(g => g.First().Group).Where(x => x.Count() > 1).Select(x => x.Key).ToHashSet();
        return groups.Select(g =>
        {
            var label = g.First().Group;
            if (ambiguous.Contains(label)) label += $" [config {ShortHash(g.Key)}]";
            var (fm, fs) = MeanStd(g.Select(r => r.FinalMIoUPercent));
            var (bm, bs) = MeanStd(g.Select(r => r.BestMIoUPercent));
            return new GroupResult(label, g.Count(), fm, fs, bm, bs);
        }).OrderBy(g => g.Group, StringComparer.Ordinal).ToList();
    }

    static string ShortHash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..5].ToLowerInvariant();

    /// Mean and sample standard deviation (n − 1) of the present values; std is null for a single value.
    public static (double? Mean, double? Std) MeanStd(IEnumerable<double?> values)
    {
        var v = values.Where(x => x.HasValue).Select(x => x!.Value).ToList();
        if (v.Count == 0) return (null, null);
        var mean = v.Average();
        double? std = v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : null;
        return (mean, std);
    }

    /// "68.30 ± 0.52" (percent), or "68.30" when there is no spread to report (a single run).
    public static string Format(double? mean, double? std) =>
        mean is null ? "-"
        : std is { } s ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{mean.Value:F2} ± {s:F2}")
        : mean.Value.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
}
