using DaFormer.Model.Runtime;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace DaFormer.Model.Layers;

/// Weight initialisations of the original (mmcv / MiT), used when no pretrained file is loaded.
public static class Init
{
    /// mmcv `kaiming_init(conv)`: Kaiming normal, mode fan_out, ReLU gain; bias 0 (spec §3.2).
    public static void KaimingFanOut(Conv2d conv)
    {
        using var _ = no_grad();
        nn.init.kaiming_normal_(conv.weight, a: 0, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
        if (conv.bias is not null) nn.init.zeros_(conv.bias);
    }

    /// mmcv `normal_init(m, std)`: Normal(0, std) weight, bias 0 (conv_seg, DeepLabV2 convs).
    public static void Normal(Conv2d conv, double std)
    {
        using var _ = no_grad();
        nn.init.normal_(conv.weight, 0, std);
        if (conv.bias is not null) nn.init.zeros_(conv.bias);
    }

    /// timm 0.3.2 `trunc_normal_(t, std, a=-2, b=2)` (bounds in absolute units, so with std 0.02
    /// practically untruncated): inverse-CDF sampling, then clamping to [a, b]. TorchSharp's own
    /// `nn.init.trunc_normal_` occasionally writes non-finite values, hence this implementation.
    public static void TruncNormal(Tensor t, double std, double mean = 0, double a = -2, double b = 2)
    {
        using var _ = no_grad();
        static double NormCdf(double x) => (1.0 + Erf(x / Math.Sqrt(2.0))) / 2.0;
        var l = NormCdf((a - mean) / std);
        var u = NormCdf((b - mean) / std);
        t.uniform_(2 * l - 1, 2 * u - 1);   // doubles, not Scalars
        // A float32 uniform draw hits the lower bound -1 exactly with probability 2^-24; erfinv(-1) = -inf
        // would then be clamped to a = -2 (a 100σ weight; timm does that). Stay inside (-1, 1) instead.
        t.ClampedInPlace(Math.Max(2 * l - 1, -0.9999999), Math.Min(2 * u - 1, 0.9999999));
        t.erfinv_().TimesInPlace(std * Math.Sqrt(2.0)).PlusInPlace(mean).ClampedInPlace(a, b);
    }

    /// erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7); only used for the truncation bounds' CDF.
    static double Erf(double x)
    {
        var sign = Math.Sign(x);
        x = Math.Abs(x);
        var t = 1.0 / (1.0 + 0.3275911 * x);
        var y = 1.0 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.Exp(-x * x);
        return sign * y;
    }

    /// `constant_init(bn, 1, bias=0)`.
    public static void Constant(BatchNorm bn)
    {
        using var _ = no_grad();
        nn.init.ones_(bn.weight);
        nn.init.zeros_(bn.bias);
    }
}
