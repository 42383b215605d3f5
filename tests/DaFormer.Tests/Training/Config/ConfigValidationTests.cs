using DaFormer.Training.Config;

namespace DaFormer.Tests.Training.Config;

public class ConfigValidationTests
{
    static IReadOnlyList<ConfigProblem> Problems(RunConfig c, Func<string, bool>? exists = null) => ConfigValidation.Validate(c, exists);

    [Fact]
    public void Every_preset_is_valid_when_its_files_exist()
    {
        foreach (var c in new[] { Presets.Gta2Cs, Presets.Synthia2Cs, Presets.Cs2Acdc, Presets.Cs2DarkZurich, Presets.Quickstart,
                     Presets.SourceOnly(Presets.Gta2Cs), Presets.TargetOnly(Presets.Cs2Acdc), Presets.Dacs(Presets.Gta2Cs) })
            Assert.Empty(Problems(c, _ => true));
    }

    [Fact]
    public void All_problems_are_reported_at_once_with_field_paths()
    {
        var c = Presets.Gta2Cs with
        {
            Optimizer = Presets.Gta2Cs.Optimizer with { Lr = -1 },
            Data = Presets.Gta2Cs.Data with { Rcs = Rcs.On(temperature: 0) },
            Uda = Presets.Gta2Cs.Uda with { EmaAlpha = 1.5, FeatureDistance = FeatureDistance.Things with { Classes = [6, 7, 19, -1] } },
        };
        var p = Problems(c);
        Assert.Contains(p, x => x.ToString() == "Optimizer.Lr: -1 must be > 0");
        Assert.Contains(p, x => x.Path == "Data.Rcs.Temperature");
        Assert.Contains(p, x => x.ToString() == "Uda.EmaAlpha: 1.5 is outside [0, 1]");
        Assert.Contains(p, x => x.Path == "Uda.FeatureDistance.Classes" && x.Message.Contains("19, -1"));
        Assert.Equal(4, p.Count);
    }

    [Fact]
    public void A_crop_larger_than_the_resized_images_is_reported()
    {
        // 640 rows: fits GTA resized to (1280, 720) but not Cityscapes at (1024, 512).
        var c = Presets.Gta2Cs with { Data = Presets.Gta2Cs.Data with { Crop = new(512, 640) } };
        var p = Assert.Single(Problems(c));
        Assert.Equal("Data.Crop", p.Path);
        Assert.Contains("Data.Target", p.Message);
        Assert.Equal(2, Problems(c with { Data = c.Data with { Crop = new(512, 768) } }).Count);
    }

    [Fact]
    public void Missing_roots_and_weights_come_from_the_injected_probe_only_for_used_data_sets()
    {
        var missing = new HashSet<string> { "data/gta", "data/cityscapes", "pretrained/mit_b5.pth" };
        var paths = Problems(Presets.Gta2Cs, p => !missing.Contains(p)).Select(x => x.Path).ToList();
        Assert.Equal(["Model.Pretrained", "Data.Source.Root", "Data.Target.Root", "Data.Validation.Root"], paths);

        // Target-only does not read the source.
        var targetOnly = Problems(Presets.TargetOnly(Presets.Gta2Cs) with { Model = Presets.Gta2Cs.Model with { Pretrained = null } }, p => p != "data/gta");
        Assert.Empty(targetOnly);
        // Without a probe nothing touches the file system.
        Assert.Empty(Problems(Presets.Gta2Cs));
    }

    [Fact]
    public void Splits_without_labels_cannot_be_validation_sets()
    {
        var c = Presets.Gta2Cs with { Data = Presets.Gta2Cs.Data with { Validation = DatasetConfig.CityscapesVal with { Split = "test" } } };
        Assert.Contains(Problems(c), p => p.Path == "Data.Validation.Split");
        var gtaVal = Presets.Gta2Cs with { Data = Presets.Gta2Cs.Data with { Source = DatasetConfig.Gta with { Split = "val" } } };
        Assert.Contains(Problems(gtaVal), p => p.Path == "Data.Source.Split");
    }

    [Fact]
    public void Custom_data_sets_are_checked_for_layout_and_class_count()
    {
        var custom = new DatasetConfig
        {
            Kind = DatasetKind.Custom, Root = "data/mine", Scale = new(1024, 512),
            Custom = new CustomLayout { ClassNames = ["a", "b", "c"], Palette = [new Rgb(0, 0, 0)], IgnoreIndex = 1, Name = "my-set" },
        };
        var c = Presets.Gta2Cs with { Data = Presets.Gta2Cs.Data with { Target = custom } };
        var paths = Problems(c).Select(p => p.Path).ToList();
        Assert.Contains("Data.Target.Custom.Palette", paths);
        Assert.Contains("Data.Target.Custom.IgnoreIndex", paths);
        Assert.Contains("Data.Target.Custom.Name", paths);
        Assert.Contains("Data.Target", paths);   // 3 classes vs Model.NumClasses 19
        Assert.Contains(Problems(Presets.Gta2Cs with { Data = Presets.Gta2Cs.Data with { Target = custom with { Custom = null } } }),
            p => p.Path == "Data.Target.Custom");
    }

    [Fact]
    public void Schedule_runtime_and_model_ranges()
    {
        var c = Presets.Gta2Cs with
        {
            Model = Presets.Gta2Cs.Model with { DropPathRate = 1.0 },
            Schedule = Presets.Gta2Cs.Schedule with { MaxIters = 0, Warmup = new Warmup(0, 2) },
            Runtime = Presets.Gta2Cs.Runtime with { Test = TestConfig.Slide(new(512, 512), new(768, 341)) },
        };
        Assert.Equal(
            ["Model.DropPathRate", "Schedule.MaxIters", "Schedule.Warmup.Iters", "Schedule.Warmup.Ratio", "Runtime.Test.Stride"],
            Problems(c).Select(p => p.Path));
    }

    [Fact]
    public void DeepLabV2_needs_the_ResNet_encoder()
    {
        var c = Presets.Gta2Cs with { Model = Presets.Gta2Cs.Model with { Decoder = Decoder.Dlv2Red } };
        Assert.Equal("Model.Decoder", Assert.Single(Problems(c)).Path);
    }
}
