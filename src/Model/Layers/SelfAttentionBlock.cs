using DaFormer.Model.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Layers;

/// mmseg `_SelfAttentionBlock` (`utils/self_attention_block.py`) with separate key and query
/// projections, no downsampling and no `out_project`, as DANet's PAM and ISANet use it: on one map x
/// (B, C, h, w), Q = query_project(x), K = key_project(x), V = value_project(x) (plain 1×1 conv C → C),
/// S = softmax_lastdim(Q·K) (times channels^−0.5 when `scaled`), context = S·V → (B, C, h, w), then the
/// optional `output_project` (ISA's ConvModule). The key/query projections are a plain 1×1 conv with
/// bias (`convCount` 0: PAM) or 1…n ConvModules (ISA: two in ISAHead, a single one — not wrapped in a
/// Sequential — in DAFormer's ISA fusion).
public sealed class SelfAttentionBlock : nn.Module<Tensor, Tensor>
{
    public readonly nn.Module<Tensor, Tensor> key_project;
    public readonly nn.Module<Tensor, Tensor> query_project;
    public readonly Conv2d value_project;
    public readonly ConvModule? output_project;
    readonly double? scale;

    /// `convCount` 0: plain Conv2d projections (PAM); otherwise that many ConvModules with `norm`.
    public SelfAttentionBlock(long inChannels, long channels, int convCount, bool norm, bool scaled, bool outputProject)
        : base(nameof(SelfAttentionBlock))
    {
        key_project = Project(inChannels, channels, convCount, norm);
        query_project = Project(inChannels, channels, convCount, norm);
        value_project = nn.Conv2d(inChannels, inChannels, 1);
        output_project = outputProject ? new ConvModule(inChannels, inChannels, 1, norm: norm) : null;
        scale = scaled ? Math.Pow(channels, -0.5) : null;
        RegisterComponents();
    }

    static nn.Module<Tensor, Tensor> Project(long inChannels, long channels, int convCount, bool norm)
    {
        if (convCount == 0) return nn.Conv2d(inChannels, channels, 1);
        if (convCount == 1) return new ConvModule(inChannels, channels, 1, norm: norm);
        var convs = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (var i = 0; i < convCount; i++) convs.Add((i.ToString(), new ConvModule(i == 0 ? inChannels : channels, channels, 1, norm: norm)));
        return nn.Sequential(convs);
    }

    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        using var q = query_project.forward(x);
        using var k = key_project.forward(x);
        using var v = value_project.forward(x);
        using var qFlat = q.reshape(b, q.shape[1], -1).permute(0, 2, 1);   // (B, N, K)
        using var kFlat = k.reshape(b, k.shape[1], -1);                     // (B, K, N)
        using var vFlat = v.reshape(b, v.shape[1], -1).permute(0, 2, 1);   // (B, N, C)
        using var sim = qFlat.matmul(kFlat);
        if (scale is { } s) sim.TimesInPlace(s);
        using var attention = sim.softmax(-1);
        using var context = attention.matmul(vFlat);                        // (B, N, C)
        using var map = context.permute(0, 2, 1).reshape(b, -1, h, w);
        return output_project is null ? map.contiguous() : output_project.forward(map);
    }
}
