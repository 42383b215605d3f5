using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Layers;

/// Memory-layout conversions that libtorch's generic copy does slowly.
public static class Layout
{
    /// `x.contiguous()` (NCHW) of a (B, C, H, W) map. A channels-last map on the CPU outside autograd
    /// (inference, the teacher's pseudo-labels) is copied image by image as a 2-D (H·W, C) → (C, H·W)
    /// transpose, which libtorch hands to its blocked transpose kernel (`copy_same_type_transpose_`);
    /// `contiguous()` takes the generic strided 4-D copy instead, 5–9× slower (2026-12-01, 1 thread,
    /// 1×1024×128×256: bf16 155 ms vs 23 ms, float32 284 ms vs 30 ms). The values are the same bits.
    public static Tensor Contiguous(Tensor x)
    {
        if (x.is_contiguous() || x.dim() != 4 || x.device_type != DeviceType.CPU || x.requires_grad && is_grad_enabled()
            || !IsChannelsLast(x))
            return x.contiguous();
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var y = empty([b, c, h, w], dtype: x.dtype, device: x.device);
        for (var i = 0; i < b; i++)
        {
            using var dst = y[i].view(c, h * w);
            using var image = x[i].permute(1, 2, 0);        // (H, W, C), contiguous
            using var pixels = image.view(h * w, c);
            using var transposed = pixels.t();
            dst.copy_(transposed);
        }
        return y;
    }

    /// In low-precision inference on the CPU (bf16/fp16, no autograd), a channels-last copy of an
    /// NCHW-contiguous (B, C, H, W) map, made image by image as a 2-D (C, H·W) → (H·W, C) transpose;
    /// otherwise an alias of `x`. For convolutions that oneDNN runs faster on channels-last bf16 input:
    /// the ASPP bottleneck (3×3, 1024 → 256 channels, 1 thread, 2026-12-01) at 1×128×256 322 ms instead
    /// of 472 ms, at 2×128×128 306 instead of 361 ms; in float32 channels-last is not faster (651 vs 638 ms).
    public static Tensor ChannelsLastInInference(Tensor x)
    {
        if (x.dtype is not (ScalarType.BFloat16 or ScalarType.Float16)
            || x.dim() != 4 || !x.is_contiguous() || x.device_type != DeviceType.CPU || x.requires_grad && is_grad_enabled()
            || x.shape[1] == 1 || x.shape[2] * x.shape[3] == 1)
            return x.alias();
        return ChannelsLast(x);
    }

    /// A channels-last copy of a (B, C, H, W) map (same values and shape, strides (·, 1, W·C, C)). An
    /// NCHW-contiguous map is copied image by image as a 2-D (C, H·W) → (H·W, C) transpose (libtorch's
    /// blocked transpose kernel); any other layout through libtorch's generic copy.
    public static Tensor ChannelsLast(Tensor x)
    {
        if (x.dim() != 4) throw new ArgumentException($"Layout.ChannelsLast takes a 4-D map, got {x.dim()}-D.");
        if (!x.is_contiguous())
        {
            using var nhwcView = x.permute(0, 2, 3, 1);
            using var packed = nhwcView.contiguous();
            return packed.permute(0, 3, 1, 2);
        }
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        using var nhwc = empty([b, h, w, c], dtype: x.dtype, device: x.device);
        for (var i = 0; i < b; i++)
        {
            using var dst = nhwc[i].view(h * w, c);
            using var image = x[i].view(c, h * w);
            using var transposed = image.t();
            dst.copy_(transposed);
        }
        return nhwc.permute(0, 3, 1, 2);
    }

    /// Whether a (B, C, H, W) map has channels-last strides (·, 1, W·C, C), the batch stride C·H·W
    /// (not checked for B = 1, where it is irrelevant).
    public static bool IsChannelsLast(Tensor x)
    {
        if (x.dim() != 4) return false;
        var s = x.stride();
        long c = x.shape[1], w = x.shape[3];
        return s[1] == 1 && s[3] == c && s[2] == w * c && (x.shape[0] == 1 || s[0] == c * x.shape[2] * w);
    }
}
