using System.Text.Json.Serialization;

namespace DaFormer.Training.Config;

/// Which reader (folder layout) a data set uses (spec §1.1).
public enum DatasetKind
{
    /// GTA5: `images/`, `labels/*_labelTrainIds.png`; split `train` only.
    [JsonStringEnumMemberName("gta")] Gta,
    /// Synthia RAND-CITYSCAPES: `RGB/`, `GT/LABELS/`; split `train` only.
    [JsonStringEnumMemberName("synthia")] Synthia,
    /// Cityscapes: `leftImg8bit/<split>/<city>/`, `gtFine/<split>/<city>/`.
    [JsonStringEnumMemberName("cityscapes")] Cityscapes,
    /// ACDC: `rgb_anon/<split>`, `gt/<split>`.
    [JsonStringEnumMemberName("acdc")] Acdc,
    /// Dark Zurich: split `train` = `rgb_anon/train/night`, `val` = `rgb_anon/val` + `gt/val`.
    [JsonStringEnumMemberName("darkzurich")] DarkZurich,
    /// Your own domain: an image folder and a label folder paired by file name (see <see cref="CustomLayout"/>).
    [JsonStringEnumMemberName("custom")] Custom,
    /// One domain of the built-in synthetic data (`daformer synth data/synthetic`): `source` is in the
    /// GTA layout, `target` in the Cityscapes layout (splits `train`, `val`).
    [JsonStringEnumMemberName("synthetic")] Synthetic,
}

/// An RGB palette entry of a custom data set.
public sealed record Rgb(byte R, byte G, byte B);

/// A folder-pair data set: `ImageDir/<name><ImageSuffix>` ↔ `LabelDir/<name><LabelSuffix>` (paths
/// relative to the data set root; sub-folders are kept, as in mmseg's `CustomDataset`).
/// Labels are 8-bit train IDs; `IgnoreIndex` marks unlabelled pixels.
public sealed record CustomLayout
{
    public string ImageDir { get; init; } = "images";
    public string LabelDir { get; init; } = "labels";
    public string ImageSuffix { get; init; } = ".png";
    public string LabelSuffix { get; init; } = "_labelTrainIds.png";
    public EquatableList<string> ClassNames { get; init; } = EquatableList<string>.Empty;
    public EquatableList<Rgb> Palette { get; init; } = EquatableList<Rgb>.Empty;
    public int IgnoreIndex { get; init; } = 255;
    /// Short name for run names (`<source>2<target>_…`); letters and digits only.
    public string Name { get; init; } = "custom";
}

/// One data set of a run: where it lives, which split, and the keep-ratio resize scale applied
/// before cropping (training) or before inference (validation), spec §2.1–2.2, §2.5.
public sealed record DatasetConfig
{
    public DatasetKind Kind { get; init; } = DatasetKind.Cityscapes;
    public string Root { get; init; } = "data/cityscapes";
    public string Split { get; init; } = "train";
    /// Keep-ratio resize scale (w, h); the original's `img_scale`.
    public ImageSize Scale { get; init; } = new(1024, 512);
    /// Folder-pair description; required when <see cref="Kind"/> is Custom, null otherwise.
    public CustomLayout? Custom { get; init; }

    public static DatasetConfig Gta => new() { Kind = DatasetKind.Gta, Root = "data/gta", Split = "train", Scale = new(1280, 720) };
    public static DatasetConfig Synthia => new() { Kind = DatasetKind.Synthia, Root = "data/synthia", Split = "train", Scale = new(1280, 760) };
    public static DatasetConfig CityscapesTrain => new() { Kind = DatasetKind.Cityscapes, Root = "data/cityscapes", Split = "train", Scale = new(1024, 512) };
    public static DatasetConfig CityscapesVal => CityscapesTrain with { Split = "val" };
    public static DatasetConfig AcdcTrain => new() { Kind = DatasetKind.Acdc, Root = "data/acdc", Split = "train", Scale = new(960, 540) };
    public static DatasetConfig AcdcVal => AcdcTrain with { Split = "val" };
    public static DatasetConfig DarkZurichTrain => new() { Kind = DatasetKind.DarkZurich, Root = "data/dark_zurich", Split = "train", Scale = new(960, 540) };
    public static DatasetConfig DarkZurichVal => DarkZurichTrain with { Split = "val" };

    /// A domain of the synthetic data made by `daformer synth data/synthetic`.
    public static DatasetConfig SyntheticDomain(string domain, string split, ImageSize scale, string root = "data/synthetic") =>
        new() { Kind = DatasetKind.Synthetic, Root = $"{root}/{domain}", Split = split, Scale = scale };
}
