using DaFormer.Model;
using Safetensors = DaFormer.Model.Checkpoints.Safetensors;
using DaFormer.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Network;

/// The parity fixture's network: MiT-b0 + DAFormer sep-ASPP head with 64 channels, loaded from
/// `weights.pth` (a plain torch.save'd state dict), and the fixture tensors.
public static class ParityFixture
{
    public static readonly SegmentorSpec Spec = new(Encoder: "mit_b0", Head: "daformer_sepaspp", Channels: 64);

    public static Segmentor LoadModel()
    {
        var model = Architectures.Build(Spec);
        model.load_py(Path.Combine(Paths.ParityDir, "weights.pth"), strict: true);
        // PyBridge's load_py copies the pickled tensors' requires_grad=False onto the parameters.
        foreach (var p in model.parameters()) p.requires_grad = true;
        model.eval();
        return model;
    }

    public static Dictionary<string, Tensor> Io() => Safetensors.Load(Path.Combine(Paths.ParityDir, "io.safetensors"));
    public static Dictionary<string, Tensor> Grads() => Safetensors.Load(Path.Combine(Paths.ParityDir, "grads.safetensors"));
}
