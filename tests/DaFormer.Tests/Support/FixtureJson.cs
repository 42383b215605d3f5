using System.Text.Json;
using DaFormer.Model.Checkpoints;
using static TorchSharp.torch;

namespace DaFormer.Tests.Support;

/// Read access to ../shared/fixtures/algorithms.json (+ algorithms.safetensors), the golden values
/// produced by the original implementation. Loaded once per test run; tests must not modify tensors.
public static class FixtureJson
{
    static readonly Lazy<JsonElement> AlgorithmsDoc = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "algorithms.json"))).RootElement);

    static readonly Lazy<Dictionary<string, Tensor>> AlgorithmsTensors = new(() =>
        Safetensors.Load(Path.Combine(Paths.Fixtures, "algorithms.safetensors")));

    public static JsonElement Algorithms => AlgorithmsDoc.Value;

    /// A tensor from algorithms.safetensors (shared; clone before mutating).
    public static Tensor AlgorithmsTensor(string key) => AlgorithmsTensors.Value[key];

    /// A JSON number, or the string "NaN" (how the fixture writes Python's nan).
    public static double Number(JsonElement e) =>
        e.ValueKind == JsonValueKind.String && e.GetString() == "NaN" ? double.NaN : e.GetDouble();

    public static double[] Numbers(JsonElement array) => array.EnumerateArray().Select(Number).ToArray();

    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(x => x.GetInt32()).ToArray();
}
