namespace DaFormer.Training.Data.Synthetic;

/// An RGB albedo buffer plus a train-ID label buffer that shapes are painted into (painter's
/// algorithm: later shapes cover earlier ones). Coordinates are floats; a pixel is covered when its
/// centre (x + 0.5, y + 0.5) is inside the shape, so edges are hard, like a game engine's ID buffer.
public sealed class Canvas
{
    public int Width { get; }
    public int Height { get; }
    public byte[] Label { get; }
    public byte[] Rgb { get; }

    public Canvas(int width, int height)
    {
        Width = width; Height = height;
        Label = new byte[width * height];
        Rgb = new byte[width * height * 3];
    }

    public void Set(int x, int y, byte cls, Rgb c)
    {
        var i = y * Width + x;
        Label[i] = cls;
        Rgb[3 * i] = c.R; Rgb[3 * i + 1] = c.G; Rgb[3 * i + 2] = c.B;
    }

    /// Paints rows [y0, y1) of column x.
    public void Column(int x, float y0, float y1, byte cls, Rgb c)
    {
        if (x < 0 || x >= Width) return;
        int a = Math.Max(0, (int)MathF.Ceiling(y0 - 0.5f)), b = Math.Min(Height, (int)MathF.Ceiling(y1 - 0.5f));
        for (var y = a; y < b; y++) Set(x, y, cls, c);
    }

    public void Rect(float x0, float y0, float x1, float y1, byte cls, Rgb c)
    {
        int xa = Math.Max(0, (int)MathF.Ceiling(x0 - 0.5f)), xb = Math.Min(Width, (int)MathF.Ceiling(x1 - 0.5f));
        for (var x = xa; x < xb; x++) Column(x, y0, y1, cls, c);
    }

    /// Convex polygon (any winding) by scanlines.
    public void Polygon(ReadOnlySpan<(float X, float Y)> pts, byte cls, Rgb c)
    {
        float minY = float.MaxValue, maxY = float.MinValue;
        foreach (var p in pts) { minY = MathF.Min(minY, p.Y); maxY = MathF.Max(maxY, p.Y); }
        int ya = Math.Max(0, (int)MathF.Ceiling(minY - 0.5f)), yb = Math.Min(Height, (int)MathF.Ceiling(maxY - 0.5f));
        for (var y = ya; y < yb; y++)
        {
            var cy = y + 0.5f;
            float left = float.MaxValue, right = float.MinValue;
            for (var i = 0; i < pts.Length; i++)
            {
                var (ax, ay) = pts[i];
                var (bx, by) = pts[(i + 1) % pts.Length];
                if ((cy < ay) == (cy < by)) continue;
                var x = ax + (cy - ay) / (by - ay) * (bx - ax);
                left = MathF.Min(left, x); right = MathF.Max(right, x);
            }
            if (left > right) continue;
            int xa = Math.Max(0, (int)MathF.Ceiling(left - 0.5f)), xb = Math.Min(Width, (int)MathF.Ceiling(right - 0.5f));
            for (var x = xa; x < xb; x++) Set(x, y, cls, c);
        }
    }

    public void Ellipse(float cx, float cy, float rx, float ry, byte cls, Rgb c, float innerFraction = 0)
    {
        int xa = Math.Max(0, (int)MathF.Floor(cx - rx)), xb = Math.Min(Width - 1, (int)MathF.Ceiling(cx + rx));
        int ya = Math.Max(0, (int)MathF.Floor(cy - ry)), yb = Math.Min(Height - 1, (int)MathF.Ceiling(cy + ry));
        var inner2 = innerFraction * innerFraction;
        for (var y = ya; y <= yb; y++)
            for (var x = xa; x <= xb; x++)
            {
                float dx = (x + 0.5f - cx) / MathF.Max(rx, 0.5f), dy = (y + 0.5f - cy) / MathF.Max(ry, 0.5f);
                var d = dx * dx + dy * dy;
                if (d <= 1 && d >= inner2) Set(x, y, cls, c);
            }
    }

    /// A line segment of the given thickness (at least one pixel wide).
    public void Line(float x0, float y0, float x1, float y1, float thickness, byte cls, Rgb c)
    {
        float dx = x1 - x0, dy = y1 - y0, len = MathF.Sqrt(dx * dx + dy * dy);
        if (len < 1e-3f) { Rect(x0 - 0.5f, y0 - 0.5f, x0 + 0.5f, y0 + 0.5f, cls, c); return; }
        var t = MathF.Max(thickness, 1f) / 2;
        float nx = -dy / len * t, ny = dx / len * t;
        Span<(float, float)> q = [(x0 + nx, y0 + ny), (x1 + nx, y1 + ny), (x1 - nx, y1 - ny), (x0 - nx, y0 - ny)];
        Polygon(q, cls, c);
    }
}

public readonly record struct Rgb(byte R, byte G, byte B)
{
    public static Rgb Of(int r, int g, int b) => new(Clamp(r), Clamp(g), Clamp(b));
    public Rgb Jitter(Random rng, int amount) =>
        Of(R + rng.Next(-amount, amount + 1), G + rng.Next(-amount, amount + 1), B + rng.Next(-amount, amount + 1));
    public Rgb Scale(double f) => Of((int)(R * f), (int)(G * f), (int)(B * f));
    static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
}
