using System.Text.Json;
using System.Text.Json.Nodes;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Model.Segmentors;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;
using DaFormer.Training.Inference;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Segmentors;

/// The ways to an HRDA segmentor besides the checkpoint alone: our config record and the original's
/// mmseg config (`HRDAEncoderDecoder` + `HRDAHead`).
public class HrdaRoutesTests
{
    static InferenceSetup FromOriginal(JsonElement modelConfig)
    {
        var root = new JsonObject { ["model"] = JsonNode.Parse(modelConfig.GetRawText()) };
        return OriginalConfig.Parse(JsonDocument.Parse(root.ToJsonString()).RootElement, "orig.json", requireData: false);
    }

    [Fact]
    public void The_published_hrda_config_reads_as_the_default_hrda_settings_with_its_slide_test()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "keys_mitb5_hrda.json")));
        var setup = FromOriginal(doc.RootElement.GetProperty("config"));
        Assert.Equal(new SegmentorSpec(), setup.Model);
        Assert.Equal(new HrdaSpec(), setup.Hrda);
        Assert.Equal(TestConfig.Slide(new ImageSize(1024, 1024), new ImageSize(512, 512)), setup.Test);
        Assert.Equal(new HrdaConfig().ToSpec(), setup.Hrda); // the config record's defaults are the same recipe
    }

    [Fact]
    public void The_fixture_config_builds_a_model_that_reproduces_the_reference_slide_inference()
    {
        using var scope = NewDisposeScope();
        var setup = FromOriginal(HrdaFixture.Manifest().GetProperty("config"));
        Assert.Equal(HrdaFixture.Hrda, setup.Hrda);
        using var model = InferenceModel.Load(setup, Path.Combine(HrdaFixture.Dir, "weights.pth"), WhichWeights.Student, CPU);
        var mode = setup.Mode(forceSlide: false);
        Assert.Equal(((96, 128), (48, 64)), (mode.Crop, mode.Stride));
        using var _ = no_grad();
        var io = HrdaFixture.Io();
        TensorAssert.ForwardClose(model.SlideInference(io["test.input"], mode.Crop, mode.Stride), io["test.slide.seg_logits"], "test.slide.seg_logits");
    }

    [Fact]
    public void A_run_config_with_hrda_builds_the_hrda_segmentor_with_its_settings()
    {
        var cfg = new RunConfig { Model = new ModelConfig { Encoder = Encoder.MitB0, Channels = 64, Hrda = new HrdaConfig { AttentionEmbedDim = 64, DetailCrop = new(64, 48) } } };
        var setup = InferenceSetup.FromRunConfig(cfg, "cfg");
        using var model = Assert.IsType<HrdaSegmentor>(SegmentorFactory.Build(setup.Model!, setup.Hrda));
        Assert.Equal(HrdaFixture.Hrda, model.Hrda);
        var daformer = new ModelConfig { Encoder = Encoder.MitB0, Channels = 64 };
        using var plain = SegmentorFactory.Build(daformer.ToSpec(), daformer.ToHrdaSpec());
        Assert.IsType<Segmentor>(plain);
    }
}
