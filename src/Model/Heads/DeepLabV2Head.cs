using DaFormer.Model.Runtime;
using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Heads;

/// DeepLabV2 classifier (spec §3.3): the sum of 3×3 dilated convs `aspp_modules.{i}.conv`
/// (in → classes, with bias; no BN, no ReLU, no dropout, no conv_seg) on the last feature level.
/// Dilations (6, 12) = "dlv2red" (as in AdaptSegNet), (6, 12, 18, 24) = "dlv2". Normal(0, 0.01) init.
public sealed class DeepLabV2Head : DecodeHead
{
    public static readonly int[] ReducedDilations = [6, 12];
    public static readonly int[] FullDilations = [6, 12, 18, 24];

    public readonly ModuleList<ConvModule> aspp_modules;
    public override int NumClasses { get; }

    public DeepLabV2Head(int inChannels, int numClasses, IReadOnlyList<int> dilations) : base(nameof(DeepLabV2Head))
    {
        NumClasses = numClasses;
        aspp_modules = new ModuleList<ConvModule>(dilations
            .Select(d => new ConvModule(inChannels, numClasses, 3, padding: d, dilation: d, norm: false, relu: false))
            .ToArray());
        RegisterComponents();
        foreach (var m in aspp_modules) Init.Normal(m.conv, 0.01);
    }

    public override Tensor forward(Tensor[] features)
    {
        var x = features[^1];
        var sum = aspp_modules[0].forward(x);
        for (var i = 1; i < aspp_modules.Count; i++)
        {
            using var y = aspp_modules[i].forward(x);
            sum.PlusInPlace(y);
        }
        return sum;
    }
}
