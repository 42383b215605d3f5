using System.Collections;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Tests.Model.Network;
using DaFormer.Tests.Support;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Checkpoints;

/// Errors of SegmentorLoading: one paragraph naming the file, the differing keys, what the file fits and the fix.
public class SegmentorLoadingTests
{
    static string Fixture(string name) => Path.Combine(Paths.ParityDir, name);

    [Fact]
    public void Wrong_encoder_names_the_file_the_wrong_shapes_and_the_architecture_it_fits()
    {
        using var model = Architectures.Build(ParityFixture.Spec with { Encoder = "mit_b1" });
        using var before = model.backbone.state_dict()["patch_embed1.proj.weight"].clone();
        var path = Fixture("checkpoint_uda.pth");
        var e = Assert.Throws<DaFormerError>(() => SegmentorLoading.LoadInto(model, path));
        Assert.StartsWith(path + ":", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("student weights (model.*)", e.Message);
        Assert.Contains("mit_b1 + daformer_sepaspp (channels 64, 19 classes)", e.Message);
        // mit_b0 and mit_b1 have the same depths, so every backbone tensor of widths 32/64/160/256 differs in shape.
        Assert.Contains("with the wrong shape (e.g. backbone.patch_embed1.proj.weight: model (64,3,7,7) vs file (32,3,7,7)", e.Message);
        Assert.Contains("The file fits mit_b0 + daformer_sepaspp (channels 64, 19 classes): build the model as mit_b0 + daformer_sepaspp with Channels=64", e.Message);
        // Nothing was copied before the mismatch was found.
        Assert.True(model.backbone.state_dict()["patch_embed1.proj.weight"].allclose(before, 0, 0));
    }

    [Fact]
    public void Wrong_head_lists_missing_and_unexpected_keys_with_counts()
    {
        var path = Path.Combine(Paths.NewTempDir(), "segformer16.pth");
        using (var other = Architectures.Build(new SegmentorSpec(Encoder: "mit_b0", Head: "segformer", Channels: 16, NumClasses: 19)))
        {
            var table = new Hashtable();
            foreach (var (k, v) in other.state_dict()) table[k] = v.detach();
            PyTorchFile.Write(path, table);
        }
        using var model = Architectures.Build(ParityFixture.Spec);
        var e = Assert.Throws<DaFormerError>(() => SegmentorLoading.LoadInto(model, path));
        Assert.StartsWith(path + ": the weights do not fit the model mit_b0 + daformer_sepaspp (channels 64, 19 classes)", e.Message);
        Assert.Matches(@"\d+ missing \(e\.g\. decode_head\.", e.Message);
        Assert.Matches(@"\d+ unexpected \(e\.g\. decode_head\.linear_", e.Message);
        Assert.Contains("The file fits mit_b0 + segformer (channels 16, 19 classes): build the model as mit_b0 + segformer with Channels=16", e.Message);
    }

    [Fact]
    public void An_encoder_only_file_is_not_a_segmentor_checkpoint()
    {
        using var model = Architectures.Build(ParityFixture.Spec);
        var path = Fixture("mit_b0_imagenet.pth");
        var e = Assert.Throws<DaFormerError>(() => SegmentorLoading.LoadInto(model, path));
        Assert.StartsWith(path + ":", e.Message);
        Assert.Contains("encoder-only (ImageNet) checkpoint of a mit_b0 encoder", e.Message);
        Assert.Contains("Model.Pretrained", e.Message);
    }

    [Fact]
    public void Imagenet_file_of_another_variant_says_which_encoder_it_holds()
    {
        using var model = Architectures.Build(ParityFixture.Spec with { Encoder = "mit_b1" });
        var path = Fixture("mit_b0_imagenet.pth");
        var e = Assert.Throws<DaFormerError>(() => SegmentorLoading.LoadEncoder(model, path));
        Assert.StartsWith(path + ": the encoder weights do not fit the mit_b1 encoder:", e.Message);
        Assert.Contains("with the wrong shape (e.g. patch_embed1.proj.weight: model (64,3,7,7) vs file (32,3,7,7)", e.Message);
        Assert.DoesNotContain("head.weight", e.Message); // the classification head is ignored, not unexpected
        Assert.Contains("The file holds a mit_b0 encoder: set Model.Encoder to mit_b0, or use pretrained/mit_b1.pth", e.Message);
    }

    [Fact]
    public void Encoder_of_a_training_checkpoint_loads_its_student_backbone()
    {
        using var scope = NewDisposeScope();
        using var model = Architectures.Build(ParityFixture.Spec);
        model.eval();
        SegmentorLoading.LoadEncoder(model, Fixture("checkpoint_uda.pth"));
        var io = ParityFixture.Io();
        using var _ = no_grad();
        var features = model.ExtractFeatures(io["input"]);
        TensorAssert.ForwardClose(features[3], io["backbone_out3"], "backbone_out3");
    }

    [Fact]
    public void Teacher_of_a_plain_state_dict_is_an_error_naming_the_file()
    {
        using var model = Architectures.Build(ParityFixture.Spec);
        var path = Fixture("weights.pth");
        var e = Assert.Throws<DaFormerError>(() => SegmentorLoading.LoadInto(model, path, WhichWeights.Teacher));
        Assert.StartsWith(path + ":", e.Message);
        Assert.Contains("ema_model.", e.Message);
    }
}
