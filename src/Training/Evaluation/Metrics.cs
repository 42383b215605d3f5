using System.Globalization;

namespace DaFormer.Training.Evaluation;

/// Per-class and mean metrics as mmseg defines them (spec §5.1). Fractions (0..1), not percentages.
/// A class with U = 0 (never in GT, never predicted) has IoU NaN and is left out of the mean; a class
/// predicted but absent from GT has IoU 0 and counts. Acc_c = I/G is NaN when G = 0.
public sealed record SegMetrics(double[] IoU, double[] Acc, double AAcc, double MIoU, double MAcc);

public static class Metrics
{
    public static SegMetrics Compute(ConfusionMatrix cm) => FromAreas(cm.Intersect, cm.Union, cm.LabelArea);

    public static SegMetrics FromAreas(IReadOnlyList<double> intersect, IReadOnlyList<double> union, IReadOnlyList<double> labelArea)
    {
        var n = intersect.Count;
        // IEEE division gives the original's NaN for 0/0 (torch float64 division).
        var iou = Enumerable.Range(0, n).Select(c => intersect[c] / union[c]).ToArray();
        var acc = Enumerable.Range(0, n).Select(c => intersect[c] / labelArea[c]).ToArray();
        var aAcc = intersect.Sum() / labelArea.Sum();
        return new SegMetrics(iou, acc, aAcc, NanMean(iou), NanMean(acc));
    }

    /// numpy.nanmean: mean of the non-NaN values; NaN if there are none.
    public static double NanMean(IEnumerable<double> values)
    {
        double sum = 0; var count = 0;
        foreach (var v in values) if (!double.IsNaN(v)) { sum += v; count++; }
        return count == 0 ? double.NaN : sum / count;
    }

    /// nanmean of the per-class values over a subset of class indices (Synthia 16 / 13, spec §5.3).
    public static double MeanOver(IReadOnlyList<double> perClass, IEnumerable<int> classes) =>
        NanMean(classes.Select(c => perClass[c]));

    /// The README's conversion of a 19-class mean of a Synthia-trained model (three classes have IoU 0)
    /// into the 16-class mean: mIoU16 = mIoU19 · 19/16. Only valid when those three IoUs are exactly 0.
    public static double MIoU16FromMIoU19(double miou19) => miou19 * 19.0 / 16.0;

    /// A fraction as the original prints it: percentage with 2 decimals ("nan" for NaN).
    public static string Percent(double fraction) =>
        double.IsNaN(fraction) ? "nan" : (fraction * 100).ToString("F2", CultureInfo.InvariantCulture);

    /// Rows (class name, IoU %, Acc %) of the per-class table, in class order.
    public static IReadOnlyList<IReadOnlyList<string>> PerClassRows(IReadOnlyList<string> classNames, SegMetrics m)
    {
        if (classNames.Count != m.IoU.Length)
            throw new ArgumentException($"{classNames.Count} class names for {m.IoU.Length} classes");
        return Enumerable.Range(0, classNames.Count)
            .Select(c => (IReadOnlyList<string>)[classNames[c], Percent(m.IoU[c]), Percent(m.Acc[c])])
            .ToList();
    }

    public static IReadOnlyList<string> PerClassHeaders { get; } = ["Class", "IoU", "Acc"];

    /// Rows of the summary table (aAcc, mIoU, mAcc) as percentages.
    public static IReadOnlyList<IReadOnlyList<string>> SummaryRows(SegMetrics m) =>
    [
        ["aAcc", Percent(m.AAcc)],
        ["mIoU", Percent(m.MIoU)],
        ["mAcc", Percent(m.MAcc)],
    ];
}
