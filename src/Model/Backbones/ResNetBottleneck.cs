using DaFormer.Model.Runtime;
using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Backbones;

/// mmseg ResNet / ResNeXt Bottleneck, style 'pytorch' (the stride sits on the 3×3 conv): conv1 1×1 →
/// bn1 → ReLU → conv2 3×3 (stride, dilation = padding, `groups`) → bn2 → ReLU → conv3 1×1 (→ 4·planes)
/// → bn3, plus the identity or `downsample`, then ReLU. Registration order as mmseg.
public sealed class ResNetBottleneck : nn.Module<Tensor, Tensor>
{
    public const int Expansion = 4;

    public readonly Conv2d conv1;
    public readonly HeldBatchNorm2d bn1;
    public readonly Conv2d conv2;
    public readonly HeldBatchNorm2d bn2;
    public readonly Conv2d conv3;
    public readonly HeldBatchNorm2d bn3;
    public readonly Sequential? downsample;

    public ResNetBottleneck(long inPlanes, long planes, long width, long stride, long dilation, long groups, Sequential? downsample)
        : base(nameof(ResNetBottleneck))
    {
        conv1 = nn.Conv2d(inPlanes, width, 1, bias: false);
        bn1 = new HeldBatchNorm2d(width);
        conv2 = nn.Conv2d(width, width, 3, stride: stride, padding: dilation, dilation: dilation, groups: groups, bias: false);
        bn2 = new HeldBatchNorm2d(width);
        conv3 = nn.Conv2d(width, planes * Expansion, 1, bias: false);
        bn3 = new HeldBatchNorm2d(planes * Expansion);
        this.downsample = downsample;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var c1 = conv1.forward(x);
        using var a1 = bn1.forward(c1).relu_();
        using var c2 = conv2.forward(a1);
        using var a2 = bn2.forward(c2).relu_();
        using var c3 = conv3.forward(a2);
        using var b3 = bn3.forward(c3);
        using var identity = downsample?.forward(x);
        using var sum = b3.Plus(identity ?? x);
        return sum.relu();
    }
}
