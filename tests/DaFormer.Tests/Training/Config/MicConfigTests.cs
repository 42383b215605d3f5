using DaFormer.Training.Config;

namespace DaFormer.Tests.Training.Config;

/// MIC's configuration: the published values, run names as the original's `experiments.py` builds
/// them, JSON round trip, and one clear problem per impossible value.
public class MicConfigTests
{
    static IReadOnlyList<ConfigProblem> Problems(RunConfig c) => ConfigValidation.Validate(c);
    static RunConfig WithMic(MicConfig mic) => Presets.MicDaformerGta2Cs with { Uda = Presets.MicDaformerGta2Cs.Uda with { Mic = mic } };

    [Fact]
    public void Presets_hold_the_published_values()
    {
        var d = Presets.MicDaformerGta2Cs.Uda.Mic!;
        Assert.Equal((MaskMode.SeparateTargetAug, 32, 0.7, 1.0, true), (d.Mode, d.BlockSize, d.MaskRatio, d.Lambda, d.ConfidenceWeight));
        Assert.Equal(new PseudoLabelCrop(15, 120), Presets.MicDaformerGta2Cs.Uda.PseudoLabelCrop);
        var h = Presets.MicHrdaGta2Cs;
        Assert.Equal((MaskMode.SeparateTargetAug, 64, 0.7, 1.0), (h.Uda.Mic!.Mode, h.Uda.Mic.BlockSize, h.Uda.Mic.MaskRatio, h.Uda.Mic.Lambda));
        Assert.Equal((new ColorJitter(0.2, 0.2), true), (h.Uda.Mic.ColorJitter, h.Uda.Mic.Blur));
        Assert.Null(h.Uda.PseudoLabelCrop);
        Assert.Equal(2, h.Runtime.Seed);
        Assert.Equal(new ImageSize(1024, 1024), h.Data.Crop);
        Assert.NotNull(h.Model.Hrda);
        Assert.Empty(Problems(Presets.MicDaformerGta2Cs));
        Assert.Empty(Problems(h));
    }

    // Expected names follow the original's rule by hand: uda_mod += f'_m{block}-{ratio}-' [+ f'p{thr}-']
    // + mode abbreviation [+ f'-w{lambda}'], then '.' removed and 'None' → 'N'.
    [Fact]
    public void Run_names_carry_the_originals_mask_token()
    {
        Assert.Equal("gta2cs_dacs_a999_fdthings_rcs001_cpl_m32-07-spta_daformer_sepaspp_mitb5_poly10warm_s0", Presets.MicDaformerGta2Cs.Name);
        var mic = Presets.MicDaformerGta2Cs.Uda.Mic!;
        Assert.Equal("_m32-07-spt", RunName.MicToken(mic with { Mode = MaskMode.SeparateTarget }));          // Table 7: w/o colour augmentation
        Assert.Equal("_m32-0-spta", RunName.MicToken(mic with { MaskRatio = 0 }));                           // w/o masking (mask_ratio=0, an int)
        Assert.Equal("_m32-07-pN-spta", RunName.MicToken(mic with { ConfidenceWeight = false }));           // w/o confidence weight
        Assert.Equal("_m64-07-sep", RunName.MicToken(mic with { BlockSize = 64, Mode = MaskMode.Separate })); // CS→ACDC
        Assert.Equal("_m128-09-spta-w05", RunName.MicToken(mic with { BlockSize = 128, MaskRatio = 0.9, Lambda = 0.5 }));
        Assert.Equal("_m32-07-spsa-w2", RunName.MicToken(mic with { Mode = MaskMode.SeparateSourceAug, Lambda = 2 }));
    }

    [Fact]
    public void Mic_round_trips_through_json_and_is_left_out_when_off()
    {
        var cfg = Presets.MicHrdaGta2Cs;
        var json = ConfigJson.Serialize(cfg);
        Assert.Contains("\"mode\": \"separatetrgaug\"", json);
        Assert.Contains("\"blockSize\": 64", json);
        Assert.Equal(cfg, ConfigJson.Deserialize(json));
        Assert.DoesNotContain("\"mic\"", ConfigJson.Serialize(Presets.Gta2Cs));
    }

    [Theory]
    [InlineData(1.0, "Uda.Mic.MaskRatio", "outside [0, 1)")]
    [InlineData(-0.1, "Uda.Mic.MaskRatio", "outside [0, 1)")]
    [InlineData(double.NaN, "Uda.Mic.MaskRatio", "outside [0, 1)")]
    public void Impossible_mask_ratios_are_named(double ratio, string path, string text) =>
        Assert.Contains(Problems(WithMic(new MicConfig { MaskRatio = ratio })), p => p.Path == path && p.Message.Contains(text));

    [Fact]
    public void Impossible_block_sizes_lambdas_and_modes_are_named()
    {
        Assert.Contains(Problems(WithMic(new MicConfig { BlockSize = 0 })), p => p.Path == "Uda.Mic.BlockSize" && p.Message.Contains("must be ≥ 1"));
        Assert.Contains(Problems(WithMic(new MicConfig { BlockSize = 2048 })), p => p.Path == "Uda.Mic.BlockSize" && p.Message.Contains("no block"));
        Assert.Contains(Problems(WithMic(new MicConfig { Lambda = 0 })), p => p.Path == "Uda.Mic.Lambda");
        Assert.Contains(Problems(WithMic(new MicConfig { Lambda = double.PositiveInfinity })), p => p.Path == "Uda.Mic.Lambda");
        Assert.Contains(Problems(WithMic(new MicConfig { ColorJitter = new(0.2, 1.5) })), p => p.Path == "Uda.Mic.ColorJitter.Probability");
        var separate = WithMic(new MicConfig { Mode = MaskMode.Separate });
        Assert.Empty(Problems(separate));
        Assert.Contains(Problems(separate with { Data = separate.Data with { BatchSize = 4 } }), p => p.Path == "Uda.Mic.Mode" && p.Message.Contains("BatchSize = 2"));
        Assert.Contains(Problems(Presets.SourceOnly(Presets.MicDaformerGta2Cs)), p => p.Path == "Uda.Mic" && p.Message.Contains("step of DACS"));
    }
}
