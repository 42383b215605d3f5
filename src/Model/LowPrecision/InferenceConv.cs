using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.LowPrecision;

/// Convolutions of CPU inference (no autograd, no Autocast scope; float32, bf16 or fp16) that libtorch's
/// oneDNN back end runs slowly as written, rewritten into an equivalent form it runs fast. Every
/// other call — training in particular — is `Autocast.Conv2d` unchanged. The rewrites compute the
/// same sums in another order, so outputs may differ in the last bit (float32 MiT-b0 + DAFormer
/// inference of one 1024×512 image, 2026-12-01: 854–904 → 719–742 ms; the parity fixture still
/// agrees with the original to relL2 ≈ 1e-6).
///
/// Zero-padded depthwise convolutions: oneDNN's direct depthwise kernel takes an NCHW input with
/// padding up to <see cref="DirectKernelMaxPadding"/> only, and a channels-last input with no padding
/// at all; otherwise the convolution falls back to a far slower path. Measured 2026-12-01 (libtorch
/// 2.10 CPU, 1×1024×128×256 bf16, 3×3, padding = dilation as in the DAFormer head's ASPP): NCHW at
/// one thread dilation ≤ 6 ≈ 42 ms, 7…18 ≈ 102–107 ms; at two threads NCHW dilation 6/12/18 23/55/55
/// ms, channels-last 72–1560 ms, channels-last on an explicitly zero-padded input 15–17 ms including
/// the padding copy. Padding first and convolving without padding computes the same sums (taps
/// outside the map read zeros either way); the kernels' summation order differs, so results may
/// differ in the last bit of the rounded output.
///
/// 1×1 ConvModules whose output should be channels-last (the ASPP branches feeding the bottleneck,
/// which runs faster on channels-last bf16 input): <see cref="PointwiseChannelsLast"/>.
public static class InferenceConv
{
    /// The widest zero padding oneDNN's direct depthwise kernel took on NCHW input in the measurement above.
    public const long DirectKernelMaxPadding = 6;

    /// Whether `x` is a float32/bf16/fp16 CPU tensor outside autograd and no Autocast scope is open —
    /// inference (`test`, `demo`, evaluation, pseudo-labels), where the rewrites of this class apply.
    public static bool IsCpuInference(Tensor x) =>
        Autocast.Current is null && x.dtype is ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16
        && x.device_type == DeviceType.CPU && !(is_grad_enabled() && x.requires_grad);

    /// `Autocast.Conv2d(conv, x)`, except for a zero-padded depthwise convolution in CPU inference that
    /// the direct kernel would not take (channels-last input, or padding wider than
    /// <see cref="DirectKernelMaxPadding"/>): that one runs on an explicitly zero-padded input (the
    /// padded copy keeps the input's layout, and so does the output).
    public static Tensor Conv2d(Conv2d conv, Tensor x)
    {
        if (!NeedsExplicitPadding(conv, x)) return Autocast.Conv2d(conv, x);
        long ph = conv.padding![0], pw = conv.padding[1];
        using var padded = nn.functional.pad(x, [pw, pw, ph, ph]);
        return nn.functional.conv2d(padded, conv.weight!, conv.bias, conv.stride, [0, 0], conv.dilation, conv.groups);
    }

    static bool NeedsExplicitPadding(Conv2d conv, Tensor x)
    {
        if (!IsCpuInference(x) || x.dim() != 4 || conv.weight!.dtype != x.dtype
            || is_grad_enabled() && conv.weight.requires_grad
            || conv.groups == 1 || conv.groups != x.shape[1] || conv.weight.shape[0] != conv.groups
            || conv.padding_mode != PaddingModes.Zeros || conv.padding_type is not null || conv.padding is not { Length: 2 } p
            || p[0] == 0 && p[1] == 0)
            return false;
        return Layout.IsChannelsLast(x) && x.shape[1] > 1 || p[0] > DirectKernelMaxPadding || p[1] > DirectKernelMaxPadding;
    }

    /// A 1×1 ConvModule (BN folded or absent, optional ReLU) in CPU inference, written
    /// as channels-last: the product (pixels, C_in) × (C_in, C_out) plus the bias — the same dot
    /// products the convolution takes, with the output's pixels as rows (one rounding of each output,
    /// like the convolution; its accumulation order may differ in the last bit). The (pixels, C_out)
    /// result IS the channels-last map. A channels-last input is read as (B·H·W, C_in) directly; an
    /// NCHW-contiguous one per image through its transposed (H·W, C_in) view (1024 → 256 channels at
    /// 1×128×256 bf16, two threads, 2026-12-01: 22 ms, as oneDNN's NCHW convolution 25 ms plus 16 ms
    /// for copying its output to channels-last). Any other case: `module.forward(x)` copied to
    /// channels-last by `Layout.ChannelsLastInInference` (an alias when not in bf16/fp16 inference).
    public static Tensor PointwiseChannelsLast(ConvModule module, Tensor x)
    {
        var conv = module.conv;
        var channelsLast = x.dim() == 4 && Layout.IsChannelsLast(x);
        if (!IsCpuInference(x) || x.dim() != 4 || !(channelsLast || x.is_contiguous()) || conv.weight!.dtype != x.dtype
            || module.bn is not null && !module.BatchNormFolded || conv.weight.requires_grad && is_grad_enabled()
            || conv.groups != 1 || conv.weight.shape[2] != 1 || conv.weight.shape[3] != 1
            || conv.stride!.Any(v => v != 1) || conv.padding!.Any(v => v != 0) || conv.padding_type is not null)
        {
            using var y = module.forward(x);
            return Layout.ChannelsLastInInference(y);
        }
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], outC = conv.weight.shape[0];
        using var weight = conv.weight.view(outC, c);
        if (channelsLast)
        {
            using var nhwc = x.permute(0, 2, 3, 1);
            using var pixels = nhwc.reshape(b * h * w, c);               // a view (the batch stride is C·H·W)
            using var y = nn.functional.linear(pixels, weight, conv.bias);
            if (module.Relu) y.relu_();
            using var map = y.view(b, h, w, outC);
            return map.permute(0, 3, 1, 2);
        }
        var images = new Tensor[b];
        try
        {
            for (var i = 0; i < b; i++)
            {
                using var image = x[i].view(c, h * w);
                using var pixels = image.t();                            // (H·W, C_in), a transposed view
                images[i] = nn.functional.linear(pixels, weight, conv.bias);
                if (module.Relu) images[i].relu_();
            }
            using var nhwc = b == 1 ? images[0].view(1, h, w, outC) : stack(images).view(b, h, w, outC);
            return nhwc.permute(0, 3, 1, 2);
        }
        finally { foreach (var t in images) t?.Dispose(); }
    }
}
