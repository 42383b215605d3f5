using System.CommandLine;
using DaFormer.Model.Runtime;

namespace DaFormer.Cli.Commands;

/// `--precision fp32|bf16|fp16` of `test`, `demo` and `bench`: the dtype the network computes in
/// (bf16 on CPU or GPU, fp16 on CUDA only). Weights are read as float32 whatever it is.
public static class PrecisionOption
{
    public static Option<string> Create() => new("--precision")
    {
        Description = "fp32 | bf16 | fp16: compute dtype of convolutions and linear layers (bf16: CPU or GPU; fp16: CUDA only)",
        DefaultValueFactory = _ => "fp32",
    };

    public static Precision Of(ParseResult parse, Option<string> option) => Precisions.Parse(parse.GetValue(option) ?? "fp32");

    /// On stderr (stdout may be a JSON line): bf16 chosen on a CPU where it is not faster than fp32.
    public static void Advise(Precision precision, TorchSharp.torch.Device device)
    {
        if (CpuBf16Speed.Advice(precision, device, () => CpuBf16Speed.Measured) is { } advice) Console.Error.WriteLine(advice);
    }
}
