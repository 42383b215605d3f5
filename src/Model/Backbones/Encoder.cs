using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Backbones;

/// An encoder maps an image batch (B,3,H,W) to its multi-level feature maps (NCHW, possibly with
/// channels-last strides). `OutChannels[i]` is the channel count of level i.
public abstract class Encoder(string name) : nn.Module<Tensor, Tensor[]>(name)
{
    public abstract IReadOnlyList<int> OutChannels { get; }
}
