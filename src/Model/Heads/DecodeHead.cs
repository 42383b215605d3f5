using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Heads;

/// A decode head maps the encoder's feature maps to class logits at the resolution of level 0
/// (1/4 of the input for MiT, 1/8 for ResNet-V1c).
public abstract class DecodeHead(string name) : nn.Module<Tensor[], Tensor>(name)
{
    public abstract int NumClasses { get; }

    /// The logits the training loss is computed on, each with the prefix of its log keys (mmseg
    /// `forward_train` → `losses`): one `decode` output for most heads; DANet adds its two auxiliary
    /// classifiers (`decode.pam_cam`, `decode.pam`, `decode.cam`). The first entry is the inference output.
    public virtual IReadOnlyList<(string Name, Tensor Logits)> ForwardTrain(Tensor[] features) => [("decode", forward(features))];
}
