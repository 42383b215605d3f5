using System.Text.Json;
using DaFormer.Tests.Support;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Formats;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace DaFormer.Tests.Training.Data;

/// Tiny data sets in the published layouts, written by the tests themselves (16×12 images), plus the
/// reference id→trainId maps read from the fixtures (independent of LabelMaps).
public static class TinyData
{
    public const int W = 16, H = 12;

    static readonly JsonElement IdMaps = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "algorithms.json"))).RootElement.GetProperty("id_to_trainid");

    /// `id_to_trainid` of the original converter (fixture), in its key order.
    public static IReadOnlyList<(int Raw, int Train)> FixtureMap(string dataset) =>
        IdMaps.GetProperty(dataset).GetProperty("id_to_trainid").EnumerateObject().Select(p => (int.Parse(p.Name), p.Value.GetInt32())).ToArray();

    public static int[] FixtureLut256(string dataset) =>
        IdMaps.GetProperty(dataset).GetProperty("lut_256").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static IReadOnlyList<(int Class, int Count)> FixtureStatsOf0To255(string dataset) =>
        IdMaps.GetProperty(dataset).GetProperty("class_stats_of_0_255_image").EnumerateObject().Select(p => (int.Parse(p.Name), p.Value.GetInt32())).ToArray();

    /// Expected train ID of a raw ID, straight from the fixture dictionary.
    public static int ExpectedTrainId(string dataset, int raw) =>
        FixtureMap(dataset).Where(m => m.Raw == raw).Select(m => m.Train).DefaultIfEmpty(255).First();

    public static readonly (byte, byte, byte)[] GreyPalette = Enumerable.Range(0, 256).Select(i => ((byte)i, (byte)i, (byte)i)).ToArray();

    public static void WriteRgb(string path, int w = W, int h = H, int seed = 0)
    {
        var px = new byte[w * h * 3];
        new Random(seed).NextBytes(px);
        ImageIo.WriteRgb(path, new RgbImage(w, h, px));
    }

    /// Random raw IDs, biased so every test image holds several mapped classes and some unmapped IDs.
    public static ushort[] RandomIds(Random rng, int count, IReadOnlyList<int> mapped, int maxUnmapped)
    {
        var ids = new ushort[count];
        for (var i = 0; i < count; i++) ids[i] = (ushort)(rng.Next(4) == 0 ? rng.Next(maxUnmapped + 1) : mapped[rng.Next(mapped.Count)]);
        return ids;
    }

    /// GTA layout: images/<n>.png + labels/<n>.png (palette PNG, indices = label IDs). Returns raw IDs per name.
    public static Dictionary<string, ushort[]> MakeGta(string root, int count, int seed = 1)
    {
        var rng = new Random(seed);
        var mapped = FixtureMap("gta").Select(m => m.Raw).ToArray();
        var raw = new Dictionary<string, ushort[]>();
        for (var i = 0; i < count; i++)
        {
            var name = $"{i:D5}";
            var ids = RandomIds(rng, W * H, mapped, 255);
            raw[name] = ids;
            WriteRgb(Path.Combine(root, "images", name + ".png"), seed: i);
            PalettePng.Write(Path.Combine(root, "labels", name + ".png"), new LabelMap(W, H, ids.Select(v => (byte)v).ToArray()), GreyPalette);
        }
        return raw;
    }

    /// Synthia layout: RGB/<n>.png + GT/LABELS/<n>.png (16-bit RGB; R = class ID, may exceed 255).
    public static Dictionary<string, ushort[]> MakeSynthia(string root, int count, int seed = 2)
    {
        var rng = new Random(seed);
        var mapped = FixtureMap("synthia").Select(m => m.Raw).ToArray();
        var raw = new Dictionary<string, ushort[]>();
        for (var i = 0; i < count; i++)
        {
            var name = $"{i:D7}";
            var ids = RandomIds(rng, W * H, mapped, 300);
            ids[0] = 259; ids[1] = 256 + 3; ids[2] = 65535; ids[3] = 3; // 259 & 0xFF = 3 = road if truncated
            raw[name] = ids;
            WriteRgb(Path.Combine(root, "RGB", name + ".png"), seed: i);
            WriteSynthiaLabel(Path.Combine(root, "GT", "LABELS", name + ".png"), ids, rng);
        }
        return raw;
    }

    public static void WriteSynthiaLabel(string path, ushort[] ids, Random rng, int w = W, int h = H)
    {
        var pixels = ids.Select(v => new Rgb48(v, (ushort)rng.Next(65536), (ushort)rng.Next(65536))).ToArray();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var img = Image.LoadPixelData(pixels, w, h);
        img.SaveAsPng(path, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Rgb });
    }

    /// Cityscapes layout with city sub-folders: leftImg8bit/<split>/<city>/<stem>_leftImg8bit.png +
    /// gtFine/<split>/<city>/<stem>_gtFine_labelIds.png (8-bit grey). Returns raw IDs per gtFine-relative stem.
    public static Dictionary<string, ushort[]> MakeCityscapes(string root, IEnumerable<(string Split, string City, int Count)> parts, int seed = 3)
    {
        var rng = new Random(seed);
        var mapped = FixtureMap("gta").Select(m => m.Raw).ToArray(); // Cityscapes IDs = GTA IDs (spec §1.2)
        var raw = new Dictionary<string, ushort[]>();
        foreach (var (split, city, count) in parts)
            for (var i = 0; i < count; i++)
            {
                var stem = $"{city}_{i:D6}_000019";
                var ids = RandomIds(rng, W * H, mapped, 33);
                raw[Path.Combine(split, city, stem)] = ids;
                WriteRgb(Path.Combine(root, "leftImg8bit", split, city, stem + "_leftImg8bit.png"), seed: i);
                ImageIo.WriteLabel(Path.Combine(root, "gtFine", split, city, stem + "_gtFine_labelIds.png"), new LabelMap(W, H, ids.Select(v => (byte)v).ToArray()));
            }
        return raw;
    }

    /// Independent class count: train ID → pixels, for train IDs 0…18 with count > 0, ascending.
    public static List<(int Class, long Count)> ExpectedCounts(string dataset, ushort[] raw)
    {
        var map = FixtureMap(dataset).ToDictionary(m => m.Raw, m => m.Train);
        return raw.Select(r => map.TryGetValue(r, out var t) ? t : 255).Where(t => t < 19)
            .GroupBy(t => t).OrderBy(g => g.Key).Select(g => (g.Key, (long)g.Count())).ToList();
    }

    public static byte[] ExpectedTrainIds(string dataset, ushort[] raw)
    {
        var map = FixtureMap(dataset).ToDictionary(m => m.Raw, m => m.Train);
        return raw.Select(r => (byte)(map.TryGetValue(r, out var t) ? t : 255)).ToArray();
    }
}
