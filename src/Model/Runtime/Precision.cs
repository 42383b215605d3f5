using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Runtime;

/// The floating-point format the network computes in. Weights in checkpoints are always float32;
/// the precision only decides the dtype of convolutions, linear layers and attention (normalisation
/// statistics, softmax accumulation, the loss and the optimiser stay float32).
public enum Precision
{
    /// Full float32 everywhere (the original's behaviour).
    [JsonStringEnumMemberName("fp32")] Fp32,
    /// bfloat16: float32's range with 8 mantissa bits; no loss scaling needed. CPU (AVX512-BF16/AMX) and GPU.
    [JsonStringEnumMemberName("bf16")] Bf16,
    /// float16: 11 mantissa bits but a small range, so training needs dynamic loss scaling. CUDA only.
    [JsonStringEnumMemberName("fp16")] Fp16,
}

/// Parsing, naming and device checks of <see cref="Precision"/>.
public static class Precisions
{
    public static readonly IReadOnlyList<string> Names = ["fp32", "bf16", "fp16"];

    /// `fp32`, `bf16` or `fp16` (case-insensitive); anything else is an error naming `what` and the choices.
    public static Precision Parse(string text, string what = "--precision") =>
        (text ?? "").Trim().ToLowerInvariant() switch
        {
            "fp32" or "float32" => Precision.Fp32,
            "bf16" or "bfloat16" => Precision.Bf16,
            "fp16" or "float16" or "half" => Precision.Fp16,
            _ => throw new DaFormerError($"{what} '{text}' is not a precision; expected one of: {string.Join(", ", Names)}."),
        };

    public static string Name(this Precision p) => Names[(int)p];

    /// The dtype convolutions and linear layers compute in.
    public static ScalarType ComputeType(this Precision p) => p switch
    {
        Precision.Bf16 => ScalarType.BFloat16,
        Precision.Fp16 => ScalarType.Float16,
        _ => ScalarType.Float32,
    };

    /// fp16 is only offered on CUDA: libtorch's CPU kernels for half are slow reference code or
    /// missing, and its small range needs loss scaling that bf16 does not. `what` names the setting.
    public static void EnsureSupported(Precision p, Device device, string what = "--precision")
    {
        if (p == Precision.Fp16 && device.type != DeviceType.CUDA)
            throw new DaFormerError(
                $"{what} fp16 needs a CUDA device, but the run is on {device.type.ToString().ToLowerInvariant()}. " +
                "On the CPU use bf16 (same speed-up, float32's range, no loss scaling) or fp32.");
    }
}
