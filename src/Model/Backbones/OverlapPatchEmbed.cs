using DaFormer.Model.LowPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Backbones;

/// Overlapping patch embedding: Conv2d(k, stride s, padding k/2) → tokens (B, H·W, C) in row-major
/// order → LayerNorm (PyTorch default eps 1e-5, spec §3.1).
public sealed class OverlapPatchEmbed : nn.Module
{
    public readonly Conv2d proj;
    public readonly LayerNorm norm;

    public OverlapPatchEmbed(long inChannels, long embedDim, long kernel, long stride) : base(nameof(OverlapPatchEmbed))
    {
        proj = nn.Conv2d(inChannels, embedDim, kernel, stride: stride, padding: kernel / 2);
        norm = nn.LayerNorm(embedDim, eps: 1e-5);
        RegisterComponents();
    }

    /// Returns the normalised tokens and the token grid size.
    public (Tensor Tokens, long H, long W) Forward(Tensor x)
    {
        using var map = Autocast.Conv2d(proj, x);
        long h = map.shape[2], w = map.shape[3];
        // With a channels-last input the conv output is channels-last and these tokens are contiguous.
        using var tokens = map.flatten(2).transpose(1, 2);
        return (Autocast.LayerNorm(norm, tokens), h, w);
    }
}
