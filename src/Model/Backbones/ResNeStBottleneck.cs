using DaFormer.Model.Runtime;
using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Backbones;

/// mmseg ResNeSt Bottleneck (`resnest.py`): conv1 1×1 → bn1 → ReLU → conv2 = SplitAttentionConv2d
/// (no bn2) → [avd: AvgPool 3×3, stride s, pad 1, count_include_pad, when avg_down_stride and s > 1;
/// the split-attention conv then runs with stride 1] → conv3 1×1 → bn3, plus the identity or
/// `downsample`, then ReLU. Registration order as mmseg (bn2 deleted, avd_layer has no parameters).
public sealed class ResNeStBottleneck : nn.Module<Tensor, Tensor>
{
    public readonly Conv2d conv1;
    public readonly HeldBatchNorm2d bn1;
    public readonly SplitAttentionConv2d conv2;
    public readonly Conv2d conv3;
    public readonly HeldBatchNorm2d bn3;
    public readonly Sequential? downsample;
    readonly long avdStride;

    public ResNeStBottleneck(long inPlanes, long planes, long width, long stride, long dilation, ResNetOptions o, Sequential? downsample)
        : base(nameof(ResNeStBottleneck))
    {
        avdStride = stride > 1 ? stride : 0; // avg_down_stride is on in every ResNeSt configuration
        conv1 = nn.Conv2d(inPlanes, width, 1, bias: false);
        bn1 = new HeldBatchNorm2d(width);
        conv2 = new SplitAttentionConv2d(width, width, avdStride > 0 ? 1 : stride, dilation, o.Groups, o.Radix, o.ReductionFactor);
        conv3 = nn.Conv2d(width, planes * ResNetBottleneck.Expansion, 1, bias: false);
        bn3 = new HeldBatchNorm2d(planes * ResNetBottleneck.Expansion);
        this.downsample = downsample;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var c1 = conv1.forward(x);
        using var a1 = bn1.forward(c1).relu_();
        using var c2 = conv2.forward(a1);
        using var pooled = avdStride > 0
            ? nn.functional.avg_pool2d(c2, 3, avdStride, 1, ceil_mode: false, count_include_pad: true)
            : c2.alias();
        using var c3 = conv3.forward(pooled);
        using var b3 = bn3.forward(c3);
        using var identity = downsample?.forward(x);
        using var sum = b3.Plus(identity ?? x);
        return sum.relu();
    }
}
