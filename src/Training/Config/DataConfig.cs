namespace DaFormer.Training.Config;

/// Rare Class Sampling (spec §2.7): classes drawn with P(c) = softmax((1 − f_c) / T) over source
/// class frequencies f_c; a file qualifies for class c when it has more than `MinPixels` pixels of
/// it; a crop is re-drawn (up to 10 times) until it holds more than `MinPixels × MinCropRatio`.
/// `double.PositiveInfinity` as temperature is the paper's uniform-over-classes ablation (`rcsinf`).
public sealed record Rcs
{
    public double Temperature { get; init; } = 0.01;
    public int MinPixels { get; init; } = 3000;
    public double MinCropRatio { get; init; } = 0.5;

    /// RCS as in the final recipe, with an optional other temperature / thresholds.
    public static Rcs On(double temperature = 0.01, int minPixels = 3000, double minCropRatio = 0.5) =>
        new() { Temperature = temperature, MinPixels = minPixels, MinCropRatio = minCropRatio };
}

/// The data of a run (spec §2.1, §2.6, §2.7). In Dacs mode the trainer samples (source, target)
/// pairs; SourceOnly trains on Source, TargetOnly on Target (with its labels); all modes evaluate on
/// Validation.
public sealed record DataConfig
{
    public DatasetConfig Source { get; init; } = DatasetConfig.Gta;
    public DatasetConfig Target { get; init; } = DatasetConfig.CityscapesTrain;
    public DatasetConfig Validation { get; init; } = DatasetConfig.CityscapesVal;
    /// Random crop (w × h) of every training image.
    public ImageSize Crop { get; init; } = new(512, 512);
    /// Images per domain per iteration (2 source + 2 target crops).
    public int BatchSize { get; init; } = 2;
    /// Background loader workers.
    public int Workers { get; init; } = 4;
    /// `cat_max_ratio` of the source crop: re-draw (≤ 10×) while one class covers ≥ this fraction.
    public double CatMaxRatioSource { get; init; } = 0.75;
    /// `cat_max_ratio` of the target crop; 1 = off (the current original disables it for targets, spec §2.1 note).
    public double CatMaxRatioTarget { get; init; } = 1.0;
    /// mmseg PhotoMetricDistortion after the flip; only the non-UDA (source-/target-only) pipelines
    /// of the original use it, DACS applies its own colour jitter instead.
    public bool PhotometricDistortion { get; init; } = false;
    /// Rare Class Sampling of the source (Dacs mode only, as in the original generator); null = off.
    public Rcs? Rcs { get; init; } = Rcs.On();
}
