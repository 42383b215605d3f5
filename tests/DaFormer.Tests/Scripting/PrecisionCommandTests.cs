using System.Text.Json;

namespace DaFormer.Tests.Scripting;

/// `--precision` / `--compare-precision` of `bench model` on a tiny network: one JSON line with both
/// precisions (timings positive; speed never asserted), and a clear error for fp16 on the CPU.
[Collection("Console")]
public class PrecisionCommandTests
{
    [Fact]
    public void Compare_precision_prints_fp32_and_bf16_in_one_json_line()
    {
        var r = CliHarness.Run("bench", "model", "mit_b0", "daformer", "--crop", "64", "--batch", "1", "--iters", "1",
                               "--channels", "16", "--infer", "96x64", "--compare-precision", "--device", "cpu");
        Assert.True(r.ExitCode == 0, r.All);
        var lines = r.Out.Trim().Split('\n');
        Assert.Single(lines);
        var j = JsonDocument.Parse(lines[0]).RootElement;
        var fp32 = j.GetProperty("fp32");
        var bf16 = j.GetProperty("low_precision");
        Assert.Equal("fp32", fp32.GetProperty("precision").GetString());
        Assert.Equal("bf16", bf16.GetProperty("precision").GetString());
        Assert.True(fp32.GetProperty("train_step_ms").GetDouble() > 0, lines[0]);
        Assert.Equal(JsonValueKind.Null, bf16.GetProperty("train_step_ms").ValueKind); // bf16 training not built yet
        Assert.True(bf16.GetProperty("infer_ms").GetDouble() > 0 && bf16.GetProperty("forward_ms").GetDouble() > 0, lines[0]);
        Assert.Equal(fp32.GetProperty("parameters").GetInt64(), bf16.GetProperty("parameters").GetInt64());
        Assert.True(j.GetProperty("infer_speedup").GetDouble() > 0, lines[0]);
    }

    [Fact]
    public void Fp16_on_the_cpu_is_one_clear_paragraph()
    {
        var r = CliHarness.Run("bench", "model", "mit_b0", "daformer", "--crop", "64", "--batch", "1", "--iters", "1",
                               "--channels", "16", "--infer-only", "--precision", "fp16", "--device", "cpu");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--precision fp16 needs a CUDA device", r.All);
        Assert.DoesNotContain("   at ", r.All); // no stack trace
    }

    [Fact]
    public void An_unknown_precision_names_the_choices()
    {
        var r = CliHarness.Run("bench", "model", "mit_b0", "daformer", "--infer-only", "--precision", "int8", "--device", "cpu");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("--precision 'int8' is not a precision; expected one of: fp32, bf16, fp16.", r.All);
    }
}
