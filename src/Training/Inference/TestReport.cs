using System.Text;
using System.Text.Json;
using DaFormer.Training.Data;
using DaFormer.Training.Evaluation;

namespace DaFormer.Training.Inference;

/// What `daformer test` evaluated and what it measured.
public sealed record TestSummary(
    string Checkpoint, string Weights, string Config, string Dataset, string Split, int Images,
    string Scale, string Mode, IReadOnlyList<string> ClassNames, SegMetrics Metrics, bool SynthiaSubsets)
{
    public double? MIoU16 => SynthiaSubsets ? Evaluation.Metrics.MeanOver(Metrics.IoU, LabelMaps.Synthia16) : null;
    public double? MIoU13 => SynthiaSubsets ? Evaluation.Metrics.MeanOver(Metrics.IoU, LabelMaps.Synthia13) : null;
}

/// `test_results.json` (fractions like the original's returned dict: `mIoU`, `IoU.<class>`, …; NaN as
/// null) and `test_results.md` (percentages with 2 decimals, as the original prints them).
public static class TestReport
{
    public static string Json(TestSummary s)
    {
        static double? N(double v) => double.IsNaN(v) ? null : v;
        var m = s.Metrics;
        var d = new Dictionary<string, object?>
        {
            ["checkpoint"] = s.Checkpoint, ["weights"] = s.Weights, ["config"] = s.Config, ["dataset"] = s.Dataset,
            ["split"] = s.Split, ["images"] = s.Images, ["scale"] = s.Scale, ["mode"] = s.Mode,
            ["aAcc"] = N(m.AAcc), ["mIoU"] = N(m.MIoU), ["mAcc"] = N(m.MAcc),
        };
        if (s.MIoU16 is { } a) d["mIoU16"] = N(a);
        if (s.MIoU13 is { } b) d["mIoU13"] = N(b);
        for (var k = 0; k < s.ClassNames.Count; k++)
        {
            d[$"IoU.{s.ClassNames[k]}"] = N(m.IoU[k]);
            d[$"Acc.{s.ClassNames[k]}"] = N(m.Acc[k]);
        }
        return JsonSerializer.Serialize(d, new JsonSerializerOptions { WriteIndented = true });
    }

    public static string Markdown(TestSummary s)
    {
        var m = s.Metrics;
        var sb = new StringBuilder();
        sb.AppendLine("# Test results").AppendLine();
        sb.AppendLine($"- checkpoint: `{s.Checkpoint}` ({s.Weights})");
        sb.AppendLine($"- config: `{s.Config}`");
        sb.AppendLine($"- data: {s.Dataset} `{s.Split}`, {s.Images} images at {s.Scale}, {s.Mode} inference").AppendLine();
        sb.AppendLine("| Class | IoU | Acc |").AppendLine("|---|---:|---:|");
        foreach (var r in Metrics.PerClassRows(s.ClassNames, m)) sb.AppendLine($"| {r[0]} | {r[1]} | {r[2]} |");
        sb.AppendLine().AppendLine("| aAcc | mIoU | mAcc |" + (s.SynthiaSubsets ? " mIoU16 | mIoU13 |" : ""));
        sb.AppendLine("|---:|---:|---:|" + (s.SynthiaSubsets ? "---:|---:|" : ""));
        sb.Append($"| {Metrics.Percent(m.AAcc)} | {Metrics.Percent(m.MIoU)} | {Metrics.Percent(m.MAcc)} |");
        if (s.SynthiaSubsets) sb.Append($" {Metrics.Percent(s.MIoU16!.Value)} | {Metrics.Percent(s.MIoU13!.Value)} |");
        return sb.AppendLine().ToString();
    }
}
