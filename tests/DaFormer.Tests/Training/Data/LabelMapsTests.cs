using DaFormer.Training.Data;
using DaFormer.Training.Data.Converters;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DaFormer.Tests.Training.Data;

public class LabelMapsTests
{
    [Theory]
    [InlineData("gta")]
    [InlineData("synthia")]
    public void Id_maps_equal_the_original_converter_dicts(string dataset)
    {
        // The fixture lists its keys by raw ID; the original source (and LabelMaps) by train ID.
        var ours = dataset == "gta" ? LabelMaps.GtaIdToTrainId : LabelMaps.SynthiaIdToTrainId;
        Assert.Equal(TinyData.FixtureMap(dataset).OrderBy(m => m.Raw), ours.Select(m => (m.RawId, m.TrainId)).OrderBy(m => m.RawId));
        Assert.Equal(Enumerable.Range(0, 19), ours.Select(m => m.TrainId));
    }

    [Theory]
    [InlineData("gta")]
    [InlineData("synthia")]
    public void Lookup_tables_equal_the_fixture_for_ids_0_to_255(string dataset)
    {
        var lut = dataset == "gta" ? LabelMaps.GtaLut : LabelMaps.SynthiaLut;
        Assert.Equal(TinyData.FixtureLut256(dataset), lut.ToArray().Take(256).Select(b => (int)b).ToArray());
    }

    [Fact]
    public void Cityscapes_table_maps_like_gta_because_gta_uses_cityscapes_ids()
    {
        Assert.Equal(TinyData.FixtureLut256("gta"), LabelMaps.CityscapesLut.ToArray().Select(b => (int)b).ToArray());
        Assert.Equal(35, LabelMaps.CityscapesLabels.Count);
        Assert.Equal(Enumerable.Range(0, 34), LabelMaps.CityscapesLabels.Where(l => l.Id >= 0).Select(l => l.Id));
        Assert.Contains(LabelMaps.CityscapesLabels, l => l is { Name: "license plate", Id: -1, TrainId: -1 });
    }

    [Theory]
    [InlineData("gta")]
    [InlineData("synthia")]
    public void An_image_holding_every_id_0_to_255_once_gives_the_fixture_class_stats(string dataset)
    {
        var raw = Enumerable.Range(0, 256).Select(i => (ushort)i).ToArray();
        var lut = dataset == "gta" ? LabelMaps.GtaLut : LabelMaps.SynthiaLut;
        var stats = ClassStats.Count("x", LabelMaps.Apply(16, 16, raw, lut.Span));
        Assert.Equal(TinyData.FixtureStatsOf0To255(dataset).Select(p => (p.Class, (long)p.Count)), stats.PixelsPerClass.Select(kv => (kv.Key, kv.Value)));
    }

    [Fact]
    public void Synthia_ids_above_255_are_ignored_not_truncated()
    {
        var lut = LabelMaps.SynthiaLut.Span;
        Assert.Equal(65536, lut.Length);
        Assert.Equal(0, lut[3]);
        Assert.Equal(255, lut[259]);
        Assert.Equal(255, lut[256 + 3]);
        Assert.Equal(255, lut[65535]);
    }

    [Fact]
    public void Each_table_maps_exactly_19_ids_one_per_train_id()
    {
        foreach (var lut in new[] { LabelMaps.GtaLut, LabelMaps.SynthiaLut, LabelMaps.CityscapesLut })
        {
            var mapped = lut.ToArray().Where(t => t != 255).ToArray();
            Assert.Equal(Enumerable.Range(0, 19), mapped.Select(t => (int)t).Order());
        }
    }

    [Fact]
    public void Class_names_palette_and_subsets_match_spec_1_2()
    {
        Assert.Equal(19, LabelMaps.CityscapesClasses.Count);
        Assert.Equal(19, LabelMaps.CityscapesPalette.Count);
        Assert.Equal(("road", (byte)128, (byte)64, (byte)128), (LabelMaps.CityscapesClasses[0], LabelMaps.CityscapesPalette[0].R, LabelMaps.CityscapesPalette[0].G, LabelMaps.CityscapesPalette[0].B));
        Assert.Equal(("bicycle", (byte)119, (byte)11, (byte)32), (LabelMaps.CityscapesClasses[18], LabelMaps.CityscapesPalette[18].R, LabelMaps.CityscapesPalette[18].G, LabelMaps.CityscapesPalette[18].B));
        Assert.Equal(16, LabelMaps.Synthia16.Count);
        Assert.DoesNotContain(9, LabelMaps.Synthia16);
        Assert.Equal([0, 1, 2, 6, 7, 8, 10, 11, 12, 13, 15, 17, 18], LabelMaps.Synthia13);
        Assert.Equal([6, 7, 11, 12, 13, 14, 15, 16, 17, 18], LabelMaps.ThingClasses);
        // The Cityscapes table's class names agree with the 19 class names.
        Assert.Equal(LabelMaps.CityscapesClasses, Enumerable.Range(0, 19).Select(t => LabelMaps.CityscapesLabels.Single(l => l.TrainId == t).Name));
    }

    [Property]
    public bool Every_raw_id_maps_to_a_class_or_ignore(ushort raw)
    {
        static bool Ok(byte t) => t < 19 || t == 255;
        return Ok(LabelMaps.SynthiaLut.Span[raw]) && (raw > 255 || Ok(LabelMaps.GtaLut.Span[raw]) && Ok(LabelMaps.CityscapesLut.Span[raw]));
    }

    [Property]
    public bool Train_ids_are_fixed_points_of_the_cityscapes_round_trip(int trainId)
    {
        var id = LabelMaps.CityscapesIdOfTrainId(trainId);
        return trainId is >= 0 and < 19 ? id is { } labelId && LabelMaps.CityscapesLut.Span[labelId] == trainId : id is null;
    }

    [Property]
    public Property Apply_equals_a_per_pixel_lookup_in_the_fixture_dict() =>
        Prop.ForAll(Arb.From(Gen.ArrayOf(Gen.Choose(0, 400).Select(i => (ushort)i))), raw =>
        {
            var mapped = LabelMaps.Apply(raw.Length, 1, raw, LabelMaps.SynthiaLut.Span);
            return mapped.Values.SequenceEqual(TinyData.ExpectedTrainIds("synthia", raw));
        });

    [Property]
    public Property Class_counts_plus_ignored_pixels_cover_the_image() =>
        Prop.ForAll(Arb.From(Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i))), values =>
        {
            var label = LabelMaps.Apply(new LabelMap(values.Length, 1, values), LabelMaps.GtaLut.Span);
            var stats = ClassStats.Count("f", label);
            var ignored = label.Values.Count(v => v == 255);
            return stats.PixelsPerClass.Values.Sum() + ignored == values.Length
                && stats.PixelsPerClass.Keys.SequenceEqual(stats.PixelsPerClass.Keys.Order())
                && stats.PixelsPerClass.Values.All(n => n > 0);
        });
}
