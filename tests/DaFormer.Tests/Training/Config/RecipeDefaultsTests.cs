using DaFormer.Training.Config;

namespace DaFormer.Tests.Training.Config;

/// `new RunConfig()` must be the final DAFormer GTA→Cityscapes recipe. Expected values are written
/// from the spec (§2.1, §2.7, §3.2, §4.1–4.3), not from the code.
public class RecipeDefaultsTests
{
    [Fact]
    public void Defaults_are_the_final_recipe_of_spec_4_3()
    {
        var c = new RunConfig();
        Assert.Equal(Encoder.MitB5, c.Model.Encoder);
        Assert.Equal(Decoder.DaformerSepAspp, c.Model.Decoder);
        Assert.Equal(256, c.Model.Channels);
        Assert.Equal(19, c.Model.NumClasses);
        Assert.Equal("pretrained/mit_b5.pth", c.Model.Pretrained);

        Assert.Equal(DatasetKind.Gta, c.Data.Source.Kind);
        Assert.Equal(new ImageSize(1280, 720), c.Data.Source.Scale);
        Assert.Equal(DatasetKind.Cityscapes, c.Data.Target.Kind);
        Assert.Equal("train", c.Data.Target.Split);
        Assert.Equal(new ImageSize(1024, 512), c.Data.Target.Scale);
        Assert.Equal("val", c.Data.Validation.Split);
        Assert.Equal(new ImageSize(512, 512), c.Data.Crop);
        Assert.Equal(2, c.Data.BatchSize);
        Assert.Equal(4, c.Data.Workers);
        Assert.Equal(0.75, c.Data.CatMaxRatioSource);
        Assert.Equal(1.0, c.Data.CatMaxRatioTarget);
        Assert.False(c.Data.PhotometricDistortion);
        Assert.Equal(new Rcs { Temperature = 0.01, MinPixels = 3000, MinCropRatio = 0.5 }, c.Data.Rcs);

        Assert.Equal(UdaMode.Dacs, c.Uda.Mode);
        Assert.Equal(0.999, c.Uda.EmaAlpha);
        Assert.Equal(0.968, c.Uda.PseudoThreshold);
        Assert.Equal(new PseudoLabelCrop(15, 120), c.Uda.PseudoLabelCrop);
        Assert.Equal(new ColorJitter(0.2, 0.2), c.Uda.ColorJitter);
        Assert.True(c.Uda.Blur);
        Assert.Equal(0.005, c.Uda.FeatureDistance!.Lambda);
        Assert.Equal([6, 7, 11, 12, 13, 14, 15, 16, 17, 18], c.Uda.FeatureDistance.Classes!);
        Assert.Equal(0.75, c.Uda.FeatureDistance.MinRatio);

        Assert.Equal(6e-5, c.Optimizer.Lr);
        Assert.Equal((0.9, 0.999), (c.Optimizer.Beta1, c.Optimizer.Beta2));
        Assert.Equal(0.01, c.Optimizer.WeightDecay);
        Assert.Equal(1e-8, c.Optimizer.Eps);
        Assert.Equal(10, c.Optimizer.HeadLrMult);
        Assert.Equal(["norm", "pos_block"], c.Optimizer.NoDecayKeys.OrderBy(k => k));

        Assert.Equal(40000, c.Schedule.MaxIters);
        Assert.Equal(1.0, c.Schedule.Power);
        Assert.Equal(0.0, c.Schedule.MinLr);
        Assert.Equal(new Warmup(1500, 1e-6), c.Schedule.Warmup);

        Assert.Equal(0, c.Runtime.Seed);
        Assert.Equal(4000, c.Runtime.EvalInterval);
        Assert.Equal(40000, c.Runtime.CheckpointInterval);
        Assert.Equal(50, c.Runtime.LogInterval);
        Assert.Equal(1000, c.Runtime.DebugImageInterval);
        Assert.Equal(TestMode.Whole, c.Runtime.Test.Mode);
        Assert.Equal("gta2cs_dacs_a999_fdthings_rcs001_cpl_daformer_sepaspp_mitb5_poly10warm_s0", c.Name);
    }

    [Fact]
    public void ToSpec_carries_the_model_settings_with_the_original_names()
    {
        var spec = (Presets.Gta2Cs.WithArchitecture(Encoder.MitB3, Decoder.Segformer)).Model.ToSpec();
        Assert.Equal("mit_b3", spec.Encoder);
        Assert.Equal("segformer", spec.Head);
        Assert.Equal(768, spec.Channels);
        Assert.Equal(19, spec.NumClasses);
        Assert.Equal(0.1, spec.DropPathRate);
    }

    [Fact]
    public void WithArchitecture_couples_weights_and_no_decay_keys_like_the_generator()
    {
        var r101 = Presets.Gta2Cs.WithArchitecture(Encoder.R101V1c, Decoder.Dlv2Red);
        Assert.Empty(r101.Optimizer.NoDecayKeys);               // only MiT backbones get norm/pos_block decay 0 (spec §6.1)
        Assert.Equal("pretrained/resnet101_v1c.pth", r101.Model.Pretrained);
        var b4 = Presets.Gta2Cs.WithArchitecture(Encoder.MitB4, Decoder.DaformerAspp);
        Assert.Equal("pretrained/mit_b4.pth", b4.Model.Pretrained);
        Assert.Equal(256, b4.Model.Channels);
    }

    [Fact]
    public void WithIterations_sets_eval_to_a_tenth_and_one_checkpoint_at_the_end()
    {
        var c = Presets.Gta2Cs.WithIterations(2000);
        Assert.Equal((2000, 200, 2000), (c.Schedule.MaxIters, c.Runtime.EvalInterval, c.Runtime.CheckpointInterval));
    }

    [Fact]
    public void Baseline_presets_switch_mode_and_pipeline_like_the_non_uda_dataset_configs()
    {
        var so = Presets.SourceOnly(Presets.Gta2Cs);
        Assert.Equal(UdaMode.SourceOnly, so.Uda.Mode);
        Assert.Null(so.Data.Rcs);
        Assert.True(so.Data.PhotometricDistortion);
        var to = Presets.TargetOnly(Presets.Gta2Cs);
        Assert.Equal(UdaMode.TargetOnly, to.Uda.Mode);
        Assert.Equal(0.75, to.Data.CatMaxRatioTarget);   // cityscapes_half_512x512.py crops with cat_max_ratio 0.75
        var plain = Presets.Dacs(Presets.Gta2Cs);
        Assert.Equal((0.99, (FeatureDistance?)null, (PseudoLabelCrop?)null, (Rcs?)null), (plain.Uda.EmaAlpha, plain.Uda.FeatureDistance, plain.Uda.PseudoLabelCrop, plain.Data.Rcs));
    }

    [Fact]
    public void Target_presets_use_the_original_scales()
    {
        Assert.Equal(new ImageSize(1280, 760), Presets.Synthia2Cs.Data.Source.Scale);
        Assert.Equal((DatasetKind.Cityscapes, DatasetKind.Acdc, "val"), (Presets.Cs2Acdc.Data.Source.Kind, Presets.Cs2Acdc.Data.Target.Kind, Presets.Cs2Acdc.Data.Validation.Split));
        Assert.Equal(new ImageSize(960, 540), Presets.Cs2DarkZurich.Data.Target.Scale);
        Assert.Equal(DatasetKind.DarkZurich, Presets.Cs2DarkZurich.Data.Validation.Kind);
    }
}
