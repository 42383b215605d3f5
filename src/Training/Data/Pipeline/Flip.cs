namespace DaFormer.Training.Data.Pipeline;

/// Horizontal mirror (mmseg `RandomFlip`, spec §2.4: flipped when `rand() < prob`).
public static class Flip
{
    public static bool Draw(Random rng, double prob = 0.5) => rng.NextDouble() < prob;

    public static RgbImage Horizontal(RgbImage src)
    {
        var dst = new byte[src.Pixels.Length];
        int w = src.Width;
        for (var y = 0; y < src.Height; y++)
        {
            var row = y * w * 3;
            for (var x = 0; x < w; x++)
            {
                int s = row + x * 3, d = row + (w - 1 - x) * 3;
                dst[d] = src.Pixels[s]; dst[d + 1] = src.Pixels[s + 1]; dst[d + 2] = src.Pixels[s + 2];
            }
        }
        return new RgbImage(w, src.Height, dst);
    }

    public static LabelMap Horizontal(LabelMap src)
    {
        var dst = new byte[src.Values.Length];
        for (var y = 0; y < src.Height; y++)
        {
            src.Values.AsSpan(y * src.Width, src.Width).CopyTo(dst.AsSpan(y * src.Width, src.Width));
            dst.AsSpan(y * src.Width, src.Width).Reverse();
        }
        return new LabelMap(src.Width, src.Height, dst);
    }
}
