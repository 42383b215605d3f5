using System.Text.Json;
using DaFormer.Model;
using DaFormer.Model.Segmentors;
using DaFormer.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using Safetensors = DaFormer.Model.Checkpoints.Safetensors;

namespace DaFormer.Tests.Model.Segmentors;

/// The HRDA parity fixture (`parity_hrda_mitb0`): MiT-b0 + HRDAHead with 64-channel DAFormer heads,
/// detail crop 48×64 (h×w), test windows 96×128 with stride 48×64, from the original code in eval mode.
public static class HrdaFixture
{
    public static string Dir => Path.Combine(Paths.Fixtures, "parity_hrda_mitb0");

    public static readonly SegmentorSpec Spec = new(Encoder: "mit_b0", Head: "daformer_sepaspp", Channels: 64);
    public static readonly HrdaSpec Hrda = new() { AttentionEmbedDim = 64, DetailCropHeight = 48, DetailCropWidth = 64 };

    public static HrdaSegmentor LoadModel()
    {
        var model = SegmentorFactory.BuildHrda(Spec, Hrda);
        model.load_py(Path.Combine(Dir, "weights.pth"), strict: true);
        // PyBridge's load_py copies the pickled tensors' requires_grad=False onto the parameters.
        foreach (var p in model.parameters()) p.requires_grad = true;
        model.eval();
        return model;
    }

    public static Dictionary<string, Tensor> Io() => Safetensors.Load(Path.Combine(Dir, "io.safetensors"));
    public static Dictionary<string, Tensor> Grads() => Safetensors.Load(Path.Combine(Dir, "grads.safetensors"));
    public static JsonElement Manifest() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "manifest.json"))).RootElement;

    public static DetailCropBox Box(JsonElement array)
    {
        var v = array.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return new DetailCropBox(v[0], v[1], v[2], v[3]);
    }
}
