using DaFormer.Model.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Runtime;

/// bf16 chosen on a CPU where it is not faster than float32 gets one note saying so and what to use;
/// the speed itself is measured (`daformer info`), never asserted here.
public class CpuBf16SpeedTests
{
    static readonly Device Cpu = device("cpu");

    [Theory]
    [InlineData("fpu avx512f avx512_bf16 amx_bf16 amx_tile", "AMX")]
    [InlineData("fpu avx512f avx512_bf16 avx512_fp16", "AVX512-BF16")]
    [InlineData("fpu avx2 fma", "none")]
    [InlineData("", "none")]
    public void The_cpu_flags_name_the_bf16_matrix_instructions(string flags, string expected) =>
        Assert.Equal(expected, CpuBf16Speed.Instructions(flags.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet()));

    [Fact]
    public void Float32_and_gpu_runs_get_no_note_and_measure_nothing()
    {
        var asked = 0;
        Bf16Speed Slow() { asked++; return new Bf16Speed(10, 20, "none"); }
        Assert.Null(CpuBf16Speed.Advice(Precision.Fp32, Cpu, Slow));
        Assert.Null(CpuBf16Speed.Advice(Precision.Bf16, new Device(DeviceType.CUDA, 0), Slow));
        Assert.Null(CpuBf16Speed.Advice(Precision.Fp16, new Device(DeviceType.CUDA, 0), Slow));
        Assert.Equal(0, asked);
    }

    [Fact]
    public void Bf16_on_a_cpu_where_it_gains_gets_no_note() =>
        Assert.Null(CpuBf16Speed.Advice(Precision.Bf16, Cpu, () => new Bf16Speed(19, 10, "AVX512-BF16")));

    [Fact]
    public void Bf16_slower_than_float32_names_the_measured_ratio_the_cause_and_the_alternative()
    {
        var note = CpuBf16Speed.Advice(Precision.Bf16, Cpu, () => new Bf16Speed(14.6, 26.3, "AVX512-BF16"));
        Assert.NotNull(note);
        Assert.Contains("slower than float32", note);
        Assert.Contains("0.56×", note);                        // 14.6 / 26.3
        Assert.Contains("14.6 / 26.3 ms", note);
        Assert.Contains("no AMX", note);
        Assert.Contains("--precision fp32", note);
        Assert.Contains("Runtime.Precision=fp32", note);
    }

    [Fact]
    public void Bf16_barely_faster_is_called_hardly_faster_and_emulated_bf16_is_named()
    {
        var note = CpuBf16Speed.Advice(Precision.Bf16, Cpu, () => new Bf16Speed(10.5, 10, "none"));
        Assert.NotNull(note);
        Assert.Contains("hardly faster than float32", note);
        Assert.Contains("1.05×", note);
        Assert.Contains("emulates", note);
    }

    [Fact]
    public void The_measurement_times_both_precisions_and_names_this_cpus_instructions()
    {
        var s = CpuBf16Speed.Measure(rows: 256, inner: 128, cols: 256, repeats: 2);
        Assert.True(s.Float32Ms > 0 && double.IsFinite(s.Float32Ms), $"float32 {s.Float32Ms} ms");
        Assert.True(s.Bf16Ms > 0 && double.IsFinite(s.Bf16Ms), $"bf16 {s.Bf16Ms} ms");
        // Independently of the parser: the raw cpuinfo text decides which names are possible.
        var cpuinfo = File.Exists("/proc/cpuinfo") ? File.ReadAllText("/proc/cpuinfo") : "";
        var expected = cpuinfo.Contains(" amx_bf16") ? "AMX" : cpuinfo.Contains(" avx512_bf16") ? "AVX512-BF16" : "none";
        Assert.Equal(expected, s.Instructions);
    }
}
