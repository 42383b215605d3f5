using DaFormer.Model.Runtime;
using DaFormer.Model.LowPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Backbones;

/// Pre-norm transformer block (spec §3.1):
/// x = x + DropPath(Attn(LN1(x))); x = x + DropPath(MixFFN(LN2(x))), block LayerNorms with eps 1e-6.
public sealed class MitBlock : nn.Module
{
    public readonly LayerNorm norm1;
    public readonly EfficientAttention attn;
    public readonly DropPath drop_path;
    public readonly LayerNorm norm2;
    public readonly MixFfn mlp;

    public MitBlock(long dim, long numHeads, long srRatio, double dropPath) : base(nameof(MitBlock))
    {
        norm1 = nn.LayerNorm(dim, eps: 1e-6);
        attn = new EfficientAttention(dim, numHeads, srRatio);
        drop_path = new DropPath(dropPath);
        norm2 = nn.LayerNorm(dim, eps: 1e-6);
        mlp = new MixFfn(dim, dim * MitVariant.MlpRatio);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, long h, long w)
    {
        using var n1 = Autocast.LayerNorm(norm1, x);
        using var a = attn.Forward(n1, h, w);
        using var ad = drop_path.forward(a);
        using var x1 = x.Plus(ad);
        using var n2 = Autocast.LayerNorm(norm2, x1);
        using var m = mlp.Forward(n2, h, w);
        using var md = drop_path.forward(m);
        return x1.Plus(md);
    }
}
