namespace DaFormer.Model.Runtime;

/// The `--device` value every command accepts: `auto` (CUDA when present, else CPU), `cpu`, `cuda` or `cuda:N`.
public sealed record DeviceSpec(DeviceSpec.Kind Type, int Index)
{
    public enum Kind { Auto, Cpu, Cuda }

    public static readonly DeviceSpec Auto = new(Kind.Auto, 0);
    public static readonly DeviceSpec Cpu = new(Kind.Cpu, 0);

    /// Parses `auto`, `cpu`, `cuda`, `cuda:N`; anything else is an error that says what is accepted.
    public static DeviceSpec Parse(string text)
    {
        var t = (text ?? "").Trim().ToLowerInvariant();
        if (t == "auto") return Auto;
        if (t == "cpu") return Cpu;
        if (t == "cuda") return new(Kind.Cuda, 0);
        if (t.StartsWith("cuda:") && int.TryParse(t[5..], out var n) && n >= 0) return new(Kind.Cuda, n);
        throw new ArgumentException($"--device '{text}' is not a device; expected auto, cpu, cuda or cuda:N (N ≥ 0).");
    }

    public override string ToString() => Type switch
    {
        Kind.Auto => "auto",
        Kind.Cpu => "cpu",
        _ => Index == 0 ? "cuda" : $"cuda:{Index}",
    };
}
