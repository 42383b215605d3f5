using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Heads;

/// DeepLabV3+ (mmseg `sep_aspp_head.py` DepthwiseSeparableASPPHead). On the last level x:
/// `image_pool` (global average pool → 1×1 ConvModule → resized back to x's size), `aspp_modules`
/// (dilation 1: 1×1 ConvModule; others: depthwise-separable 3×3 with that dilation), concatenated
/// [pool, branches…] → `bottleneck` 3×3. Then the low-level skip: `c1_bottleneck` 1×1 on level 0 (the
/// raw first map), the ASPP output resized to its size and concatenated [aspp, c1] → `sep_bottleneck`
/// (two depthwise-separable 3×3) → Dropout2d → `conv_seg`. Logits at level 0's resolution.
/// `norm` false is the `_nodbn` variant: every conv with a bias and ReLU, no BN.
public sealed class DepthwiseSeparableAsppHead : DecodeHead
{
    public static readonly int[] Dilations = [1, 12, 24, 36];

    public readonly Conv2d conv_seg;
    public readonly Dropout2d? dropout;
    public readonly Sequential image_pool;
    public readonly ModuleList<nn.Module<Tensor, Tensor>> aspp_modules;
    public readonly ConvModule bottleneck;
    public readonly ConvModule c1_bottleneck;
    public readonly Sequential sep_bottleneck;

    public override int NumClasses { get; }

    public DepthwiseSeparableAsppHead(long inChannels, long c1InChannels, long channels, long c1Channels, int numClasses,
                                      IReadOnlyList<int> dilations, bool norm, double dropoutRatio = 0.1)
        : base(nameof(DepthwiseSeparableAsppHead))
    {
        NumClasses = numClasses;
        conv_seg = nn.Conv2d(channels, numClasses, 1);
        dropout = dropoutRatio > 0 ? nn.Dropout2d(dropoutRatio) : null;
        image_pool = nn.Sequential(("0", nn.AdaptiveAvgPool2d(1)), ("1", new ConvModule(inChannels, channels, 1, norm: norm)));
        aspp_modules = new ModuleList<nn.Module<Tensor, Tensor>>(dilations.Select(d => d == 1
            ? (nn.Module<Tensor, Tensor>)new ConvModule(inChannels, channels, 1, norm: norm)
            : new DepthwiseSeparableConvModule(inChannels, channels, 3, padding: d, dilation: d, norm: norm)).ToArray());
        bottleneck = new ConvModule((dilations.Count + 1) * channels, channels, 3, padding: 1, norm: norm);
        c1_bottleneck = new ConvModule(c1InChannels, c1Channels, 1, norm: norm);
        sep_bottleneck = nn.Sequential(
            ("0", new DepthwiseSeparableConvModule(channels + c1Channels, channels, 3, padding: 1, dilation: 1, norm: norm)),
            ("1", new DepthwiseSeparableConvModule(channels, channels, 3, padding: 1, dilation: 1, norm: norm)));
        RegisterComponents();
        Init.Normal(conv_seg, 0.01);
    }

    public override Tensor forward(Tensor[] features)
    {
        var x = features[^1];
        long h = x.shape[2], w = x.shape[3];
        var outs = new List<Tensor>();
        try
        {
            using (var pooled = image_pool.forward(x)) outs.Add(Resize.Bilinear(pooled, h, w));
            foreach (var branch in aspp_modules) outs.Add(branch.forward(x));
            using var cat = torch.cat(outs, 1);
            using var aspp = bottleneck.forward(cat);
            using var c1 = c1_bottleneck.forward(features[0]);
            using var up = Resize.Bilinear(aspp, c1.shape[2], c1.shape[3]);
            using var joined = torch.cat([up, c1], 1);
            using var fused = sep_bottleneck.forward(joined);
            return DaformerHead.Classify(fused, dropout, conv_seg);
        }
        finally { foreach (var o in outs) o.Dispose(); }
    }
}
