namespace DaFormer.Training.Config;

/// <summary>
/// A width × height in pixels, for resize scales (the original's <c>img_scale=(w, h)</c>, e.g. GTA
/// (1280, 720)) and crop sizes (512 × 512). Named fields keep the order unambiguous: <c>new ImageSize(Width: 1024, Height: 512)</c>.
/// </summary>
public sealed record ImageSize(int Width, int Height)
{
    public override string ToString() => $"{Width}x{Height}";
}
