namespace DaFormer.Training.Data.Pipeline;

/// mmcv `Resize(keep_ratio=True)` size arithmetic (spec §2.2): the image is scaled by the largest
/// factor that keeps its long side ≤ max(scale) and its short side ≤ min(scale), and each side is
/// rounded half-up (`int(x * s + 0.5)`).
public static class KeepRatio
{
    public static double ScaleFactor(int width, int height, int scaleA, int scaleB)
    {
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size must be positive, got {width}×{height}");
        if (scaleA <= 0 || scaleB <= 0) throw new ArgumentException($"resize scale must be positive, got ({scaleA}, {scaleB})");
        double longEdge = Math.Max(scaleA, scaleB), shortEdge = Math.Min(scaleA, scaleB);
        return Math.Min(longEdge / Math.Max(width, height), shortEdge / Math.Min(width, height));
    }

    /// New (width, height) for a (width, height) image and an mmcv scale tuple such as (1280, 720).
    public static (int Width, int Height) Size(int width, int height, int scaleA, int scaleB)
    {
        var s = ScaleFactor(width, height, scaleA, scaleB);
        return ((int)Math.Floor(width * s + 0.5), (int)Math.Floor(height * s + 0.5));
    }
}
