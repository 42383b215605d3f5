using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Heads;

/// A decode head maps the encoder's feature maps to class logits at the resolution of level 0
/// (1/4 of the input for MiT, 1/8 for ResNet-V1c).
public abstract class DecodeHead(string name) : nn.Module<Tensor[], Tensor>(name)
{
    public abstract int NumClasses { get; }
}
