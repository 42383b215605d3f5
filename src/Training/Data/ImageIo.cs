using DaFormer.Model;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DaFormer.Training.Data;

/// An 8-bit RGB image, row-major HWC.
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    public byte this[int y, int x, int c] => Pixels[(y * Width + x) * 3 + c];
}

/// A single-channel 8-bit map (train-ID label), row-major.
public sealed record LabelMap(int Width, int Height, byte[] Values)
{
    public byte this[int y, int x] => Values[y * Width + x];
}

/// Image decoding/encoding with ImageSharp. Errors name the file. Writes are atomic (temp + rename).
public static class ImageIo
{
    public static RgbImage ReadRgb(string path)
    {
        using var img = Load<Rgb24>(path);
        var pixels = new byte[img.Width * img.Height * 3];
        img.CopyPixelDataTo(pixels);
        return new RgbImage(img.Width, img.Height, pixels);
    }

    /// Reads an 8-bit grey label image (e.g. `*_labelTrainIds.png`) as raw values. A palette PNG
    /// must not be read this way (ImageSharp converts it to luminance); use the PNG index reader.
    public static LabelMap ReadLabel(string path)
    {
        using var img = Load<L8>(path);
        var values = new byte[img.Width * img.Height];
        img.CopyPixelDataTo(values);
        return new LabelMap(img.Width, img.Height, values);
    }

    public static void WriteLabel(string path, LabelMap label)
    {
        using var img = Image.LoadPixelData<L8>(label.Values, label.Width, label.Height);
        SaveAtomic(path, s => img.SaveAsPng(s));
    }

    public static void WriteRgb(string path, RgbImage image)
    {
        using var img = Image.LoadPixelData<Rgb24>(image.Pixels, image.Width, image.Height);
        SaveAtomic(path, s => img.SaveAsPng(s));
    }

    /// Writes through a temporary file in the same folder, then renames: never a half-written file.
    public static void SaveAtomic(string path, Action<Stream> write)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var s = File.Create(tmp)) write(s);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    static Image<T> Load<T>(string path) where T : unmanaged, IPixel<T>
    {
        if (!File.Exists(path)) throw new DaFormerError($"{path}: file not found.");
        try { return Image.Load<T>(path); }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
        {
            throw new DaFormerError($"{path}: cannot decode the image ({e.Message}). Expected a readable PNG/JPEG; re-export or delete the file.");
        }
    }
}
