namespace DaFormer.Training.Data;

/// One image and (for labelled sets) its converted train-ID label (`*_labelTrainIds.png`, 8-bit grey).
public sealed record SampleFiles(string ImagePath, string? LabelPath);

/// A scanned data set: its files in scan order plus the class list it uses. All data sets of one run
/// share class names, palette and ignore index (checked when source and target are paired).
public sealed record SegDataset(
    string Name,
    string Root,
    IReadOnlyList<SampleFiles> Samples,
    IReadOnlyList<string> ClassNames,
    IReadOnlyList<(byte R, byte G, byte B)> Palette,
    int IgnoreIndex = 255);
