using DaFormer.Model.LowPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using DaFormer.Model.Layers;

namespace DaFormer.Model.Backbones;

/// Mix-FFN (spec §3.1): `fc1` C→4C → depthwise 3×3 conv on the token grid (`dwconv.dwconv`) →
/// exact (erf) GELU → `fc2` 4C→C. Dropout rates are 0 in every configuration, so none is applied.
public sealed class MixFfn : nn.Module
{
    public readonly Linear fc1;
    public readonly DwConv dwconv;
    public readonly Linear fc2;

    public MixFfn(long dim, long hidden) : base(nameof(MixFfn))
    {
        fc1 = nn.Linear(dim, hidden);
        dwconv = new DwConv(hidden);
        fc2 = nn.Linear(hidden, dim);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, long h, long w)
    {
        using var hidden = FastLinear.Apply(fc1, x);
        using var mixed = dwconv.Forward(hidden, h, w);
        using var act = nn.functional.gelu(mixed);
        return FastLinear.Apply(fc2, act);
    }

    /// The original wraps the depthwise conv in a `DWConv` module, hence the key `mlp.dwconv.dwconv.*`.
    public sealed class DwConv : nn.Module
    {
        public readonly Conv2d dwconv;

        public DwConv(long dim) : base(nameof(DwConv))
        {
            dwconv = nn.Conv2d(dim, dim, 3, stride: 1, padding: 1, groups: dim);
            RegisterComponents();
        }

        public Tensor Forward(Tensor tokens, long h, long w)
        {
            long b = tokens.shape[0], c = tokens.shape[2];
            // Channels-last view, no copy. Built as view-then-permute: `transpose(1, 2).view(b, c, h, w)`
            // gives a batch of ONE the N stride C instead of C·H·W, and libtorch's layout guess
            // (suggest_memory_format) then takes the map for NCHW, so the convolution reads it strided
            // and writes NCHW, and fc2 copies the tokens back (bf16 MiT-b0, 2026-12-01: depthwise conv
            // + fc2 of the two stage-1 blocks took 22 ms on one 1024×512 image, 2.4 ms on 2×512²).
            using var map = tokens.view(b, h, w, c).permute(0, 3, 1, 2);
            using var y = Autocast.Conv2d(dwconv, map);
            return y.flatten(2).transpose(1, 2);
        }
    }
}
