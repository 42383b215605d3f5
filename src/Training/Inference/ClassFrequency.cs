using DaFormer.Training.Data;

namespace DaFormer.Training.Inference;

/// Predicted pixels per class and images per class over a demo folder (immutable; fold with Add).
public sealed record ClassFrequency(long[] Pixels, int[] Images)
{
    public static ClassFrequency Empty(int numClasses) => new(new long[numClasses], new int[numClasses]);

    public ClassFrequency Add(LabelMap prediction)
    {
        var pixels = (long[])Pixels.Clone();
        var images = (int[])Images.Clone();
        var seen = new bool[pixels.Length];
        foreach (var v in prediction.Values)
            if (v < pixels.Length) { pixels[v]++; seen[v] = true; }
        for (var k = 0; k < seen.Length; k++) if (seen[k]) images[k]++;
        return new ClassFrequency(pixels, images);
    }

    /// The classes present in one prediction, in class order.
    public static IReadOnlyList<int> Present(LabelMap prediction, int numClasses)
    {
        var seen = new bool[numClasses];
        foreach (var v in prediction.Values) if (v < numClasses) seen[v] = true;
        return Enumerable.Range(0, numClasses).Where(k => seen[k]).ToList();
    }

    /// Rows (class, % of pixels, images) of the classes that occur, most frequent first.
    public IReadOnlyList<IReadOnlyList<string>> Rows(IReadOnlyList<string> names)
    {
        var total = Math.Max(1, Pixels.Sum());
        return Enumerable.Range(0, Pixels.Length).Where(k => Pixels[k] > 0).OrderByDescending(k => Pixels[k])
            .Select(k => (IReadOnlyList<string>)[names[k], (100.0 * Pixels[k] / total).ToString("F2", System.Globalization.CultureInfo.InvariantCulture), Images[k].ToString()])
            .ToList();
    }
}
