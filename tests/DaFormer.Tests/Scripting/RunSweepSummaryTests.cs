using DaFormer.Tests.Support;
using DaFormer.Tests.Training.Runs;

namespace DaFormer.Tests.Scripting;

[Collection("Console")]
public class RunSweepSummaryTests
{
    [Fact]
    public void A_seed_sweep_ends_with_mean_and_std_per_experiment()
    {
        var script = TinyRun.WriteScript(maxIters: 2, checkpointEvery: 2, seeds: [0, 1]);
        var r = CliHarness.Run("run", script, "--work-dir", Paths.NewTempDir("dfsweep"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("grouped over seeds (mean ± std)", r.Out);
        var line = r.Out.Split('\n').Single(l => l.StartsWith("synthsrc2synthtgt_dacs") && l.Contains('±'));
        Assert.DoesNotContain("_s0", line);
        Assert.Contains(" 2 ", line); // both seeds in one group
        Assert.DoesNotContain("target mIoU:", r.Out); // the single-run closing line is for single runs only
    }
}
