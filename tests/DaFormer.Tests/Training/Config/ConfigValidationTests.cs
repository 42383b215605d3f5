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
    public void A_pairing_the_original_cannot_build_names_both_and_the_pairings_that_exist()
    {
        // DANet exists only in the original's ResNet-based configs (`danet_r50-d8.py`).
        var c = Presets.Gta2Cs with { Model = Presets.Gta2Cs.Model with { Decoder = Decoder.DaNodbn } };
        var p = Assert.Single(Problems(c));
        Assert.Equal("Model.Decoder", p.Path);
        Assert.StartsWith("da_nodbn does not fit the encoder mit_b5", p.Message);
        Assert.Contains("da_nodbn goes with r101v1c, r50v1c, s50, s101, s200, x50-32, x101-32; mit_b5 takes daformer_sepaspp,", p.Message);
        Assert.Contains("Pairings that exist: ", p.Message);
        Assert.Contains("r101v1c with dlv2red, dlv2, dlv3p_nodbn, da_nodbn, isa_nodbn, segformer", p.Message);
        Assert.Contains("mitb5-del with sfa_dlv3p_nodbn", p.Message);
        // The SegFormer adapter needs MiT's list of features: not on a ResNet.
        var sfa = Presets.Gta2Cs.WithArchitecture(Encoder.R101V1c, Decoder.SfaDlv3pNodbn);
        var sfaMessage = Assert.Single(Problems(sfa)).Message;
        Assert.StartsWith("sfa_dlv3p_nodbn does not fit the encoder r101v1c", sfaMessage);
        Assert.Contains("sfa_dlv3p_nodbn goes with mitb5-del;", sfaMessage);
    }

    [Fact]
    public void Another_encoders_imagenet_weights_are_reported_with_the_right_file()
    {
        var c = ConfigOverrides.ApplyAll(Presets.Gta2Cs, ["Model.Encoder=s101", "Model.Decoder=dlv2red"]);
        var p = Assert.Single(Problems(c));
        Assert.Equal("Model.Pretrained", p.Path);
        Assert.Contains("pretrained/mit_b5.pth holds the ImageNet weights of mit_b5, not of the encoder s101; use pretrained/resnest101.pth", p.Message);
        // mitb5-del is MiT-b5 and loads its weights; a file of one's own naming is not second-guessed.
        Assert.Empty(Problems(Presets.Gta2Cs.WithArchitecture(Encoder.MitB5Del, Decoder.SfaDlv3pNodbn), _ => true));
        Assert.Empty(Problems(c with { Model = c.Model with { Pretrained = "weights/my_resnest.pth" } }, _ => true));
    }

    [Fact]
    public void DeepLabV2_fits_both_encoder_families()
    {
        Assert.Empty(Problems(Presets.Gta2Cs with { Model = Presets.Gta2Cs.Model with { Decoder = Decoder.Dlv2Red } }));
        Assert.Empty(Problems(Presets.Gta2Cs.WithArchitecture(Encoder.S200, Decoder.Dlv2)));
    }
}
