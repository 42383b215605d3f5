using DaFormer.Model;
using DaFormer.Training.Data.Datasets;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace DaFormer.Training.Data.Converters;

/// `tools/convert_datasets/synthia.py` (spec §1.3): every `ROOT/GT/LABELS/**/<…digit>.png` (sorted) is a
/// 16-bit multi-channel PNG whose FIRST channel (R; OpenCV's last in BGR order) holds the class ID,
/// which may exceed 255 (e.g. 259 — not road).
public static class SynthiaConverter
{
    public static ConvertResult Run(string root, ConvertOptions? options = null) =>
        LabelConversion.RunFlat("synthia", root, Path.Join(root, "GT", "LABELS"), Path.Join(root, "RGB"),
            "SYNTHIA layout ROOT/RGB/<name>.png + ROOT/GT/LABELS/<name>.png (16-bit class IDs)", "the SYNTHIA GT/LABELS PNGs", ReadTrainIds, options);

    public static LabelMap ReadTrainIds(string rawPath)
    {
        var (width, height, ids) = ReadClassIds(rawPath);
        return LabelMaps.Apply(width, height, ids, LabelMaps.SynthiaLut.Span);
    }

    /// The raw 16-bit class IDs (first channel). 8-bit files are accepted too (values as stored).
    public static (int Width, int Height, ushort[] Ids) ReadClassIds(string path) => LabelConversion.Decode(path, () =>
    {
        using var img = Image.Load<Rgba64>(path);
        // ImageSharp widens 8-bit samples to 16 bits by ×257; undo that so 8-bit files keep their values.
        var shift = img.Metadata.GetPngMetadata().BitDepth == PngBitDepth.Bit16 ? 0 : 8;
        var ids = new ushort[img.Width * img.Height];
        img.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++) ids[y * rows.Width + x] = (ushort)(row[x].R >> shift);
            }
        });
        return (img.Width, img.Height, ids);
    });
}
