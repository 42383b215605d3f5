using DaFormer.Model;
using DaFormer.Model.Layers;
using DaFormer.Model.LowPrecision;
using DaFormer.Model.Segmentors;
using DaFormer.Tests.Model.Network;
using DaFormer.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.LowPrecision;

/// Mixed-precision training (Autocast): bf16 convolutions, linear layers and attention on float32
/// master weights, against float32 — the original's float32 reference (parity fixture) and our own
/// float32 step on the same weights and batch.
///
/// Tolerances. bf16 keeps 8 significant bits: each rounding has relative error ≤ u = 2⁻⁸ ≈ 3.9e-3.
/// A training step rounds inputs and weights of every convolution/linear layer (~40 in MiT-b0 +
/// DAFormer head) on the way forward and the incoming gradient of each on the way back; errors of a
/// few u per layer accumulate, partly cancelling.
/// - Loss: a mean over all pixels of a smooth function of the logits (logits relL2 ≈ 1e-2 in bf16
///   inference, LowPrecisionInferenceTests); the per-pixel errors average out, so we accept
///   |ΔL| ≤ 2e-3·|L| (≈ u/2). Measured (2026-12-01): ≤ 2e-5·|L| in every case below.
/// - Gradients with BN on running statistics (the fixture, made in eval mode): relL2 ≤ 5e-2 per
///   tensor (≈ 13 u; measured 0.6–2.6e-2).
/// - Gradients with BN on batch statistics (training): BN's backward subtracts the per-channel mean of
///   the incoming gradient and its projection on the normalised input, which cancels most of it and
///   amplifies every rounding error before it. Measured on the step below (2026-12-01), float32
///   against float64: relL2 6.7e-7 over all gradients in eval mode but 1.5e-4 in train mode; bf16
///   against float64: 1.1e-2 in eval mode, 2.2–2.6e-2 in train mode (HRDA 4.3–4.8e-2), 0.14 for the
///   worst single tensor. We accept relL2 ≤ 0.1 over all gradients and ≤ 0.25 per tensor. Tensors whose
///   exact gradient is zero — biases of layers followed by BN (BN removes any constant shift), e.g.
///   the scale-attention embeddings of HRDA — have a float32 gradient of rounding noise only (‖g‖ below
///   float32's u ≈ 6e-8 times the largest tensor's; measured 6e-12); relL2 is meaningless there, so
///   their bf16 gradient must only stay at bf16's noise level (‖g‖ ≤ u·largest; measured 6e-8).
/// A wrong scale, a missing term or a gradient that never reached the float32 weight is off by O(1).
[Collection(SerialCollection.Name)] // seeded weights and batches: no other test may draw from the global generator meanwhile
public class MixedPrecisionTrainingTests(ITestOutputHelper output)
{
    const double LossRelTolerance = 2e-3;
    const double FixtureGradRelL2 = 5e-2;
    const double TrainAllGradRelL2 = 0.1;
    const double TrainTensorGradRelL2 = 0.25;
    const double NegligibleGradient = 1e-7;

    [Fact]
    public void Autocast_computes_convolutions_and_linear_layers_in_bf16_layer_norm_in_float32_and_hands_float32_gradients_to_float32_weights()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var conv = nn.Conv2d(4, 8, 3, padding: 1);
        var linear = nn.Linear(8, 6);
        var norm = nn.LayerNorm(8);
        var x = randn(2, 4, 5, 5);

        Tensor y, tokens, normed, z;
        using (Autocast.Enable(ScalarType.BFloat16))
        {
            Assert.Equal(ScalarType.BFloat16, Autocast.Current);
            y = Autocast.Conv2d(conv, x);
            tokens = y.flatten(2).transpose(1, 2); // (2, 25, 8) bf16
            normed = Autocast.LayerNorm(norm, tokens);
            z = FastLinear.Apply(linear, normed);
            using (Autocast.Enable(null)) Assert.Null(Autocast.Current); // scopes nest
            Assert.Equal(ScalarType.BFloat16, Autocast.Current);
        }
        Assert.Null(Autocast.Current);
        Assert.Equal(ScalarType.BFloat16, y.dtype);
        Assert.Equal(ScalarType.Float32, normed.dtype);
        Assert.Equal(ScalarType.BFloat16, z.dtype);
        z.to(ScalarType.Float32).square().sum().backward();
        foreach (var p in new[] { conv.weight!, conv.bias!, linear.weight!, linear.bias!, norm.weight! })
        {
            Assert.Equal(ScalarType.Float32, p.dtype);
            Assert.Equal(ScalarType.Float32, p.grad!.dtype);
        }

        // The same chain in float32 (outside any scope) gives gradients within bf16 tolerance.
        var bf16Grads = new[] { conv.weight!, linear.weight! }.Select(p => p.grad!.clone()).ToArray();
        foreach (var p in new[] { conv.weight!, conv.bias!, linear.weight!, linear.bias!, norm.weight!, norm.bias! }) p.grad!.zero_();
        var y32 = conv.forward(x);
        Assert.Equal(ScalarType.Float32, y32.dtype);
        linear.forward(norm.forward(y32.flatten(2).transpose(1, 2))).square().sum().backward();
        Assert.True(TensorAssert.Compare(bf16Grads[0], conv.weight!.grad!).RelL2 < FixtureGradRelL2);
        Assert.True(TensorAssert.Compare(bf16Grads[1], linear.weight!.grad!).RelL2 < FixtureGradRelL2);
    }

    [Fact]
    public void Bf16_loss_and_gradients_of_the_parity_fixture_are_within_bf16_tolerance_of_the_original_float32_ones()
    {
        using var scope = NewDisposeScope();
        using var model = ParityFixture.LoadModel(); // eval: BN running statistics, as the fixture was made
        var io = ParityFixture.Io();
        var g = ParityFixture.Grads();
        Tensor loss;
        using (Autocast.Enable(ScalarType.BFloat16))
        {
            var logits = model.DecodeLogits(model.ExtractFeatures(io["input"]));
            Assert.Equal(ScalarType.Float32, logits.dtype);
            loss = Segmentor.Loss(logits, g["label"]);
        }
        var expected = g["loss"].item<float>();
        output.WriteLine($"loss bf16 {loss.item<float>():R} reference {expected:R}");
        Assert.True(Math.Abs(loss.item<float>() - expected) <= LossRelTolerance * Math.Abs(expected));
        loss.backward();
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var checkedCount = 0;
        foreach (var (key, reference) in g.Where(kv => kv.Key.StartsWith("grad.")))
        {
            var p = parameters[key["grad.".Length..]];
            Assert.Equal(ScalarType.Float32, p.dtype);
            Assert.Equal(ScalarType.Float32, p.grad!.dtype);
            var rel = TensorAssert.Compare(p.grad!, reference).RelL2;
            output.WriteLine($"{key}: relL2 {rel:E2}");
            Assert.True(rel < FixtureGradRelL2, $"{key}: relL2 {rel:E2}");
            checkedCount++;
        }
        Assert.Equal(12, checkedCount);
    }

    [Theory]
    [InlineData("daformer_sepaspp", false)]
    [InlineData("daformer_sepaspp", true)] // HRDA around the same encoder and head
    public void A_bf16_training_step_in_train_mode_matches_the_float32_step_on_the_same_weights(string head, bool hrda)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var spec = new SegmentorSpec("mit_b0", head, Channels: 64);
        var hrdaSpec = hrda ? new HrdaSpec { DetailCropHeight = 64, DetailCropWidth = 64, AttentionEmbedDim = 32 } : null;
        using var model = SegmentorFactory.Build(spec, hrdaSpec);
        // BN on batch statistics as in training; DropPath/Dropout off so both steps see the same network.
        model.train();
        model.SetStochasticLayersEnabled(false);
        var img = randn(2, 3, 128, 128);
        var cells = randint(0, 19, [2, 1, 8, 8], dtype: ScalarType.Int64);
        var gt = nn.functional.interpolate(cells.to(ScalarType.Float32), [128, 128], mode: InterpolationMode.Nearest).to(ScalarType.Int64);
        var parameters = model.named_parameters().ToList();

        (double Loss, Tensor[] Grads) Step()
        {
            foreach (var (_, p) in parameters) p.grad?.zero_();
            var outcome = model.ForwardTrain(img, gt, random: new Random(3)); // same detail box both times
            var total = outcome.LossTerms.Select(t => t.Value).Aggregate((a, b) => a + b);
            total.backward();
            return (total.item<float>(), parameters.Select(p => p.parameter.grad!.clone()).ToArray());
        }
        var (loss32, grads32) = Step();
        (double Loss, Tensor[] Grads) bf16;
        using (Autocast.Enable(ScalarType.BFloat16)) bf16 = Step();

        output.WriteLine($"loss fp32 {loss32:R} bf16 {bf16.Loss:R}");
        Assert.NotEqual(loss32, bf16.Loss); // the bf16 step really computed in bf16
        Assert.True(Math.Abs(bf16.Loss - loss32) <= LossRelTolerance * Math.Abs(loss32), $"loss fp32 {loss32} bf16 {bf16.Loss}");
        var norms = grads32.Select(g => g.norm().item<float>()).ToArray();
        var largest = norms.Max();
        var (worst, compared) = (0.0, 0);
        for (var i = 0; i < parameters.Count; i++)
        {
            var name = parameters[i].name;
            Assert.Equal(ScalarType.Float32, parameters[i].parameter.dtype);
            Assert.Equal(ScalarType.Float32, bf16.Grads[i].dtype);
            if (norms[i] < NegligibleGradient * largest)
            {
                var n = bf16.Grads[i].norm().item<float>();
                Assert.True(n <= 4e-3 * largest, $"{name}: float32 gradient is negligible ({norms[i]:E2}) but the bf16 one is {n:E2}");
                continue;
            }
            var rel = TensorAssert.Compare(bf16.Grads[i], grads32[i]).RelL2;
            (worst, compared) = (Math.Max(worst, rel), compared + 1);
            Assert.True(rel < TrainTensorGradRelL2, $"{name}: gradient relL2 {rel:E2}");
        }
        var all = TensorAssert.Compare(cat(bf16.Grads.Select(t => t.flatten()).ToArray()), cat(grads32.Select(t => t.flatten()).ToArray())).RelL2;
        output.WriteLine($"gradients: all relL2 {all:E2}, worst of {compared} compared tensors {worst:E2} ({parameters.Count - compared} negligible)");
        Assert.True(all < TrainAllGradRelL2, $"all gradients relL2 {all:E2}");
    }
}
