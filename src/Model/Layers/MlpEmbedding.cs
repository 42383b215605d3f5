using DaFormer.Model.LowPrecision;
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
    /// `nchwConsumer`: the caller reads the result as an NCHW map (the separable ASPP's depthwise
    /// convolutions); then, in low-precision CPU inference with MLP embeddings only, the result is built
    /// NCHW-contiguous by <see cref="AlignEmbedConcatNchw"/>. Otherwise it is channels-last (the
    /// consumers that prefer that: SegFormer's 1×1 fusion, the dense ASPP's 3×3 convolutions — bf16
    /// inference of MiT-b0 with those heads took 156 → 174 ms and 744 → 1146 ms with NCHW input).
    public static Tensor EmbedAlignConcat(IReadOnlyList<nn.Module<Tensor, Tensor>> embeddings, Tensor[] features, bool nchwConsumer = false)
    {
        if (nchwConsumer && InferenceConv.IsLowPrecisionInference(features[0])
            && embeddings.All(e => e is MlpEmbedding m && m.proj.weight!.dtype == features[0].dtype))
            return AlignEmbedConcatNchw(embeddings.Cast<MlpEmbedding>().ToList(), features);
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

    /// `EmbedAlignConcat` for low-precision (bf16/fp16) CPU inference, NCHW-contiguous: each level is
    /// first resized (at its own width C_i, channels-last), then embedded as (C_out, C_i) × (C_i, H·W)
    /// — the product with the pixels as columns IS the NCHW map — and written into its channel slice
    /// of the result. The embedding is a per-pixel affine map and bilinear interpolation a per-channel
    /// convex combination (weights summing to 1), so in exact arithmetic the two commute; only the
    /// rounding points move (the resized features are rounded to bf16 instead of the resized
    /// embeddings). Why: the ASPP's dilated depthwise convolutions read NCHW, and the channels-last
    /// concatenation took a 22 ms copy to NCHW at 1×1024×128×256 bf16 (two threads, 2026-12-01);
    /// levels 2–3 are also resized at 64 and 160 channels instead of 256. Float32 keeps the original
    /// order (embed, resize, concatenate) and its bits.
    static Tensor AlignEmbedConcatNchw(IReadOnlyList<MlpEmbedding> embeddings, Tensor[] features)
    {
        long b = features[0].shape[0], h = features[0].shape[2], w = features[0].shape[3];
        var outChannels = embeddings.Select(e => e.proj.weight!.shape[0]).ToArray();
        var result = empty([b, outChannels.Sum(), h, w], dtype: features[0].dtype, device: features[0].device);
        long offset = 0;
        for (var i = 0; i < embeddings.Count; i++)
        {
            var proj = embeddings[i].proj;
            var f = features[i];
            using var aligned = f.shape[2] != h || f.shape[3] != w ? Resize.Bilinear(f, h, w) : f.alias();
            using var nhwc = aligned.permute(0, 2, 3, 1);
            using var bias = proj.bias!.unsqueeze(1);
            for (var j = 0; j < b; j++)
            {
                using var pixels = nhwc[j].reshape(h * w, f.shape[1]);   // a view for channels-last features
                using var columns = pixels.t();
                using var embedded = torch.addmm(bias, proj.weight!, columns, 1, 1);
                using var target = result[j].narrow(0, offset, outChannels[i]);
                using var flat = target.view(outChannels[i], h * w);
                flat.copy_(embedded);
            }
            offset += outChannels[i];
        }
        return result;
    }
}
