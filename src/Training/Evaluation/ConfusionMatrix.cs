using DaFormer.Model.Runtime;
using static TorchSharp.torch;

namespace DaFormer.Training.Evaluation;

/// Pixel counts of (ground truth, prediction) pairs over a dataset, accumulated in float64 as mmseg's
/// `intersect_and_union` does (spec §5.1). Immutable: `Of` counts one batch/image, `+` adds.
/// Internally (C+1)×(C+1), row = GT, column = prediction; index C collects values outside 0..C−1 (other
/// than the ignore index), which mmseg's histc drops from that side's area only — kept for exactness.
public sealed class ConfusionMatrix
{
    readonly double[] _counts;

    public int NumClasses { get; }

    ConfusionMatrix(int numClasses, double[] counts) { NumClasses = numClasses; _counts = counts; }

    public static ConfusionMatrix Empty(int numClasses) => new(numClasses, new double[(numClasses + 1) * (numClasses + 1)]);

    /// From a C×C matrix of counts (rows GT, columns prediction).
    public static ConfusionMatrix FromCounts(double[,] gtByPred)
    {
        var c = gtByPred.GetLength(0);
        if (gtByPred.GetLength(1) != c) throw new ArgumentException("confusion counts must be square");
        var m = Empty(c);
        for (var g = 0; g < c; g++)
            for (var p = 0; p < c; p++) m._counts[g * (c + 1) + p] = gtByPred[g, p];
        return m;
    }

    /// Counts one prediction/GT pair of any equal shape (an image or a batch). Pixels whose GT equals
    /// `ignoreIndex` are dropped from both maps. One vectorised bincount, one copy to the CPU.
    public static ConfusionMatrix Of(Tensor pred, Tensor gt, int numClasses, int ignoreIndex = 255)
    {
        if (!pred.shape.SequenceEqual(gt.shape))
            throw new ArgumentException($"prediction shape [{string.Join(",", pred.shape)}] differs from GT shape [{string.Join(",", gt.shape)}]");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        long c1 = numClasses + 1, dump = c1 * c1;
        var g = gt.flatten().to(ScalarType.Int64);
        var p = pred.flatten().to(ScalarType.Int64);
        var gb = g.FilledWhere(g.Less(0).logical_or(g.GreaterOrEqual(numClasses)), numClasses);
        var pb = p.FilledWhere(p.Less(0).logical_or(p.GreaterOrEqual(numClasses)), numClasses);
        var index = gb.Times(c1).Plus(pb).FilledWhere(g.Equal(ignoreIndex), dump);
        var counts = bincount(index, minlength: dump + 1).cpu().data<long>().ToArray();
        return new ConfusionMatrix(numClasses, counts.Take((int)dump).Select(x => (double)x).ToArray());
    }

    public static ConfusionMatrix operator +(ConfusionMatrix a, ConfusionMatrix b)
    {
        if (a.NumClasses != b.NumClasses) throw new ArgumentException($"cannot add confusion matrices of {a.NumClasses} and {b.NumClasses} classes");
        return new ConfusionMatrix(a.NumClasses, a._counts.Zip(b._counts, (x, y) => x + y).ToArray());
    }

    public ConfusionMatrix Add(ConfusionMatrix other) => this + other;

    /// Pixels with GT `gt` predicted as `pred` (both in 0..C−1).
    public double Count(int gt, int pred) => _counts[gt * (NumClasses + 1) + pred];

    /// I_c: pixels with pred = GT = c.
    public double[] Intersect => Enumerable.Range(0, NumClasses).Select(c => Count(c, c)).ToArray();

    /// P_c: pixels predicted c (among non-ignored GT pixels).
    public double[] PredArea => Enumerable.Range(0, NumClasses)
        .Select(c => Enumerable.Range(0, NumClasses + 1).Sum(g => _counts[g * (NumClasses + 1) + c])).ToArray();

    /// G_c: pixels with GT c.
    public double[] LabelArea => Enumerable.Range(0, NumClasses)
        .Select(c => Enumerable.Range(0, NumClasses + 1).Sum(p => _counts[c * (NumClasses + 1) + p])).ToArray();

    /// U_c = P_c + G_c − I_c.
    public double[] Union
    {
        get
        {
            var (i, p, g) = (Intersect, PredArea, LabelArea);
            return Enumerable.Range(0, NumClasses).Select(c => p[c] + g[c] - i[c]).ToArray();
        }
    }

    public bool ContentEquals(ConfusionMatrix other) => NumClasses == other.NumClasses && _counts.SequenceEqual(other._counts);
}
