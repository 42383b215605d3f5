using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Backbones;

/// ResNeSt's split-attention conv (mmseg `resnest.py` SplitAttentionConv2d): a (groups·radix)-grouped
/// 3×3 conv to channels·radix → bn0 → ReLU; the radix splits are summed, globally average-pooled and
/// sent through fc1 (1×1, with bias) → bn1 → ReLU → fc2 (1×1, with bias); a softmax over the radix
/// (rSoftmax) weighs the splits, whose weighted sum is the output (channels).
public sealed class SplitAttentionConv2d : nn.Module<Tensor, Tensor>
{
    public readonly Conv2d conv;
    public readonly HeldBatchNorm2d bn0;
    public readonly Conv2d fc1;
    public readonly HeldBatchNorm2d bn1;
    public readonly Conv2d fc2;
    readonly long radix, groups, channels;

    public SplitAttentionConv2d(long inChannels, long channels, long stride, long dilation, long groups, long radix, long reductionFactor)
        : base(nameof(SplitAttentionConv2d))
    {
        this.radix = radix;
        this.groups = groups;
        this.channels = channels;
        var inter = Math.Max(inChannels * radix / reductionFactor, 32);
        conv = nn.Conv2d(inChannels, channels * radix, 3, stride: stride, padding: dilation, dilation: dilation, groups: groups * radix, bias: false);
        bn0 = new HeldBatchNorm2d(channels * radix);
        fc1 = nn.Conv2d(channels, inter, 1, groups: groups);
        bn1 = new HeldBatchNorm2d(inter);
        fc2 = nn.Conv2d(inter, channels * radix, 1, groups: groups);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var c = conv.forward(input);
        using var x = bn0.forward(c).relu_();
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        using var splits = x.view(b, radix, channels, h, w);
        using var gap = splits.sum(1);
        using var pooled = nn.functional.adaptive_avg_pool2d(gap, 1);
        using var f1 = fc1.forward(pooled);
        using var a1 = bn1.forward(f1).relu_();
        using var logits = fc2.forward(a1);
        // rSoftmax: (B, groups, radix, C/groups) → softmax over the radix; for radix 1 a sigmoid.
        using var attention = RSoftmax(logits, b);
        using var weights = attention.view(b, radix, channels, 1, 1);
        using var weighted = weights * splits;
        return weighted.sum(1);
    }

    Tensor RSoftmax(Tensor logits, long b)
    {
        if (radix == 1) return logits.sigmoid().view(b, -1);
        using var grouped = logits.view(b, groups, radix, -1).transpose(1, 2);
        using var soft = grouped.softmax(1);
        return soft.reshape(b, -1);
    }
}
