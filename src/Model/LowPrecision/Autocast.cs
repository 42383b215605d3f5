using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.LowPrecision;

/// The part of `torch.autocast` that mixed-precision training needs (TorchSharp 0.107 has none): while
/// a scope is open on this thread, our convolutions (but the strided ones, see `Conv2d`) and linear
/// layers — and with them attention, whose queries, keys and values come out of linear layers —
/// compute in the scope's dtype (bf16, or fp16 on CUDA), and LayerNorm computes in float32.
/// Everything else runs in the dtype of its input.
///
/// The weights stay float32: they are the master weights AdamW updates and checkpoints hold. Each
/// forward casts input, weight and bias of a layer to the compute dtype; the cast is differentiable,
/// so backward runs the layer's gradient in the compute dtype and the cast's backward hands a float32
/// gradient to the float32 weight (as autocast does). What stays float32 and why:
/// - LayerNorm: its input is cast to float32, so the MiT residual stream x + attn(LN(x)) stays float32
///   (CUDA autocast's rule for layer_norm); the next linear layer rounds LN's output to bf16 anyway.
/// - BatchNorm: libtorch's CPU and CUDA kernels take a bf16/fp16 input with float32 γ, β and running
///   statistics and compute mean and variance in float32; only the output is rounded. In ConvModule
///   BN → ReLU → convolution, that rounding is exactly the cast the next convolution would make
///   (ReLU commutes with rounding), so no cast to float32 is spent there.
/// - softmax statistics: libtorch's fused scaled-dot-product attention accumulates in float32;
/// - logits: `Segmentor.DecodeLogits` and `HrdaHead` return float32, so the loss, pseudo-labels and
///   HRDA's fusion run in float32; the EMA teacher update and AdamW only touch float32 parameters.
/// Weight casts are not cached across calls (autocast caches them within a region): HRDA's two
/// encoder passes cast the encoder weights twice, a small cost next to the activations.
public static class Autocast
{
    [ThreadStatic] static ScalarType? current;

    /// The compute dtype of the open scope on this thread, or null (layers compute in their input's dtype).
    public static ScalarType? Current => current;

    /// Opens a scope in which convolutions and linear layers compute in `dtype` (null or float32: no
    /// casting); disposing it restores the previous scope. Scopes nest.
    public static IDisposable Enable(ScalarType? dtype) => new Scope(dtype is ScalarType.Float32 ? null : dtype);

    /// `conv.forward(x)`, under a scope with input, weight and bias cast to the compute dtype — except
    /// strided convolutions (MiT's patch embeddings and attention spatial reduction), which run in
    /// float32: libtorch 2.10's bf16 backward of a strided convolution is 5–15× slower than float32 on
    /// this CPU at the grids of small crops (measured 2026-12-01, 128² crops: patch embeddings 2–4
    /// 21–48 ms vs 3–9 ms, the 8×8/8 reduction 24–27 ms vs 1.3–1.7 ms) and they are a small part of
    /// the step in float32 at any size.
    public static Tensor Conv2d(Conv2d conv, Tensor x)
    {
        if (current is null) return conv.forward(x);
        if (conv.stride.Any(s => s > 1))
        {
            if (x.dtype == conv.weight!.dtype) return conv.forward(x);
            using var same = x.to(conv.weight.dtype);
            return conv.forward(same);
        }
        var dtype = current.Value;
        if (conv.padding_mode != PaddingModes.Zeros || conv.padding_type is not null)
            throw new NotSupportedException("Autocast.Conv2d covers zero-padded convolutions with explicit padding (every convolution of our networks).");
        using var input = Cast(x, dtype);
        using var weight = Cast(conv.weight!, dtype);
        using var bias = conv.bias is null ? null : Cast(conv.bias, dtype);
        return nn.functional.conv2d(input, weight, bias, conv.stride, conv.padding, conv.dilation, conv.groups);
    }

    /// x·Wᵀ + b, under a scope with all three cast to the compute dtype.
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias)
    {
        if (current is not { } dtype) return nn.functional.linear(x, weight, bias);
        using var input = Cast(x, dtype);
        using var w = Cast(weight, dtype);
        using var b = bias is null ? null : Cast(bias, dtype);
        return nn.functional.linear(input, w, b);
    }

    /// `norm.forward(x)`, under a scope with a low-precision input first cast to float32 (float32 output).
    public static Tensor LayerNorm(LayerNorm norm, Tensor x)
    {
        if (current is null || x.dtype is not (ScalarType.BFloat16 or ScalarType.Float16)) return norm.forward(x);
        using var x32 = x.to(ScalarType.Float32);
        return norm.forward(x32);
    }

    /// A low-precision tensor as float32 (consumes `x`); any other tensor unchanged. For outputs that
    /// leave the network (logits, HRDA's attention) so that losses and fusion run in float32.
    public static Tensor ToFloat32(Tensor x)
    {
        if (x.dtype is not (ScalarType.BFloat16 or ScalarType.Float16)) return x;
        using (x) return x.to(ScalarType.Float32);
    }

    static Tensor Cast(Tensor t, ScalarType dtype) => t.dtype == dtype || !t.is_floating_point() ? t.alias() : t.to(dtype);

    sealed class Scope : IDisposable
    {
        readonly ScalarType? previous;
        bool disposed;

        public Scope(ScalarType? dtype)
        {
            previous = current;
            current = dtype;
        }

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            current = previous;
        }
    }
}
