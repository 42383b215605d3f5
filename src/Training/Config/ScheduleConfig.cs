namespace DaFormer.Training.Config;

/// <summary>
/// The paper's learning-rate warmup (mmcv's linear warmup, which scales the already-decayed poly rate):
/// for i &lt; <paramref name="Iters"/>, lr(i) = regular(i) · (1 − (1 − i/Iters)(1 − <paramref name="Ratio"/>)).
/// </summary>
/// <param name="Iters">Warmup length in iterations (1500).</param>
/// <param name="Ratio">Learning-rate factor at iteration 0 (1e-6).</param>
public sealed record Warmup(int Iters = 1500, double Ratio = 1e-6);

/// <summary>
/// Poly learning-rate decay lr(i) = (base − <see cref="MinLr"/>)(1 − i/<see cref="MaxIters"/>)^<see cref="Power"/> + MinLr,
/// with an optional <see cref="Warmup"/>. Defaults: <c>poly10warm</c> over 40k iterations.
/// </summary>
public sealed record ScheduleConfig
{
    /// <summary>Training iterations (40k in the paper).</summary>
    public int MaxIters { get; init; } = 40000;
    /// <summary>Exponent of the poly decay (1 = linear).</summary>
    public double Power { get; init; } = 1.0;
    /// <summary>Learning rate reached at the end (0).</summary>
    public double MinLr { get; init; } = 0.0;
    /// <summary>Learning-rate warmup (the paper's "LR warmup"); null = none (<c>poly10</c>).</summary>
    public Warmup? Warmup { get; init; } = new();

    /// <summary><c>poly10warm</c>: power 1, min lr 0, 1500 warmup iterations from ratio 1e-6 (the final recipe).</summary>
    public static ScheduleConfig Poly10Warm => new();

    /// <summary><c>poly10</c> (the warmup ablation): no warmup and min lr 1e-4 — larger than the backbone's
    /// 6e-5, so the backbone lr rises while the head lr falls. Reproduced as the original has it.</summary>
    public static ScheduleConfig Poly10 => new() { MinLr = 1e-4, Warmup = null };
}
