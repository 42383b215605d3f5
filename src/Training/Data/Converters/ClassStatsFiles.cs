using DaFormer.Training.Data.Formats;

namespace DaFormer.Training.Data.Converters;

/// The three JSON side-products of the original `save_class_stats` (spec §1.3), formatted exactly as
/// `json.dump(…, indent=2)` writes them.
public static class ClassStatsFiles
{
    /// `sample_class_stats.json`: `[{"<trainId>": n, …, "file": path}, …]`.
    public static string SampleClassStats(IReadOnlyList<ImageClassStats> images) =>
        PythonJson.Dump(images.Select(i => (object)Entries(i.PixelsPerClass).Append(new("file", i.File)).ToArray()).ToArray());

    /// `sample_class_stats_dict.json`: `{path: {"<trainId>": n, …}, …}` (a repeated path keeps its
    /// first position and the last value, as a Python dict assignment does).
    public static string SampleClassStatsDict(IReadOnlyList<ImageClassStats> images)
    {
        var byFile = new OrderedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var i in images) byFile[i.File] = Entries(i.PixelsPerClass).ToArray();
        return PythonJson.Dump(byFile);
    }

    /// `samples_with_class.json`: `{"<trainId>": [[path, n], …], …}`, classes in order of first occurrence.
    public static string SamplesWithClass(IReadOnlyList<ImageClassStats> images)
    {
        var derived = RcsStatistics.FromImages(images).SamplesWithClass;
        return PythonJson.Dump(derived.Select(kv => new KeyValuePair<string, object>(
            Key(kv.Key), kv.Value.Select(p => (object)new object[] { p.File, p.Pixels }).ToArray())).ToArray());
    }

    /// Writes the three files into `outDir` atomically; returns their paths.
    public static IReadOnlyList<string> Write(string outDir, IReadOnlyList<ImageClassStats> images)
    {
        Directory.CreateDirectory(outDir);
        var files = new (string Name, string Text)[]
        {
            (RcsStatistics.SampleClassStatsFile, SampleClassStats(images)),
            (RcsStatistics.SampleClassStatsDictFile, SampleClassStatsDict(images)),
            (RcsStatistics.SamplesWithClassFile, SamplesWithClass(images)),
        };
        return files.Select(f => WriteText(Path.Join(outDir, f.Name), f.Text)).ToArray();
    }

    public static string WriteText(string path, string text)
    {
        var bytes = new System.Text.UTF8Encoding(false).GetBytes(text);
        ImageIo.SaveAtomic(path, s => s.Write(bytes));
        return path;
    }

    static IEnumerable<KeyValuePair<string, object>> Entries(IReadOnlyDictionary<int, long> counts) =>
        counts.Select(kv => new KeyValuePair<string, object>(Key(kv.Key), kv.Value));

    static string Key(int trainId) => trainId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
