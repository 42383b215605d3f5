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

    [Fact]
    public void Bench_uda_compare_methods_prints_daformer_mic_hrda_and_mic_hrda_lines_with_flops()
    {
        var r = CliHarness.Run("bench", "uda", "mit_b0", "daformer", "--crop", "64", "--batch", "1", "--iters", "1",
                               "--channels", "16", "--compare-methods");
        Assert.True(r.ExitCode == 0, r.All);
        var lines = r.Out.Trim().Split('\n').Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["daformer", "mic_daformer", "hrda", "mic_hrda"], lines.Select(j => j.GetProperty("method").GetString()));
        Assert.Equal([64, 64, 128, 128], lines.Select(j => j.GetProperty("crop").GetInt32()));
        Assert.Equal(JsonValueKind.Null, lines[0].GetProperty("hrda_detail_crop").ValueKind);
        Assert.Equal("64x64", lines[2].GetProperty("hrda_detail_crop").GetString());
        Assert.Equal("1,0.5", lines[2].GetProperty("hrda_scales").GetString());
        Assert.Equal([null, 4, null, 8], lines.Select(j => j.GetProperty("mic_block_size").ValueKind == JsonValueKind.Null ? (int?)null : j.GetProperty("mic_block_size").GetInt32()));
        var gflop = lines.Select(j => j.GetProperty("dacs_gflop").GetDouble()).ToList();
        // MIC adds a student forward/backward; HRDA's crop has 4× the pixels and its teacher slides 3 × 3 windows.
        Assert.True(gflop[1] > gflop[0] && gflop[2] > 2 * gflop[0] && gflop[3] > gflop[2], string.Join(", ", gflop));
        foreach (var j in lines)
            Assert.True(j.GetProperty("dacs_iteration_ms").GetDouble() > 0 && j.GetProperty("dacs_gflop_per_second").GetDouble() > 0
                        && j.GetProperty("peak_rss_mb").GetDouble() > 0, j.ToString());
    }
}
