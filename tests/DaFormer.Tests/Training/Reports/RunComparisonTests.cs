using System.Globalization;
using DaFormer.Model;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;
using DaFormer.Training.Reports;

namespace DaFormer.Tests.Training.Reports;

public class RunComparisonTests
{
    /// A run directory with config.json and val records in percent (`"unit": "%"`), or in the
    /// fractions logs held before the unit was recorded (`legacy`).
    static string Run(string root, string folder, RunConfig? config, bool legacy, params (long iter, double miou)[] evals)
    {
        var dir = Path.Combine(root, folder);
        Directory.CreateDirectory(dir);
        if (config is not null) File.WriteAllText(Path.Combine(dir, "config.json"), ConfigJson.Serialize(config));
        var lines = new List<string> { "{\"iter\": 1, \"mode\": \"train\", \"decode.loss_seg\": 2.0}" };
        lines.AddRange(evals.Select(e => legacy
            ? $"{{\"iter\": {e.iter}, \"mode\": \"val\", \"mIoU\": {(e.miou / 100).ToString(CultureInfo.InvariantCulture)}}}"
            : $"{{\"iter\": {e.iter}, \"mode\": \"val\", \"unit\": \"%\", \"mIoU\": {e.miou.ToString(CultureInfo.InvariantCulture)}}}"));
        File.WriteAllLines(Path.Combine(dir, "log.jsonl"), lines);
        return dir;
    }

    [Fact]
    public void Reads_final_and_best_in_percent_and_groups_seeds_with_sample_std()
    {
        var root = Paths.NewTempDir();
        var cfg = Presets.Quickstart;
        var a = RunComparison.Read(Run(root, "261127_0100_syn_s0_abcde", cfg, legacy: false, (100, 40), (200, 50), (300, 45)));
        // An older log (fractions) of the same experiment with another seed: read in the same unit.
        var b = RunComparison.Read(Run(root, "261127_0200_syn_s1_01234-2", cfg.WithSeed(1), legacy: true, (300, 55)));
        Assert.Equal("syn_s0", a.RunName);
        Assert.Equal("syn_s1", b.RunName);
        Assert.Equal(0, a.Seed);
        Assert.Equal(45, a.FinalMIoUPercent);
        Assert.Equal(50, a.BestMIoUPercent);
        Assert.Equal(55, b.FinalMIoUPercent!.Value, 9);
        var g = Assert.Single(RunComparison.Group([a, b]));
        Assert.Equal("syn", g.Group);
        Assert.Equal(2, g.Runs);
        Assert.Equal(50, g.FinalMean!.Value, 9);
        // sample std of {45, 55}: sqrt(2 · 5² / 1)
        Assert.Equal(Math.Sqrt(50), g.FinalStd!.Value, 9);
        Assert.Equal("50.00 ± 7.07", RunComparison.Format(g.FinalMean, g.FinalStd));
    }

    [Fact]
    public void Runs_that_differ_in_more_than_the_seed_are_separate_groups_and_a_single_run_has_no_spread()
    {
        var root = Paths.NewTempDir();
        var short20 = Presets.Quickstart.WithIterations(20);
        var long400 = Presets.Quickstart.WithIterations(400);
        var a = RunComparison.Read(Run(root, "261127_0100_syn_s0_abcde", short20, false, (20, 10)));
        var b = RunComparison.Read(Run(root, "261127_0101_syn_s0_bcdef", long400, false, (400, 15.54)));
        var groups = RunComparison.Group([a, b]);
        Assert.Equal(2, groups.Count);
        Assert.All(groups, g => Assert.Equal(1, g.Runs));
        Assert.All(groups, g => Assert.StartsWith("syn [config ", g.Group)); // same name, told apart
        Assert.Null(groups[0].FinalStd);
        Assert.Equal(["10.00", "15.54"], groups.Select(g => RunComparison.Format(g.FinalMean, g.FinalStd)).Order());
    }

    [Fact]
    public void A_folder_without_a_log_is_a_clear_error()
    {
        var dir = Paths.NewTempDir();
        var e = Assert.Throws<DaFormerError>(() => RunComparison.Read(dir));
        Assert.Contains(dir, e.Message);
    }
}
