using DaFormer.Training.Evaluation;

namespace DaFormer.Training.Runs;

/// What log.jsonl and TensorBoard receive, built in one place so the two always agree.
///
/// Iterations are counted as mmcv's logger counts them: `iter` = the number of iterations completed
/// (1-based; the record of the first iteration has `iter: 1`, an evaluation after 250 iterations
/// `iter: 250`), the same for `mode: train` and `mode: val` records and for TensorBoard steps. A
/// train record's `lr` holds the rates used during that iteration, keyed by parameter group.
/// Metrics (`mIoU`, `mAcc`, `aAcc`, `IoU.<class>`, `Acc.<class>`) are percentages (0–100), as the
/// original's tables print them; val records say so with `"unit": "%"` (logs written before had
/// fractions and no unit field — readers convert those).
public static class TrainingRecords
{
    public const string PercentUnit = "%";

    /// The `mode: train` record of one iteration (completed count `stats.Iteration + 1`).
    public static Dictionary<string, object?> Train(IterationStats s, IReadOnlyList<string> groupLabels, double rssMb)
    {
        var lr = new Dictionary<string, double>();
        for (var g = 0; g < s.LearningRates.Count; g++) lr[g < groupLabels.Count ? groupLabels[g] : $"group{g}"] = s.LearningRates[g];
        var r = new Dictionary<string, object?> { ["iter"] = s.Iteration + 1, ["mode"] = "train", ["lr"] = lr };
        foreach (var (k, v) in s.Losses) r[k] = v;
        r["loss"] = s.Total;
        if (s.PseudoConfidence is { } c) r["pseudo_conf"] = c;
        r["time"] = s.StepMs / 1000.0;
        r["data_time"] = s.DataWaitMs / 1000.0;
        r["memory_mb"] = Math.Round(rssMb, 1);
        // fp16 loss scaling (GradScaler's scale and the optimiser steps skipped on overflow so far).
        if (s.LossScale is { } scale) r["loss_scale"] = scale;
        if (s.SkippedSteps is { } skipped) r["skipped_steps"] = skipped;
        if (s.StepSkipped) r["step_skipped"] = true;
        return r;
    }

    /// The `mode: val` record of an evaluation after `iterations` completed iterations.
    public static Dictionary<string, object?> Val(long iterations, SegMetrics m, IReadOnlyList<string> classNames)
    {
        var r = new Dictionary<string, object?>
        {
            ["iter"] = iterations, ["mode"] = "val", ["unit"] = PercentUnit,
            ["mIoU"] = Percent(m.MIoU), ["mAcc"] = Percent(m.MAcc), ["aAcc"] = Percent(m.AAcc),
        };
        for (var k = 0; k < m.IoU.Length && k < classNames.Count; k++)
        {
            r[$"IoU.{classNames[k]}"] = Percent(m.IoU[k]);
            r[$"Acc.{classNames[k]}"] = Percent(m.Acc[k]);
        }
        return r;
    }

    /// The TensorBoard scalars of a record (numbers only; lists, strings and nulls are skipped):
    /// `train/<loss term>`, `lr/<group>`, `time/step_s`, `memory/rss_mb`, `val/mIoU`, `val/IoU.<class>`, ….
    public static IEnumerable<(string Tag, double Value)> Scalars(IReadOnlyDictionary<string, object?> record)
    {
        var val = record.TryGetValue("mode", out var m) && (m as string) == "val";
        foreach (var (k, v) in record)
        {
            if (k is "iter" or "mode" or "unit") continue;
            if (v is IReadOnlyDictionary<string, double> groups)
            {
                foreach (var (g, x) in groups) yield return ($"{k}/{g}", x);
                continue;
            }
            if (v is not (double or float or int or long)) continue;
            var x1 = Convert.ToDouble(v);
            yield return (k switch
            {
                "time" => "time/step_s",
                "data_time" => "time/data_s",
                "memory_mb" => "memory/rss_mb",
                _ => (val ? "val/" : "train/") + k,
            }, x1);
        }
    }

    /// 100 × a fraction; NaN (a class absent from prediction and ground truth) becomes null (JSON has no NaN).
    public static double? Percent(double fraction) => double.IsNaN(fraction) ? null : 100 * fraction;
}
