using System.Text.Json;
using DaFormer.Model;
using DaFormer.Model.Backbones;
using DaFormer.Model.Heads;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Model.Network;

/// Parameter / key counts of spec §9.2 and keys_mitb5_daformer.json for every encoder and head.
public class ArchitectureCountTests
{
    static long Count(TorchSharp.torch.nn.Module m) => ModelSummary.Parameters(m);

    [Theory]
    [InlineData("mit_b0", 176)]
    [InlineData("mit_b1", 176)]
    [InlineData("mit_b2", 332)]
    [InlineData("mit_b3", 572)]
    [InlineData("mit_b4", 832)]
    [InlineData("mit_b5", 1052)]
    public void Mit_encoder_parameter_and_tensor_counts_match_the_reference(string name, int tensors)
    {
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "keys_mitb5_daformer.json")))
            .RootElement.GetProperty("backbone_param_counts").GetProperty(name).GetInt64();
        using var encoder = new MixTransformer(MitVariant.Find(name)!);
        Assert.Equal(expected, Count(encoder));
        Assert.Equal(tensors, ModelSummary.StateEntries(encoder).Count());
    }

    static readonly int[] B5Channels = [64, 128, 320, 512];

    [Theory]
    [InlineData(DaformerFusion.SepAspp, 3_712_275, 58)]
    [InlineData(DaformerFusion.Conv1, 530_707, -1)]
    [InlineData(DaformerFusion.Aspp, 9_969_939, -1)]
    public void Daformer_head_variants_have_the_spec_parameter_counts(DaformerFusion fusion, long expected, int tensors)
    {
        using var head = new DaformerHead(B5Channels, 256, 19, fusion);
        Assert.Equal(expected, Count(head));
        if (tensors > 0) Assert.Equal(tensors, ModelSummary.StateEntries(head).Count());
    }

    [Fact]
    public void Head_on_mit_b0_with_256_channels_matches_the_reference_count()
    {
        using var head = new DaformerHead([32, 64, 160, 256], 256, 19, DaformerFusion.SepAspp);
        Assert.Equal(3_581_203, Count(head));
    }

    [Fact]
    public void Segformer_b5_head_with_768_channels_counts_the_unused_conv_seg()
    {
        using var head = new SegformerHead(B5Channels, 768, 19);
        Assert.Equal(3_167_398, Count(head));
        var keys = ModelSummary.StateEntries(head).ToDictionary(e => e.Key, e => e.Shape);
        Assert.Equal(new long[] { 19, 128, 1, 1 }, keys["conv_seg.weight"]);
        Assert.Equal(new long[] { 768, 3072, 1, 1 }, keys["linear_fuse.conv.weight"]);
        Assert.Equal(new long[] { 19, 768, 1, 1 }, keys["linear_pred.weight"]);
        Assert.True(keys.ContainsKey("linear_c.3.proj.weight") && keys.ContainsKey("linear_fuse.bn.running_var"));
    }

    [Fact]
    public void DeepLabV2_reduced_head_on_2048_channels()
    {
        using var head = new DeepLabV2Head(2048, 19, DeepLabV2Head.ReducedDilations);
        Assert.Equal(700_454, Count(head));
        var keys = ModelSummary.StateEntries(head).Select(e => $"{e.Key}:{string.Join(",", e.Shape)}").ToList();
        Assert.Equal(["aspp_modules.0.conv.weight:19,2048,3,3", "aspp_modules.0.conv.bias:19",
                      "aspp_modules.1.conv.weight:19,2048,3,3", "aspp_modules.1.conv.bias:19"], keys);
    }

    [Fact]
    public void Sepaspp_bottleneck_embeds_level_4_with_a_raw_conv_and_aspp()
    {
        using var head = new DaformerHead(B5Channels, 256, 19, DaformerFusion.SepAsppBottleneck);
        var keys = ModelSummary.StateEntries(head).ToDictionary(e => e.Key, e => e.Shape);
        Assert.Equal(new long[] { 256, 512, 1, 1 }, keys["embed_layers.3.0.weight"]);
        Assert.Equal(new long[] { 256 }, keys["embed_layers.3.0.bias"]);
        Assert.Equal(new long[] { 256, 1, 3, 3 }, keys["embed_layers.3.1.aspp_modules.1.depthwise_conv.conv.weight"]);
        Assert.Equal(new long[] { 256, 1024, 3, 3 }, keys["embed_layers.3.1.bottleneck.conv.weight"]);
        Assert.Equal(new long[] { 256, 1024, 1, 1 }, keys["fuse_layer.conv.weight"]);
        Assert.False(keys.ContainsKey("fuse_layer.aspp_modules.0.conv.weight"));
    }

    [Fact]
    public void ResNet101_v1c_has_mmseg_keys_and_the_torchvision_resnet101_size()
    {
        using var r = new ResNet(ResNetOptions.V1c(101));
        var keys = ModelSummary.StateEntries(r).ToDictionary(e => e.Key, e => e.Shape);
        Assert.Equal(new long[] { 32, 3, 3, 3 }, keys["stem.0.weight"]);
        Assert.Equal(new long[] { 64, 32, 3, 3 }, keys["stem.6.weight"]);
        Assert.True(keys.ContainsKey("stem.7.num_batches_tracked"));
        Assert.Equal(new long[] { 64, 64, 1, 1 }, keys["layer1.0.conv1.weight"]);
        Assert.Equal(new long[] { 256, 64, 1, 1 }, keys["layer1.0.downsample.0.weight"]);
        Assert.Equal(new long[] { 2048 }, keys["layer4.2.bn3.running_mean"]);
        Assert.True(keys.ContainsKey("layer3.22.conv2.weight") && !keys.ContainsKey("layer3.23.conv2.weight"));
        // torchvision resnet101 has 44,549,160 parameters incl. the 2,049,000 of its fc and a 9,408-param
        // 7×7 stem; the V1c deep stem has 3·32·9 + 32·32·9 + 32·64·9 = 28,512 conv params and 2·(32+32+64)
        // BN params instead of 2·64: 44,549,160 − 2,049,000 − 9,408 − 128 + 28,512 + 256 = 42,519,392.
        Assert.Equal(42_519_392, Count(r));
    }

    [Fact]
    public void Unknown_names_are_errors_that_list_the_choices()
    {
        var e = Assert.Throws<DaFormerError>(() => Architectures.Build(new SegmentorSpec(Encoder: "mit_b9")));
        Assert.Contains("mit_b9", e.Message);
        Assert.Contains("mit_b5", e.Message);
        var h = Assert.Throws<DaFormerError>(() => Architectures.Validate(new SegmentorSpec(Head: "psp")));
        Assert.Contains("daformer_sepaspp", h.Message);
        Assert.Throws<DaFormerError>(() => Architectures.Validate(new SegmentorSpec(Encoder: "r101v1c", Head: "daformer_sepaspp")));
    }
}
