using DaFormer.Model;
using DaFormer.Model.LowPrecision;
using DaFormer.Tests.Model.Network;
using DaFormer.Tests.Support;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.LowPrecision;

/// BatchNorm folded into the preceding convolution: the folded weights against conv → eval BN
/// computed independently in float64, and whole folded networks (the parity fixture's MiT-b0 + DAFormer
/// head with its real BN statistics, a ResNet-50 + DeepLabV2 with random ones) against the same network unfolded.
public class BatchNormFoldingTests
{
    [Theory]
    [InlineData(8, 1, true)]   // a dense 3×3 conv with bias
    [InlineData(6, 6, false)]  // a depthwise 3×3 conv without bias (the ASPP's)
    public void Folded_conv_equals_conv_then_eval_batchnorm_in_float64(int channels, int groups, bool convBias)
    {
        manual_seed(3);
        using var scope = NewDisposeScope();
        var x = randn(2, channels, 9, 7, ScalarType.Float64);
        var w = randn(channels, channels / groups, 3, 3, ScalarType.Float64);
        var b = convBias ? randn(channels, ScalarType.Float64) : null;
        var mean = randn(channels, ScalarType.Float64);
        var variance = rand(channels, ScalarType.Float64) * 3 + 0.1;
        var gamma = randn(channels, ScalarType.Float64);
        var beta = randn(channels, ScalarType.Float64);
        const double eps = 1e-5;

        var conv = nn.functional.conv2d(x, w, b, padding: [1, 1], groups: groups);
        var expected = nn.functional.batch_norm(conv, mean, variance, gamma, beta, training: false, eps: eps);
        var (fw, fb) = BatchNormFolding.Fold(w, b, mean, variance, gamma, beta, eps);
        var actual = nn.functional.conv2d(x, fw, fb, padding: [1, 1], groups: groups);

        var (rel, _, _) = TensorAssert.Compare(actual, expected);
        Assert.True(rel < 1e-12, $"relL2 {rel:E3}");
    }

    [Fact]
    public void Folded_fixture_network_equals_the_unfolded_one()
    {
        using var scope = NewDisposeScope();
        using var model = ParityFixture.LoadModel();
        var io = ParityFixture.Io();
        // Against the unfolded network (itself checked against the reference by ParityTests), so that
        // this test isolates the folding.
        Tensor expected;
        using (no_grad()) expected = model.EncodeDecode(io["input"]);
        // The fixture's BNs carry non-trivial running statistics, so folding really changes the weights.
        var bnVar = model.decode_head.named_buffers().First(b => b.name.EndsWith("bottleneck.bn.running_var")).buffer;
        Assert.True(bnVar.sub(1).abs().max().item<float>() > 1e-3, "fixture BN statistics are trivial; the test would prove nothing");

        var folded = BatchNormFolding.FoldAll(model);
        Assert.Equal(8, folded); // ASPP: the 1×1 branch, 3 × (depthwise + pointwise), the bottleneck; MiT has no BN
        using var _ = no_grad();
        var upsampled = model.EncodeDecode(io["input"]);
        TensorAssert.ForwardClose(upsampled, expected, "seg_logits_upsampled (BN folded vs unfolded)");
        TensorAssert.MostlyEqual(upsampled.argmax(1), expected.argmax(1), "seg_pred (BN folded vs unfolded)");
    }

    [Fact]
    public void Folded_resnet_network_equals_the_unfolded_one()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var model = Architectures.Build(new SegmentorSpec("r50v1c", "dlv2red"));
        using (no_grad())
            foreach (var bn in model.modules().OfType<BatchNorm>())
            {
                bn.running_mean!.copy_(randn_like(bn.running_mean) * 0.1);
                bn.running_var!.copy_(rand_like(bn.running_var) + 0.5);
                bn.weight!.copy_(rand_like(bn.weight) + 0.5);
                bn.bias!.copy_(randn_like(bn.bias) * 0.1);
            }
        model.eval();
        var x = randn(1, 3, 64, 64);
        using var _ = no_grad();
        var expected = model.EncodeDecode(x);

        var folded = BatchNormFolding.FoldAll(model);
        Assert.Equal(3 + 3 * 16 + 4, folded); // stem, 16 bottlenecks × 3, 4 downsample branches
        Assert.Equal(0, BatchNormFolding.FoldAll(model)); // a second call folds nothing twice
        var actual = model.EncodeDecode(x);
        TensorAssert.ForwardClose(actual, expected, "ResNet-50 + DeepLabV2 logits (BN folded)");
    }

    [Fact]
    public void Folding_a_model_in_training_mode_is_refused()
    {
        using var model = Architectures.Build(ParityFixture.Spec);
        model.train();
        Assert.Throws<InvalidOperationException>(() => BatchNormFolding.FoldAll(model));
    }
}
