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

    /// `constant_init(bn, 1, bias=0)`.
    public static void Constant(BatchNorm2d bn)
    {
        using var _ = no_grad();
        nn.init.ones_(bn.weight);
        nn.init.zeros_(bn.bias);
    }
}
