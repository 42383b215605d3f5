using DaFormer.Model;
using DaFormer.Model.LowPrecision;
using DaFormer.Model.Runtime;
using DaFormer.Tests.Model.Network;
using DaFormer.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.LowPrecision;

/// bf16 inference against the float32 reference of the original implementation (parity fixture).
///
/// Tolerances for bf16 (8 significant bits, unit roundoff u = 2⁻⁸ ≈ 3.9e-3): every convolution and
/// linear layer rounds its inputs, weights and output to bf16, so each layer adds a relative error of
/// a few u and ~30 layers in sequence add up; we accept relL2 < 2e-2 (≈ 5 u) on the logits and require
/// the arg-max to agree on ≥ 99 % of the pixels (the criterion). Measured on this fixture
/// (2026-12-01): see the assertion messages / README "Mixed precision".
public class LowPrecisionInferenceTests
{
    public const double Bf16LogitsRelL2 = 2e-2;
    public const double Bf16ArgmaxAgreement = 0.99;

    [Fact]
    public void Bf16_fixture_logits_are_within_bf16_tolerance_and_argmax_agrees()
    {
        using var scope = NewDisposeScope();
        using var model = ParityFixture.LoadModel();
        var io = ParityFixture.Io();
        var folded = LowPrecisionInference.Prepare(model, Precision.Bf16, CPU);

        Assert.Equal(8, folded);
        Assert.Equal(ScalarType.BFloat16, model.ComputeType);
        var dtypes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.dtype);
        Assert.Equal(ScalarType.BFloat16, dtypes["backbone.block1.0.attn.q.weight"]);
        Assert.Equal(ScalarType.BFloat16, dtypes["decode_head.fuse_layer.bottleneck.conv.weight"]);
        Assert.Equal(ScalarType.Float32, dtypes["backbone.block1.0.norm1.weight"]); // norm statistics/affine stay fp32

        using var _ = no_grad();
        var upsampled = model.EncodeDecode(io["input"]);
        Assert.Equal(ScalarType.Float32, upsampled.dtype);
        var (rel, maxAbs, refMax) = TensorAssert.Compare(upsampled, io["seg_logits_upsampled"]);
        using var eq = upsampled.argmax(1).eq(io["seg_pred"]).to(ScalarType.Float64).mean();
        var agree = eq.item<double>();
        var report = $"bf16 vs fp32 reference: relL2 {rel:E2}, max|Δ| {maxAbs:E2} (max|ref| {refMax:F2}), argmax agreement {agree:P2}";
        Console.WriteLine(report);
        Assert.True(rel < Bf16LogitsRelL2, report);
        Assert.True(agree >= Bf16ArgmaxAgreement, report);

        // The encoder features too (they feed the feature distance and HRDA's heads).
        var features = model.ExtractFeatures(io["input"]);
        for (var i = 0; i < 4; i++)
        {
            var (r, _, _) = TensorAssert.Compare(features[i], io[$"backbone_out{i}"]);
            Assert.True(r < Bf16LogitsRelL2, $"backbone_out{i}: relL2 {r:E2}");
        }
    }

    [Fact]
    public void Fp32_leaves_the_model_untouched()
    {
        using var model = ParityFixture.LoadModel();
        var before = model.state_dict().Keys.ToList();
        Assert.Equal(0, LowPrecisionInference.Prepare(model, Precision.Fp32, CPU));
        Assert.Null(model.ComputeType);
        Assert.Equal(before, model.state_dict().Keys.ToList());
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void Fp16_on_the_cpu_is_a_clear_error()
    {
        using var model = ParityFixture.LoadModel();
        var e = Assert.Throws<DaFormerError>(() => LowPrecisionInference.Prepare(model, Precision.Fp16, CPU));
        Assert.Contains("fp16 needs a CUDA device", e.Message);
        Assert.Contains("bf16", e.Message);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype)); // nothing changed
    }

    /// libtorch's LayerNorm on a bf16 input with float32 γ/β: if its mean/variance were accumulated
    /// in bf16, tokens with mean 100 and spread 1 would lose nearly all precision (the bf16 step at
    /// 100 is 0.5). Expected: float64 statistics of the same bf16 values, then one rounding to bf16.
    [Fact]
    public void Bf16_layernorm_keeps_its_statistics_in_float32()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var x = (randn(512, 64) + 100).to(ScalarType.BFloat16);
        var ln = nn.LayerNorm(64);
        using (no_grad()) { ln.weight!.copy_(rand(64) + 0.5); ln.bias!.copy_(randn(64)); }
        using var _ = no_grad();
        var actual = ln.forward(x);
        Assert.Equal(ScalarType.BFloat16, actual.dtype);
        var x64 = x.to(ScalarType.Float64);
        var expected = nn.functional.layer_norm(x64, [64], ln.weight!.to(ScalarType.Float64), ln.bias!.to(ScalarType.Float64), 1e-5);
        // One bf16 rounding of the result: |err| ≤ u·|y| with u = 2⁻⁸ (+ a float32-accumulation margin).
        var err = (actual.to(ScalarType.Float64) - expected).abs();
        var bound = expected.abs() * Math.Pow(2, -8) * 1.05 + 1e-4;
        Assert.True(err.le(bound).all().item<bool>(), $"max error {err.max().item<double>():E3}");
    }

    [Theory]
    [InlineData("fp32", Precision.Fp32)]
    [InlineData("BF16", Precision.Bf16)]
    [InlineData("bfloat16", Precision.Bf16)]
    [InlineData("fp16", Precision.Fp16)]
    public void Precision_names_parse(string text, Precision expected) => Assert.Equal(expected, Precisions.Parse(text));

    [Fact]
    public void An_unknown_precision_names_the_choices()
    {
        var e = Assert.Throws<DaFormerError>(() => Precisions.Parse("int8"));
        Assert.Contains("'int8'", e.Message);
        Assert.Contains("fp32, bf16, fp16", e.Message);
    }
}
