using DaFormer.Training.Data;

namespace DaFormer.Training.Evaluation;

/// The per-class table printed after an evaluation (plain text; the CLI may render it richer).
public static class EvaluationTable
{
    public static string Format(IReadOnlyList<string> classNames, SegMetrics m, bool synthiaSubsets)
    {
        var rows = Metrics.PerClassRows(classNames, m);
        var widths = new[] { Math.Max(5, classNames.Max(n => n.Length)), 6, 6 };
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"{"Class".PadRight(widths[0])}  {"IoU",6}  {"Acc",6}");
        foreach (var r in rows) sb.AppendLine($"{r[0].PadRight(widths[0])}  {r[1],6}  {r[2],6}");
        sb.AppendLine($"aAcc {Metrics.Percent(m.AAcc)}  mIoU {Metrics.Percent(m.MIoU)}  mAcc {Metrics.Percent(m.MAcc)}");
        if (synthiaSubsets)
            sb.AppendLine($"mIoU16 {Metrics.Percent(Metrics.MeanOver(m.IoU, LabelMaps.Synthia16))}  mIoU13 {Metrics.Percent(Metrics.MeanOver(m.IoU, LabelMaps.Synthia13))}");
        return sb.ToString();
    }
}
