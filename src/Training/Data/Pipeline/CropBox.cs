namespace DaFormer.Training.Data.Pipeline;

/// A rectangle of rows [Top, Top+Height) and columns [Left, Left+Width).
public readonly record struct CropBox(int Top, int Left, int Height, int Width)
{
    public int Bottom => Top + Height;
    public int Right => Left + Width;
    public override string ToString() => $"rows {Top}..{Bottom}, cols {Left}..{Right}";
}

/// Cutting a box out of an image or label (the box must lie inside).
public static class Crop
{
    public static RgbImage Image(RgbImage src, CropBox box)
    {
        if (box.Top == 0 && box.Left == 0 && box.Width == src.Width && box.Height == src.Height) return src;
        var dst = new byte[box.Width * box.Height * 3];
        for (var y = 0; y < box.Height; y++)
            Array.Copy(src.Pixels, ((box.Top + y) * src.Width + box.Left) * 3, dst, y * box.Width * 3, box.Width * 3);
        return new RgbImage(box.Width, box.Height, dst);
    }

    public static LabelMap Label(LabelMap src, CropBox box)
    {
        if (box.Top == 0 && box.Left == 0 && box.Width == src.Width && box.Height == src.Height) return src;
        var dst = new byte[box.Width * box.Height];
        for (var y = 0; y < box.Height; y++)
            Array.Copy(src.Values, (box.Top + y) * src.Width + box.Left, dst, y * box.Width, box.Width);
        return new LabelMap(box.Width, box.Height, dst);
    }
}
