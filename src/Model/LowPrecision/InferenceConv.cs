using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.LowPrecision;

/// Convolutions of low-precision inference (bf16/fp16 on the CPU, no autograd) that libtorch's
/// oneDNN back end runs slowly as written, rewritten into an equivalent form it runs fast. Every
/// other call is `Autocast.Conv2d` unchanged — float32 in particular, whose results stay bit-identical.
///
/// Depthwise convolutions with zero padding wider than <see cref="DirectKernelMaxPadding"/>: oneDNN's
/// direct depthwise kernel does not take them and the convolution falls back to a path 2–2.5× slower
/// (libtorch 2.10 CPU, 1×1024×128×256 bf16, 3×3, measured 2026-12-01 at one thread: dilation ≤ 6
/// ≈ 42 ms, dilation 7…18 ≈ 102–107 ms; at two threads dilation 12 and 18: 55 ms each). The DAFormer
/// head's ASPP branches use dilations 12 and 18 with padding = dilation. Padding the input with zeros
/// first and convolving without padding computes the same sums (an output pixel's taps outside the
/// map read zeros either way) through the direct kernel: 30–32 ms including the padding copy. The
/// kernels' summation order differs, so results may differ in the last bit of the rounded output.
///
/// 1×1 ConvModules whose output should be channels-last (the ASPP branches feeding the bottleneck,
/// which runs faster on channels-last bf16 input): <see cref="PointwiseChannelsLast"/>.
public static class InferenceConv
{
    /// Whether `x` is a low-precision (bf16/fp16) CPU tensor outside autograd and no Autocast scope is
    /// open — the situation of `LowPrecisionInference`, where the rewrites of this class apply.
    public static bool IsLowPrecisionInference(Tensor x) =>
        Autocast.Current is null && x.dtype is ScalarType.BFloat16 or ScalarType.Float16
        && x.device_type == DeviceType.CPU && !(is_grad_enabled() && x.requires_grad);

    /// A 1×1 ConvModule (BN folded or absent, optional ReLU) applied to an NCHW-contiguous map in
    /// low-precision CPU inference, written as channels-last: per image the product
    /// (H·W, C_in) × (C_in, C_out) of the map's transposed view with the weight, plus the bias — the
    /// same dot products the convolution takes, with the output's pixels as rows (one rounding of
    /// each output, like the convolution; its accumulation order may differ in the last bit). The
    /// (H·W, C_out) result IS the channels-last map, so no layout copy follows (the copy of a
    /// 1×1024×128×256 bf16 map took 16 ms; 1024 → 256 as this product 22 ms, as oneDNN's NCHW
    /// convolution 25 ms; two threads, 2026-12-01). Any other case: `module.forward(x)` copied to
    /// channels-last by `Layout.ChannelsLastInInference` (an alias when not in low-precision inference).
    public static Tensor PointwiseChannelsLast(ConvModule module, Tensor x)
    {
        var conv = module.conv;
        if (!IsLowPrecisionInference(x) || x.dim() != 4 || !x.is_contiguous() || conv.weight!.dtype != x.dtype
            || module.bn is not null && !module.BatchNormFolded || conv.weight.requires_grad && is_grad_enabled()
            || conv.groups != 1 || conv.weight.shape[2] != 1 || conv.weight.shape[3] != 1
            || conv.stride!.Any(v => v != 1) || conv.padding!.Any(v => v != 0) || conv.padding_type is not null)
        {
            using var y = module.forward(x);
            return Layout.ChannelsLastInInference(y);
        }
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], outC = conv.weight.shape[0];
        using var weight = conv.weight.view(outC, c);
        var images = new Tensor[b];
        try
        {
            for (var i = 0; i < b; i++)
            {
                using var image = x[i].view(c, h * w);
                using var pixels = image.t();                       // (H·W, C_in), a transposed view
                images[i] = nn.functional.linear(pixels, weight, conv.bias);
                if (module.Relu) images[i].relu_();
            }
            using var nhwc = b == 1 ? images[0].view(1, h, w, outC) : stack(images).view(b, h, w, outC);
            return nhwc.permute(0, 3, 1, 2);
        }
        finally { foreach (var t in images) t?.Dispose(); }
    }

    /// The widest zero padding oneDNN's direct depthwise kernel took in the measurement above.
    public const long DirectKernelMaxPadding = 6;

    /// `Autocast.Conv2d(conv, x)`, except for a wide-padded depthwise convolution in low-precision CPU
    /// inference, which runs on an explicitly zero-padded input.
    public static Tensor Conv2d(Conv2d conv, Tensor x)
    {
        if (!IsWidePaddedDepthwiseInference(conv, x)) return Autocast.Conv2d(conv, x);
        long ph = conv.padding![0], pw = conv.padding[1];
        using var padded = nn.functional.pad(x, [pw, pw, ph, ph]);
        return nn.functional.conv2d(padded, conv.weight!, conv.bias, conv.stride, [0, 0], conv.dilation, conv.groups);
    }

    static bool IsWidePaddedDepthwiseInference(Conv2d conv, Tensor x) =>
        Autocast.Current is null
        && x.dtype is ScalarType.BFloat16 or ScalarType.Float16 && conv.weight!.dtype == x.dtype
        && x.device_type == DeviceType.CPU && x.dim() == 4
        && !(is_grad_enabled() && (x.requires_grad || conv.weight.requires_grad))
        && conv.groups > 1 && conv.groups == x.shape[1] && conv.weight.shape[0] == conv.groups
        && conv.padding_mode == PaddingModes.Zeros && conv.padding_type is null
        && conv.padding is { Length: 2 } p && (p[0] > DirectKernelMaxPadding || p[1] > DirectKernelMaxPadding);
}
