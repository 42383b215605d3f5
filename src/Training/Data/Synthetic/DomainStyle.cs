namespace DaFormer.Training.Data.Synthetic;

/// How a domain turns a scene's flat albedo into pixels.
///
/// Source ("game"): the albedo as it is — flat colours, hard edges — with a small per-image exposure
/// change. Target ("camera"): for every class a fixed colour change (hue rotation about the grey
/// axis, desaturation, brightness, tint), a class-specific multiplicative texture (asphalt grain,
/// foliage, facade blotches, hazy sky), a random illumination gradient and colour cast per image, a
/// [1 2 1] blur, and Gaussian sensor noise. Shapes and layout are untouched, so labels stay exact
/// and what transfers between domains is geometry and context, not colour statistics.
/// `Gap` scales every target effect (0 = target looks like the source, 1 = default).
public static class DomainStyle
{
    /// Target look per train ID: hue rotation (degrees), saturation factor, brightness factor,
    /// RGB tint, texture amplitude and texture frequency (cycles per pixel at 256 px width).
    static readonly (float Hue, float Sat, float Bright, (float R, float G, float B) Tint, float Tex, float Freq)[] TargetLook =
    [
        (0, 1.0f, 0.78f, (14, 6, -8), 0.20f, 0.45f),      // road: darker, warmer asphalt with grain
        (0, 0.8f, 0.92f, (-6, 4, 14), 0.14f, 0.25f),      // sidewalk: cooler paving
        (25, 0.75f, 0.88f, (8, 0, -6), 0.14f, 0.08f),     // building
        (30, 0.8f, 1.0f, (0, 6, 10), 0.12f, 0.1f),        // wall
        (-25, 1.0f, 0.9f, (0, 0, 0), 0.16f, 0.3f),        // fence
        (0, 1.0f, 0.85f, (-6, 0, 12), 0.06f, 0.3f),       // pole
        (0, 1.0f, 1.0f, (0, 0, 0), 0.05f, 0.3f),          // traffic light
        (30, 1.0f, 0.95f, (0, 0, 0), 0.06f, 0.3f),        // traffic sign
        (-40, 0.7f, 0.85f, (12, 4, -10), 0.32f, 0.5f),    // vegetation: olive, leafy
        (35, 0.8f, 0.9f, (-10, 0, 8), 0.22f, 0.35f),      // terrain
        (-20, 0.55f, 1.04f, (10, 6, -4), 0.06f, 0.03f),   // sky: hazy, paler
        (35, 0.9f, 0.95f, (0, 0, 0), 0.08f, 0.3f),        // person
        (35, 0.9f, 0.95f, (0, 0, 0), 0.08f, 0.3f),        // rider
        (40, 0.85f, 0.95f, (0, 0, 0), 0.06f, 0.2f),       // car
        (40, 0.85f, 0.95f, (0, 0, 0), 0.06f, 0.2f),       // truck
        (-40, 0.85f, 0.95f, (0, 0, 0), 0.06f, 0.2f),      // bus
        (40, 0.85f, 0.95f, (0, 0, 0), 0.06f, 0.2f),       // train
        (30, 0.9f, 0.95f, (0, 0, 0), 0.06f, 0.3f),        // motorcycle
        (30, 0.9f, 0.95f, (0, 0, 0), 0.06f, 0.3f),        // bicycle
    ];

    public static byte[] RenderSource(Canvas c, Random rng)
    {
        var exposure = 0.92f + 0.16f * (float)rng.NextDouble();
        var dst = new byte[c.Rgb.Length];
        for (var i = 0; i < dst.Length; i++) dst[i] = (byte)Math.Min(255f, c.Rgb[i] * exposure + 0.5f);
        return dst;
    }

    public static byte[] RenderTarget(Canvas c, Random rng, double gap = 1.0)
    {
        var g = (float)gap;
        int w = c.Width, h = c.Height;
        var matrices = TargetLook.Select(l => ClassMatrix(l.Hue * g, 1 + (l.Sat - 1) * g, 1 + (l.Bright - 1) * g)).ToArray();
        // Per-image light: a linear gradient (sun from one side, darker toward the bottom) and a cast.
        float gx = g * (0.5f * (float)rng.NextDouble() - 0.25f), gy = g * (0.1f + 0.25f * (float)rng.NextDouble());
        var level = 1 + g * (0.25f * (float)rng.NextDouble() - 0.15f);
        var warm = g * (16f * (float)rng.NextDouble() - 8f);
        var noiseSeed = rng.Next();
        var texScale = 256f / w;
        var img = new float[w * h * 3];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var i = y * w + x;
                int k = c.Label[i];
                var look = TargetLook[k];
                var m = matrices[k];
                float r = c.Rgb[3 * i], gr = c.Rgb[3 * i + 1], b = c.Rgb[3 * i + 2];
                float nr = m[0] * r + m[1] * gr + m[2] * b + g * look.Tint.R;
                float ng = m[3] * r + m[4] * gr + m[5] * b + g * look.Tint.G;
                float nb = m[6] * r + m[7] * gr + m[8] * b + g * look.Tint.B;
                var f = look.Freq * texScale;
                var tex = 1 + g * look.Tex * (0.65f * ValueNoise(x * f, y * f, noiseSeed + k) + 0.35f * ValueNoise(x * f * 2.7f, y * f * 2.7f, noiseSeed + 97 * k));
                var light = level * (1 + gx * (x / (float)w - 0.5f) - gy * (y / (float)h - 0.5f)) * tex;
                img[3 * i] = nr * light + warm;
                img[3 * i + 1] = ng * light;
                img[3 * i + 2] = nb * light - warm;
            }
        if (g > 0) Blur121(img, w, h);
        var sigma = 5f * g;
        var dst = new byte[img.Length];
        for (var i = 0; i < img.Length; i++)
        {
            var v = img[i] + sigma * Gaussian(rng);
            dst[i] = (byte)Math.Clamp((int)MathF.Round(v), 0, 255);
        }
        return dst;
    }

    /// brightness · saturation(s) · hue-rotation(θ) as one 3×3 matrix (row-major).
    static float[] ClassMatrix(float hueDegrees, float sat, float bright)
    {
        var a = hueDegrees * MathF.PI / 180f;
        float cos = MathF.Cos(a), sin = MathF.Sin(a), third = (1 - cos) / 3f, s3 = MathF.Sqrt(1f / 3f) * sin;
        float[] hue = [cos + third, third - s3, third + s3, third + s3, cos + third, third - s3, third - s3, third + s3, cos + third];
        float lr = 0.299f, lg = 0.587f, lb = 0.114f;
        float[] satM =
        [
            lr + (1 - lr) * sat, lg - lg * sat, lb - lb * sat,
            lr - lr * sat, lg + (1 - lg) * sat, lb - lb * sat,
            lr - lr * sat, lg - lg * sat, lb + (1 - lb) * sat,
        ];
        var m = new float[9];
        for (var r = 0; r < 3; r++)
            for (var col = 0; col < 3; col++)
                m[3 * r + col] = bright * (satM[3 * r] * hue[col] + satM[3 * r + 1] * hue[3 + col] + satM[3 * r + 2] * hue[6 + col]);
        return m;
    }

    /// Smooth lattice noise in [-1, 1].
    static float ValueNoise(float x, float y, int seed)
    {
        int ix = (int)MathF.Floor(x), iy = (int)MathF.Floor(y);
        float fx = x - ix, fy = y - iy;
        fx = fx * fx * (3 - 2 * fx); fy = fy * fy * (3 - 2 * fy);
        float a = Hash(ix, iy, seed), b = Hash(ix + 1, iy, seed), c = Hash(ix, iy + 1, seed), d = Hash(ix + 1, iy + 1, seed);
        return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
    }

    static float Hash(int x, int y, int seed)
    {
        var h = (uint)(x * 374761393 + y * 668265263 + seed * 1442695041);
        h = (h ^ (h >> 13)) * 1274126177u;
        h ^= h >> 16;
        return (h & 0xFFFFFF) / (float)0x800000 - 1f;
    }

    static float Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    static void Blur121(float[] img, int w, int h)
    {
        var tmp = new float[img.Length];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                for (var ch = 0; ch < 3; ch++)
                {
                    int l = Math.Max(x - 1, 0), r = Math.Min(x + 1, w - 1);
                    tmp[(y * w + x) * 3 + ch] = 0.25f * img[(y * w + l) * 3 + ch] + 0.5f * img[(y * w + x) * 3 + ch] + 0.25f * img[(y * w + r) * 3 + ch];
                }
        for (var y = 0; y < h; y++)
        {
            int u = Math.Max(y - 1, 0), d = Math.Min(y + 1, h - 1);
            for (var x = 0; x < w * 3; x++)
                img[y * w * 3 + x] = 0.25f * tmp[u * w * 3 + x] + 0.5f * tmp[y * w * 3 + x] + 0.25f * tmp[d * w * 3 + x];
        }
    }
}
