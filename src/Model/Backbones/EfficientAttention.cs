using DaFormer.Model.LowPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DaFormer.Model.Layers;

namespace DaFormer.Model.Backbones;

/// MiT efficient self-attention (spec §3.1): queries from all tokens, keys/values from tokens
/// spatially reduced by a strided conv `sr` (ratio r > 1) + LayerNorm `norm` (eps 1e-5).
/// softmax(q·kᵀ·d^-0.5)·v is computed by libtorch's fused scaled-dot-product attention (its default
/// scale is d^-0.5), which never materialises the N×N' attention matrix.
public sealed class EfficientAttention : nn.Module
{
    public readonly Linear q;
    public readonly Linear kv;
    public readonly Linear proj;
    public readonly Conv2d? sr;
    public readonly LayerNorm? norm;
    readonly long numHeads;

    public EfficientAttention(long dim, long numHeads, long srRatio) : base(nameof(EfficientAttention))
    {
        if (dim % numHeads != 0) throw new ArgumentException($"dim {dim} must be divisible by heads {numHeads}.");
        this.numHeads = numHeads;
        q = nn.Linear(dim, dim);
        kv = nn.Linear(dim, 2 * dim);
        proj = nn.Linear(dim, dim);
        if (srRatio > 1)
        {
            sr = nn.Conv2d(dim, dim, srRatio, stride: srRatio);
            norm = nn.LayerNorm(dim, eps: 1e-5);
        }
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, long h, long w)
    {
        long b = x.shape[0], n = x.shape[1], c = x.shape[2], d = c / numHeads;
        using var qLin = FastLinear.Apply(q, x);
        using var qh = qLin.view(b, n, numHeads, d).permute(0, 2, 1, 3);
        using var reduced = sr is null ? null : Reduce(x, h, w);
        using var kvLin = FastLinear.Apply(kv, reduced ?? x);
        // (B, N', 2, heads, d): first C output rows are K, next C are V, each head-major.
        using var kv5 = kvLin.view(b, -1, 2, numHeads, d).permute(2, 0, 3, 1, 4);
        using var k = kv5[0];
        using var v = kv5[1];
        using var o = nn.functional.scaled_dot_product_attention(qh, k, v);
        using var merged = o.transpose(1, 2).reshape(b, n, c);
        return FastLinear.Apply(proj, merged);
    }

    Tensor Reduce(Tensor x, long h, long w)
    {
        long b = x.shape[0], c = x.shape[2];
        using var map = x.view(b, h, w, c).permute(0, 3, 1, 2); // channels-last view, no copy (see MixFfn.DwConv)
        using var red = Autocast.Conv2d(sr!, map);
        using var tokens = red.flatten(2).transpose(1, 2);
        return Autocast.LayerNorm(norm!, tokens);
    }
}
