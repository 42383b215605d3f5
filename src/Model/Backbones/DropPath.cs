using DaFormer.Model.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Backbones;

/// Stochastic depth per sample, as timm 0.3.2 computes it: mask = floor(keep + U[0,1)) of shape
/// (B,1,…), output x / keep · mask; identity when p = 0 or not training (spec §3.1).
/// Draws from the global torch generator (seed it with torch.manual_seed for reproducibility).
public sealed class DropPath(double probability) : nn.Module<Tensor, Tensor>(nameof(DropPath))
{
    public double Probability { get; } = probability;

    public override Tensor forward(Tensor x)
    {
        if (Probability == 0.0 || !training) return x;
        var keep = 1.0 - Probability;
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = x.shape[0];
        // Held across the calls (HeldScalars says why).
        using var keepScalar = keep.ToScalar();
        using var u = rand(shape, dtype: x.dtype, device: x.device);
        using var mask = u.add_(keepScalar, HeldScalars.One).floor_();
        using var scaled = x.div(keepScalar);
        return scaled.mul(mask);
    }
}
