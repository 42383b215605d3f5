using DaFormer.Model;
using DaFormer.Training.Config;

namespace DaFormer.Tests.Training.Config;

public class ConfigOverridesTests
{
    static readonly RunConfig Base = Presets.Gta2Cs;

    [Fact]
    public void Sets_a_nested_number_and_leaves_everything_else_equal()
    {
        var c = ConfigOverrides.Apply(Base, "Optimizer.Lr", "1e-4");
        Assert.Equal(Base with { Optimizer = Base.Optimizer with { Lr = 1e-4 } }, c);
        Assert.Equal(6e-5, Base.Optimizer.Lr);   // the input is untouched
    }

    [Fact]
    public void Paths_are_case_insensitive_and_accept_enums_by_either_name()
    {
        Assert.Equal(Encoder.MitB0, ConfigOverrides.Apply(Base, "model.encoder", "mit_b0").Model.Encoder);
        Assert.Equal(Encoder.MitB1, ConfigOverrides.Apply(Base, "Model.Encoder", "MitB1").Model.Encoder);
        Assert.Equal(UdaMode.SourceOnly, ConfigOverrides.Apply(Base, "Uda.Mode", "source-only").Uda.Mode);
    }

    [Fact]
    public void Optional_records_switch_off_and_on()
    {
        Assert.Null(ConfigOverrides.Apply(Base, "Data.Rcs", "off").Data.Rcs);
        Assert.Null(ConfigOverrides.Apply(Base, "Model.Pretrained", "none").Model.Pretrained);
        Assert.Equal("off", ConfigOverrides.Apply(Base, "Data.Source.Root", "off").Data.Source.Root);   // a required string is literal
        var off = Base with { Data = Base.Data with { Rcs = null } };
        // Setting a field of an off record turns it on with its defaults.
        Assert.Equal(Rcs.On(temperature: 0.5), ConfigOverrides.Apply(off, "Data.Rcs.Temperature", "0.5").Data.Rcs);
        Assert.Equal(double.PositiveInfinity, ConfigOverrides.Apply(Base, "Data.Rcs.Temperature", "inf").Data.Rcs!.Temperature);
        Assert.Equal(new PseudoLabelCrop(3, 4), ConfigOverrides.Apply(Base, "Uda.PseudoLabelCrop", "{\"top\":3,\"bottom\":4}").Uda.PseudoLabelCrop);
    }

    [Fact]
    public void Lists_parse_with_or_without_brackets()
    {
        Assert.Equal([6, 7], ConfigOverrides.Apply(Base, "Uda.FeatureDistance.Classes", "6,7").Uda.FeatureDistance!.Classes!);
        Assert.Equal(["norm"], ConfigOverrides.Apply(Base, "Optimizer.NoDecayKeys", "[\"norm\"]").Optimizer.NoDecayKeys);
        Assert.Equal(new ImageSize(256, 128), ConfigOverrides.Apply(Base, "Data.Crop", "{\"width\":256,\"height\":128}").Data.Crop);
        Assert.Equal(128, ConfigOverrides.Apply(Base, "Data.Crop.Height", "128").Data.Crop.Height);
    }

    [Fact]
    public void Unknown_path_lists_the_valid_fields_at_that_level()
    {
        var e = Assert.Throws<DaFormerError>(() => ConfigOverrides.Apply(Base, "Optimizer.Lrr", "1"));
        Assert.Contains("Optimizer has no field 'Lrr'", e.Message);
        Assert.Contains("Lr, Beta1, Beta2, WeightDecay, Eps, HeadLrMult, NoDecayKeys", e.Message);
        var top = Assert.Throws<DaFormerError>(() => ConfigOverrides.Apply(Base, "Optimiser.Lr", "1"));
        Assert.Contains("Model, Data, Uda, Optimizer, Schedule, Runtime", top.Message);
        Assert.DoesNotContain("Name", top.Message);   // derived, not settable
    }

    [Fact]
    public void Bad_values_say_what_was_expected()
    {
        Assert.Contains("is not a number", Assert.Throws<DaFormerError>(() => ConfigOverrides.Apply(Base, "Optimizer.Lr", "fast")).Message);
        Assert.Contains("is not an integer", Assert.Throws<DaFormerError>(() => ConfigOverrides.Apply(Base, "Runtime.Seed", "1.5")).Message);
        Assert.Contains("mit_b5", Assert.Throws<DaFormerError>(() => ConfigOverrides.Apply(Base, "Model.Encoder", "vit")).Message);
        Assert.Contains("is a value", Assert.Throws<DaFormerError>(() => ConfigOverrides.Apply(Base, "Optimizer.Lr.X", "1")).Message);
        Assert.Throws<DaFormerError>(() => ConfigOverrides.ApplyAll(Base, ["Optimizer.Lr"]));
        Assert.Contains("cannot be switched off", Assert.Throws<DaFormerError>(() => ConfigOverrides.Apply(Base, "Data.Source", "null")).Message);
        Assert.Contains("cannot be switched off", Assert.Throws<DaFormerError>(() => ConfigOverrides.Apply(Base, "Data.Crop", "off")).Message);
    }
}

public class ConfigOverridesRoundTripTests
{
    /// Every leaf field of a config, with its value as JSON text.
    static IEnumerable<(string Path, string Value)> Leaves(System.Text.Json.JsonElement e, string prefix)
    {
        if (e.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
                if (p.Name != "name")
                    foreach (var leaf in Leaves(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}")) yield return leaf;
        }
        else yield return (prefix, e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString()! : e.GetRawText());
    }

    [Theory]
    [InlineData("recipe")]
    [InlineData("quickstart")]
    [InlineData("custom")]
    public void Setting_every_field_to_its_own_value_changes_nothing(string which)
    {
        var cfg = which switch
        {
            "recipe" => Presets.Gta2Cs,
            "quickstart" => Presets.Quickstart,
            _ => Presets.Gta2Cs with
            {
                Data = Presets.Gta2Cs.Data with
                {
                    Target = new DatasetConfig { Kind = DatasetKind.Custom, Root = "r", Custom = new CustomLayout { ClassNames = ["a"], Palette = [new Rgb(1, 2, 3)] } },
                },
            },
        };
        using var doc = System.Text.Json.JsonDocument.Parse(ConfigJson.Serialize(cfg));
        var leaves = Leaves(doc.RootElement, "").ToList();
        Assert.True(leaves.Count > 60);
        foreach (var (path, value) in leaves)
            Assert.True(ConfigOverrides.Apply(cfg, path, value) == cfg, $"--set {path}={value} changed the config");
    }

    [Fact]
    public void Setting_a_field_changes_exactly_that_field()
    {
        var c = ConfigOverrides.Apply(Presets.Gta2Cs, "Data.Target.Scale.Width", "2048");
        Assert.Equal(2048, c.Data.Target.Scale.Width);
        Assert.Equal(Presets.Gta2Cs, c with { Data = c.Data with { Target = c.Data.Target with { Scale = new(1024, 512) } } });
    }
}
