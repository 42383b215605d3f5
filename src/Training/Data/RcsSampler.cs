using DaFormer.Model;

namespace DaFormer.Training.Data;

/// RCS settings (spec §2.7 final config: min_pixels 3000, T 0.01, min_crop_ratio 0.5).
public sealed record RcsSettings(double Temperature = 0.01, long MinPixels = 3000, double MinCropRatio = 0.5);

/// Draws (class, source index) pairs for RCS. Built once from the source statistics and the source
/// data set's label paths (matched by basename, as the original does).
public sealed class RcsSampler
{
    public RcsClassProbabilities Probabilities { get; }
    public RcsSettings Settings { get; }
    readonly double[] cumulative;
    readonly Dictionary<int, int[]> sourceIndicesPerClass;

    public RcsSampler(RcsClassProbabilities probabilities, IReadOnlyDictionary<int, IReadOnlyList<string>> filesPerClass,
        IReadOnlyList<string> sourceLabelPaths, RcsSettings settings)
    {
        Probabilities = probabilities;
        Settings = settings;
        cumulative = new double[probabilities.Probabilities.Count];
        double acc = 0;
        for (var i = 0; i < cumulative.Length; i++) cumulative[i] = acc += probabilities.Probabilities[i];
        var byBasename = new Dictionary<string, int>();
        for (var i = 0; i < sourceLabelPaths.Count; i++) byBasename.TryAdd(Rcs.Basename(sourceLabelPaths[i]), i);
        sourceIndicesPerClass = filesPerClass.ToDictionary(kv => kv.Key, kv => kv.Value.Select(f =>
            byBasename.TryGetValue(f, out var idx) ? idx
            : throw new DaFormerError($"RCS statistics name '{f}', which is not a label of the source data set; the statistics are stale — re-run the converter for this source.")).ToArray());
    }

    /// From per-image class pixel counts and their file names (sample_class_stats.json).
    public static RcsSampler Create(IReadOnlyList<IReadOnlyDictionary<int, long>> pixelsPerImage, IReadOnlyList<string> statFiles,
        IReadOnlyList<string> sourceLabelPaths, RcsSettings settings)
    {
        var probs = Rcs.ClassProbabilities(pixelsPerImage, settings.Temperature);
        var files = Rcs.FilesPerClass(pixelsPerImage, statFiles, probs.Classes, settings.MinPixels);
        return new RcsSampler(probs, files, sourceLabelPaths, settings);
    }

    /// Inverse-CDF draw of a class (numpy `choice(p=...)` semantics).
    public int SampleClass(Random rng)
    {
        var u = rng.NextDouble() * cumulative[^1];
        var i = Array.BinarySearch(cumulative, u);
        i = i < 0 ? ~i : i + 1;
        return Probabilities.Classes[Math.Min(i, cumulative.Length - 1)];
    }

    /// A source index drawn uniformly from the images kept for `cls`.
    public int SampleSourceIndex(int cls, Random rng)
    {
        var list = sourceIndicesPerClass[cls];
        return list[rng.Next(list.Length)];
    }

    public IReadOnlyList<int> SourceIndicesOf(int cls) => sourceIndicesPerClass[cls];

    /// Runs `pipeline` and re-runs it (new randomness, same file) up to 10 more times while the
    /// processed label holds too few pixels of `cls`; the last result is used regardless (spec §2.7).
    public T WithCropRetries<T>(int cls, Func<T> pipeline, Func<T, long> classPixels)
    {
        var sample = pipeline();
        if (Settings.MinCropRatio <= 0) return sample;
        for (var j = 0; j < 10; j++)
        {
            if (Rcs.CropHasEnough(classPixels(sample), Settings.MinPixels, Settings.MinCropRatio)) break;
            sample = pipeline();
        }
        return sample;
    }
}
