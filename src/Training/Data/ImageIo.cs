using DaFormer.Model;
using DaFormer.Training.Data.Formats;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Png;
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
/// Every read first checks the image header against the pixel budget (<see cref="MaxPixels"/>), so a
/// small file that declares a huge image (a "decompression bomb") is refused before any memory is spent.
public static class ImageIo
{
    /// 100 MPixel: ten times a 4K frame, 50× a Cityscapes image (2048×1024); decoding one costs ~300 MB as RGB.
    public const long DefaultMaxPixels = 100_000_000;

    /// Environment variable that overrides <see cref="DefaultMaxPixels"/> (a positive integer number of pixels).
    public const string MaxPixelsVariable = "DAFORMER_MAX_PIXELS";

    /// The largest image (width × height) any command decodes: $DAFORMER_MAX_PIXELS, else 100 MPixel.
    public static long MaxPixels =>
        Environment.GetEnvironmentVariable(MaxPixelsVariable) is { Length: > 0 } v && long.TryParse(v, out var n) && n > 0 ? n : DefaultMaxPixels;

    public static RgbImage ReadRgb(string path)
    {
        Header(path);
        using var img = Load<Rgb24>(path);
        var pixels = new byte[img.Width * img.Height * 3];
        img.CopyPixelDataTo(pixels);
        return new RgbImage(img.Width, img.Height, pixels);
    }

    /// Reads a train-ID label image (e.g. `*_labelTrainIds.png`) as raw values: 8-bit grey as stored,
    /// the INDICES of a palette PNG (what PIL's `np.array(Image.open(f))` gives, as mmseg reads labels),
    /// 16-bit grey when no value exceeds 255, and RGB only when every pixel is grey (R = G = B).
    /// A colour label is refused: converting it to luminance would silently invent classes.
    public static LabelMap ReadLabel(string path)
    {
        var (info, format) = Identify(path);
        var png = info.Metadata.GetPngMetadata();
        var isPng = format is PngFormat;
        if (isPng && png.ColorType == PngColorType.Palette) return PalettePng.ReadIndices(path);
        if (isPng && png.ColorType is PngColorType.Rgb or PngColorType.RgbWithAlpha) return FromGreyRgb(path);
        if (isPng && png.BitDepth == PngBitDepth.Bit16) return From16Bit(path);
        using var img = Load<L8>(path);
        var values = new byte[img.Width * img.Height];
        img.CopyPixelDataTo(values);
        return new LabelMap(img.Width, img.Height, values);
    }

    static LabelMap FromGreyRgb(string path)
    {
        using var img = Load<Rgb24>(path);
        var px = new byte[img.Width * img.Height * 3];
        img.CopyPixelDataTo(px);
        var values = new byte[img.Width * img.Height];
        for (var i = 0; i < values.Length; i++)
        {
            byte r = px[3 * i], g = px[3 * i + 1], b = px[3 * i + 2];
            if (r != g || g != b)
                throw new DaFormerError(
                    $"{path}: a colour (RGB) label — pixel ({i % img.Width}, {i / img.Width}) is ({r}, {g}, {b}). Expected a single-channel " +
                    "label of class IDs (8-bit grey or palette PNG, 255 = ignore), not a colour visualisation; convert the colours to " +
                    "class IDs first (for GTA/Synthia/Cityscapes run `daformer convert …`, which writes *_labelTrainIds.png).");
            values[i] = r;
        }
        return new LabelMap(img.Width, img.Height, values);
    }

    static LabelMap From16Bit(string path)
    {
        using var img = Load<L16>(path);
        var raw = new L16[img.Width * img.Height];
        img.CopyPixelDataTo(raw);
        var values = new byte[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i].PackedValue > 255)
                throw new DaFormerError(
                    $"{path}: 16-bit label with value {raw[i].PackedValue} at pixel ({i % img.Width}, {i / img.Width}). Expected class IDs 0…254 " +
                    "and 255 = ignore (an 8-bit grey PNG); raw SYNTHIA labels must be converted first (`daformer convert synthia ROOT`).");
            values[i] = (byte)raw[i].PackedValue;
        }
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

    /// Reads only the header (size, format, colour type) and refuses images above the pixel budget.
    public static IImageInfo Header(string path) => Identify(path).Info;

    static (IImageInfo Info, IImageFormat? Format) Identify(string path)
    {
        if (!File.Exists(path)) throw new DaFormerError($"{path}: file not found.");
        IImageInfo? info;
        IImageFormat? format;
        try { info = Image.Identify(path, out format); }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException or ImageFormatException or InvalidDataException or EndOfStreamException)
        {
            throw new DaFormerError($"{path}: cannot decode the image ({e.Message}). Expected a readable PNG/JPEG; re-export or delete the file.");
        }
        if (info is null) throw new DaFormerError($"{path}: not an image in a format this tool reads (PNG, JPEG, BMP, TIFF, WebP, GIF).");
        CheckBudget(path, info.Width, info.Height);
        return (info, format);
    }

    /// The pixel budget check on a declared size (also used by readers that parse headers themselves).
    public static void CheckBudget(string path, long width, long height)
    {
        if (width <= 0 || height <= 0)
            throw new DaFormerError($"{path}: the header declares a {width}×{height} image; expected a positive size.");
        var max = MaxPixels;
        if (width * height > max)
            throw new DaFormerError(
                $"{path}: the header declares a {width}×{height} image ({width * height / 1e6:F0} MPixel), above the limit of {max / 1e6:0.###} MPixel; " +
                $"it was not decoded. Shrink the image, or raise the limit with {MaxPixelsVariable}=<pixels> if it is genuine.");
    }

    static Image<T> Load<T>(string path) where T : unmanaged, IPixel<T>
    {
        if (!File.Exists(path)) throw new DaFormerError($"{path}: file not found.");
        try { return Image.Load<T>(path); }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException or ImageFormatException or InvalidDataException or EndOfStreamException)
        {
            throw new DaFormerError($"{path}: cannot decode the image ({e.Message}). Expected a readable PNG/JPEG; re-export or delete the file.");
        }
    }
}
