namespace DaFormer.Training.Optim;

/// The learning-rate schedules of the original (mmcv 1.3.7 PolyLrUpdaterHook, by_epoch=False).
/// All functions are pure; `iter` is the 0-based number of completed iterations (mmcv's runner.iter),
/// and the value returned is the rate used by training iteration `iter`.
public static class PolySchedule
{
    /// Poly decay `(base − min)·(1 − iter/maxIters)^power + min`, optionally with a linear warmup.
    /// Spec §4.2 / pitfall 3: the warmup multiplies the already-DECAYED rate (mmcv's get_warmup_lr scales
    /// regular_lr), so iteration 0 trains at regular(0)·warmupRatio, not 0.
    public static double LearningRate(
        double baseLr, int iter, int maxIters,
        double power = 1.0, double minLr = 0.0, int warmupIters = 0, double warmupRatio = 1e-6)
    {
        if (maxIters <= 0) throw new ArgumentOutOfRangeException(nameof(maxIters), maxIters, "max iterations must be > 0");
        if (iter < 0) throw new ArgumentOutOfRangeException(nameof(iter), iter, "iteration must be >= 0");
        // Same operation order as mmcv so the fixture matches to ~1 ulp.
        var coeff = Math.Pow(1.0 - (double)iter / maxIters, power);
        var regular = (baseLr - minLr) * coeff + minLr;
        if (warmupIters <= 0 || iter >= warmupIters) return regular;
        var k = (1.0 - (double)iter / warmupIters) * (1.0 - warmupRatio);
        return regular * (1.0 - k);
    }

    /// DAFormer's `poly10warm`: power 1, min_lr 0, linear warmup over 1500 iterations from ratio 1e-6.
    public static double Poly10Warm(double baseLr, int iter, int maxIters = 40_000, int warmupIters = 1500) =>
        LearningRate(baseLr, iter, maxIters, power: 1.0, minLr: 0.0, warmupIters: warmupIters, warmupRatio: 1e-6);

    /// Ablation schedule `poly10` (no warmup). Its min_lr 1e-4 exceeds the backbone base lr 6e-5, so the
    /// backbone rate RISES toward 1e-4 while the head rate (6e-4) falls toward it — reproduced on purpose.
    public static double Poly10(double baseLr, int iter, int maxIters = 40_000) =>
        LearningRate(baseLr, iter, maxIters, power: 1.0, minLr: 1e-4);
}
