using DaFormer.Training.Runs;

namespace DaFormer.Tests.Training.Runs;

public class ProgressTests
{
    static IterationStats Stats(params (string, double)[] losses) =>
        new(41, losses.ToDictionary(l => l.Item1, l => l.Item2), [6e-5, 6e-4], 0.5, 500, 3);

    [Fact]
    public void Total_sums_only_terms_named_loss_like_parse_losses()
    {
        var s = Stats(("decode.loss_seg", 1.5), ("decode.acc_seg", 80), ("mix.decode.loss_seg", 0.25));
        Assert.Equal(1.75, s.Total, 12);
    }

    [Fact]
    public void Eta_is_mean_step_time_times_remaining_iterations()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(150 * 90), Progress.Eta(10, 100, [100, 200]));
        Assert.Equal(TimeSpan.Zero, Progress.Eta(100, 100, [100]));
        Assert.Null(Progress.Eta(0, 100, []));
    }

    [Fact]
    public void Non_finite_terms_are_named_with_the_iteration()
    {
        Assert.Null(Progress.NonFinite(Stats(("a.loss", 1))));
        var msg = Progress.NonFinite(Stats(("a.loss", 1), ("mix.decode.loss_seg", double.NaN)));
        Assert.Contains("mix.decode.loss_seg", msg);
        Assert.Contains("iteration 41", msg);
    }

    [Fact]
    public void Progress_line_shows_iteration_loss_lr_speed_and_eta()
    {
        // 3958 iterations left at the ETA's mean of 400 ms: 2.50 it/s (the last step took 500 ms).
        var line = Progress.Line(Stats(("decode.loss_seg", 1.0)), 4000, TimeSpan.FromMilliseconds(3958 * 400));
        Assert.StartsWith("iter 42/4000  loss 1.0000", line);
        Assert.Contains("2.50 it/s", line);
        Assert.Contains("ETA 26:23", line);
        // Before there is an ETA, the one step measured (500 ms).
        Assert.Contains("2.00 it/s", Progress.Line(Stats(("decode.loss_seg", 1.0)), 4000, null));
    }
}
