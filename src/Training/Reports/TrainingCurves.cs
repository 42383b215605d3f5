using System.Text.Json;
using DaFormer.Model;
using DaFormer.Training.Runs;

namespace DaFormer.Training.Reports;

/// One named series of (iteration, value) points.
public sealed record Series(string Name, IReadOnlyList<double> Iterations, IReadOnlyList<double> Values);

/// The curves `daformer plot` draws, extracted from `log.jsonl`: every loss term, the learning rate
/// of each parameter group, the pseudo-label confidence and validation mIoU (in percent).
public sealed record TrainingCurves(IReadOnlyList<Series> Losses, IReadOnlyList<Series> LearningRates, Series? PseudoConfidence, Series? ValidationMiou)
{
    public static TrainingCurves Read(string logPath)
    {
        if (!File.Exists(logPath)) throw new DaFormerError($"{logPath}: not found; expected the log.jsonl of a run directory (`daformer plot RUN_DIR`).");
        var curves = FromRecords(JsonlLog.Read(logPath));
        if (curves.IsEmpty)
            throw new DaFormerError($"{logPath}: the log holds no training or evaluation records yet (the run stopped before its first logged iteration); nothing to plot.");
        return curves;
    }

    public bool IsEmpty => Losses.Count == 0 && LearningRates.Count == 0 && PseudoConfidence is null && ValidationMiou is null;

    public static TrainingCurves FromRecords(IReadOnlyList<JsonElement> records)
    {
        var train = records.Where(r => Mode(r) == "train").ToList();
        var val = records.Where(r => Mode(r) == "val").ToList();
        var lossNames = train.SelectMany(r => r.EnumerateObject().Select(p => p.Name))
            .Where(n => n.Contains("loss") && n != "loss").Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        var losses = lossNames.Select(n => Collect(n, train, r => Number(r, n))).Where(s => s.Values.Count > 0).ToList();
        var lrs = LearningRateSeries(train);
        var conf = Collect("pseudo-label confidence", train, r => Number(r, "pseudo_conf"));
        var miou = Collect("val mIoU (%)", val, r => Number(r, "mIoU") is null ? null : RunComparison.MIoUPercent(r));
        return new TrainingCurves(losses, lrs, conf.Values.Count > 0 ? conf : null, miou.Values.Count > 0 ? miou : null);
    }

    /// One series per parameter group. Records hold `lr` as {group label: rate}; logs written before
    /// held a list in the trainer's group order, which for MiT is backbone, backbone no-decay (norms),
    /// head, and for ResNet (no norm-named parameters) backbone, head.
    static IReadOnlyList<Series> LearningRateSeries(IReadOnlyList<JsonElement> train)
    {
        var labels = new List<string>();
        foreach (var r in train)
            if (r.TryGetProperty("lr", out var lr))
            {
                if (lr.ValueKind == JsonValueKind.Object)
                    foreach (var p in lr.EnumerateObject()) { if (!labels.Contains(p.Name)) labels.Add(p.Name); }
                else if (lr.ValueKind == JsonValueKind.Array)
                    foreach (var l in LegacyLabels(lr.GetArrayLength())) if (!labels.Contains(l)) labels.Add(l);
            }
        return labels.Select(label => Collect($"lr ({label.Replace('_', ' ').Replace("no decay", "no-decay")})", train, r =>
        {
            if (!r.TryGetProperty("lr", out var lr)) return null;
            if (lr.ValueKind == JsonValueKind.Object) return lr.TryGetProperty(label, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
            if (lr.ValueKind != JsonValueKind.Array) return null;
            var g = LegacyLabels(lr.GetArrayLength()).IndexOf(label);
            return g >= 0 ? lr[g].GetDouble() : null;
        })).Where(s => s.Values.Count > 0).ToList();
    }

    static List<string> LegacyLabels(int count) => count switch
    {
        3 => ["backbone", "backbone_no_decay", "head"],
        2 => ["backbone", "head"],
        _ => Enumerable.Range(0, count).Select(g => $"group {g}").ToList(),
    };

    static string? Mode(JsonElement r) => r.TryGetProperty("mode", out var m) ? m.GetString() : null;

    static double? Number(JsonElement r, string name) =>
        r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    static Series Collect(string name, IEnumerable<JsonElement> records, Func<JsonElement, double?> value)
    {
        var its = new List<double>();
        var vals = new List<double>();
        foreach (var r in records)
            if (value(r) is { } v && double.IsFinite(v) && Number(r, "iter") is { } it)
            {
                its.Add(it);
                vals.Add(v);
            }
        return new Series(name, its, vals);
    }
}
