namespace DaFormer.Training.Data.Pipeline;

/// Resize (keep ratio) → RandomCrop (cat_max_ratio) → RandomFlip → Normalize → Pad, as the UDA
/// configs chain them (spec §2.1). Draws from `rng` in the original's order: crop offsets (h, w) per
/// try, then the flip. Only the kept crop of the image is resized (same pixels as resizing all of it
/// and cropping, a fraction of the work); the label is resized whole because the crop rule reads it.
public static class TrainPipeline
{
    public static AugmentedSample Run(RgbImage image, LabelMap? label, PipelineSpec spec, Random rng, float[][]? normTable = null)
    {
        if (label is not null && (label.Width != image.Width || label.Height != image.Height))
            throw new ArgumentException($"label size {label.Width}×{label.Height} differs from image size {image.Width}×{image.Height}");
        var (w, h) = KeepRatio.Size(image.Width, image.Height, spec.ScaleA, spec.ScaleB);
        var resizedLabel = label is null ? null : Resize.Nearest(label, w, h);

        CropBox box;
        if (spec.CatMaxRatio < 1.0)
        {
            if (resizedLabel is null) throw new ArgumentException("cat_max_ratio < 1 needs a label");
            box = RandomCrop.Choose(resizedLabel, spec.CropHeight, spec.CropWidth, spec.CatMaxRatio, rng, spec.IgnoreIndex);
        }
        else box = RandomCrop.DrawBox(h, w, spec.CropHeight, spec.CropWidth, rng);

        var img = Resize.BilinearRegion(image, w, h, box);
        var lab = resizedLabel is null ? null : Crop.Label(resizedLabel, box);
        var flipped = Flip.Draw(rng, spec.FlipProbability);
        if (flipped)
        {
            img = Flip.Horizontal(img);
            if (lab is not null) lab = Flip.Horizontal(lab);
        }
        var chw = Normalize.ToChw(img, normTable ?? spec.Norm.Table(), spec.CropHeight, spec.CropWidth);
        if (lab is not null) lab = Pad.Label(lab, spec.CropHeight, spec.CropWidth, (byte)spec.IgnoreIndex);
        int outH = Math.Max(spec.CropHeight, img.Height), outW = Math.Max(spec.CropWidth, img.Width);
        return new AugmentedSample(outH, outW, chw, lab?.Values, box, flipped);
    }
}

/// The test pipeline (spec §2.5): keep-ratio resize to the test scale, normalise; no crop, flip or pad.
public static class TestPipeline
{
    public static (float[] Image, int Height, int Width) Run(RgbImage image, int scaleA, int scaleB, Normalization? norm = null)
    {
        var (w, h) = KeepRatio.Size(image.Width, image.Height, scaleA, scaleB);
        var resized = Resize.Bilinear(image, w, h);
        return (Normalize.ToChw(resized, (norm ?? Normalization.ImageNet).Table()), h, w);
    }
}
