using DaFormer.Model;

namespace DaFormer.Training.Data;

/// RCS class list in sampling order (ascending total pixel count) and its probabilities.
public sealed record RcsClassProbabilities(IReadOnlyList<int> Classes, IReadOnlyList<double> Probabilities);

/// Rare Class Sampling, the pure part (spec §2.7): class probabilities from the source statistics,
/// per-class file lists, and the crop check. Inputs are plain per-image class pixel counts (the
/// contents of `sample_class_stats.json`, one dictionary per image, in file order).
public static class Rcs
{
    /// `softmax((1 − f_c) / T)` over the classes that occur, sorted by total pixel count ascending.
    /// Ties keep first-seen order (image order, then each image's key order) — pass dictionaries that
    /// enumerate in JSON key order, as the original's Python dicts do. Computed in float32 like the
    /// original (`freq = n / Σn` on an int64 tensor gives float32). T = +∞ gives uniform probabilities.
    public static RcsClassProbabilities ClassProbabilities(IReadOnlyList<IReadOnlyDictionary<int, long>> pixelsPerImage, double temperature)
    {
        if (!(temperature > 0)) throw new DaFormerError($"RCS class temperature must be > 0 (or +inf for uniform), got {temperature}.");
        var totals = new Dictionary<int, long>();
        var order = new List<int>();
        foreach (var image in pixelsPerImage)
            foreach (var (cls, n) in image)
            {
                if (totals.TryGetValue(cls, out var t)) totals[cls] = t + n;
                else { totals[cls] = n; order.Add(cls); }
            }
        if (order.Count == 0) throw new DaFormerError("RCS: the source class statistics contain no class pixels (empty sample_class_stats.json?).");
        var classes = order.Select((c, i) => (c, i)).OrderBy(x => totals[x.c]).ThenBy(x => x.i).Select(x => x.c).ToArray();

        var sum = (float)classes.Sum(c => totals[c]);
        var logits = new double[classes.Length];
        for (var i = 0; i < classes.Length; i++)
        {
            var freq = (float)totals[classes[i]] / sum;
            logits[i] = double.IsPositiveInfinity(temperature) ? 0.0 : (double)((1f - freq) / (float)temperature);
        }
        var max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        var z = exp.Sum();
        return new RcsClassProbabilities(classes, exp.Select(e => e / z).ToArray());
    }

    /// Per class, the basenames of the images with strictly more than `minPixels` pixels of it, in
    /// image order (the `samples_with_class.json` filter). Every class in `classes` must keep a file.
    public static IReadOnlyDictionary<int, IReadOnlyList<string>> FilesPerClass(
        IReadOnlyList<IReadOnlyDictionary<int, long>> pixelsPerImage, IReadOnlyList<string> files,
        IReadOnlyList<int> classes, long minPixels)
    {
        if (files.Count != pixelsPerImage.Count)
            throw new ArgumentException($"{files.Count} file names for {pixelsPerImage.Count} statistics entries");
        var lists = classes.ToDictionary(c => c, _ => new List<string>());
        for (var i = 0; i < files.Count; i++)
            foreach (var (cls, n) in pixelsPerImage[i])
                if (n > minPixels && lists.TryGetValue(cls, out var l)) l.Add(Basename(files[i]));
        var empty = classes.Where(c => lists[c].Count == 0).ToList();
        if (empty.Count > 0)
        {
            var best = empty.Select(c => (c, max: MaxCount(pixelsPerImage, c))).ToList();
            throw new DaFormerError(
                $"RCS: class(es) {string.Join(", ", best.Select(b => $"{b.c} (largest count in one image: {b.max})"))} have no source image with more than " +
                $"min_pixels = {minPixels} pixels, so they could never be sampled. min_pixels (3000 in the original) assumes GTA-sized " +
                $"images; for small images lower it (e.g. Rcs min_pixels below the counts shown), or switch RCS off.");
        }
        return lists.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value);
    }

    /// The crop check of spec §2.7 step 3: pixels of the sampled class must exceed min_pixels·min_crop_ratio.
    public static bool CropHasEnough(long classPixels, long minPixels, double minCropRatio) => classPixels > minPixels * minCropRatio;

    public static string Basename(string path) => path[(path.LastIndexOfAny(['/', '\\']) + 1)..];

    static long MaxCount(IReadOnlyList<IReadOnlyDictionary<int, long>> stats, int cls) =>
        stats.Max(s => s.TryGetValue(cls, out var n) ? n : 0);
}
