namespace DaFormer.Training.Data.Pipeline;

/// Per-channel mean/std in RGB order on the 0–255 scale (spec §2.4). ImageSharp decodes RGB, so the
/// original's BGR→RGB swap is already done.
public sealed record Normalization(double[] Mean, double[] Std)
{
    public static Normalization ImageNet { get; } = new([123.675, 116.28, 103.53], [58.395, 57.12, 57.375]);

    /// mmcv `imnormalize` in float32: (x − mean) · (1/std), tabulated per channel and byte value.
    public float[][] Table()
    {
        var t = new float[3][];
        for (var c = 0; c < 3; c++)
        {
            t[c] = new float[256];
            float mean = (float)Mean[c], inv = (float)(1.0 / Std[c]);
            for (var v = 0; v < 256; v++) t[c][v] = ((float)v - mean) * inv;
        }
        return t;
    }
}

public static class Normalize
{
    /// HWC bytes → CHW float32 `(x − mean)/std`, padded at the bottom/right to (padHeight, padWidth)
    /// with 0 (spec §2.4: padding happens after normalisation, so the pad value is 0 in normalised space).
    public static float[] ToChw(RgbImage img, float[][] table, int padHeight = 0, int padWidth = 0)
    {
        int h = Math.Max(img.Height, padHeight), w = Math.Max(img.Width, padWidth), plane = h * w;
        var dst = new float[3 * plane];
        var src = img.Pixels;
        float[] t0 = table[0], t1 = table[1], t2 = table[2];
        for (var y = 0; y < img.Height; y++)
        {
            int s = y * img.Width * 3, d = y * w;
            for (var x = 0; x < img.Width; x++, s += 3, d++)
            {
                dst[d] = t0[src[s]];
                dst[plane + d] = t1[src[s + 1]];
                dst[2 * plane + d] = t2[src[s + 2]];
            }
        }
        return dst;
    }
}

/// Bottom/right padding of labels with the ignore value (spec §2.4).
public static class Pad
{
    public static LabelMap Label(LabelMap src, int height, int width, byte value = 255)
    {
        if (src.Height >= height && src.Width >= width) return src;
        int h = Math.Max(height, src.Height), w = Math.Max(width, src.Width);
        var dst = new byte[h * w];
        Array.Fill(dst, value);
        for (var y = 0; y < src.Height; y++) Array.Copy(src.Values, y * src.Width, dst, y * w, src.Width);
        return new LabelMap(w, h, dst);
    }
}
