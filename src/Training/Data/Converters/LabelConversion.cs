using DaFormer.Model;
using DaFormer.Training.Data.Datasets;
using SixLabors.ImageSharp;

namespace DaFormer.Training.Data.Converters;

/// One raw label to convert. `ImagePath` (when the image exists) is used to check that label and image
/// have the same size; `StatsFile` is the path recorded in the statistics, null when the file is not
/// part of them (Cityscapes val/test).
public sealed record LabelJob(string RawPath, string OutputPath, string? ImagePath, string? StatsFile);

public sealed record ConvertProgress(int Done, int Total, string File);

/// `Nproc` worker threads (the output is identical for any value); `OutDir` for the JSON files
/// (default: the data set root, as in the original); `Progress` is called after every file (from
/// worker threads, serialised).
public sealed record ConvertOptions(int Nproc = 1, string? OutDir = null, Action<ConvertProgress>? Progress = null);

/// What a converter did: labels written, statistics (in scan order) and the side files written.
public sealed record ConvertResult(
    string Dataset,
    string OutDir,
    int LabelsWritten,
    IReadOnlyList<ImageClassStats> Stats,
    IReadOnlyList<string> FilesWritten,
    TimeSpan Elapsed);

/// The shared engine of the three converters (imperative shell): decode → map to train IDs → check
/// the image size → write `*_labelTrainIds.png` (temp + rename) → count classes; then the JSON files.
public static class LabelConversion
{
    public static ConvertResult Run(string dataset, IReadOnlyList<LabelJob> jobs, Func<string, LabelMap> readTrainIds,
        string outDir, ConvertOptions options, IEnumerable<(string Name, string Text)>? extraFiles = null)
    {
        CheckOptions(options);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var stats = new ImageClassStats?[jobs.Count];
        var errors = new Exception?[jobs.Count];
        var done = 0;
        var progressLock = new object();
        Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Nproc }, (i, state) =>
        {
            try { stats[i] = ConvertOne(jobs[i], readTrainIds); }
            catch (Exception e)
            {
                errors[i] = e;
                state.Stop();
                return;
            }
            if (options.Progress is { } report)
                lock (progressLock) report(new ConvertProgress(++done, jobs.Count, jobs[i].RawPath));
        });
        // Report the first failing file in scan order (deterministic for a given input when one file is bad).
        if (errors.FirstOrDefault(e => e is not null) is { } error)
            throw error is DaFormerError ? error : new DaFormerError($"{jobs[Array.IndexOf(errors, error)].RawPath}: conversion failed ({error.Message}).", error);

        var kept = stats.Where(s => s is not null).Select(s => s!).ToArray();
        var written = ClassStatsFiles.Write(outDir, kept).ToList();
        foreach (var (name, text) in extraFiles ?? [])
            written.Add(ClassStatsFiles.WriteText(Path.Join(outDir, name), text));
        return new ConvertResult(dataset, outDir, jobs.Count, kept, written, watch.Elapsed);
    }

    static ImageClassStats? ConvertOne(LabelJob job, Func<string, LabelMap> readTrainIds)
    {
        var trainIds = readTrainIds(job.RawPath);
        if (job.ImagePath is { } image && File.Exists(image))
        {
            var (w, h) = ImageSize(image);
            if (w != trainIds.Width || h != trainIds.Height)
                throw new DaFormerError($"{job.RawPath}: label is {trainIds.Width}×{trainIds.Height} but its image {image} is {w}×{h}. Label and image must have the same size; fix or remove this pair.");
        }
        ImageIo.WriteLabel(job.OutputPath, trainIds);
        return job.StatsFile is { } file ? ClassStats.Count(file, trainIds) : null;
    }

    /// Validates the options before any scanning. Null → defaults.
    /// The GTA / SYNTHIA case: raw labels `<labelDir>/**/<…digit>.png` next to images with the same
    /// relative name under `<imageDir>`; each converted label is written next to its raw label.
    public static ConvertResult RunFlat(string dataset, string root, string labelDir, string imageDir, string layoutHint,
                                        string example, Func<string, LabelMap> readTrainIds, ConvertOptions? options)
    {
        options = CheckOptions(options);
        RequireFolder(labelDir, layoutHint);
        var jobs = PairScan.ScanRelative(labelDir, EndsInDigitPng).Select(rel =>
        {
            var raw = Path.Join(labelDir, rel);
            var output = TrainIdsPath(raw);
            return new LabelJob(raw, output, Path.Join(imageDir, rel), output);
        }).ToArray();
        if (jobs.Length == 0)
            throw new DaFormerError($"{labelDir}: no raw labels (files named <number>.png) found; nothing to convert. Expected {example}.");
        return Run(dataset, jobs, readTrainIds, options.OutDir ?? root, options);
    }

    public static ConvertOptions CheckOptions(ConvertOptions? options)
    {
        options ??= new ConvertOptions();
        if (options.Nproc < 1) throw new DaFormerError($"--nproc must be ≥ 1, got {options.Nproc}.");
        return options;
    }

    /// Reads only the image header.
    public static (int Width, int Height) ImageSize(string path)
    {
        try
        {
            var info = Image.Identify(path) ?? throw new DaFormerError($"{path}: not a recognised image format (expected PNG/JPEG).");
            return (info.Width, info.Height);
        }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or InvalidDataException or EndOfStreamException)
        {
            throw new DaFormerError($"{path}: cannot read the image header ({e.Message}); the file looks corrupt.", e);
        }
    }

    /// Decodes with ImageSharp, turning its decoder exceptions into an error naming the file.
    public static T Decode<T>(string path, Func<T> decode)
    {
        ImageIo.Header(path);
        try { return decode(); }
        catch (Exception e) when (e is ImageFormatException or NotSupportedException or InvalidDataException or EndOfStreamException or IndexOutOfRangeException or ArgumentException)
        {
            throw new DaFormerError($"{path}: cannot decode the label ({e.Message}); the file looks corrupt.", e);
        }
    }

    /// The converters scan names ending in `<digit>.png`, so their own `_labelTrainIds.png` outputs are
    /// never read back (re-running is idempotent) — `mmcv.scandir(suffix=('0.png', …, '9.png'))`.
    public static bool EndsInDigitPng(string name) =>
        name.Length >= 5 && name.EndsWith(".png", StringComparison.Ordinal) && char.IsAsciiDigit(name[^5]);

    /// `file.replace('.png', '_labelTrainIds.png')` of the original, applied to the final suffix only
    /// (the original would also rewrite a `.png` inside a folder name).
    public static string TrainIdsPath(string rawPath, string rawSuffix = ".png") =>
        rawPath[..^rawSuffix.Length] + "_labelTrainIds.png";

    public static string RequireFolder(string dir, string layoutHint) =>
        Directory.Exists(dir) ? dir : throw new DaFormerError($"{dir}: folder not found. Expected the {layoutHint}.");
}
