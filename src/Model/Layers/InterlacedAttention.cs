using static TorchSharp.torch;

namespace DaFormer.Model.Layers;

/// The interlaced sparse self-attention of ISANet (mmseg `isa_head.py` ISAHead.forward, also DAFormer's
/// `ISALayer`): zero-pad x (B, C, h, w) to multiples of the down factor (Lh, Lw) — the extra row/column
/// at the bottom/right —, attend among pixels Lh/Lw apart (`global_relation`, Lh·Lw groups of
/// Gh×Gw pixels), then within each contiguous Lh×Lw cell (`local_relation`), put every pixel back and
/// crop the padding. Padded pixels take part in both attentions, as in the original.
public static class InterlacedAttention
{
    public static Tensor Apply(Tensor x, SelfAttentionBlock globalRelation, SelfAttentionBlock localRelation, (int H, int W) downFactor)
    {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        long lh = downFactor.H, lw = downFactor.W;
        long gh = (h + lh - 1) / lh, gw = (w + lw - 1) / lw;
        long padH = gh * lh - h, padW = gw * lw - w;
        using var padded = padH > 0 || padW > 0
            ? nn.functional.pad(x, [padW / 2, padW - padW / 2, padH / 2, padH - padH / 2])
            : x.alias();
        using var globalGroups = padded.view(n, c, gh, lh, gw, lw).permute(0, 3, 5, 1, 2, 4).reshape(-1, c, gh, gw);
        using var g = globalRelation.forward(globalGroups);
        using var localGroups = g.reshape(n, lh, lw, c, gh, gw).permute(0, 4, 5, 3, 1, 2).reshape(-1, c, lh, lw);
        using var l = localRelation.forward(localGroups);
        using var back = l.reshape(n, gh, gw, c, lh, lw).permute(0, 3, 1, 4, 2, 5).reshape(n, c, gh * lh, gw * lw);
        if (padH == 0 && padW == 0) return back.alias();
        return back[.., .., (int)(padH / 2)..(int)(padH / 2 + h), (int)(padW / 2)..(int)(padW / 2 + w)];
    }
}
