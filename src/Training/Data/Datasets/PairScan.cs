using DaFormer.Model;

namespace DaFormer.Training.Data.Datasets;

/// Where a data set's images and labels live and how their names correspond (spec §1.1: the label
/// path is the image path relative to `ImageDir`, image suffix replaced by label suffix, joined to
/// `LabelDir`; sub-folders such as Cityscapes' `<city>/` are kept).
public sealed record PairLayout(
    string Name,
    string Root,
    string ImageDir,
    string LabelDir,
    string ImageSuffix,
    string LabelSuffix,
    string LayoutHint,
    string? ConvertHint = null);

/// Result of matching image and label names (pure).
public sealed record PairMatch(
    IReadOnlyList<(string ImageRel, string LabelRel)> Pairs,
    IReadOnlyList<string> ImagesWithoutLabel,
    IReadOnlyList<string> LabelsWithoutImage);

/// Recursive directory scan + image↔label pairing shared by every reader.
public static class PairScan
{
    const int ListedInErrors = 5;

    /// Relative paths (OS separators) of the non-hidden files under `dir` whose name ends in `suffix`,
    /// sorted ordinally. The original lists files in file-system scan order, which differs between
    /// machines; sorting makes runs reproducible (mmcv's scandir also skips names starting with '.').
    public static IReadOnlyList<string> ScanRelative(string dir, string suffix) =>
        ScanRelative(dir, name => name.EndsWith(suffix, StringComparison.Ordinal));

    /// As above with a predicate on the file name (e.g. the converters' "ends in `<digit>.png`").
    public static IReadOnlyList<string> ScanRelative(string dir, Func<string, bool> nameFilter) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is var name && !name.StartsWith('.') && nameFilter(name))
            .Select(f => Path.GetRelativePath(dir, f))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// Pairs images with labels by name. Inputs must be relative paths ending in their suffixes.
    public static PairMatch Match(IReadOnlyList<string> imageRel, IReadOnlyList<string> labelRel, string imageSuffix, string labelSuffix)
    {
        var labels = new HashSet<string>(labelRel, StringComparer.Ordinal);
        var images = new HashSet<string>(imageRel, StringComparer.Ordinal);
        var pairs = new List<(string, string)>();
        var missingLabel = new List<string>();
        foreach (var img in imageRel)
        {
            var lbl = img[..^imageSuffix.Length] + labelSuffix;
            if (labels.Contains(lbl)) pairs.Add((img, lbl));
            else missingLabel.Add(img);
        }
        var missingImage = labelRel.Where(l => !images.Contains(l[..^labelSuffix.Length] + imageSuffix)).ToArray();
        return new PairMatch(pairs, missingLabel, missingImage);
    }

    /// Scans `layout` into a Cityscapes-class data set. With `requireLabels` every image must have a
    /// label and every label an image; without (target training sets) the label path is kept when the
    /// file exists and is null otherwise.
    public static SegDataset Scan(PairLayout layout, bool requireLabels) =>
        Scan(layout, requireLabels, LabelMaps.CityscapesClasses, LabelMaps.CityscapesPalette, LabelMaps.Ignore);

    public static SegDataset Scan(PairLayout layout, bool requireLabels, IReadOnlyList<string> classNames,
        IReadOnlyList<(byte R, byte G, byte B)> palette, int ignoreIndex)
    {
        RequireFolder(layout.ImageDir, layout);
        var images = ScanRelative(layout.ImageDir, layout.ImageSuffix);
        if (images.Count == 0)
            throw new DaFormerError($"{layout.ImageDir}: no images ending in '{layout.ImageSuffix}' (searched recursively) — the {layout.Name} data set is empty. Expected the {layout.LayoutHint}.");

        if (!requireLabels)
        {
            var samples = images.Select(rel =>
            {
                var label = Path.Join(layout.LabelDir, rel[..^layout.ImageSuffix.Length] + layout.LabelSuffix);
                return new SampleFiles(Path.Join(layout.ImageDir, rel), File.Exists(label) ? label : null);
            }).ToArray();
            return new SegDataset(layout.Name, layout.Root, samples, classNames, palette, ignoreIndex);
        }

        RequireFolder(layout.LabelDir, layout);
        var labels = ScanRelative(layout.LabelDir, layout.LabelSuffix);
        var match = Match(images, labels, layout.ImageSuffix, layout.LabelSuffix);
        if (match.ImagesWithoutLabel.Count > 0)
        {
            var hint = labels.Count == 0 && layout.ConvertHint is not null
                ? $" No '{layout.LabelSuffix}' file exists yet: run `{layout.ConvertHint}` first."
                : "";
            throw new DaFormerError(
                $"{layout.LabelDir}: {match.ImagesWithoutLabel.Count} image(s) in {layout.ImageDir} have no label " +
                $"(expected <name>{layout.LabelSuffix} in {layout.LabelDir}), e.g. " +
                List(match.ImagesWithoutLabel.Select(i => Path.Join(layout.ImageDir, i))) + "." + hint);
        }
        if (match.LabelsWithoutImage.Count > 0)
            throw new DaFormerError(
                $"{layout.ImageDir}: {match.LabelsWithoutImage.Count} label(s) in {layout.LabelDir} have no image " +
                $"(expected <name>{layout.ImageSuffix} in {layout.ImageDir}), e.g. " +
                List(match.LabelsWithoutImage.Select(l => Path.Join(layout.LabelDir, l))) + ".");

        var pairs = match.Pairs.Select(p => new SampleFiles(Path.Join(layout.ImageDir, p.ImageRel), Path.Join(layout.LabelDir, p.LabelRel))).ToArray();
        return new SegDataset(layout.Name, layout.Root, pairs, classNames, palette, ignoreIndex);
    }

    static void RequireFolder(string dir, PairLayout layout)
    {
        if (!Directory.Exists(dir))
            throw new DaFormerError($"{dir}: folder not found. Expected the {layout.LayoutHint}.");
    }

    static string List(IEnumerable<string> items)
    {
        var all = items.ToArray();
        var shown = string.Join(", ", all.Take(ListedInErrors));
        return all.Length > ListedInErrors ? $"{shown}, … ({all.Length - ListedInErrors} more)" : shown;
    }
}
