using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Layers;

/// mmcv `Scale`: multiplies by one learnable scalar `scale` (a 0-dim parameter, as in the state dict).
public sealed class Scale : nn.Module<Tensor, Tensor>
{
    public readonly TorchSharp.Modules.Parameter scale;

    public Scale(float initial) : base(nameof(Scale))
    {
        scale = new TorchSharp.Modules.Parameter(tensor(initial));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x * scale;
}
