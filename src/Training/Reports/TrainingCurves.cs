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
        if (!File.Exists(logPath)) throw new DaFormerError($"{logPath}: not found; expected the log.jsonl of a run directory.");
        return FromRecords(JsonlLog.Read(logPath));
    }

    public static TrainingCurves FromRecords(IReadOnlyList<JsonElement> records)
    {
        var train = records.Where(r => Mode(r) == "train").ToList();
        var val = records.Where(r => Mode(r) == "val").ToList();
        var lossNames = train.SelectMany(r => r.EnumerateObject().Select(p => p.Name))
            .Where(n => n.Contains("loss") && n != "loss").Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        var losses = lossNames.Select(n => Collect(n, train, r => Number(r, n))).Where(s => s.Values.Count > 0).ToList();
        var groups = train.Select(r => r.TryGetProperty("lr", out var lr) && lr.ValueKind == JsonValueKind.Array ? lr.GetArrayLength() : 0).DefaultIfEmpty(0).Max();
        var lrs = Enumerable.Range(0, groups).Select(g => Collect(g == 0 ? "lr (backbone)" : g == 1 ? "lr (head)" : $"lr (group {g})", train,
            r => r.TryGetProperty("lr", out var lr) && lr.ValueKind == JsonValueKind.Array && lr.GetArrayLength() > g ? lr[g].GetDouble() : null)).ToList();
        var conf = Collect("pseudo-label confidence", train, r => Number(r, "pseudo_conf"));
        var miou = Collect("val mIoU (%)", val, r => Number(r, "mIoU") * 100);
        return new TrainingCurves(losses, lrs, conf.Values.Count > 0 ? conf : null, miou.Values.Count > 0 ? miou : null);
    }

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
