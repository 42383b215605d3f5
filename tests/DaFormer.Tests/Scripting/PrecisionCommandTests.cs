using System.Text.Json;
using DaFormer.Model;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;
using DaFormer.Training.Data;

namespace DaFormer.Tests.Scripting;

/// `--precision` / `--compare-precision` of `bench model` on a tiny network: one JSON line with both
/// precisions (timings positive; speed never asserted), and a clear error for fp16 on the CPU; `demo
/// --precision bf16` on a real frame with the fixture checkpoint against the fp32 prediction.
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
        Assert.True(bf16.GetProperty("train_step_ms").GetDouble() > 0, lines[0]); // mixed-precision training step
        Assert.True(j.GetProperty("train_speedup").GetDouble() > 0, lines[0]);
        Assert.True(bf16.GetProperty("infer_ms").GetDouble() > 0 && bf16.GetProperty("forward_ms").GetDouble() > 0, lines[0]);
        Assert.Equal(fp32.GetProperty("parameters").GetInt64(), bf16.GetProperty("parameters").GetInt64());
        Assert.True(j.GetProperty("infer_speedup").GetDouble() > 0, lines[0]);
        // The bare bf16 matrix-product ratio of this CPU, and the note on stderr exactly when it is low.
        var matmul = j.GetProperty("cpu_bf16_matmul_speedup").GetDouble();
        Assert.True(matmul > 0, lines[0]);
        var threshold = DaFormer.Model.Runtime.CpuBf16Speed.WorthwhileSpeedup;
        if (Math.Abs(matmul - threshold) > 0.005)   // the JSON rounds to 0.01, the note compares unrounded
            Assert.Equal(matmul < threshold, r.Err.Contains("note: bf16 on this CPU"));
    }

    [Fact]
    public void Bench_in_bf16_times_a_mixed_precision_training_step_and_its_resident_set()
    {
        var r = CliHarness.Run("bench", "model", "mit_b0", "daformer", "--crop", "64", "--batch", "1", "--iters", "1",
                               "--channels", "16", "--precision", "bf16", "--device", "cpu");
        Assert.True(r.ExitCode == 0, r.All);
        var j = JsonDocument.Parse(r.Out.Trim()).RootElement;
        Assert.Equal("bf16", j.GetProperty("precision").GetString());
        Assert.True(j.GetProperty("train_step_ms").GetDouble() > 0, r.Out);
        Assert.True(j.GetProperty("train_peak_rss_mb").GetDouble() >= j.GetProperty("train_base_rss_mb").GetDouble(), r.Out);
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

    [Fact]
    public void Demo_in_bf16_predicts_the_fp32_classes_on_a_real_frame()
    {
        var dir = Paths.NewTempDir("prec");
        var g = Presets.Gta2Cs;
        var cfg = g with
        {
            Model = g.Model with { Encoder = Encoder.MitB0, Channels = 64, Pretrained = null },
            Data = g.Data with { Validation = g.Data.Validation with { Scale = new(256, 128) } },
        };
        var config = Path.Combine(dir, "config.json");
        File.WriteAllText(config, ConfigJson.Serialize(cfg));
        var frame = Path.Combine(Paths.Shared, "demo", "cityscapes_frankfurt_demo.png");
        var checkpoint = Path.Combine(Paths.ParityDir, "checkpoint_uda.pth");
        var outputs = new Dictionary<string, RgbImage>();
        foreach (var p in new[] { "fp32", "bf16" })
        {
            var target = Path.Combine(dir, $"{p}.png");
            var r = CliHarness.Run("demo", frame, config, checkpoint, "--out", target, "--opacity", "1", "--precision", p, "--device", "cpu");
            Assert.True(r.ExitCode == 0, r.All);
            outputs[p] = ImageIo.ReadRgb(target);
        }
        // Opacity 1: every pixel is its class's palette colour, so equal pixels = equal classes.
        var a = outputs["fp32"].Pixels;
        var b = outputs["bf16"].Pixels;
        Assert.Equal(a.Length, b.Length);
        var same = 0;
        for (var i = 0; i < a.Length; i += 3) if (a[i] == b[i] && a[i + 1] == b[i + 1] && a[i + 2] == b[i + 2]) same++;
        var agreement = same / (a.Length / 3.0);
        Assert.True(agreement >= 0.99, $"bf16 and fp32 predictions agree on {agreement:P2} of the pixels");
    }
}
