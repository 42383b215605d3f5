using System.Text.Json;
using System.Text.RegularExpressions;
using DaFormer.Model;
using DaFormer.Training.Runs;

namespace DaFormer.Training.Reports;

/// Final and best validation mIoU of one run, read from its `log.jsonl` evaluation records
/// (`{"iter": N, "mode": "val", "mIoU": 0.6885, ...}`, mIoU stored as a fraction like the original).
public sealed record RunResult(string RunDir, string RunName, string Group, int? Seed, double? FinalMiou, double? BestMiou, long? FinalIteration);

/// A group of runs that differ only in their seed, summarised as mean ± sample standard deviation.
public sealed record GroupResult(string Group, int Runs, double? FinalMean, double? FinalStd, double? BestMean, double? BestStd);

public static partial class RunComparison
{
    [GeneratedRegex(@"^\d{6}_\d{4}_(?<name>.+)_[0-9a-f]{5}$")]
    private static partial Regex RunDirName();

    [GeneratedRegex(@"_s(?<seed>\d+)$")]
    private static partial Regex SeedSuffix();

    public static RunResult Read(string runDir)
    {
        var log = Path.Combine(runDir, "log.jsonl");
        if (!File.Exists(log)) throw new DaFormerError($"{runDir}: no log.jsonl; expected a run directory written by `daformer run`.");
        var evals = JsonlLog.Read(log)
            .Where(e => e.TryGetProperty("mode", out var m) && m.GetString() == "val" && e.TryGetProperty("mIoU", out _))
            .Select(e => (Iter: e.TryGetProperty("iter", out var i) ? i.GetInt64() : 0, Miou: e.GetProperty("mIoU").GetDouble()))
            .ToList();
        var folder = Path.GetFileName(Path.TrimEndingDirectorySeparator(runDir));
        var m = RunDirName().Match(folder);
        var name = m.Success ? m.Groups["name"].Value : folder;
        var s = SeedSuffix().Match(name);
        var group = s.Success ? name[..s.Index] : name;
        int? seed = s.Success ? int.Parse(s.Groups["seed"].Value) : null;
        return new RunResult(runDir, name, group, seed,
            evals.Count > 0 ? evals[^1].Miou : null, evals.Count > 0 ? evals.Max(e => e.Miou) : null,
            evals.Count > 0 ? evals[^1].Iter : null);
    }

    public static IReadOnlyList<GroupResult> Group(IEnumerable<RunResult> runs) =>
        runs.GroupBy(r => r.Group).Select(g =>
        {
            var (fm, fs) = MeanStd(g.Select(r => r.FinalMiou));
            var (bm, bs) = MeanStd(g.Select(r => r.BestMiou));
            return new GroupResult(g.Key, g.Count(), fm, fs, bm, bs);
        }).OrderBy(g => g.Group, StringComparer.Ordinal).ToList();

    /// Mean and sample standard deviation (n − 1) of the present values; std is 0 for a single run.
    public static (double? Mean, double? Std) MeanStd(IEnumerable<double?> values)
    {
        var v = values.Where(x => x.HasValue).Select(x => x!.Value).ToList();
        if (v.Count == 0) return (null, null);
        var mean = v.Average();
        var std = v.Count > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Count - 1)) : 0.0;
        return (mean, std);
    }

    /// "68.30 ± 0.52" in percent.
    public static string Format(double? mean, double? std) =>
        mean is null ? "-" : $"{100 * mean.Value:F2} ± {100 * (std ?? 0):F2}";
}
