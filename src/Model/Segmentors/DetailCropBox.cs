namespace DaFormer.Model.Segmentors;

/// A box of rows [Y1, Y2) and columns [X1, X2) in full-resolution pixels — the original's
/// `(crop_y1, crop_y2, crop_x1, crop_x2)`. HRDA cuts its detail view, and the labels and pixel
/// weights of the detail loss, with it; one box serves the whole batch.
public readonly record struct DetailCropBox(int Y1, int Y2, int X1, int X2)
{
    public int Height => Y2 - Y1;
    public int Width => X2 - X1;

    /// The same box with every coordinate divided by `factor` and truncated (Python `int(y / f)`),
    /// e.g. to address the cells of a stride-8 logit map.
    public DetailCropBox Scaled(double factor) =>
        new((int)(Y1 / factor), (int)(Y2 / factor), (int)(X1 / factor), (int)(X2 / factor));

    public override string ToString() => $"(y {Y1}..{Y2}, x {X1}..{X2})";
}

/// The detail-crop sampler of HRDA (`HRDAEncoderDecoder.get_crop_bbox`), a pure function of the
/// random source. Offsets are `d · randint(0, (margin + 1) // d)` with an exclusive upper bound,
/// height first; so for 1024 → 512 with d = 8 the offsets are {0, 8, …, 504} and the last 8 rows and
/// columns never lie inside the detail crop.
public static class DetailCropSampler
{
    public static DetailCropBox Sample(int imageHeight, int imageWidth, int cropHeight, int cropWidth, int divisible, Random random)
    {
        if (cropHeight < 1 || cropWidth < 1 || divisible < 1)
            throw new DaFormerError($"HRDA detail crop {cropHeight}x{cropWidth} (h×w) and CropCoordDivisible {divisible} must be positive.");
        if (cropHeight > imageHeight || cropWidth > imageWidth)
            throw new DaFormerError($"The HRDA detail crop {cropHeight}x{cropWidth} (h×w) does not fit into the {imageHeight}x{imageWidth} training image; the training crop must be at least as large as Model.Hrda.DetailCrop.");
        // Same size in both sides: the whole image, and (as in the original) no random number is drawn.
        if (imageHeight == cropHeight && imageWidth == cropWidth) return new(0, imageHeight, 0, imageWidth);
        var slotsH = (imageHeight - cropHeight + 1) / divisible;
        var slotsW = (imageWidth - cropWidth + 1) / divisible;
        if (slotsH == 0 || slotsW == 0)
            // The original calls np.random.randint(0, 0) here and fails; say why instead.
            throw new DaFormerError($"The HRDA detail crop {cropHeight}x{cropWidth} (h×w) cannot be placed in the {imageHeight}x{imageWidth} training image with offsets that are multiples of {divisible}: a side with a margin below {divisible - 1} px leaves no offset. Make the detail crop equal to the training crop in both sides, or smaller by at least {divisible - 1} px in each.");
        var offH = divisible * random.Next(0, slotsH);
        var offW = divisible * random.Next(0, slotsW);
        return new(offH, offH + cropHeight, offW, offW + cropWidth);
    }

    /// Every offset the sampler can return along one side (for tests and documentation).
    public static IEnumerable<int> PossibleOffsets(int imageSize, int cropSize, int divisible) =>
        Enumerable.Range(0, Math.Max(imageSize - cropSize + 1, 0) / divisible).Select(i => i * divisible);
}
