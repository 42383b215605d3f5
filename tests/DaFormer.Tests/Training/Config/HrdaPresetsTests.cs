using DaFormer.Training.Config;

namespace DaFormer.Tests.Training.Config;

/// The published HRDA recipes (HRDA, ECCV 2022: `configs/hrda/gtaHR2csHR_hrda.py` and the Synthia
/// counterpart) and MIC(HRDA) (`configs/mic/gtaHR2csHR_mic_hrda.py`): every expected value is typed from
/// the original's configs, and the run names follow the original generator's tokens by hand.
public class HrdaPresetsTests
{
    [Fact]
    public void HrdaGta2Cs_holds_the_published_values()
    {
        var c = Presets.HrdaGta2Cs;
        var h = c.Model.Hrda!;
        Assert.Equal(new[] { 1.0, 0.5 }, h.Scales.ToArray());                   // scales=[1, 0.5]
        Assert.Equal(new ImageSize(512, 512), h.DetailCrop);                  // hr_crop_size=(512, 512)
        Assert.Equal(8, h.CropCoordDivisible);                                // crop_coord_divisible=8
        Assert.Equal(0.1, h.HrLossWeight);                                    // hr_loss_weight=0.1
        Assert.Equal(0.0, h.LrLossWeight);
        Assert.Equal(0.5, h.FeatureScale);                                    // feature_scale=0.5
        Assert.True(h.AttentionClasswise && h.HrSlideInference && h.HrSlideOverlapping && h.BatchedSlide);
        Assert.Equal((256, (double?)null, false), (h.AttentionEmbedDim, h.FixedAttention, h.BlurHrCrop));
        // uda_gtaHR_to_cityscapesHR_1024x1024.py
        Assert.Equal(new ImageSize(2560, 1440), c.Data.Source.Scale);
        Assert.Equal(DatasetKind.Gta, c.Data.Source.Kind);
        Assert.Equal(new ImageSize(2048, 1024), c.Data.Target.Scale);
        Assert.Equal(new ImageSize(2048, 1024), c.Data.Validation.Scale);
        Assert.Equal(new ImageSize(1024, 1024), c.Data.Crop);
        Assert.Equal((2, 1, 0.75), (c.Data.BatchSize, c.Data.Workers, c.Data.CatMaxRatioSource));
        Assert.Equal((0.01, 3000, 2.0), (c.Data.Rcs!.Temperature, c.Data.Rcs.MinPixels, c.Data.Rcs.MinCropRatio));
        Assert.Equal(new PseudoLabelMargins(30, 240, 30, 30), c.Uda.PseudoLabelMargins);
        Assert.Null(c.Uda.PseudoLabelCrop);
        Assert.Null(c.Uda.Mic);
        // test_cfg: mode='slide', stride=[512, 512], crop_size=[1024, 1024]
        Assert.Equal(TestMode.Slide, c.Runtime.Test.Mode);
        Assert.Equal(new ImageSize(1024, 1024), c.Runtime.Test.Crop);
        Assert.Equal(new ImageSize(512, 512), c.Runtime.Test.Stride);
        // _base_/uda/dacs_a999_fdthings.py, AdamW 6e-5, 40k
        Assert.Equal((0.999, 0.968), (c.Uda.EmaAlpha, c.Uda.PseudoThreshold));
        Assert.Equal((6e-5, 10.0, 40000), (c.Optimizer.Lr, c.Optimizer.HeadLrMult, c.Schedule.MaxIters));
        Assert.Equal(1, c.Runtime.Seed);
        Assert.Empty(ConfigValidation.Validate(c));
    }

    [Fact]
    public void HrdaSynthia2Cs_differs_only_in_the_full_resolution_Synthia_source()
    {
        var s = Presets.HrdaSynthia2Cs;
        Assert.Equal(DatasetKind.Synthia, s.Data.Source.Kind);
        Assert.Equal(new ImageSize(2560, 1520), s.Data.Source.Scale);            // img_scale (2560, 1520)
        Assert.Equal(Presets.HrdaGta2Cs, s with { Data = s.Data with { Source = Presets.HrdaGta2Cs.Data.Source } });
        Assert.Empty(ConfigValidation.Validate(s));
    }

    [Fact]
    public void MicHrdaGta2Cs_is_HrdaGta2Cs_plus_MIC_with_seed_2()
    {
        var m = Presets.MicHrdaGta2Cs;
        Assert.Equal(new MicConfig { Mode = MaskMode.SeparateTargetAug, BlockSize = 64, MaskRatio = 0.7, Lambda = 1, ConfidenceWeight = true }, m.Uda.Mic);
        Assert.Equal(2, m.Runtime.Seed);
        Assert.Equal(Presets.HrdaGta2Cs, m with { Uda = m.Uda with { Mic = null }, Runtime = m.Runtime with { Seed = 1 } });
    }

    // Expected names typed by hand from the original generator's parts: dataset `gtaHR2cityscapesHR` (the
    // dataset config `uda_gtaHR_to_cityscapesHR_1024x1024.py`) + `_1024x1024`, uda `dacs_a999_fdthings`
    // + `_rcs0.01-2.0` + `_cpl2` (margins v2) [+ `_m64-0.7-spta`], architecture
    // `hrda1-512-0.1_daformer_sepaspp` + `_sl` (slide test), backbone `mitb5`, `poly10warm`, seed;
    // then '.' removed and `cityscapes` → `cs`.
    [Fact]
    public void Run_names_follow_the_original_generator()
    {
        Assert.Equal("gtaHR2csHR_1024x1024_dacs_a999_fdthings_rcs001-20_cpl2_hrda1-512-01_daformer_sepaspp_sl_mitb5_poly10warm_s1",
            Presets.HrdaGta2Cs.Name);
        Assert.Equal("synHR2csHR_1024x1024_dacs_a999_fdthings_rcs001-20_cpl2_hrda1-512-01_daformer_sepaspp_sl_mitb5_poly10warm_s1",
            Presets.HrdaSynthia2Cs.Name);
        Assert.Equal("gtaHR2csHR_1024x1024_dacs_a999_fdthings_rcs001-20_cpl2_m64-07-spta_hrda1-512-01_daformer_sepaspp_sl_mitb5_poly10warm_s2",
            Presets.MicHrdaGta2Cs.Name);
        // The annotated configs' short names start the same way and end with the same seed.
        Assert.StartsWith("gtaHR2csHR_", Presets.HrdaGta2Cs.Name);
        Assert.EndsWith("_s1", Presets.HrdaGta2Cs.Name);
        Assert.EndsWith("_s2", Presets.MicHrdaGta2Cs.Name);
    }

    [Fact]
    public void Name_parts_keep_the_unshortened_fields()
    {
        var p = RunNameParts.Of(Presets.HrdaGta2Cs);
        Assert.Equal("gtaHR2cityscapesHR_1024x1024", p.Dataset);
        Assert.Equal("hrda1-512-0.1_daformer_sepaspp_sl", p.Decoder);
        Assert.Equal("hrda1-512-0.1_daformer_sepaspp_sl_mitb5", p.Architecture);
        Assert.Equal("dacs_a999_fdthings_rcs0.01-2.0_cpl2", p.Uda);
        Assert.Equal("adamw_6e-05_pmTrue_poly10warm_1x2_40k", p.Opt);
    }

    [Fact]
    public void HRDA_ablation_options_get_their_generator_tokens()
    {
        static string Arch(HrdaConfig h) => RunName.ArchitectureToken(Presets.HrdaGta2Cs with { Model = Presets.HrdaGta2Cs.Model with { Hrda = h } });
        var d = new HrdaConfig();
        Assert.Equal("hrda1-512-0.1_daformer_sepaspp_sl", Arch(d));
        Assert.Equal("hrda1-512-0.1-fixedatt_daformer_sepaspp_sl", Arch(d with { FixedAttention = 0.5 }));
        Assert.Equal("hrda1-512-0.1-nooverlap_daformer_sepaspp_sl", Arch(d with { HrSlideOverlapping = false }));
        Assert.Equal("hrda1-512-0.1-singleatt_daformer_sepaspp_sl", Arch(d with { AttentionClasswise = false }));
        Assert.Equal("hrda1-512-0.1-blurhr_daformer_sepaspp_sl", Arch(d with { BlurHrCrop = true }));
        Assert.Equal("hrda1-512-0.1-samescale_daformer_sepaspp_sl", Arch(d with { Scales = [1.0, 1.0], FeatureScale = 1 }));
        Assert.Equal("hrda1-384-0.1-sc0.25_daformer_sepaspp_sl", Arch(d with { DetailCrop = new(384, 384), Scales = [1.0, 0.25] }));
        Assert.Equal("daformer_sepaspp", RunName.ArchitectureToken(Presets.Gta2Cs));
    }
}
