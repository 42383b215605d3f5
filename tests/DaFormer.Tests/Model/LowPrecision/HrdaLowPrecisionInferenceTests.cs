using DaFormer.Model.LowPrecision;
using DaFormer.Model.Runtime;
using DaFormer.Tests.Model.Segmentors;
using DaFormer.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.LowPrecision;

/// bf16 inference of HRDA against the float32 output of the original code (HRDA parity fixture:
/// context view at 0.5, detail windows 48×64 slid over the 96×224 test image, scale attention,
/// fusion). Same tolerances as the plain segmentor (LowPrecisionInferenceTests explains them).
public class HrdaLowPrecisionInferenceTests
{
    [Fact]
    public void Bf16_hrda_fused_logits_are_within_bf16_tolerance_and_argmax_agrees()
    {
        using var scope = NewDisposeScope();
        using var model = HrdaFixture.LoadModel();
        var io = HrdaFixture.Io();
        var folded = LowPrecisionInference.Prepare(model, Precision.Bf16, CPU);

        Assert.True(folded > 0, "the DAFormer heads' ConvModules have BatchNorms to fold");
        Assert.Equal(ScalarType.BFloat16, model.ComputeType);
        var dtypes = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.dtype);
        Assert.Equal(ScalarType.BFloat16, dtypes["backbone.block1.0.attn.q.weight"]);
        Assert.Equal(ScalarType.Float32, dtypes["backbone.block1.0.norm1.weight"]);

        using var _ = no_grad();
        var p = model.ForwardInferencePieces(io["test.input"]);
        Assert.Equal(ScalarType.Float32, p.FusedLogits.dtype);
        Assert.Equal(ScalarType.Float32, p.Attention.dtype);
        var reference = io["test.whole.fused_logits"];
        var (rel, maxAbs, refMax) = TensorAssert.Compare(p.FusedLogits, reference);
        using var eq = p.FusedLogits.argmax(1).eq(reference.argmax(1)).to(ScalarType.Float64).mean();
        var agree = eq.item<double>();
        var (relA, _, _) = TensorAssert.Compare(p.Attention, io["test.whole.attention_raw"]);
        var report = $"HRDA bf16 vs fp32 reference: fused relL2 {rel:E2}, max|Δ| {maxAbs:E2} (max|ref| {refMax:F2}), argmax agreement {agree:P2}; attention relL2 {relA:E2}";
        Console.WriteLine(report);
        Assert.True(rel < LowPrecisionInferenceTests.Bf16LogitsRelL2, report);
        Assert.True(relA < LowPrecisionInferenceTests.Bf16LogitsRelL2, report);
        Assert.True(agree >= LowPrecisionInferenceTests.Bf16ArgmaxAgreement, report);

        // Whole-image inference of any size goes through the same path and returns float32 logits.
        var logits = model.EncodeDecode(io["test.input"]);
        Assert.Equal(ScalarType.Float32, logits.dtype);
        Assert.Equal(io["test.input"].shape[2..], logits.shape[2..]);
    }
}
