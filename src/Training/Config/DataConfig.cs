namespace DaFormer.Training.Config;

/// <summary>
/// Rare Class Sampling ("RCS" in the paper; the original's <c>rare_class_sampling</c>): source images
/// are drawn by first drawing a class c with P(c) = softmax((1 − f_c) / T) over the source class
/// frequencies f_c, then an image that contains it. A file qualifies for class c when it has more than
/// <see cref="MinPixels"/> pixels of it; a crop is re-drawn (up to 10 times) until it holds more than
/// <see cref="MinPixels"/> × <see cref="MinCropRatio"/>. Turn it on with <see cref="On"/>, off with <c>null</c>.
/// </summary>
public sealed record Rcs
{
    /// <summary>Temperature T of the class distribution (paper: 0.01). Smaller = rare classes more often;
    /// <c>double.PositiveInfinity</c> = uniform over the occurring classes (the paper's <c>rcsinf</c> ablation).</summary>
    public double Temperature { get; init; } = 0.01;
    /// <summary>Pixels of a class a source file needs to count as containing it (<c>min_pixels</c>, 3000).</summary>
    public int MinPixels { get; init; } = 3000;
    /// <summary>Fraction of <see cref="MinPixels"/> the sampled class must cover in the crop (<c>min_crop_ratio</c>, 0.5).</summary>
    public double MinCropRatio { get; init; } = 0.5;

    /// <summary>Rare Class Sampling as in the final DAFormer recipe (T = 0.01, 3000 pixels, crop ratio 0.5),
    /// optionally with another temperature or thresholds: <c>Rcs.On(temperature: 0.1)</c>.</summary>
    public static Rcs On(double temperature = 0.01, int minPixels = 3000, double minCropRatio = 0.5) =>
        new() { Temperature = temperature, MinPixels = minPixels, MinCropRatio = minCropRatio };
}

/// <summary>
/// The data of a run: source, target and validation sets, crops and sampling. With DACS the trainer
/// samples (labelled source, unlabelled target) pairs; source-only trains on <see cref="Source"/>,
/// target-only on <see cref="Target"/> with its labels; every mode evaluates on <see cref="Validation"/>.
/// </summary>
public sealed record DataConfig
{
    /// <summary>The labelled source domain (GTA in the paper's main benchmark).</summary>
    public DatasetConfig Source { get; init; } = DatasetConfig.Gta;
    /// <summary>The target domain; its labels are used only by target-only (oracle) training.</summary>
    public DatasetConfig Target { get; init; } = DatasetConfig.CityscapesTrain;
    /// <summary>The labelled set the mIoU is reported on (Cityscapes val in the paper).</summary>
    public DatasetConfig Validation { get; init; } = DatasetConfig.CityscapesVal;
    /// <summary>Random crop (width × height) of every training image (<c>crop_size</c>, 512 × 512).</summary>
    public ImageSize Crop { get; init; } = new(512, 512);
    /// <summary>Images per domain per iteration (<c>samples_per_gpu</c>, 2: 2 source + 2 target crops).</summary>
    public int BatchSize { get; init; } = 2;
    /// <summary>Background data-loader workers (<c>workers_per_gpu</c>).</summary>
    public int Workers { get; init; } = 4;
    /// <summary><c>cat_max_ratio</c> of the source crop: re-draw (≤ 10×) while one class covers at least this fraction (0.75).</summary>
    public double CatMaxRatioSource { get; init; } = 0.75;
    /// <summary><c>cat_max_ratio</c> of the target crop; 1 = off (the current original disables it for targets).</summary>
    public double CatMaxRatioTarget { get; init; } = 1.0;
    /// <summary>mmseg's PhotoMetricDistortion after the flip; only the source-only and target-only
    /// pipelines of the original use it — DACS applies its own colour jitter instead.</summary>
    public bool PhotometricDistortion { get; init; } = false;
    /// <summary>Rare Class Sampling of the source ("RCS" in the paper; DACS only, as in the original); <c>null</c> = off.</summary>
    public Rcs? Rcs { get; init; } = Rcs.On();
}
