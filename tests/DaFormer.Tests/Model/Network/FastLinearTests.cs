using DaFormer.Model.Layers;
using DaFormer.Tests.Support;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Network;

/// FastLinear (a Linear computed as a channels-last 1×1 convolution) against an independent
/// float64 `x·Wᵀ + b`, values and all three gradients.
public class FastLinearTests
{
    [Theory]
    [InlineData(new long[] { 7, 5 }, 3, true)]
    [InlineData(new long[] { 2, 300, 64 }, 256, true)]   // MiT stage-1 MLP shape, more than 20480 elements
    [InlineData(new long[] { 2, 4, 33, 40 }, 17, false)]
    [InlineData(new long[] { 1, 1, 9 }, 1, true)]
    [InlineData(new long[] { 12, 12, 160 }, 640, true)]  // HRDA: 12 sliding windows at MiT-b0 stage 3 (the old conv path was off by 12 %)
    [InlineData(new long[] { 2, 4096, 128 }, 512, true)] // MiT-b5 stage-2 MLP at 2×512² (the old conv path was off by 6.7 %)
    [InlineData(new long[] { 2, 80, 160 }, 640, true)]   // MiT-b0 stage-3 fc1: oneDNN brgconv_1x1 got channels 624-639 wrong
    public void Matches_a_float64_linear_in_values_and_gradients(long[] inputShape, long outFeatures, bool withBias)
    {
        manual_seed(7);
        long inFeatures = inputShape[^1];
        using var x = randn(inputShape).requires_grad_();
        using var w = (randn(outFeatures, inFeatures) * 0.2).requires_grad_();
        using var b = withBias ? randn(outFeatures).requires_grad_() : null;

        using var y = FastLinear.Apply(x, w, b);
        using var upstream = randn(y.shape);
        y.backward([upstream]);

        using var x64 = x.detach().to(ScalarType.Float64).requires_grad_();
        using var w64 = w.detach().to(ScalarType.Float64).requires_grad_();
        using var b64 = b?.detach().to(ScalarType.Float64).requires_grad_();
        using var product = matmul(x64, w64.t());
        using var expected = b64 is null ? product.alias() : product + b64;
        expected.backward([upstream.to(ScalarType.Float64)]);

        Assert.Equal(expected.shape, y.shape);
        TensorAssert.ForwardClose(y, expected, "output");
        TensorAssert.ForwardClose(x.grad!, x64.grad!, "input gradient");
        TensorAssert.ForwardClose(w.grad!, w64.grad!, "weight gradient");
        if (b is not null) TensorAssert.ForwardClose(b.grad!, b64!.grad!, "bias gradient");
    }

    [Fact]
    public void Accepts_a_non_contiguous_input()
    {
        using var source = randn(3, 8, 6);
        using var x = source.transpose(1, 2); // (3, 6, 8), last dimension strided
        using var w = randn(5, 8);
        using var y = FastLinear.Apply(x, w, null);
        using var expected = matmul(x.contiguous().to(ScalarType.Float64), w.to(ScalarType.Float64).t());
        TensorAssert.ForwardClose(y, expected, "output");
    }
}
