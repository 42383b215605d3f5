using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Layers;

/// mmcv DepthwiseSeparableConvModule: `depthwise_conv` (k×k, groups = in, dilation d, BN, ReLU) →
/// `pointwise_conv` (1×1, BN, ReLU) — the norm/activation defaults of both parts follow the module's.
/// Without norm (the `_nodbn` heads) both convs carry a bias and keep their ReLU.
public sealed class DepthwiseSeparableConvModule : nn.Module<Tensor, Tensor>
{
    public readonly ConvModule depthwise_conv;
    public readonly ConvModule pointwise_conv;

    public DepthwiseSeparableConvModule(long inChannels, long outChannels, long kernel, long padding, long dilation, bool norm = true)
        : base(nameof(DepthwiseSeparableConvModule))
    {
        depthwise_conv = new ConvModule(inChannels, inChannels, kernel, padding, dilation, groups: inChannels, norm: norm);
        pointwise_conv = new ConvModule(inChannels, outChannels, 1, norm: norm);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var d = depthwise_conv.forward(x);
        return pointwise_conv.forward(d);
    }
}
