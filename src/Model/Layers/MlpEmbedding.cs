using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Layers;

/// The SegFormer/DAFormer `MLP` embedding: a per-pixel Linear (`proj`) C_in → C_out. The original
/// returns tokens (B, H·W, C_out) and the head permutes them back to (B, C_out, H, W); this module
/// returns that map directly. The map is a channels-last view of the Linear's output, so no copy
/// is made (the original's `.contiguous()` calls only cost time).
public sealed class MlpEmbedding : nn.Module<Tensor, Tensor>
{
    public readonly Linear proj;

    public MlpEmbedding(long inChannels, long outChannels) : base(nameof(MlpEmbedding))
    {
        proj = nn.Linear(inChannels, outChannels); // PyTorch default init, as in the original
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        using var tokens = x.flatten(2).transpose(1, 2);
        using var y = FastLinear.Apply(proj, tokens);
        // view-then-permute, not transpose-then-view: the latter gives a batch of one the N stride C,
        // which libtorch takes for NCHW (see MixFfn.DwConv).
        return y.view(b, h, w, -1).permute(0, 3, 1, 2);
    }

    /// The multi-level embedding of the DAFormer and SegFormer heads (spec §3.2 steps 1–3): embed each
    /// level, resize levels 2–4 bilinearly to the size of level 1, concatenate in level order.
    public static Tensor EmbedAlignConcat(IReadOnlyList<nn.Module<Tensor, Tensor>> embeddings, Tensor[] features)
    {
        long h = features[0].shape[2], w = features[0].shape[3];
        var aligned = new Tensor[embeddings.Count];
        try
        {
            for (var i = 0; i < aligned.Length; i++)
            {
                var e = embeddings[i].forward(features[i]);
                if (e.shape[2] != h || e.shape[3] != w)
                {
                    var resized = Resize.Bilinear(e, h, w);
                    e.Dispose();
                    e = resized;
                }
                aligned[i] = e;
            }
            return torch.cat(aligned, 1);
        }
        finally { foreach (var a in aligned) a?.Dispose(); }
    }
}
