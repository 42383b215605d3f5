namespace DaFormer.Training.Config;

/// A width × height in pixels. Used for resize scales (the original's `img_scale=(w, h)`, e.g.
/// GTA (1280, 720)) and for crop sizes (512 × 512). Named fields keep the order unambiguous.
public sealed record ImageSize(int Width, int Height)
{
    public override string ToString() => $"{Width}x{Height}";
}
