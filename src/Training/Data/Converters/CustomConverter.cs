using DaFormer.Model;
using DaFormer.Training.Data.Datasets;
using DaFormer.Training.Data.Loader;

namespace DaFormer.Training.Data.Converters;

/// `daformer convert custom ROOT`: your own folder-pair domain already has train-ID labels, so
/// nothing is rewritten; every label under `ROOT/<labelDir>` is read, its values checked against the
/// class list (0…classes−1 and the ignore index), and the Rare Class Sampling statistics are written
/// into ROOT (or `OutDir`) in the same files and format the GTA/Synthia converters write.
public static class CustomConverter
{
    public static ConvertResult Run(string root, string labelDir, string labelSuffix, int numClasses, int ignoreIndex = 255, ConvertOptions? options = null)
    {
        options = LabelConversion.CheckOptions(options);
        if (numClasses is < 1 or > 255) throw new DaFormerError($"--classes {numClasses}: expected 1…255 classes.");
        if (ignoreIndex is < 0 or > 255 || ignoreIndex < numClasses)
            throw new DaFormerError($"--ignore {ignoreIndex}: expected a value in {numClasses}…255 (above the class IDs 0…{numClasses - 1}).");
        if (string.IsNullOrEmpty(labelSuffix)) throw new DaFormerError("--label-suffix: must not be empty (e.g. .png or _labelTrainIds.png).");
        var dir = LabelConversion.RequireFolder(Path.Join(root, labelDir),
            $"folder-pair layout ROOT/{labelDir}/…/<name>{labelSuffix} (train-ID labels; set --labels to the label folder relative to ROOT)");
        var files = PairScan.ScanRelative(dir, labelSuffix).Select(rel => Path.Join(dir, rel)).ToArray();
        if (files.Length == 0)
            throw new DaFormerError($"{dir}: no labels ending in '{labelSuffix}' (searched recursively); nothing to count. Check --labels and --label-suffix.");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var stats = new ImageClassStats?[files.Length];
        var errors = new Exception?[files.Length];
        var done = 0;
        var gate = new object();
        Parallel.For(0, files.Length, new ParallelOptions { MaxDegreeOfParallelism = options.Nproc }, (i, state) =>
        {
            try
            {
                var label = ImageIo.ReadLabel(files[i]);
                LabelValues.Require(files[i], label, numClasses, ignoreIndex);
                stats[i] = ClassStats.Count(files[i], label, numClasses);
            }
            catch (Exception e) { errors[i] = e; state.Stop(); return; }
            if (options.Progress is { } report) lock (gate) report(new ConvertProgress(++done, files.Length, files[i]));
        });
        // The first failing file in scan order, whatever the thread timing.
        if (errors.FirstOrDefault(e => e is not null) is { } error)
            throw error as DaFormerError ?? new DaFormerError($"{files[Array.IndexOf(errors, error)]}: cannot read the label ({error.Message}).", error);
        var kept = stats.Select(s => s!).ToArray();
        var outDir = options.OutDir ?? root;
        var written = ClassStatsFiles.Write(outDir, kept);
        return new ConvertResult("custom", outDir, 0, kept, written, watch.Elapsed);
    }
}
