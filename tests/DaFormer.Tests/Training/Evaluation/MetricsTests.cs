using DaFormer.Training.Data;
using DaFormer.Tests.Support;
using DaFormer.Training.Evaluation;
using FsCheck;
using FsCheck.Fluent;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Evaluation;

public class MetricsTests
{
    static Tensor T(string key) => FixtureJson.AlgorithmsTensor(key);
    static System.Text.Json.JsonElement F => FixtureJson.Algorithms.GetProperty("mean_iou");

    static void AssertClose(double expected, double actual, double tol, string what)
    {
        if (double.IsNaN(expected)) Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual}");
        else Assert.True(Math.Abs(expected - actual) <= tol, $"{what}: expected {expected:R}, got {actual:R}");
    }

    static void AssertAll(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) AssertClose(expected[i], actual[i], tol, $"{what}[{i}]");
    }

    [Fact]
    public void Areas_and_metrics_over_two_images_match_mmseg_mean_iou()
    {
        var cm = ConfusionMatrix.Of(T("miou.pred0"), T("miou.gt0"), 19)
               + ConfusionMatrix.Of(T("miou.pred1"), T("miou.gt1"), 19);
        AssertAll(FixtureJson.Numbers(F.GetProperty("total_area_intersect")), cm.Intersect, 0, "I");
        AssertAll(FixtureJson.Numbers(F.GetProperty("total_area_union")), cm.Union, 0, "U");
        AssertAll(FixtureJson.Numbers(F.GetProperty("total_area_pred_label")), cm.PredArea, 0, "P");
        AssertAll(FixtureJson.Numbers(F.GetProperty("total_area_label")), cm.LabelArea, 0, "G");

        var m = Metrics.Compute(cm);
        AssertAll(FixtureJson.Numbers(F.GetProperty("IoU")), m.IoU, 1e-9, "IoU");
        AssertAll(FixtureJson.Numbers(F.GetProperty("Acc")), m.Acc, 1e-9, "Acc");
        AssertClose(F.GetProperty("aAcc").GetDouble(), m.AAcc, 1e-9, "aAcc");
        AssertClose(F.GetProperty("mIoU_nanmean").GetDouble(), m.MIoU, 1e-9, "mIoU");
        AssertClose(F.GetProperty("mAcc_nanmean").GetDouble(), m.MAcc, 1e-9, "mAcc");
        Assert.True(double.IsNaN(m.IoU[5])); // the absent class
    }

    [Fact]
    public void Spec_9_8_nan_toy_gives_25_percent()
    {
        var m = Metrics.FromAreas([5, 0, 0], [10, 4, 0], [8, 2, 0]);
        Assert.Equal(0.5, m.IoU[0]);
        Assert.Equal(0.0, m.IoU[1]);
        Assert.True(double.IsNaN(m.IoU[2]));
        Assert.Equal("25.00", Metrics.Percent(m.MIoU));
    }

    [Fact]
    public void A_class_predicted_but_absent_from_GT_counts_as_zero()
    {
        // GT all class 0; half predicted as class 1 → IoU0 = 0.5, IoU1 = 0 (counts), IoU2 = NaN.
        var gt = zeros(1, 4, dtype: ScalarType.Int64);
        var pred = tensor(new long[] { 0, 0, 1, 1 }).reshape(1, 4);
        var m = Metrics.Compute(ConfusionMatrix.Of(pred, gt, 3));
        Assert.Equal(0.25, m.MIoU, 12);
        Assert.Equal(0.5, m.AAcc, 12);
    }

    [Fact]
    public void Ignored_GT_pixels_are_dropped_from_both_maps()
    {
        var gt = tensor(new long[] { 255, 255, 1, 0 });
        var pred = tensor(new long[] { 1, 0, 1, 1 });
        var cm = ConfusionMatrix.Of(pred, gt, 2);
        Assert.Equal([0.0, 2.0], cm.PredArea);
        Assert.Equal([1.0, 1.0], cm.LabelArea);
        Assert.Equal([0.0, 1.0], cm.Intersect);
    }

    [Fact]
    public void Synthia_subsets_and_16_class_conversion()
    {
        Assert.Equal(60.5625, Metrics.MIoU16FromMIoU19(51.0), 12);
        Assert.Equal(16, LabelMaps.Synthia16.Count);
        Assert.Equal(13, LabelMaps.Synthia13.Count);
        Assert.DoesNotContain(9, LabelMaps.Synthia16);
        Assert.DoesNotContain(5, LabelMaps.Synthia13);
        // With IoU 0 for the three classes Synthia lacks, both conventions agree.
        var iou = Enumerable.Range(0, 19).Select(c => c is 9 or 14 or 16 ? 0.0 : 0.3 + c * 0.01).ToArray();
        Assert.Equal(Metrics.MIoU16FromMIoU19(Metrics.NanMean(iou)), Metrics.MeanOver(iou, LabelMaps.Synthia16), 12);
        var expected13 = new[] { 0, 1, 2, 6, 7, 8, 10, 11, 12, 13, 15, 17, 18 }.Average(c => iou[c]);
        Assert.Equal(expected13, Metrics.MeanOver(iou, LabelMaps.Synthia13), 12);
    }

    [Fact]
    public void Per_class_rows_are_percentages_with_two_decimals()
    {
        var m = Metrics.FromAreas([1, 0], [3, 0], [2, 0]);
        var rows = Metrics.PerClassRows(["road", "sidewalk"], m);
        Assert.Equal(["road", "33.33", "50.00"], rows[0]);
        Assert.Equal(["sidewalk", "nan", "nan"], rows[1]);
        Assert.Equal(19, Metrics.PerClassRows(LabelMaps.CityscapesClasses, Metrics.FromAreas(new double[19], new double[19], new double[19])).Count);
        Assert.Throws<ArgumentException>(() => Metrics.PerClassRows(["road"], m));
    }

    static Gen<long[]> Labels(int n, int classes, bool withIgnore) =>
        Gen.ArrayOf(Gen.Choose(0, withIgnore ? classes : classes - 1).Select(v => v == classes ? 255L : v), n);

    [FsCheck.Xunit.Property(MaxTest = 40)]
    public Property Intersection_and_union_are_symmetric_under_pred_gt_swap() =>
        Prop.ForAll(Arb.From(Gen.Choose(1, 40).SelectMany(n => Labels(n, 5, false).SelectMany(a => Labels(n, 5, false).Select(b => (a, b))))),
            ab =>
            {
                var x = ConfusionMatrix.Of(tensor(ab.a), tensor(ab.b), 5);
                var y = ConfusionMatrix.Of(tensor(ab.b), tensor(ab.a), 5);
                return x.Intersect.SequenceEqual(y.Intersect) && x.Union.SequenceEqual(y.Union)
                    && x.PredArea.SequenceEqual(y.LabelArea);
            });

    [FsCheck.Xunit.Property(MaxTest = 40)]
    public Property Confusion_matrices_add_over_batches() =>
        Prop.ForAll(Arb.From(Gen.Choose(1, 30).SelectMany(n => Gen.Four(Labels(n, 4, true)))),
            t =>
            {
                var (p1, g1, p2, g2) = t;
                var whole = ConfusionMatrix.Of(cat([tensor(p1), tensor(p2)]), cat([tensor(g1), tensor(g2)]), 4);
                var parts = ConfusionMatrix.Of(tensor(p1), tensor(g1), 4) + ConfusionMatrix.Of(tensor(p2), tensor(g2), 4);
                return whole.ContentEquals(parts) && whole.ContentEquals(parts + ConfusionMatrix.Empty(4));
            });
}
