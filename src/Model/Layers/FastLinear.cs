using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Layers;

/// y = x·Wᵀ + b over the last dimension, like `nn.functional.linear`, but on the CPU computed as a
/// 1×1 convolution of a channels-last view of x — no copy, the same sums in another order.
///
/// Why: libtorch's CPU `linear` runs on MKL's sgemm, which on AMD processors does not use AVX-512
/// and reaches about 200 GFLOP/s here, while its convolutions run on oneDNN's own kernels at
/// 370–470 GFLOP/s; forward + backward of the MiT/head Linear layers (M×K·K×N with M = tokens)
/// take about half the time this way (`daformer bench model`, README "Performance"). On CUDA and
/// for other dtypes the ordinary `linear` is used. The modules stay `nn.Linear`, so parameters,
/// state-dict keys and initialisation are unchanged.
///
/// DISABLED (UseConvolution = false): on an AMD EPYC with avx512_bf16/avx512_vp2intersect,
/// libtorch 2.10's oneDNN picks `brgconv_1x1:avx512_core` with weights reordered to a padded
/// `Acdb48a` layout for K=160 → N=640 (MiT-b0 stage-3 MixFFN fc1); 640 is not a multiple of the
/// 48-channel block and the last partial block (output channels 624–639) comes out wrong for every
/// M tried (160, 320, 2560) — a 5 % relL2 error in backbone stage 3. 64/128 → 640 and the other
/// MiT shapes were right. Until that kernel is trusted, `linear` (MKL sgemm) is used everywhere;
/// BlockPrecisionConsistencyTests (float32 vs float64 per MiT block) guard against a recurrence.
public static class FastLinear
{
    /// Off: see the class remarks — oneDNN's brgconv_1x1 gives wrong outputs for some shapes on
    /// newer AMD CPUs, so the ordinary `linear` is used until that kernel can be trusted.
    const bool UseConvolution = false;

    public static Tensor Apply(Linear layer, Tensor x) => Apply(x, layer.weight!, layer.bias);

    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias)
    {
        if (!UseConvolution || x.device_type != DeviceType.CPU || x.dtype != ScalarType.Float32 || x.dim() < 2 || x.numel() == 0)
            return nn.functional.linear(x, weight, bias);
        long k = x.shape[^1], n = weight.shape[0], m = x.numel() / k;
        // (M, K) row-major is the NHWC layout of a (1, K, M, 1) map: oneDNN then sees a channels-last
        // 1×1 convolution over M pixels and writes its output channels-last, i.e. (M, N) row-major.
        using var rows = x.reshape(1, m, 1, k);
        using var map = rows.permute(0, 3, 1, 2);
        using var kernel = weight.view(n, k, 1, 1);
        using var y = nn.functional.conv2d(map, kernel, bias);
        using var nhwc = y.permute(0, 2, 3, 1);
        var shape = x.shape.ToArray();
        shape[^1] = n;
        return nhwc.reshape(shape);
    }
}
