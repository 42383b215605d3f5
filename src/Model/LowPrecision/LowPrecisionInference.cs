using DaFormer.Model.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.LowPrecision;

/// Turns a loaded eval-mode segmentor into a bf16 (or, on CUDA, fp16) inference network — the same
/// modules, not a second copy: BN folded into the preceding convolutions (BatchNormFolding), then
/// the weights of every convolution and linear layer cast ONCE to the compute dtype, so the forward
/// pass runs no weight casts. What stays float32 and why:
/// - LayerNorm / BatchNorm parameters: libtorch's CPU and CUDA norm kernels take a bf16/fp16 input
///   with float32 γ/β and compute mean and variance in float32 (measured: LayerNorm of bf16 tokens
///   with mean 100 is as accurate as float64 statistics followed by one rounding to bf16), then
///   round the output;
/// - attention: libtorch's fused scaled-dot-product attention accumulates the softmax in float32;
/// - the logits: `Segmentor.DecodeLogits` and HRDA's head return float32, so HRDA's scale attention
///   and fusion, the final upsampling, arg-max and any loss or softmax over classes run in float32.
/// Linear layers use libtorch's own `linear` in bf16 (oneDNN's bf16 matmul is faster than
/// FastLinear's 1×1-convolution route there; FastLinear only takes that route for float32).
/// The result must not be trained or saved: call this on an inference model only.
public static class LowPrecisionInference
{
    /// Prepares `model` (in eval mode, already on `device`) for inference in `precision`; fp32 leaves it
    /// untouched. Returns the number of BatchNorms folded.
    public static int Prepare(SegmentorBase model, Precision precision, Device device)
    {
        Precisions.EnsureSupported(precision, device);
        if (precision == Precision.Fp32) return 0;
        if (model.training) throw new InvalidOperationException("Low-precision inference needs a model in eval mode.");
        var folded = BatchNormFolding.FoldAll(model);
        CastComputeLayers(model, precision.ComputeType());
        model.ComputeType = precision.ComputeType();
        return folded;
    }

    /// Casts the parameters and buffers of every leaf module except normalisation layers.
    static void CastComputeLayers(nn.Module model, ScalarType dtype)
    {
        using var _ = no_grad();
        foreach (var m in model.modules().ToList())
        {
            if (m.children().Any() || IsNorm(m)) continue;
            if (!m.parameters(recurse: false).Any()) continue;
            m.to(dtype);
            foreach (var p in m.parameters(recurse: false)) p.requires_grad = false;
        }
    }

    static bool IsNorm(nn.Module m) => m is LayerNorm or BatchNorm or GroupNorm or InstanceNorm2d;
}
