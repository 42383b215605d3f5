using System.Text.Json;
using DaFormer.Model.Checkpoints;
using DaFormer.Tests.Support;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Uda;

/// ../shared/fixtures/mic_masking: block masks and the masked loss of the original MIC code.
public static class MicFixture
{
    public static string Dir => Path.Combine(Paths.Fixtures, "mic_masking");

    static readonly Lazy<JsonElement> Doc = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "manifest.json"))).RootElement);
    static readonly Lazy<Dictionary<string, Tensor>> Tensors = new(() => Safetensors.Load(Path.Combine(Dir, "mic.safetensors")));

    public static JsonElement Manifest => Doc.Value;

    /// A fixture tensor (shared; clone before mutating).
    public static Tensor T(string key) => Tensors.Value[key];
}
