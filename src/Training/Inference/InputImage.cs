using DaFormer.Model;
using DaFormer.Training.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;

namespace DaFormer.Training.Inference;

/// Reads any image the demo is given as 8-bit RGB, saying when it had to convert (grey or 16-bit
/// channels): the network was trained on 8-bit colour, so such inputs may segment worse.
public static class InputImage
{
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif"];

    public static (RgbImage Image, string? Warning) Read(string path)
    {
        if (!File.Exists(path)) throw new DaFormerError($"{path}: file not found.");
        IImageInfo? info;
        SixLabors.ImageSharp.Formats.IImageFormat? format;
        try { info = Image.Identify(path, out format); }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException or ImageFormatException)
        {
            throw new DaFormerError($"{path}: cannot decode the image ({e.Message}).");
        }
        if (info is null) throw new DaFormerError($"{path}: not an image in a format this tool reads (PNG, JPEG, BMP, TIFF, WebP, GIF).");
        var image = ImageIo.ReadRgb(path);
        return (image, Conversion(info, format) is { } what ? $"{path}: {what} image converted to 8-bit RGB" : null);
    }

    static string? Conversion(IImageInfo info, SixLabors.ImageSharp.Formats.IImageFormat? format)
    {
        var png = info.Metadata.GetPngMetadata();
        if (format is PngFormat)
        {
            var grey = png.ColorType is PngColorType.Grayscale or PngColorType.GrayscaleWithAlpha;
            var deep = png.BitDepth == PngBitDepth.Bit16;
            return (grey, deep) switch { (true, true) => "16-bit grey", (true, false) => "grey", (false, true) => "16-bit", _ => null };
        }
        var bpp = info.PixelType?.BitsPerPixel ?? 24;
        return bpp switch { 8 or 16 => "grey", > 32 => "16-bit", _ => null };
    }
}
