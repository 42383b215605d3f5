using DaFormer.Model.LowPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Backbones;

/// MiT encoder (SegFormer's MixVisionTransformer, spec §3.1): per stage an overlapping patch
/// embedding, `depths[s]` transformer blocks and a stage LayerNorm (eps 1e-6); returns the four
/// stage maps. Field names give the original state-dict keys (`patch_embed1.proj.weight`,
/// `block1.0.attn.q.weight`, `norm1.weight`, …; spec §3.5).
///
/// Layout: the stage maps are (B, C, H, W) tensors with channels-last strides — views of the
/// normalised tokens, as the original's `reshape(B,H,W,C).permute(0,3,1,2)` before its
/// `.contiguous()` copy, which is left out: every consumer (next patch embedding, decoder MLPs)
/// reads channels-last data without copying.
public sealed class MixTransformer : Encoder
{
    public readonly OverlapPatchEmbed patch_embed1, patch_embed2, patch_embed3, patch_embed4;
    public readonly ModuleList<MitBlock> block1;
    public readonly LayerNorm norm1;
    public readonly ModuleList<MitBlock> block2;
    public readonly LayerNorm norm2;
    public readonly ModuleList<MitBlock> block3;
    public readonly LayerNorm norm3;
    public readonly ModuleList<MitBlock> block4;
    public readonly LayerNorm norm4;

    readonly OverlapPatchEmbed[] embeds;
    readonly ModuleList<MitBlock>[] blocks;
    readonly LayerNorm[] norms;

    public MitVariant Variant { get; }
    public override IReadOnlyList<int> OutChannels => Variant.EmbedDims;

    public MixTransformer(MitVariant variant, double dropPathRate = 0.1) : base(nameof(MixTransformer))
    {
        Variant = variant;
        var dims = variant.EmbedDims;
        OverlapPatchEmbed Embed(int s) => new(s == 0 ? 3 : dims[s - 1], dims[s], MitVariant.PatchKernels[s], MitVariant.PatchStrides[s]);
        patch_embed1 = Embed(0); patch_embed2 = Embed(1); patch_embed3 = Embed(2); patch_embed4 = Embed(3);

        var dpr = variant.DropPathRates(dropPathRate);
        var offset = 0;
        ModuleList<MitBlock> Stage(int s)
        {
            var list = new ModuleList<MitBlock>();
            for (var j = 0; j < variant.Depths[s]; j++)
                list.Add(new MitBlock(dims[s], variant.NumHeads[s], MitVariant.SrRatios[s], dpr[offset + j]));
            offset += variant.Depths[s];
            return list;
        }
        block1 = Stage(0); norm1 = nn.LayerNorm(dims[0], eps: 1e-6);
        block2 = Stage(1); norm2 = nn.LayerNorm(dims[1], eps: 1e-6);
        block3 = Stage(2); norm3 = nn.LayerNorm(dims[2], eps: 1e-6);
        block4 = Stage(3); norm4 = nn.LayerNorm(dims[3], eps: 1e-6);

        embeds = [patch_embed1, patch_embed2, patch_embed3, patch_embed4];
        blocks = [block1, block2, block3, block4];
        norms = [norm1, norm2, norm3, norm4];
        RegisterComponents();
        InitWeights();
    }

    /// The MiT `_init_weights` (spec §3.1): Linear trunc-normal(0.02) / bias 0; LayerNorm 1 / 0;
    /// Conv normal(0, sqrt(2 / fan_out)), fan_out = k·k·out/groups, bias 0.
    void InitWeights()
    {
        using var _ = no_grad();
        foreach (var m in modules())
        {
            switch (m)
            {
                case Linear l:
                    Layers.Init.TruncNormal(l.weight, std: 0.02);
                    if (l.bias is not null) nn.init.zeros_(l.bias);
                    break;
                case LayerNorm ln:
                    nn.init.ones_(ln.weight);
                    nn.init.zeros_(ln.bias);
                    break;
                case Conv2d c:
                    var w = c.weight!;
                    var fanOut = w.shape[2] * w.shape[3] * w.shape[0] / c.groups;
                    nn.init.normal_(w, 0, Math.Sqrt(2.0 / fanOut));
                    if (c.bias is not null) nn.init.zeros_(c.bias);
                    break;
            }
        }
    }

    public override Tensor[] forward(Tensor x)
    {
        var outs = new Tensor[4];
        // A channels-last input makes the first conv write channels-last output, so its tokens are
        // contiguous (saves a copy of the largest token tensor).
        Tensor current;
        using (var nhwc = x.permute(0, 2, 3, 1)) using (var packed = nhwc.contiguous()) current = packed.permute(0, 3, 1, 2);
        for (var s = 0; s < 4; s++)
        {
            var (tokens, h, w) = embeds[s].Forward(current);
            if (s == 0) current.Dispose();
            foreach (var block in blocks[s])
            {
                var next = block.Forward(tokens, h, w);
                tokens.Dispose();
                tokens = next;
            }
            using var normed = Autocast.LayerNorm(norms[s], tokens);
            tokens.Dispose();
            outs[s] = normed.view(x.shape[0], h, w, -1).permute(0, 3, 1, 2);
            current = outs[s];
        }
        return outs;
    }
}
