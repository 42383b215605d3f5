using System.Text.Json;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Scripting;

/// `daformer bench model` on a tiny configuration: one JSON line naming the network, with its parameter
/// count, positive timings and the malloc in use. (Speed itself is measured, never asserted.)
[Collection("Console")]
public class BenchCommandTests
{
    [Fact]
    public void Bench_model_prints_one_json_line_with_the_measured_figures()
    {
        var r = CliHarness.Run("bench", "model", "mit_b0", "daformer", "--crop", "64", "--batch", "1", "--iters", "1",
                               "--channels", "16", "--infer", "96x64");
        Assert.True(r.ExitCode == 0, r.All);
        var lines = r.Out.Trim().Split('\n');
        Assert.Single(lines);
        var j = JsonDocument.Parse(lines[0]).RootElement;

        Assert.Equal("mit_b0", j.GetProperty("arch").GetString());
        Assert.Equal("daformer_sepaspp", j.GetProperty("head").GetString());
        // MiT-b0 encoder (3,319,392 in keys_mitb5_daformer.json) plus a 16-channel head: more than the encoder alone.
        var encoder = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "keys_mitb5_daformer.json")))
            .RootElement.GetProperty("backbone_param_counts").GetProperty("mit_b0").GetInt64();
        Assert.InRange(j.GetProperty("parameters").GetInt64(), encoder + 1, encoder + 1_000_000);
        var train = j.GetProperty("train_step_ms").GetDouble();
        var forward = j.GetProperty("forward_ms").GetDouble();
        Assert.True(train > 0 && forward > 0 && j.GetProperty("infer_ms").GetDouble() > 0, lines[0]);
        Assert.True(j.GetProperty("peak_rss_mb").GetDouble() > 0);

        // The allocator field tells what /proc/self/maps says is loaded; this test host preloads nothing
        // unless LD_PRELOAD names tcmalloc.
        var preload = Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "";
        var expected = !OperatingSystem.IsLinux() ? "system" : preload.Contains("tcmalloc") ? "tcmalloc"
            : preload.Contains("jemalloc") ? "jemalloc" : preload.Contains("mimalloc") ? "mimalloc" : "glibc";
        Assert.Equal(expected, j.GetProperty("allocator").GetString());
        if (expected == "glibc") Assert.Contains("libtcmalloc-minimal4", r.Err);
    }
}
