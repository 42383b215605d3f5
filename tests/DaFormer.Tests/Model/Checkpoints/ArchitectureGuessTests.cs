using DaFormer.Model;
using DaFormer.Model.Backbones;
using DaFormer.Model.Checkpoints;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Model.Checkpoints;

public class ArchitectureGuessTests
{
    static IReadOnlyDictionary<string, long[]> ShapesOfBuilt(SegmentorSpec spec)
    {
        using var model = Architectures.Build(spec);
        return ModelSummary.StateEntries(model).ToDictionary(e => e.Key, e => e.Shape);
    }

    /// Every head on the small encoders, with non-default channels/classes so they must be read from the shapes.
    [Theory]
    [InlineData("mit_b0", "daformer_sepaspp", 48, 7)]
    [InlineData("mit_b0", "daformer_aspp", 32, 19)]
    [InlineData("mit_b0", "daformer_conv1", 40, 5)]
    [InlineData("mit_b0", "daformer_sepaspp_bottleneck", 32, 11)]
    [InlineData("mit_b0", "segformer", 24, 16)]
    [InlineData("mit_b1", "daformer_sepaspp", 16, 19)]
    [InlineData("r50v1c", "dlv2red", 256, 19)]
    [InlineData("r50v1c", "dlv2", 256, 3)]
    public void Built_models_are_recognised_from_their_state_dict(string encoder, string head, int channels, int classes)
    {
        var spec = new SegmentorSpec(Encoder: encoder, Head: head, Channels: channels, NumClasses: classes);
        var guess = ArchitectureGuess.Segmentor(ShapesOfBuilt(spec));
        Assert.Null(guess.Reason);
        Assert.Equal(spec, guess.Spec);
    }

    /// MiT variants and ResNet depths from key sets constructed from the variant tables (no model built).
    [Fact]
    public void Every_mit_variant_and_resnet_depth_is_recognised_from_synthetic_encoder_keys()
    {
        foreach (var v in MitVariant.All)
        {
            var shapes = new Dictionary<string, long[]>();
            for (var s = 0; s < 4; s++)
            {
                shapes[$"patch_embed{s + 1}.proj.weight"] = [v.EmbedDims[s], s == 0 ? 3 : v.EmbedDims[s - 1], 3, 3];
                for (var b = 0; b < v.Depths[s]; b++) shapes[$"block{s + 1}.{b}.norm1.weight"] = [v.EmbedDims[s]];
            }
            shapes["head.weight"] = [1000, v.EmbedDims[3]];
            Assert.Equal(v.Name, ArchitectureGuess.Encoder(shapes).Encoder);
        }
        foreach (var (depth, blocks) in new[] { (50, 6), (101, 23) })
        {
            var shapes = new Dictionary<string, long[]> { ["backbone.stem.0.weight"] = [32, 3, 3, 3] };
            for (var b = 0; b < blocks; b++) shapes[$"backbone.layer3.{b}.conv1.weight"] = [256, 1024, 1, 1];
            Assert.Equal($"r{depth}v1c", ArchitectureGuess.Encoder(shapes, "backbone.").Encoder);
        }
    }

    [Fact]
    public void The_fixture_files_fit_mit_b0_with_the_64_channel_daformer_head()
    {
        using var w = CheckpointReader.Read(Path.Combine(Paths.ParityDir, "weights.pth"));
        var guess = ArchitectureGuess.Segmentor(ArchitectureGuess.ShapesOf(w.Tensors));
        Assert.Equal(new SegmentorSpec(Encoder: "mit_b0", Head: "daformer_sepaspp", Channels: 64, NumClasses: 19), guess.Spec);
        Assert.Equal("mit_b0 + daformer_sepaspp (channels 64, 19 classes)", ArchitectureGuess.Describe(guess.Spec!));
        using var e = CheckpointReader.Read(Path.Combine(Paths.ParityDir, "mit_b0_imagenet.pth"));
        Assert.Equal("mit_b0", ArchitectureGuess.Encoder(ArchitectureGuess.ShapesOf(e.Tensors)).Encoder);
    }

    [Fact]
    public void Unrecognisable_weights_give_a_reason_instead_of_a_guess()
    {
        // A MiT with b0 widths but b2 depths is no variant.
        var odd = new Dictionary<string, long[]>();
        int[] dims = [32, 64, 160, 256], depths = [3, 4, 6, 3];
        for (var s = 0; s < 4; s++)
        {
            odd[$"backbone.patch_embed{s + 1}.proj.weight"] = [dims[s], 3, 3, 3];
            for (var b = 0; b < depths[s]; b++) odd[$"backbone.block{s + 1}.{b}.norm1.weight"] = [dims[s]];
        }
        var g = ArchitectureGuess.Segmentor(odd);
        Assert.Null(g.Spec);
        Assert.Contains("[3,4,6,3]", g.Reason);

        var encoderOnly = ShapesOfBuilt(new SegmentorSpec(Encoder: "mit_b0", Channels: 16))
            .Where(kv => kv.Key.StartsWith("backbone.")).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Contains("no decode_head", ArchitectureGuess.Segmentor(encoderOnly).Reason);

        var torchvision = new Dictionary<string, long[]> { ["conv1.weight"] = [64, 3, 7, 7], ["layer3.0.conv1.weight"] = [256, 1024, 1, 1] };
        Assert.Contains("ResNet-V1c", ArchitectureGuess.Encoder(torchvision).Reason);
    }
}
