using DaFormer.Model.Layers;
using DaFormer.Model.LowPrecision;
using DaFormer.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.LowPrecision;

/// The low-precision inference rewrites of convolutions and of the decoder's embedding, each against
/// an independent float64 computation from the same (bf16-representable) inputs and weights: one
/// bf16 rounding of the output is all they may add (unit roundoff u = 2⁻⁸ relative, or 2⁻⁹ with
/// round-to-nearest, plus a margin for float32 accumulation). Float32 must take the untouched path.
public class InferenceConvTests
{
    const double OneRounding = 1.0 / 256;

    [Theory]
    [InlineData(12)]
    [InlineData(18)]
    public void Wide_padded_dilated_depthwise_conv_in_bf16_is_the_convolution_up_to_one_rounding(int dilation)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        manual_seed(11);
        var conv = nn.Conv2d(32, 32, 3, padding: dilation, dilation: dilation, groups: 32);
        conv.to(ScalarType.BFloat16);
        var x = randn(1, 32, 40, 60).to(ScalarType.BFloat16);

        var actual = InferenceConv.Conv2d(conv, x);

        var expected = nn.functional.conv2d(x.to(ScalarType.Float64), conv.weight!.to(ScalarType.Float64),
            conv.bias!.to(ScalarType.Float64), padding: [dilation, dilation], dilation: [dilation, dilation], groups: 32);
        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        AssertWithinOneRounding(actual, expected, "dilated depthwise");
        // And the same values as libtorch's own padded convolution, up to its own rounding.
        var direct = conv.forward(x);
        AssertWithinOneRounding(actual, direct.to(ScalarType.Float64), "vs conv.forward", factor: 2);
    }

    [Fact]
    public void Float32_narrow_padding_and_autograd_take_the_plain_convolution()
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        var conv = nn.Conv2d(16, 16, 3, padding: 12, dilation: 12, groups: 16);
        var x = randn(1, 16, 30, 30);
        using (no_grad())
            Assert.True(InferenceConv.Conv2d(conv, x).equal(conv.forward(x)).all().item<bool>());   // float32: same bits

        var narrow = nn.Conv2d(16, 16, 3, padding: 6, dilation: 6, groups: 16);
        narrow.to(ScalarType.BFloat16);
        var xb = x.to(ScalarType.BFloat16);
        using (no_grad())
            Assert.True(InferenceConv.Conv2d(narrow, xb).equal(narrow.forward(xb)).all().item<bool>());

        var trained = randn(1, 16, 30, 30, requires_grad: true);
        var y = InferenceConv.Conv2d(conv, trained);
        Assert.True(y.requires_grad);
        Assert.True(y.equal(conv.forward(trained)).all().item<bool>());
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void Pointwise_channels_last_is_the_1x1_conv_module_up_to_one_rounding(int batch, bool relu)
    {
        using var scope = NewDisposeScope();
        manual_seed(13);
        var module = new ConvModule(48, 24, 1, relu: relu);
        module.eval();
        using (no_grad())
        {
            var bn = module.bn!;
            bn.running_mean!.copy_(randn(24) * 0.1);
            bn.running_var!.copy_(rand(24) + 0.5);
        }
        var holder = nn.Sequential(("m", module));   // FoldAll visits submodules
        holder.eval();
        Assert.Equal(1, BatchNormFolding.FoldAll(holder));
        module.conv.to(ScalarType.BFloat16);
        using var _ = no_grad();
        var x = randn(batch, 48, 10, 14).to(ScalarType.BFloat16);

        var actual = InferenceConv.PointwiseChannelsLast(module, x);

        Assert.Equal(new long[] { batch, 24, 10, 14 }, actual.shape);
        Assert.Equal(new long[] { 24 * 10 * 14, 1, 14 * 24, 24 }, actual.stride());
        var expected = nn.functional.conv2d(x.to(ScalarType.Float64), module.conv.weight!.to(ScalarType.Float64),
            module.conv.bias!.to(ScalarType.Float64));
        if (relu) expected = expected.relu();
        AssertWithinOneRounding(actual, expected, "pointwise");
    }

    [Fact]
    public void Pointwise_channels_last_in_float32_is_the_module_itself()
    {
        using var scope = NewDisposeScope();
        manual_seed(14);
        var module = new ConvModule(8, 4, 1);
        module.eval();
        using var _ = no_grad();
        var x = randn(1, 8, 5, 6);
        var y = InferenceConv.PointwiseChannelsLast(module, x);
        Assert.True(y.equal(module.forward(x)).all().item<bool>());
        Assert.True(y.is_contiguous());   // float32 keeps its layout
    }

    /// The bf16 decoder embedding (resize at the level's width, embed into NCHW) against the original
    /// order — embed, resize, concatenate — computed in float64 from the same bf16 values.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Bf16_embed_align_concat_is_nchw_and_matches_the_original_order(int batch)
    {
        using var scope = NewDisposeScope();
        manual_seed(15);
        int[] widths = [8, 16, 24, 32];
        var embeddings = widths.Select(c => new MlpEmbedding(c, 12)).ToList();
        foreach (var e in embeddings) e.to(ScalarType.BFloat16);
        // Channels-last stage maps (views of tokens, as MixTransformer returns them) at 1/1, 1/2, 1/4, 1/8.
        var features = widths.Select((c, i) => randn(batch, 16 >> i, 24 >> i, c).to(ScalarType.BFloat16).permute(0, 3, 1, 2)).ToArray();
        using var _ = no_grad();

        var actual = MlpEmbedding.EmbedAlignConcat(embeddings.Cast<nn.Module<Tensor, Tensor>>().ToList(), features, nchwConsumer: true);

        Assert.Equal(new long[] { batch, 48, 16, 24 }, actual.shape);
        Assert.True(actual.is_contiguous());
        var levels = new List<Tensor>();
        for (var i = 0; i < 4; i++)
        {
            var f = features[i].to(ScalarType.Float64);
            var w = embeddings[i].proj.weight!.to(ScalarType.Float64);
            var b = embeddings[i].proj.bias!.to(ScalarType.Float64);
            var e = nn.functional.linear(f.permute(0, 2, 3, 1), w, b).permute(0, 3, 1, 2);
            levels.Add(i == 0 ? e : Resize.Bilinear(e, 16, 24));
        }
        var expected = cat(levels, 1);
        var (rel, maxAbs, refMax) = TensorAssert.Compare(actual, expected);
        // Two roundings (the resized features, the embedding), each ≤ u/2 relative.
        Assert.True(rel < OneRounding, $"relL2 {rel:E2} (max|Δ| {maxAbs:E2}, max|ref| {refMax:F2})");
    }

    /// Without an NCHW consumer (SegFormer's fusion, the dense ASPP) bf16 keeps the original order and
    /// its channels-last result.
    [Fact]
    public void Bf16_embed_align_concat_for_other_consumers_is_the_original_channels_last_one()
    {
        using var scope = NewDisposeScope();
        manual_seed(17);
        int[] widths = [8, 16];
        var embeddings = widths.Select(c => new MlpEmbedding(c, 12)).ToList();
        foreach (var e in embeddings) e.to(ScalarType.BFloat16);
        var features = widths.Select((c, i) => randn(1, 16 >> i, 24 >> i, c).to(ScalarType.BFloat16).permute(0, 3, 1, 2)).ToArray();
        using var _ = no_grad();
        var actual = MlpEmbedding.EmbedAlignConcat(embeddings.Cast<nn.Module<Tensor, Tensor>>().ToList(), features);
        Assert.Equal(new long[] { 24 * 16 * 24, 1, 24 * 24, 24 }, actual.stride());
        var e0 = embeddings[0].forward(features[0]);
        var e1 = Resize.Bilinear(embeddings[1].forward(features[1]), 16, 24);
        Assert.True(actual.equal(cat(new[] { e0, e1 }, 1)).all().item<bool>());
    }

    [Fact]
    public void Float32_embed_align_concat_keeps_the_original_order_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        manual_seed(16);
        int[] widths = [8, 16];
        var embeddings = widths.Select(c => new MlpEmbedding(c, 12)).ToList();
        var features = widths.Select((c, i) => randn(1, 16 >> i, 24 >> i, c).permute(0, 3, 1, 2)).ToArray();
        using var _ = no_grad();
        var actual = MlpEmbedding.EmbedAlignConcat(embeddings.Cast<nn.Module<Tensor, Tensor>>().ToList(), features, nchwConsumer: true);
        var e0 = embeddings[0].forward(features[0]);
        var e1 = Resize.Bilinear(embeddings[1].forward(features[1]), 16, 24);
        Assert.True(actual.equal(cat(new[] { e0, e1 }, 1)).all().item<bool>());
    }

    /// |actual − expected| ≤ factor · u · |expected| + a float32-accumulation margin, element-wise.
    static void AssertWithinOneRounding(Tensor actual, Tensor expected, string what, double factor = 1)
    {
        var err = (actual.to(ScalarType.Float64) - expected).abs();
        var bound = expected.abs() * (OneRounding * factor) + 1e-5 * expected.abs().max().item<double>() + 1e-6;
        var excess = (err - bound).max().item<double>();
        Assert.True(excess <= 0, $"{what}: max error {err.max().item<double>():E3} exceeds one bf16 rounding by {excess:E3}");
    }
}
