using DaFormer.Tests.Support;

namespace DaFormer.Tests.Scripting;

/// The HRDA mistakes a user can make at the command line, each answered by one clear paragraph (no
/// stack trace): a training crop smaller than the detail crop, a crop the context scale does not
/// divide, and a plain DAFormer checkpoint given to an HRDA config.
[Collection("Console")]
public class HrdaBadInputCommandTests
{
    static string HrdaScript(string edit) => CliHarness.WriteScript(
        $"return HrdaGta2Cs with {{ {edit} }};", "hrda.csx");

    static void AssertOneParagraph(CliHarness.Result r, string expected)
    {
        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.All.Split('\n'), l => l.Contains(expected));
        Assert.DoesNotContain("   at ", r.All);              // no .NET stack trace
        Assert.DoesNotContain("Exception", r.All);
        Assert.True(line.Length < 600, line);
    }

    [Fact]
    public void A_training_crop_smaller_than_the_detail_crop_is_named_before_training()
    {
        var script = HrdaScript("Data = HrdaGta2Cs.Data with { Crop = new(512, 384) }");
        var r = CliHarness.Run("run", script, "--dry-run");
        AssertOneParagraph(r, "Data.Crop: 512x384 is smaller than the HRDA detail crop Model.Hrda.DetailCrop = 512x512");
    }

    [Fact]
    public void A_crop_the_context_scale_does_not_divide_is_named_before_training()
    {
        // 0.5 context scale: one context logit cell is 8×8 full-resolution pixels; 1020 is not a whole number of cells.
        var script = HrdaScript("Data = HrdaGta2Cs.Data with { Crop = new(1020, 1024) }");
        var r = CliHarness.Run("run", script, "--dry-run");
        AssertOneParagraph(r, "Data.Crop: 1020x1024 is not divisible by 8");
        var third = HrdaScript("Model = HrdaGta2Cs.Model with { Hrda = new HrdaConfig { Scales = [1, 0.3], FeatureScale = 0.3 } }");
        AssertOneParagraph(CliHarness.Run("run", third, "--dry-run"), "the context scale 0.3 must be 1/n");
    }

    [Fact]
    public void A_daformer_checkpoint_given_to_an_hrda_config_is_one_paragraph()
    {
        // The public parity checkpoint: MiT-b0 + DAFormer head (64 channels), no HRDA keys.
        var checkpoint = Path.Combine(Paths.ParityDir, "checkpoint_uda.pth");
        var script = HrdaScript("Model = HrdaGta2Cs.Model with { Encoder = Encoder.MitB0, Channels = 64, Hrda = new HrdaConfig { AttentionEmbedDim = 64 } }");
        var image = Path.Combine(Paths.NewTempDir("hrda-demo"), "street.png");
        File.Copy(Path.Combine(Paths.Fixtures, "..", "demo", "cityscapes_frankfurt_demo.png"), image);
        var r = CliHarness.Run("demo", image, script, checkpoint);
        AssertOneParagraph(r, "are those of a plain segmentor (mit_b0 + daformer_sepaspp (channels 64, 19 classes)");
        Assert.Contains("Set Model.Hrda = null to load it as DAFormer, or pass an HRDA checkpoint.", r.All);
    }
}
