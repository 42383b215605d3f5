namespace DaFormer.Training.Config;

/// Linear warmup that scales the already-decayed poly rate (spec §4.2): for i &lt; Iters,
/// lr(i) = regular(i) · (1 − (1 − i/Iters)(1 − Ratio)).
public sealed record Warmup(int Iters = 1500, double Ratio = 1e-6);

/// Poly learning-rate decay: lr(i) = (base − MinLr)(1 − i/MaxIters)^Power + MinLr, spec §4.2.
/// Defaults: `poly10warm` over 40k iterations.
public sealed record ScheduleConfig
{
    public int MaxIters { get; init; } = 40000;
    public double Power { get; init; } = 1.0;
    public double MinLr { get; init; } = 0.0;
    /// Null = no warmup (`poly10`).
    public Warmup? Warmup { get; init; } = new();

    /// `poly10warm`: power 1, min lr 0, 1500 warmup iterations from ratio 1e-6 (the final recipe).
    public static ScheduleConfig Poly10Warm => new();

    /// `poly10` (warmup ablation, spec §4.2): no warmup and min lr 1e-4 — larger than the backbone's
    /// 6e-5, so the backbone lr rises while the head lr falls. Reproduced as the original has it.
    public static ScheduleConfig Poly10 => new() { MinLr = 1e-4, Warmup = null };
}
