using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Heads;

/// ISANet (mmseg `isa_head.py` ISAHead) on the last level: `in_conv` 3×3 → interlaced sparse
/// self-attention (`global_relation`, `local_relation`: key/query = two 1×1 ConvModules each, scaled
/// by isa_channels^−0.5, ConvModule `output_project`) → `out_conv` 1×1 on [attended, in_conv output]
/// → Dropout2d → `conv_seg`. `norm` false is the `_nodbn` variant.
public sealed class IsaHead : DecodeHead
{
    public readonly Conv2d conv_seg;
    public readonly Dropout2d? dropout;
    public readonly ConvModule in_conv;
    public readonly SelfAttentionBlock global_relation;
    public readonly SelfAttentionBlock local_relation;
    public readonly ConvModule out_conv;
    readonly (int, int) downFactor;

    public override int NumClasses { get; }

    public IsaHead(long inChannels, long channels, long isaChannels, int numClasses, bool norm, (int H, int W) downFactor,
                   double dropoutRatio = 0.1) : base(nameof(IsaHead))
    {
        NumClasses = numClasses;
        this.downFactor = downFactor;
        conv_seg = nn.Conv2d(channels, numClasses, 1);
        dropout = dropoutRatio > 0 ? nn.Dropout2d(dropoutRatio) : null;
        in_conv = new ConvModule(inChannels, channels, 3, padding: 1, norm: norm);
        global_relation = new SelfAttentionBlock(channels, isaChannels, convCount: 2, norm, scaled: true, outputProject: true);
        local_relation = new SelfAttentionBlock(channels, isaChannels, convCount: 2, norm, scaled: true, outputProject: true);
        out_conv = new ConvModule(channels * 2, channels, 1, norm: norm);
        RegisterComponents();
        Init.Normal(conv_seg, 0.01);
    }

    public override Tensor forward(Tensor[] features)
    {
        using var x = in_conv.forward(features[^1]);
        using var attended = InterlacedAttention.Apply(x, global_relation, local_relation, downFactor);
        using var cat = torch.cat([attended, x], 1);
        using var y = out_conv.forward(cat);
        return DaformerHead.Classify(y, dropout, conv_seg);
    }
}
