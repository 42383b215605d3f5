using DaFormer.Model.Runtime;
using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Heads;

/// UPerNet (mmseg `uper_head.py` UPerHead) as the decoder study runs it on MiT: a pyramid pooling
/// module on the last level (`psp_modules.{i}` = adaptive average pool to s×s → 1×1 ConvModule →
/// resized back, for s = 1, 2, 3, 6; concatenated with the level → `bottleneck` 3×3), 1×1
/// `lateral_convs` on the other levels, a top-down sum (each level plus the resized coarser one),
/// 3×3 `fpn_convs` on levels 0–2, all levels resized to level 0 and concatenated → `fpn_bottleneck` 3×3
/// → Dropout2d → `conv_seg`. The original adds the top-down path in place on a ReLU output, which
/// autograd refuses to differentiate in current PyTorch; the sum here is out of place (same values).
public sealed class UperHead : DecodeHead
{
    public static readonly int[] PoolScales = [1, 2, 3, 6];

    public readonly Conv2d conv_seg;
    public readonly Dropout2d? dropout;
    public readonly ModuleList<Sequential> psp_modules;
    public readonly ConvModule bottleneck;
    public readonly ModuleList<ConvModule> lateral_convs;
    public readonly ModuleList<ConvModule> fpn_convs;
    public readonly ConvModule fpn_bottleneck;

    public override int NumClasses { get; }

    public UperHead(IReadOnlyList<int> inChannels, long channels, int numClasses, double dropoutRatio = 0.1) : base(nameof(UperHead))
    {
        NumClasses = numClasses;
        conv_seg = nn.Conv2d(channels, numClasses, 1);
        dropout = dropoutRatio > 0 ? nn.Dropout2d(dropoutRatio) : null;
        var top = inChannels[^1];
        psp_modules = new ModuleList<Sequential>(PoolScales
            .Select(s => nn.Sequential(("0", nn.AdaptiveAvgPool2d(s)), ("1", new ConvModule(top, channels, 1)))).ToArray());
        bottleneck = new ConvModule(top + PoolScales.Length * channels, channels, 3, padding: 1);
        lateral_convs = new ModuleList<ConvModule>(inChannels.Take(inChannels.Count - 1).Select(c => new ConvModule(c, channels, 1)).ToArray());
        fpn_convs = new ModuleList<ConvModule>(inChannels.Take(inChannels.Count - 1).Select(_ => new ConvModule(channels, channels, 3, padding: 1)).ToArray());
        fpn_bottleneck = new ConvModule(inChannels.Count * channels, channels, 3, padding: 1);
        RegisterComponents();
        Init.Normal(conv_seg, 0.01);
    }

    Tensor PspForward(Tensor x)
    {
        long h = x.shape[2], w = x.shape[3];
        var outs = new List<Tensor> { x.alias() };
        try
        {
            foreach (var m in psp_modules)
                using (var pooled = m.forward(x)) outs.Add(Resize.Bilinear(pooled, h, w));
            using var cat = torch.cat(outs, 1);
            return bottleneck.forward(cat);
        }
        finally { foreach (var o in outs) o.Dispose(); }
    }

    public override Tensor forward(Tensor[] features)
    {
        var levels = features.Length;
        var laterals = new Tensor[levels];
        var fpn = new Tensor[levels];
        try
        {
            for (var i = 0; i < levels - 1; i++) laterals[i] = lateral_convs[i].forward(features[i]);
            laterals[levels - 1] = PspForward(features[levels - 1]);
            for (var i = levels - 1; i > 0; i--)
            {
                using var up = Resize.Bilinear(laterals[i], laterals[i - 1].shape[2], laterals[i - 1].shape[3]);
                var sum = laterals[i - 1].Plus(up);
                laterals[i - 1].Dispose();
                laterals[i - 1] = sum;
            }
            long h = laterals[0].shape[2], w = laterals[0].shape[3];
            for (var i = 0; i < levels - 1; i++) fpn[i] = fpn_convs[i].forward(laterals[i]);
            fpn[levels - 1] = laterals[levels - 1].alias();
            for (var i = 1; i < levels; i++)
            {
                if (fpn[i].shape[2] == h && fpn[i].shape[3] == w) continue;
                var resized = Resize.Bilinear(fpn[i], h, w);
                fpn[i].Dispose();
                fpn[i] = resized;
            }
            using var cat = torch.cat(fpn, 1);
            using var fused = fpn_bottleneck.forward(cat);
            return DaformerHead.Classify(fused, dropout, conv_seg);
        }
        finally
        {
            foreach (var t in laterals) t?.Dispose();
            foreach (var t in fpn) t?.Dispose();
        }
    }
}
