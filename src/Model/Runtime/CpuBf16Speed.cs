using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Runtime;

/// One measurement of bf16 against float32 matrix products on this CPU.
/// <param name="Float32Ms">Fastest of the timed float32 products, in milliseconds.</param>
/// <param name="Bf16Ms">Fastest of the timed bf16 products, in milliseconds.</param>
/// <param name="Instructions">The CPU's bf16 matrix instructions: "AMX", "AVX512-BF16" or "none".</param>
public sealed record Bf16Speed(double Float32Ms, double Bf16Ms, string Instructions)
{
    /// How many times faster bf16 is than float32 (below 1: slower).
    public double Speedup => Float32Ms / Bf16Ms;
}

/// Whether bf16 makes the network faster on this CPU. It depends on the CPU, not on our code: with
/// AMX tiles (Intel Xeon 4th generation and later) a bf16 product runs several times as fast as a
/// float32 one; with AVX512-BF16 alone it depends on the core — a large product ran 1.9× faster in
/// bf16 on an AMD EPYC (Zen 5) but at 0.57× float32's speed on an Intel Xeon (model 207) whose
/// virtual machine does not expose AMX (2026-12-01): there float32 already runs near the cores' FMA
/// peak and bf16 has no faster multiplier, only conversions on top. Without either, libtorch
/// emulates bf16. So the answer is measured, once per process, on a product of the size of the
/// network's Linear layers (docs/precision-on-cpus.md).
public static class CpuBf16Speed
{
    /// Below this speed-up a bf16 run on the CPU is told that it buys memory, not time.
    public const double WorthwhileSpeedup = 1.15;

    static readonly Lazy<Bf16Speed> measured = new(() => Measure());

    /// This process's measurement (made on first use, ~0.2 s).
    public static Bf16Speed Measured => measured.Value;

    /// Times a (rows × inner) · (inner × cols) product in float32 and bf16, alternating, and keeps the
    /// fastest of `repeats` each, after one untimed product of each.
    public static Bf16Speed Measure(int rows = 2048, int inner = 512, int cols = 2048, int repeats = 5)
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(0);
        var a32 = randn(rows, inner, generator: gen);
        var b32 = randn(inner, cols, generator: gen);
        var a16 = a32.to(ScalarType.BFloat16);
        var b16 = b32.to(ScalarType.BFloat16);
        double best32 = double.MaxValue, best16 = double.MaxValue;
        for (var i = -1; i < repeats; i++)
        {
            var t32 = TimeMs(() => matmul(a32, b32));
            var t16 = TimeMs(() => matmul(a16, b16));
            if (i < 0) continue;   // the first of each loads kernels and packs weights
            best32 = Math.Min(best32, t32);
            best16 = Math.Min(best16, t16);
        }
        return new Bf16Speed(best32, best16, Instructions(CpuFlags()));
    }

    static double TimeMs(Func<Tensor> product)
    {
        var watch = Stopwatch.StartNew();
        using (product()) { }
        return watch.Elapsed.TotalMilliseconds;
    }

    /// The bf16 matrix instructions named by a /proc/cpuinfo flags line.
    public static string Instructions(IReadOnlySet<string> flags) =>
        flags.Contains("amx_bf16") ? "AMX" : flags.Contains("avx512_bf16") ? "AVX512-BF16" : "none";

    /// The flags of the first CPU in /proc/cpuinfo (empty where there is none).
    public static IReadOnlySet<string> CpuFlags()
    {
        const string path = "/proc/cpuinfo";
        if (!File.Exists(path)) return new HashSet<string>();
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        return line is null ? new HashSet<string>()
            : line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
    }

    /// One line for `daformer info`.
    public static string Describe(Bf16Speed s) =>
        $"matrix products at {s.Speedup:0.00}× float32's speed on this CPU ({s.Float32Ms:0.0} / {s.Bf16Ms:0.0} ms; "
        + $"bf16 instructions: {s.Instructions})";

    /// The advice for a run that computes in `precision` on `device`, or null when there is none:
    /// bf16 on a CPU where it is not worth it. `speed` is asked only in that case.
    public static string? Advice(Precision precision, Device device, Func<Bf16Speed> speed)
    {
        if (precision != Precision.Bf16 || device.type != DeviceType.CPU) return null;
        var s = speed();
        if (s.Speedup >= WorthwhileSpeedup) return null;
        var why = s.Instructions switch
        {
            "none" => "this CPU has no bf16 instructions, so libtorch emulates them",
            "AVX512-BF16" => "this CPU has AVX512-BF16 but no AMX tiles (or they are not exposed to this machine)",
            _ => "this CPU has AMX, but libtorch did not gain from it here",
        };
        var verdict = s.Speedup < 1 ? "slower than" : "hardly faster than";
        return $"note: bf16 on this CPU is {verdict} float32: a bf16 matrix product runs at {s.Speedup:0.00}× float32's speed "
             + $"(measured just now, {s.Float32Ms:0.0} / {s.Bf16Ms:0.0} ms); {why}. bf16 still saves memory, "
             + "but for speed use fp32 (--precision fp32; in a run, Runtime.Precision fp32, e.g. --set Runtime.Precision=fp32). "
             + "docs/precision-on-cpus.md says which CPUs gain.";
    }
}
