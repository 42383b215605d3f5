using DaFormer.Model;

namespace DaFormer.Training.Data.Datasets;

/// A user's own domain: any image folder + label folder whose names correspond by suffix (the
/// mmseg `CustomDataset` rule, spec §1.1). Labels must already hold train IDs (8-bit grey).
public static class FolderPairs
{
    public static SegDataset Scan(
        string imageDir, string labelDir, string imageSuffix, string labelSuffix,
        IReadOnlyList<string> classNames, IReadOnlyList<(byte R, byte G, byte B)> palette, int ignoreIndex = 255,
        bool requireLabels = true, string name = "custom")
    {
        if (string.IsNullOrEmpty(imageSuffix) || string.IsNullOrEmpty(labelSuffix))
            throw new DaFormerError($"Data set '{name}': image and label suffixes must not be empty (got '{imageSuffix}', '{labelSuffix}').");
        if (classNames.Count is 0 or > 255)
            throw new DaFormerError($"Data set '{name}': expected 1…255 class names, got {classNames.Count}.");
        if (palette.Count != classNames.Count)
            throw new DaFormerError($"Data set '{name}': the palette has {palette.Count} colours but there are {classNames.Count} classes; give one colour per class.");
        if (ignoreIndex is < 0 or > 255 || ignoreIndex < classNames.Count)
            throw new DaFormerError($"Data set '{name}': ignore index {ignoreIndex} must be in {classNames.Count}…255 (above the class indices 0…{classNames.Count - 1}).");
        var root = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(imageDir)) is { Length: > 0 } parent ? parent : ".";
        var layout = new PairLayout(name, root, imageDir, labelDir, imageSuffix, labelSuffix,
            $"folder-pair layout {imageDir}/…/<name>{imageSuffix} + {labelDir}/…/<name>{labelSuffix}");
        return PairScan.Scan(layout, requireLabels, classNames, palette, ignoreIndex);
    }
}
