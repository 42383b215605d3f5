namespace DaFormer.Training.Data;

/// One row of the official Cityscapes label table (`cityscapesscripts/helpers/labels.py`).
/// TrainId 255 = ignored in training/evaluation; -1 only for "license plate" (never drawn).
public sealed record CityscapesLabel(string Name, int Id, int TrainId);

/// The 19 Cityscapes classes (spec §1.2) and the raw-ID → train-ID maps of the three source/target
/// data sets, as lookup tables. Pure data; no I/O.
public static class LabelMaps
{
    public const byte Ignore = 255;
    public const int NumClasses = 19;

    public static IReadOnlyList<string> CityscapesClasses { get; } =
    [
        "road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign",
        "vegetation", "terrain", "sky", "person", "rider", "car", "truck", "bus", "train",
        "motorcycle", "bicycle",
    ];

    public static IReadOnlyList<(byte R, byte G, byte B)> CityscapesPalette { get; } =
    [
        (128, 64, 128), (244, 35, 232), (70, 70, 70), (102, 102, 156), (190, 153, 153), (153, 153, 153),
        (250, 170, 30), (220, 220, 0), (107, 142, 35), (152, 251, 152), (70, 130, 180), (220, 20, 60),
        (255, 0, 0), (0, 0, 142), (0, 0, 70), (0, 60, 100), (0, 80, 100), (0, 0, 230), (119, 11, 32),
    ];

    /// All 34 label IDs of the official table plus "license plate" (id −1, trainId −1).
    public static IReadOnlyList<CityscapesLabel> CityscapesLabels { get; } =
    [
        new("unlabeled", 0, 255), new("ego vehicle", 1, 255), new("rectification border", 2, 255),
        new("out of roi", 3, 255), new("static", 4, 255), new("dynamic", 5, 255), new("ground", 6, 255),
        new("road", 7, 0), new("sidewalk", 8, 1), new("parking", 9, 255), new("rail track", 10, 255),
        new("building", 11, 2), new("wall", 12, 3), new("fence", 13, 4), new("guard rail", 14, 255),
        new("bridge", 15, 255), new("tunnel", 16, 255), new("pole", 17, 5), new("polegroup", 18, 255),
        new("traffic light", 19, 6), new("traffic sign", 20, 7), new("vegetation", 21, 8),
        new("terrain", 22, 9), new("sky", 23, 10), new("person", 24, 11), new("rider", 25, 12),
        new("car", 26, 13), new("truck", 27, 14), new("bus", 28, 15), new("caravan", 29, 255),
        new("trailer", 30, 255), new("train", 31, 16), new("motorcycle", 32, 17), new("bicycle", 33, 18),
        new("license plate", -1, -1),
    ];

    /// GTA5 label IDs are Cityscapes label IDs. Entry order = the original converter's dict order
    /// (`tools/convert_datasets/gta.py`), which is also increasing train ID.
    public static IReadOnlyList<(int RawId, int TrainId)> GtaIdToTrainId { get; } =
        CityscapesLabels.Where(l => l.TrainId is >= 0 and < 255).Select(l => (l.Id, l.TrainId)).ToArray();

    /// SYNTHIA RAND-CITYSCAPES class IDs (`tools/convert_datasets/synthia.py`, in its dict order =
    /// increasing train ID). Terrain (16), truck (18) and train (20) are mapped but never occur.
    public static IReadOnlyList<(int RawId, int TrainId)> SynthiaIdToTrainId { get; } =
    [
        (3, 0), (4, 1), (2, 2), (21, 3), (5, 4), (7, 5), (15, 6), (9, 7), (6, 8), (16, 9), (1, 10),
        (10, 11), (17, 12), (8, 13), (18, 14), (19, 15), (20, 16), (12, 17), (11, 18),
    ];

    /// Train IDs without Synthia annotations (terrain, truck, train).
    public static IReadOnlyList<int> AbsentInSynthia { get; } = [9, 14, 16];

    /// Synthia-16: all classes except terrain, truck, train (spec §1.2, §5.3).
    public static IReadOnlyList<int> Synthia16 { get; } = Enumerable.Range(0, NumClasses).Except([9, 14, 16]).ToArray();

    /// Synthia-13: Synthia-16 without wall, fence, pole — the UDA convention (README only, §5.3).
    public static IReadOnlyList<int> Synthia13 { get; } = Synthia16.Except([3, 4, 5]).ToArray();

    /// "Thing" classes of the Feature Distance (spec §1.2).
    public static IReadOnlyList<int> ThingClasses { get; } = [6, 7, 11, 12, 13, 14, 15, 16, 17, 18];

    /// Read-only 256-entry tables indexed by the raw 8-bit label ID; unlisted IDs → 255 (the converters start
    /// from an all-255 map, spec §1.2).
    public static ReadOnlyMemory<byte> CityscapesLut { get; } =
        BuildLut(CityscapesLabels.Where(l => l.Id >= 0).Select(l => (l.Id, l.TrainId)), 256);

    public static ReadOnlyMemory<byte> GtaLut { get; } = BuildLut(GtaIdToTrainId, 256);

    /// 65536 entries: Synthia IDs are 16-bit and may exceed 255 — truncating to a byte first would
    /// turn 259 into 3 = road, so the whole 16-bit range is tabulated.
    public static ReadOnlyMemory<byte> SynthiaLut { get; } = BuildLut(SynthiaIdToTrainId, 65536);

    /// The Cityscapes label ID of a train ID (0…18), or null for anything else.
    public static int? CityscapesIdOfTrainId(int trainId) =>
        trainId is >= 0 and < NumClasses ? CityscapesLabels.First(l => l.TrainId == trainId).Id : null;

    public static byte[] BuildLut(IEnumerable<(int RawId, int TrainId)> map, int size)
    {
        var lut = new byte[size];
        Array.Fill(lut, Ignore);
        foreach (var (raw, train) in map)
            if (raw >= 0 && raw < size) lut[raw] = train is >= 0 and < 255 ? (byte)train : Ignore;
        return lut;
    }

    /// Maps every raw value through `lut` (values outside the table → 255).
    public static LabelMap Apply(int width, int height, ReadOnlySpan<ushort> raw, ReadOnlySpan<byte> lut)
    {
        var output = new byte[width * height];
        for (var i = 0; i < output.Length; i++) output[i] = raw[i] < lut.Length ? lut[raw[i]] : Ignore;
        return new LabelMap(width, height, output);
    }

    public static LabelMap Apply(LabelMap raw, ReadOnlySpan<byte> lut)
    {
        var output = new byte[raw.Values.Length];
        for (var i = 0; i < output.Length; i++) output[i] = raw.Values[i] < lut.Length ? lut[raw.Values[i]] : Ignore;
        return raw with { Values = output };
    }
}
