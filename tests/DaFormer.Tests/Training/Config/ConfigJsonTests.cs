using System.Text.Json;
using DaFormer.Model;
using DaFormer.Training.Config;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DaFormer.Tests.Training.Config;

public class ConfigJsonTests
{
    static readonly RunConfig[] Bases =
    [
        Presets.Gta2Cs, Presets.Quickstart, Presets.SourceOnly(Presets.Cs2Acdc),
        Presets.Dacs(Presets.Gta2Cs.WithArchitecture(Encoder.R101V1c, Decoder.Dlv2Red)) with { Schedule = ScheduleConfig.Poly10 },
        Presets.Gta2Cs with { Data = Presets.Gta2Cs.Data with { Rcs = Rcs.On(double.PositiveInfinity) } },
        Presets.Gta2Cs with
        {
            Data = Presets.Gta2Cs.Data with
            {
                Target = new DatasetConfig
                {
                    Kind = DatasetKind.Custom, Root = "data/x", Split = "train",
                    Custom = new CustomLayout { ClassNames = ["a", "b"], Palette = [new Rgb(1, 2, 3), new Rgb(4, 5, 6)], Name = "x" },
                },
            },
            Runtime = Presets.Gta2Cs.Runtime with { Test = TestConfig.Slide(new(512, 512), new(341, 341)) },
        },
    ];

    [Property]
    public Property Every_config_round_trips_through_json() =>
        Prop.ForAll(Arb.From(Gen.Elements(Bases).SelectMany(b => Gen.Choose(0, 100).Select(seed => b.WithSeed(seed)))), c =>
            ConfigJson.Deserialize(ConfigJson.Serialize(c)) == c);

    [Fact]
    public void Json_uses_camel_case_the_original_names_and_stores_the_derived_name()
    {
        using var doc = JsonDocument.Parse(ConfigJson.Serialize(Presets.Gta2Cs));
        var root = doc.RootElement;
        Assert.Equal("mit_b5", root.GetProperty("model").GetProperty("encoder").GetString());
        Assert.Equal("daformer_sepaspp", root.GetProperty("model").GetProperty("decoder").GetString());
        Assert.Equal("dacs", root.GetProperty("uda").GetProperty("mode").GetString());
        Assert.Equal(Presets.Gta2Cs.Name, root.GetProperty("name").GetString());
    }

    [Fact]
    public void Unknown_fields_are_an_error_naming_the_source()
    {
        var e = Assert.Throws<DaFormerError>(() => ConfigJson.Deserialize("{\"optimizer\":{\"lrr\":1}}", "run/config.json"));
        Assert.Contains("run/config.json", e.Message);
    }

    [Fact]
    public void Null_is_accepted_only_for_optional_fields()
    {
        Assert.Null(ConfigJson.Deserialize("{\"data\":{\"rcs\":null}}").Data.Rcs);
        Assert.Throws<DaFormerError>(() => ConfigJson.Deserialize("{\"data\":{\"source\":null}}"));
        Assert.Throws<DaFormerError>(() => ConfigJson.Deserialize("{\"optimizer\":{\"noDecayKeys\":null}}"));
    }

    [Fact]
    public void Missing_fields_take_the_recipe_defaults()
    {
        Assert.Equal(Presets.Gta2Cs.WithSeed(3), ConfigJson.Deserialize("{\"runtime\":{\"seed\":3}}"));
    }
}
