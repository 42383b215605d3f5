using DaFormer.Model.Layers;
using DaFormer.Model.LowPrecision;
using DaFormer.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.LowPrecision;

/// The inference rewrites of convolutions and the channels-last separable ASPP, each against an
/// independent float64 computation from the same (bf16-representable) inputs and weights: one bf16
/// rounding of the output is all they may add in bf16 (unit roundoff u = 2⁻⁸ relative, or 2⁻⁹ with
/// round-to-nearest, plus a margin for float32 accumulation); float32 inference stays at float32
/// accuracy; anything under autograd takes the untouched path.
public class InferenceConvTests
{
    const double OneRounding = 1.0 / 256;

    [Theory]
    [InlineData(12, false)]
    [InlineData(18, false)]
    [InlineData(1, true)]
    [InlineData(6, true)]
    [InlineData(18, true)]
    public void Explicitly_padded_depthwise_conv_in_bf16_is_the_convolution_up_to_one_rounding(int dilation, bool channelsLast)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        manual_seed(11);
        var conv = nn.Conv2d(32, 32, 3, padding: dilation, dilation: dilation, groups: 32);
        conv.to(ScalarType.BFloat16);
        var x = randn(1, 32, 40, 60).to(ScalarType.BFloat16);
        if (channelsLast) x = Layout.ChannelsLast(x);

        var actual = InferenceConv.Conv2d(conv, x);

        var expected = nn.functional.conv2d(x.to(ScalarType.Float64), conv.weight!.to(ScalarType.Float64),
            conv.bias!.to(ScalarType.Float64), padding: [dilation, dilation], dilation: [dilation, dilation], groups: 32);
        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(channelsLast, Layout.IsChannelsLast(actual));
        AssertWithinOneRounding(actual, expected, "dilated depthwise");
        // And the same values as libtorch's own padded convolution, up to its own rounding.
        var direct = conv.forward(x);
        AssertWithinOneRounding(actual, direct.to(ScalarType.Float64), "vs conv.forward", factor: 2);
    }

    [Fact]
    public void Float32_inference_pads_explicitly_at_float32_accuracy_and_autograd_takes_the_plain_convolution()
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        var conv = nn.Conv2d(16, 16, 3, padding: 12, dilation: 12, groups: 16);
        var x = randn(1, 16, 30, 30);
        using (no_grad())
        {
            var y = InferenceConv.Conv2d(conv, x);
            var expected = nn.functional.conv2d(x.to(ScalarType.Float64), conv.weight!.to(ScalarType.Float64),
                conv.bias!.to(ScalarType.Float64), padding: [12, 12], dilation: [12, 12], groups: 16);
            Assert.Equal(ScalarType.Float32, y.dtype);
            var (rel, _, _) = TensorAssert.Compare(y, expected);
            Assert.True(rel < 1e-6, $"float32 explicit padding: relL2 {rel:E2} vs float64");
        }

        var narrow = nn.Conv2d(16, 16, 3, padding: 6, dilation: 6, groups: 16);
        narrow.to(ScalarType.BFloat16);
        var xb = x.to(ScalarType.BFloat16);
        using (no_grad())
            Assert.True(InferenceConv.Conv2d(narrow, xb).equal(narrow.forward(xb)).all().item<bool>());   // the direct kernel takes it

        var trained = randn(1, 16, 30, 30, requires_grad: true);
        var t = InferenceConv.Conv2d(conv, trained);
        Assert.True(t.requires_grad);
        Assert.True(t.equal(conv.forward(trained)).all().item<bool>());   // training: same bits as before
    }

    [Theory]
    [InlineData(1, true, false)]
    [InlineData(2, false, false)]
    [InlineData(1, true, true)]
    [InlineData(2, true, true)]
    public void Pointwise_channels_last_is_the_1x1_conv_module_up_to_one_rounding(int batch, bool relu, bool channelsLastInput)
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
        if (channelsLastInput) x = Layout.ChannelsLast(x);

        var actual = InferenceConv.PointwiseChannelsLast(module, x);

        Assert.Equal(new long[] { batch, 24, 10, 14 }, actual.shape);
        Assert.Equal(new long[] { 24 * 10 * 14, 1, 14 * 24, 24 }, actual.stride());
        var expected = nn.functional.conv2d(x.to(ScalarType.Float64), module.conv.weight!.to(ScalarType.Float64),
            module.conv.bias!.to(ScalarType.Float64));
        if (relu) expected = expected.relu();
        AssertWithinOneRounding(actual, expected, "pointwise");
    }

    /// With BN not folded (a train-mode teacher's pseudo-label forward) the module runs as written.
    [Fact]
    public void Pointwise_channels_last_with_unfolded_bn_is_the_module_itself()
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

    /// The whole separable ASPP in bf16 (BN folded, channels-last from input to output) against the
    /// same module in float64 on the same bf16 input: the branches and the bottleneck each round once,
    /// so a few bf16 roundings (relL2 < 4u) is all the difference may be.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Bf16_separable_aspp_is_channels_last_and_matches_float64(int batch)
    {
        using var scope = NewDisposeScope();
        var (aspp, reference) = SeparableAsppAndFloat64Copy(18);
        Assert.Equal(8, BatchNormFolding.FoldAll(aspp));
        aspp.to(ScalarType.BFloat16);
        using var gx = new Generator(19UL);
        var x = Layout.ChannelsLast(randn([batch, 32, 24, 40], generator: gx).to(ScalarType.BFloat16));   // as the decoder's concatenation
        using var _ = no_grad();

        var actual = aspp.forward(x);
        var expected = reference.forward(x.to(ScalarType.Float64).contiguous());

        Assert.Equal(expected.shape, actual.shape);
        Assert.True(Layout.IsChannelsLast(actual));
        var (rel, maxAbs, refMax) = TensorAssert.Compare(actual, expected);
        Assert.True(rel < 4 * OneRounding, $"relL2 {rel:E2} (max|Δ| {maxAbs:E2}, max|ref| {refMax:F2})");
    }

    /// Float32 inference of the separable ASPP (eval mode, BN as loaded — fp32 inference does not fold
    /// it): the dilations 12/18 run on an explicitly padded input; the result stays at float32 accuracy.
    [Fact]
    public void Float32_separable_aspp_in_inference_matches_float64()
    {
        using var scope = NewDisposeScope();
        var (aspp, reference) = SeparableAsppAndFloat64Copy(20);
        using var gx = new Generator(21UL);
        var x = randn([1, 32, 24, 40], generator: gx);
        using var _ = no_grad();
        var actual = aspp.forward(x);
        var expected = reference.forward(x.to(ScalarType.Float64));
        Assert.Equal(ScalarType.Float32, actual.dtype);
        var (rel, _, _) = TensorAssert.Compare(actual, expected);
        Assert.True(rel < 1e-6, $"relL2 {rel:E2}");
    }

    /// A separable ASPP (32 → 16 channels, dilations 1/6/12/18) in eval mode with random BN statistics,
    /// and a float64 copy of it. The copy takes the module's state rather than a second draw from the
    /// same seed: test classes run in parallel and share libtorch's global generator.
    static (AsppWrapper Module, AsppWrapper Float64) SeparableAsppAndFloat64Copy(int seed)
    {
        AsppWrapper Build()
        {
            var m = new AsppWrapper(32, 16, [1, 6, 12, 18], separable: true);
            m.eval();
            return m;
        }
        using var g = new Generator((ulong)seed);
        var module = Build();
        using (no_grad())
            foreach (var bn in module.modules().OfType<TorchSharp.Modules.BatchNorm>())
            {
                bn.running_mean!.copy_(randn(bn.running_mean.shape, generator: g) * 0.1);
                bn.running_var!.copy_(rand(bn.running_var!.shape, generator: g) + 0.5);
            }
        var copy = Build();
        copy.load_state_dict(module.state_dict());
        copy.to(ScalarType.Float64);
        return (module, copy);
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
