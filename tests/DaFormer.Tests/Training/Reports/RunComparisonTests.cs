using DaFormer.Model;
using DaFormer.Tests.Support;
using DaFormer.Training.Reports;

namespace DaFormer.Tests.Training.Reports;

public class RunComparisonTests
{
    static string Run(string root, string folder, params (long iter, double miou)[] evals)
    {
        var dir = Path.Combine(root, folder);
        Directory.CreateDirectory(dir);
        var lines = new List<string> { "{\"iter\": 0, \"mode\": \"train\", \"decode.loss_seg\": 2.0}" };
        lines.AddRange(evals.Select(e => $"{{\"iter\": {e.iter}, \"mode\": \"val\", \"mIoU\": {e.miou.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}"));
        File.WriteAllLines(Path.Combine(dir, "log.jsonl"), lines);
        return dir;
    }

    [Fact]
    public void Reads_final_and_best_and_groups_seeds_with_sample_std()
    {
        var root = Paths.NewTempDir();
        var a = RunComparison.Read(Run(root, "261127_0100_syn2cs_dacs_daformer_mitb0_s0_abcde", (100, 0.40), (200, 0.50), (300, 0.45)));
        var b = RunComparison.Read(Run(root, "261127_0200_syn2cs_dacs_daformer_mitb0_s1_01234", (300, 0.55)));
        Assert.Equal("syn2cs_dacs_daformer_mitb0_s0", a.RunName);
        Assert.Equal(0, a.Seed);
        Assert.Equal(0.45, a.FinalMiou);
        Assert.Equal(0.50, a.BestMiou);
        var g = Assert.Single(RunComparison.Group([a, b]));
        Assert.Equal("syn2cs_dacs_daformer_mitb0", g.Group);
        Assert.Equal(0.50, g.FinalMean!.Value, 12);
        // sample std of {0.45, 0.55}: sqrt(2 * 0.05^2 / 1)
        Assert.Equal(Math.Sqrt(0.005), g.FinalStd!.Value, 12);
        Assert.Equal("50.00 ± 7.07", RunComparison.Format(g.FinalMean, g.FinalStd));
    }

    [Fact]
    public void A_folder_without_a_log_is_a_clear_error()
    {
        var dir = Paths.NewTempDir();
        var e = Assert.Throws<DaFormerError>(() => RunComparison.Read(dir));
        Assert.Contains(dir, e.Message);
    }
}
