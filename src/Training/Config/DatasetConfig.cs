using System.Text.Json.Serialization;

namespace DaFormer.Training.Config;

/// <summary>Which reader (folder layout) a data set uses.</summary>
public enum DatasetKind
{
    /// <summary>GTA5 (the paper's synthetic source): <c>images/</c>, <c>labels/*_labelTrainIds.png</c>; split <c>train</c> only.</summary>
    [JsonStringEnumMemberName("gta")] Gta,
    /// <summary>Synthia RAND-CITYSCAPES (the second synthetic source): <c>RGB/</c>, <c>GT/LABELS/</c>; split <c>train</c> only.</summary>
    [JsonStringEnumMemberName("synthia")] Synthia,
    /// <summary>Cityscapes (the real target): <c>leftImg8bit/&lt;split&gt;/&lt;city&gt;/</c>, <c>gtFine/&lt;split&gt;/&lt;city&gt;/</c>.</summary>
    [JsonStringEnumMemberName("cityscapes")] Cityscapes,
    /// <summary>ACDC (adverse weather target): <c>rgb_anon/&lt;split&gt;</c>, <c>gt/&lt;split&gt;</c>.</summary>
    [JsonStringEnumMemberName("acdc")] Acdc,
    /// <summary>Dark Zurich (night target): split <c>train</c> = <c>rgb_anon/train/night</c>, <c>val</c> = <c>rgb_anon/val</c> + <c>gt/val</c>.</summary>
    [JsonStringEnumMemberName("darkzurich")] DarkZurich,
    /// <summary>Your own domain: an image folder and a label folder paired by file name (see <see cref="CustomLayout"/>).</summary>
    [JsonStringEnumMemberName("custom")] Custom,
    /// <summary>One domain of the built-in synthetic data (<c>daformer synth data/synthetic</c>): <c>source</c> is in the
    /// GTA layout, <c>target</c> in the Cityscapes layout (splits <c>train</c>, <c>val</c>).</summary>
    [JsonStringEnumMemberName("synthetic")] Synthetic,
}

/// <summary>An RGB palette entry of a custom data set (0…255 per channel).</summary>
public sealed record Rgb(byte R, byte G, byte B);

/// <summary>
/// A folder-pair data set: <c>ImageDir/&lt;name&gt;&lt;ImageSuffix&gt;</c> ↔ <c>LabelDir/&lt;name&gt;&lt;LabelSuffix&gt;</c>
/// (paths relative to the data set root; sub-folders are kept, as in mmseg's <c>CustomDataset</c>).
/// Labels are 8-bit train IDs; <see cref="IgnoreIndex"/> marks unlabelled pixels.
/// </summary>
public sealed record CustomLayout
{
    /// <summary>Image folder, relative to the data set's root.</summary>
    public string ImageDir { get; init; } = "images";
    /// <summary>Label folder, relative to the data set's root.</summary>
    public string LabelDir { get; init; } = "labels";
    /// <summary>File-name ending of the images (<c>img_suffix</c>).</summary>
    public string ImageSuffix { get; init; } = ".png";
    /// <summary>File-name ending of the labels (<c>seg_map_suffix</c>).</summary>
    public string LabelSuffix { get; init; } = "_labelTrainIds.png";
    /// <summary>Class names in train-ID order (their count must equal <see cref="ModelConfig.NumClasses"/>).</summary>
    public EquatableList<string> ClassNames { get; init; } = EquatableList<string>.Empty;
    /// <summary>Colour of each class for overlays, in train-ID order.</summary>
    public EquatableList<Rgb> Palette { get; init; } = EquatableList<Rgb>.Empty;
    /// <summary>Label value of unlabelled pixels (255 as in Cityscapes).</summary>
    public int IgnoreIndex { get; init; } = 255;
    /// <summary>Short name for run names (<c>&lt;source&gt;2&lt;target&gt;_…</c>); letters and digits only.</summary>
    public string Name { get; init; } = "custom";
}

/// <summary>
/// One data set of a run: where it lives, which split, and the keep-ratio resize scale applied before
/// cropping (training) or before inference (validation). Start from a named one
/// (<see cref="Gta"/>, <see cref="CityscapesVal"/>, …) and change what differs: <c>DatasetConfig.Gta with { Root = "/data/gta" }</c>.
/// </summary>
public sealed record DatasetConfig
{
    /// <summary>Folder layout of the data set.</summary>
    public DatasetKind Kind { get; init; } = DatasetKind.Cityscapes;
    /// <summary>Root folder (relative paths are relative to the directory <c>daformer run</c> is started in).</summary>
    public string Root { get; init; } = "data/cityscapes";
    /// <summary>Split folder: <c>train</c>, <c>val</c> or <c>test</c> where the layout has them.</summary>
    public string Split { get; init; } = "train";
    /// <summary>Keep-ratio resize scale (w, h) before cropping or inference; the original's <c>img_scale</c>.</summary>
    public ImageSize Scale { get; init; } = new(1024, 512);
    /// <summary>Folder-pair description; required when <see cref="Kind"/> is Custom, null otherwise.</summary>
    public CustomLayout? Custom { get; init; }

    /// <summary>GTA5 in <c>data/gta</c> at (1280, 720), the paper's main source.</summary>
    public static DatasetConfig Gta => new() { Kind = DatasetKind.Gta, Root = "data/gta", Split = "train", Scale = new(1280, 720) };
    /// <summary>Synthia RAND-CITYSCAPES in <c>data/synthia</c> at (1280, 760).</summary>
    public static DatasetConfig Synthia => new() { Kind = DatasetKind.Synthia, Root = "data/synthia", Split = "train", Scale = new(1280, 760) };
    /// <summary>Cityscapes train in <c>data/cityscapes</c> at (1024, 512): the target images.</summary>
    public static DatasetConfig CityscapesTrain => new() { Kind = DatasetKind.Cityscapes, Root = "data/cityscapes", Split = "train", Scale = new(1024, 512) };
    /// <summary>Cityscapes val at (1024, 512): where the paper's mIoU is measured.</summary>
    public static DatasetConfig CityscapesVal => CityscapesTrain with { Split = "val" };
    /// <summary>ACDC train in <c>data/acdc</c> at (960, 540).</summary>
    public static DatasetConfig AcdcTrain => new() { Kind = DatasetKind.Acdc, Root = "data/acdc", Split = "train", Scale = new(960, 540) };
    /// <summary>ACDC val at (960, 540).</summary>
    public static DatasetConfig AcdcVal => AcdcTrain with { Split = "val" };
    /// <summary>Dark Zurich night train images in <c>data/dark_zurich</c> at (960, 540).</summary>
    public static DatasetConfig DarkZurichTrain => new() { Kind = DatasetKind.DarkZurich, Root = "data/dark_zurich", Split = "train", Scale = new(960, 540) };
    /// <summary>Dark Zurich val (labelled) at (960, 540).</summary>
    public static DatasetConfig DarkZurichVal => DarkZurichTrain with { Split = "val" };

    /// <summary>A domain (<c>source</c> or <c>target</c>) of the synthetic data made by <c>daformer synth data/synthetic</c>.</summary>
    public static DatasetConfig SyntheticDomain(string domain, string split, ImageSize scale, string root = "data/synthetic") =>
        new() { Kind = DatasetKind.Synthetic, Root = $"{root}/{domain}", Split = split, Scale = scale };
}
