using DaFormer.Model;
using DaFormer.Model.Backbones;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Network;

/// Output shapes (spec §9.1) on small inputs, and whole vs sliding-window inference.
public class ShapeTests
{
    static Segmentor Small(string head, string encoder = "mit_b0", int channels = 16)
    {
        var model = Architectures.Build(new SegmentorSpec(Encoder: encoder, Head: head, Channels: channels));
        model.eval();
        return model;
    }

    [Fact]
    public void Mit_b0_stage_maps_have_strides_4_8_16_32_and_b0_channels()
    {
        using var scope = NewDisposeScope();
        using var encoder = new MixTransformer(MitVariant.Find("mit_b0")!);
        using var _ = no_grad();
        var outs = encoder.forward(randn(2, 3, 64, 96));
        Assert.Equal(new long[] { 2, 32, 16, 24 }, outs[0].shape);
        Assert.Equal(new long[] { 2, 64, 8, 12 }, outs[1].shape);
        Assert.Equal(new long[] { 2, 160, 4, 6 }, outs[2].shape);
        Assert.Equal(new long[] { 2, 256, 2, 3 }, outs[3].shape);
    }

    [Fact]
    public void Odd_sizes_follow_the_conv_output_rule()
    {
        using var scope = NewDisposeScope();
        using var encoder = new MixTransformer(MitVariant.Find("mit_b0")!);
        using var _ = no_grad();
        var outs = encoder.forward(randn(1, 3, 37, 50));
        // floor((in + 2p − k)/s) + 1: 37 → 10 → 5 → 3 → 2 and 50 → 13 → 7 → 4 → 2
        Assert.Equal(new long[] { 10, 13 }, outs[0].shape[2..]);
        Assert.Equal(new long[] { 5, 7 }, outs[1].shape[2..]);
        Assert.Equal(new long[] { 3, 4 }, outs[2].shape[2..]);
        Assert.Equal(new long[] { 2, 2 }, outs[3].shape[2..]);
    }

    [Theory]
    [InlineData("daformer_sepaspp")]
    [InlineData("daformer_aspp")]
    [InlineData("daformer_conv1")]
    [InlineData("daformer_sepaspp_bottleneck")]
    [InlineData("segformer")]
    public void Every_mit_head_gives_quarter_resolution_logits_and_input_size_output(string head)
    {
        using var scope = NewDisposeScope();
        using var model = Small(head);
        using var _ = no_grad();
        var img = randn(2, 3, 64, 64);
        Assert.Equal(new long[] { 2, 19, 16, 16 }, model.DecodeLogits(model.ExtractFeatures(img)).shape);
        Assert.Equal(new long[] { 2, 19, 64, 64 }, model.forward(img).shape);
    }

    [Fact]
    public void ResNet50_v1c_with_deeplabv2_has_output_stride_8()
    {
        using var scope = NewDisposeScope();
        using var model = Small("dlv2red", "r50v1c");
        using var _ = no_grad();
        var img = randn(1, 3, 64, 64);
        var feats = model.ExtractFeatures(img);
        Assert.Equal(new long[] { 1, 256, 16, 16 }, feats[0].shape);
        Assert.Equal(new long[] { 1, 2048, 8, 8 }, feats[3].shape);
        Assert.Equal(new long[] { 1, 19, 8, 8 }, model.DecodeLogits(feats).shape);
        Assert.Equal(new long[] { 1, 19, 64, 64 }, model.forward(img).shape);
    }

    [Fact]
    public void Slide_inference_equals_whole_inference_when_the_crop_covers_the_image()
    {
        using var scope = NewDisposeScope();
        using var model = Small("daformer_sepaspp");
        using var _ = no_grad();
        var img = randn(1, 3, 48, 64);
        var whole = model.WholeInference(img);
        var slide = model.SlideInference(img, (64, 96), (32, 32));
        Assert.True(slide.allclose(whole, rtol: 0, atol: 0));
    }

    [Fact]
    public void Slide_inference_averages_overlapping_windows()
    {
        using var scope = NewDisposeScope();
        using var model = Small("daformer_conv1");
        using var _ = no_grad();
        var img = randn(1, 3, 32, 48);
        var slide = model.SlideInference(img, (32, 32), (16, 16)); // windows x = [0,32) and [16,48)
        var left = model.EncodeDecode(img[.., .., .., 0..32]);
        var right = model.EncodeDecode(img[.., .., .., 16..48]);
        Assert.True(slide[.., .., .., 0..16].allclose(left[.., .., .., 0..16], 1e-6, 1e-6));
        Assert.True(slide[.., .., .., 32..48].allclose(right[.., .., .., 16..32], 1e-6, 1e-6));
        var mid = (left[.., .., .., 16..32] + right[.., .., .., 0..16]) / 2;
        Assert.True(slide[.., .., .., 16..32].allclose(mid, 1e-6, 1e-6));
    }

    [Theory]
    [InlineData(1024, 512, 512, new long[] { 0, 512 })]
    [InlineData(1024, 512, 341, new long[] { 0, 341, 512 })] // (1024 − 512 + 340)//341 + 1 = 3; last clamped
    [InlineData(512, 512, 341, new long[] { 0 })]
    [InlineData(300, 512, 341, new long[] { 0 })]           // crop larger than the image: one window [0, 300)
    [InlineData(700, 512, 341, new long[] { 0, 188 })]      // second window clamped to end at 700
    public void Window_starts_follow_the_mmseg_rule(long size, long crop, long stride, long[] starts)
    {
        var windows = Segmentor.Windows(size, crop, stride).ToList();
        Assert.Equal(starts, windows.Select(w => w.Start));
        Assert.All(windows, w => Assert.Equal(Math.Min(crop, size), w.End - w.Start));
        Assert.Equal(size, windows[^1].End);
    }
}
