using System.Text.Json;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Scripting;

/// `daformer config experiments/gta2cs_mic_hrda.csx` prints the published MIC(HRDA) GTA→Cityscapes
/// values (the original's `configs/mic/gtaHR2csHR_mic_hrda.py`, experiment 80); every expected value is
/// typed from that config, not read from our presets.
[Collection("Console")]
public class HrdaConfigCommandTests
{
    [Fact]
    public void Config_of_the_MIC_HRDA_script_prints_the_published_values()
    {
        var r = CliHarness.Run("config", Path.Combine(Paths.Experiments, "gta2cs_mic_hrda.csx"));
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        JsonElement At(string path) => path.Split('.').Aggregate(root, (e, k) => e.GetProperty(k));
        double D(string path) => At(path).GetDouble();
        int I(string path) => At(path).GetInt32();

        var hrda = At("model.hrda");
        Assert.Equal(new[] { 1.0, 0.5 }, hrda.GetProperty("scales").EnumerateArray().Select(e => e.GetDouble()).ToArray());
        Assert.Equal((512, 512), (I("model.hrda.detailCrop.width"), I("model.hrda.detailCrop.height")));
        Assert.Equal(0.1, D("model.hrda.hrLossWeight"));
        Assert.Equal(8, I("model.hrda.cropCoordDivisible"));
        Assert.Equal(0.5, D("model.hrda.featureScale"));
        Assert.True(At("model.hrda.attentionClasswise").GetBoolean());
        Assert.True(At("model.hrda.hrSlideInference").GetBoolean());
        Assert.Equal(("mit_b5", "daformer_sepaspp"), (At("model.encoder").GetString(), At("model.decoder").GetString()));

        Assert.Equal((1024, 1024), (I("data.crop.width"), I("data.crop.height")));
        Assert.Equal((2560, 1440), (I("data.source.scale.width"), I("data.source.scale.height")));
        Assert.Equal((2048, 1024), (I("data.target.scale.width"), I("data.target.scale.height")));
        Assert.Equal((2048, 1024), (I("data.validation.scale.width"), I("data.validation.scale.height")));
        Assert.Equal(2, I("data.batchSize"));
        Assert.Equal((0.01, 3000, 2.0), (D("data.rcs.temperature"), I("data.rcs.minPixels"), D("data.rcs.minCropRatio")));

        Assert.Equal((0.999, 0.968), (D("uda.emaAlpha"), D("uda.pseudoThreshold")));
        Assert.Equal(JsonValueKind.Null, At("uda.pseudoLabelCrop").ValueKind);
        Assert.Equal((30, 240, 30, 30), (I("uda.pseudoLabelMargins.top"), I("uda.pseudoLabelMargins.bottom"),
            I("uda.pseudoLabelMargins.left"), I("uda.pseudoLabelMargins.right")));
        Assert.Equal(0.005, D("uda.featureDistance.lambda"));
        Assert.Equal("separatetrgaug", At("uda.mic.mode").GetString());
        Assert.Equal(64, I("uda.mic.blockSize"));
        Assert.Equal(0.7, D("uda.mic.maskRatio"));
        Assert.Equal(1.0, D("uda.mic.lambda"));

        Assert.Equal(6e-5, D("optimizer.lr"));
        Assert.Equal(10.0, D("optimizer.headLrMult"));
        Assert.Equal(40000, I("schedule.maxIters"));
        Assert.Equal(2, I("runtime.seed"));
        Assert.Equal((4000, 40000), (I("runtime.evalInterval"), I("runtime.checkpointInterval")));
        Assert.Equal("slide", At("runtime.test.mode").GetString());
        Assert.Equal((1024, 1024), (I("runtime.test.crop.width"), I("runtime.test.crop.height")));
        Assert.Equal((512, 512), (I("runtime.test.stride.width"), I("runtime.test.stride.height")));
        Assert.StartsWith("gtaHR2csHR_", At("name").GetString());
        Assert.EndsWith("_s2", At("name").GetString());
    }
}
