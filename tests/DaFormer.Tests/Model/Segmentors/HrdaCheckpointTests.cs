using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Model.Segmentors;
using DaFormer.Tests.Support;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Segmentors;

/// HRDA weights as the original saves them: recognised from their keys alone, built and loaded from
/// the file alone, and a plain DAFormer file in an HRDA model (or the reverse) is one clear paragraph.
public class HrdaCheckpointTests
{
    static string HrdaWeights => Path.Combine(HrdaFixture.Dir, "weights.pth");
    static string DaformerWeights => Path.Combine(Paths.ParityDir, "weights.pth");

    [Fact]
    public void The_hrda_key_list_is_recognised_as_hrda_around_mit_b5_daformer()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "keys_mitb5_hrda.json")));
        var shapes = doc.RootElement.GetProperty("segmentor_state_dict").EnumerateArray()
            .ToDictionary(e => e[0].GetString()!, e => e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray());
        var guess = ArchitectureGuess.Segmentor(shapes);
        Assert.Null(guess.Reason);
        Assert.Equal(new SegmentorSpec(), guess.Spec);
        Assert.Equal(new HrdaSpec(), guess.Hrda);
        Assert.Equal("HRDA (scale attention 256 ch, class-wise) around mit_b5 + daformer_sepaspp (channels 256, 19 classes)",
                     ArchitectureGuess.Describe(guess.Spec!, guess.Hrda));
    }

    [Fact]
    public void A_model_built_from_the_checkpoint_alone_reproduces_the_reference_slide_inference()
    {
        using var scope = NewDisposeScope();
        using var model = Assert.IsType<HrdaSegmentor>(SegmentorLoading.Build(HrdaWeights));
        Assert.Equal(64, model.Hrda.AttentionEmbedDim);
        // The crop sizes are not in the weights; the fixture's (48×64) are set for its small images.
        using var sized = SegmentorFactory.BuildHrda(model.Spec, model.Hrda with { DetailCropHeight = 48, DetailCropWidth = 64 });
        SegmentorLoading.LoadInto(sized, HrdaWeights);
        sized.eval();
        using var _ = no_grad();
        var io = HrdaFixture.Io();
        TensorAssert.ForwardClose(sized.SlideInference(io["test.input"], (96, 128), (48, 64)), io["test.slide.seg_logits"], "test.slide.seg_logits");
    }

    [Fact]
    public void A_daformer_checkpoint_in_an_hrda_model_is_one_clear_paragraph()
    {
        using var model = SegmentorFactory.BuildHrda(HrdaFixture.Spec, HrdaFixture.Hrda);
        var e = Assert.Throws<DaFormerError>(() => SegmentorLoading.LoadInto(model, DaformerWeights));
        Assert.Contains("weights.pth: the weights are those of a plain segmentor (mit_b0 + daformer_sepaspp (channels 64, 19 classes)", e.Message);
        Assert.Contains("Set Model.Hrda = null", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void An_hrda_checkpoint_in_a_daformer_model_is_one_clear_paragraph()
    {
        using var model = Architectures.Build(HrdaFixture.Spec);
        var e = Assert.Throws<DaFormerError>(() => SegmentorLoading.LoadInto(model, HrdaWeights));
        Assert.Contains("are those of an HRDA segmentor (HRDA (scale attention 64 ch, class-wise) around mit_b0", e.Message);
        Assert.Contains("Set Model.Hrda = new HrdaConfig()", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }
}
