namespace DaFormer.Training.Data.Pipeline;

/// The settings of one training pipeline (spec §2.1): keep-ratio resize scale, crop size,
/// cat_max_ratio (1.0 = off), flip probability and normalisation.
public sealed record PipelineSpec(
    int ScaleA,
    int ScaleB,
    int CropHeight,
    int CropWidth,
    double CatMaxRatio = 1.0,
    double FlipProbability = 0.5,
    Normalization? Normalization = null,
    int IgnoreIndex = 255)
{
    public Normalization Norm => Normalization ?? Pipeline.Normalization.ImageNet;

    public static PipelineSpec GtaSource(int crop = 512) => new(1280, 720, crop, crop, 0.75);
    public static PipelineSpec SynthiaSource(int crop = 512) => new(1280, 760, crop, crop, 0.75);
    /// Current-code target pipeline: no cat_max_ratio (spec §2.1 note).
    public static PipelineSpec CityscapesTarget(int crop = 512) => new(1024, 512, crop, crop);
}

/// One augmented training sample: CHW float32 image and (if labelled) the HW label, both padded to
/// the crop size. `Box` is the crop in resized-image coordinates (before the flip).
public sealed record AugmentedSample(int Height, int Width, float[] Image, byte[]? Label, CropBox Box, bool Flipped)
{
    /// Pixels of `cls` in the processed label (the RCS crop check, spec §2.7 step 3).
    public long CountOf(int cls)
    {
        if (Label is null) return 0;
        long n = 0;
        foreach (var v in Label) if (v == cls) n++;
        return n;
    }
}
