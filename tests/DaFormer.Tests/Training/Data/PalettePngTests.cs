using DaFormer.Model;
using DaFormer.Tests.Support;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Formats;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DaFormer.Tests.Training.Data;

public class PalettePngTests
{
    static readonly (byte, byte, byte)[] Palette = Enumerable.Range(0, 256).Select(i => ((byte)(255 - i), (byte)(i * 7), (byte)(i * 13))).ToArray();

    [Fact]
    public void Written_indices_read_back_and_ImageSharp_sees_the_palette_colours()
    {
        var values = new byte[7 * 5];
        for (var i = 0; i < values.Length; i++) values[i] = (byte)(i * 37 % 256);
        var path = Path.Combine(Paths.NewTempDir(), "l.png");
        PalettePng.Write(path, new LabelMap(7, 5, values), Palette);

        Assert.Equal(values, PalettePng.ReadIndices(path).Values);
        // Independent decoder: ImageSharp returns the palette colour of each index.
        using var img = Image.Load<Rgb24>(path);
        Assert.Equal(new Rgb24(Palette[values[8]].Item1, Palette[values[8]].Item2, Palette[values[8]].Item3), img[1, 1]);
    }

    [Fact]
    public void Reads_grey_pngs_with_all_row_filters_as_encoded_by_ImageSharp()
    {
        var w = 33; var h = 9;
        var values = new byte[w * h];
        var rng = new Random(1);
        for (var i = 0; i < values.Length; i++) values[i] = (byte)(i % w < 10 ? rng.Next(256) : (i / w) * 20 + i % w);
        var path = Path.Combine(Paths.NewTempDir(), "g.png");
        using (var img = Image.LoadPixelData<L8>(values, w, h))
            img.SaveAsPng(path, new SixLabors.ImageSharp.Formats.Png.PngEncoder { FilterMethod = SixLabors.ImageSharp.Formats.Png.PngFilterMethod.Adaptive, ColorType = SixLabors.ImageSharp.Formats.Png.PngColorType.Grayscale, BitDepth = SixLabors.ImageSharp.Formats.Png.PngBitDepth.Bit8 });
        Assert.Equal(values, PalettePng.ReadIndices(path).Values);
    }

    [Fact]
    public void A_corrupt_file_is_an_error_naming_it()
    {
        var path = Path.Combine(Paths.NewTempDir(), "c.png");
        File.WriteAllBytes(path, [137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72]);
        var e = Assert.ThrowsAny<DaFormerError>(() => PalettePng.ReadIndices(path));
        Assert.Contains(path, e.Message);
    }
}
