using DaFormer.Training.Config;

namespace DaFormer.Tests.Training.Config;

/// HRDA settings: the defaults are the original's `hrda1-512-0.1_daformer_sepaspp`, impossible
/// geometries are named before anything is built, and a config without HRDA serialises as before.
public class HrdaConfigTests
{
    /// 1024² crops with the default HRDA settings (the published full-resolution recipe's geometry).
    static RunConfig Hrda(HrdaConfig? h = null, ImageSize? crop = null) => Presets.Gta2Cs with
    {
        Model = Presets.Gta2Cs.Model with { Hrda = h ?? new HrdaConfig() },
        Data = Presets.Gta2Cs.Data with { Crop = crop ?? new(1024, 1024) },
    };

    static IReadOnlyList<ConfigProblem> Problems(RunConfig c) =>
        // The DAFormer preset resizes GTA to 1280×720, too small for 1024² crops; that problem is not HRDA's.
        ConfigValidation.Validate(c).Where(p => !p.Message.Contains("larger than the images")).ToList();

    [Fact]
    public void Defaults_are_the_original_hrda1_512_01_settings()
    {
        var h = new HrdaConfig();
        Assert.Equal([1.0, 0.5], h.Scales);
        Assert.Equal((0.5, 1.0), (h.LrScale, h.HrScale));
        Assert.Equal(new ImageSize(512, 512), h.DetailCrop);
        Assert.Equal(8, h.CropCoordDivisible);
        Assert.True(h.AttentionClasswise);
        Assert.Equal(0.1, h.HrLossWeight);
        Assert.Equal(0, h.LrLossWeight);
        Assert.Equal(256, h.AttentionEmbedDim);
        Assert.Null(h.FixedAttention);
        Assert.True(h.HrSlideInference && h.HrSlideOverlapping && h.BatchedSlide);
        Assert.Equal(0.5, h.FeatureScale);
        Assert.False(h.BlurHrCrop);
        Assert.Equal(0.9, h.ToSpec().FusedLossWeight, 12);
    }

    [Fact]
    public void The_published_geometry_is_valid() => Assert.Empty(Problems(Hrda()));

    [Fact]
    public void A_training_crop_smaller_than_the_detail_crop_is_one_clear_problem()
    {
        var p = Assert.Single(Problems(Hrda(crop: new(512, 384))));
        Assert.Equal("Data.Crop", p.Path);
        Assert.Contains("512x384 is smaller than the HRDA detail crop Model.Hrda.DetailCrop = 512x512", p.Message);
    }

    [Fact]
    public void A_context_scale_that_does_not_divide_the_crop_is_named()
    {
        // 1020 / 8 is not whole: the context logits (stride 8 in full-resolution pixels) would not line up.
        var p = Assert.Single(Problems(Hrda(crop: new(1020, 1024))));
        Assert.Equal("Data.Crop", p.Path);
        Assert.Contains("1020x1024 is not divisible by 8", p.Message);
        var q = Assert.Single(Problems(Hrda(new HrdaConfig { Scales = [1, 0.3], FeatureScale = 0.3 })));
        Assert.Equal("Model.Hrda.Scales", q.Path);
        Assert.Contains("must be 1/n", q.Message);
    }

    [Fact]
    public void Detail_crops_the_original_cannot_place_are_named()
    {
        // One side equal to the training crop: the original's get_crop_bbox calls randint(0, 0) and raises.
        var p = Assert.Single(Problems(Hrda(new HrdaConfig { DetailCrop = new(1024, 512) })));
        Assert.Equal("Model.Hrda.DetailCrop", p.Path);
        Assert.Contains("width margin of 0 px", p.Message);
        // Equal in both sides: no random offset is needed, which the original supports.
        Assert.Empty(Problems(Hrda(new HrdaConfig { DetailCrop = new(1024, 1024) })));
        Assert.Contains(Problems(Hrda(new HrdaConfig { DetailCrop = new(510, 512) })), x => x.Message.Contains("multiple of 4"));
    }

    [Fact]
    public void Other_impossible_combinations_are_each_reported()
    {
        var p = Problems(Hrda(new HrdaConfig { Scales = [0.5, 0.25], HrLossWeight = 0.7, LrLossWeight = 0.5, FixedAttention = 2, FeatureScale = 0.75, AttentionEmbedDim = 0 }));
        Assert.Contains(p, x => x.Path == "Model.Hrda.Scales" && x.Message.Contains("larger scale must be 1"));
        Assert.Contains(p, x => x.Path == "Model.Hrda.HrLossWeight" && x.Message.Contains("exceed 1"));
        Assert.Contains(p, x => x.Path == "Model.Hrda.FixedAttention");
        Assert.Contains(p, x => x.Path == "Model.Hrda.FeatureScale");
        Assert.Contains(p, x => x.Path == "Model.Hrda.AttentionEmbedDim");
        var segformer = Hrda() with { Model = Hrda().Model with { Decoder = Decoder.Segformer } };
        Assert.Contains(ConfigValidation.Validate(segformer), x => x.Path == "Model.Hrda" && x.Message.Contains("DAFormer head"));
    }

    [Fact]
    public void Configs_without_hrda_have_no_hrda_field_in_their_json_and_hrda_round_trips()
    {
        Assert.DoesNotContain("hrda", ConfigJson.Serialize(Presets.Gta2Cs), StringComparison.OrdinalIgnoreCase);
        var c = Hrda(new HrdaConfig { Scales = [1, 0.25], FeatureScale = null });
        Assert.Contains("\"hrda\"", ConfigJson.Serialize(c));
        Assert.Equal(c, ConfigJson.Deserialize(ConfigJson.Serialize(c)));
    }
}
