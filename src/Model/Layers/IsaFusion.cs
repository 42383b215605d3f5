using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Layers;

/// The `isa` fusion of the DAFormer head's decoder study (DAFormer `ISALayer`): `in_conv` 1×1
/// ConvModule (BN, ReLU) on the concatenated embeddings, then the interlaced sparse self-attention of
/// ISANet with one ConvModule as key and as query projection, scaled by isa_channels^−0.5 and a
/// ConvModule `output_project`. No residual concatenation and no `out_conv`: the cropped map is the output.
public sealed class IsaFusion : nn.Module<Tensor, Tensor>
{
    public readonly ConvModule in_conv;
    public readonly SelfAttentionBlock global_relation;
    public readonly SelfAttentionBlock local_relation;
    readonly (int, int) downFactor;

    public IsaFusion(long inChannels, long channels, long isaChannels, (int H, int W) downFactor) : base("ISALayer")
    {
        this.downFactor = downFactor;
        in_conv = new ConvModule(inChannels, channels, 1);
        global_relation = new SelfAttentionBlock(channels, isaChannels, convCount: 1, norm: true, scaled: true, outputProject: true);
        local_relation = new SelfAttentionBlock(channels, isaChannels, convCount: 1, norm: true, scaled: true, outputProject: true);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var y = in_conv.forward(x);
        return InterlacedAttention.Apply(y, global_relation, local_relation, downFactor);
    }
}
