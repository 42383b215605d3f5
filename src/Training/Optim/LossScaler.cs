namespace DaFormer.Training.Optim;

/// Dynamic loss scaling for fp16 training, as `torch.cuda.amp.GradScaler` does it (same defaults):
/// the loss is multiplied by `Scale` before backward so that small fp16 gradients do not flush to
/// zero; the gradients are divided by it again (before any clipping) and checked. A non-finite
/// gradient means the scale was too large: the optimiser step is skipped and the scale multiplied by
/// `BackoffFactor`. After `GrowthInterval` good steps in a row it is multiplied by `GrowthFactor`.
/// Immutable: each step returns the next state (a pure function of the previous one and the overflow flag).
/// <param name="Scale">Current loss scale (GradScaler's init_scale 2¹⁶).</param>
/// <param name="GrowthFactor">Multiplier of the scale after `GrowthInterval` finite steps (2).</param>
/// <param name="BackoffFactor">Multiplier of the scale after an overflow (0.5).</param>
/// <param name="GrowthInterval">Finite steps in a row before the scale grows (2000).</param>
/// <param name="GoodSteps">Finite steps since the last overflow or growth (GradScaler's growth tracker).</param>
/// <param name="SkippedSteps">Optimiser steps skipped because of overflow, over the whole run (logged).</param>
public sealed record LossScaler(
    double Scale = 65536.0,
    double GrowthFactor = 2.0,
    double BackoffFactor = 0.5,
    int GrowthInterval = 2000,
    int GoodSteps = 0,
    long SkippedSteps = 0)
{
    /// GradScaler's defaults.
    public static LossScaler Default { get; } = new();

    /// The state after a step whose unscaled gradients were (`foundInf` = false) or were not all finite,
    /// as GradScaler.update / `_amp_update_scale_` computes it.
    public LossScaler Update(bool foundInf)
    {
        if (foundInf) return this with { Scale = Scale * BackoffFactor, GoodSteps = 0, SkippedSteps = SkippedSteps + 1 };
        var good = GoodSteps + 1;
        if (good < GrowthInterval) return this with { GoodSteps = good };
        var grown = Scale * GrowthFactor;
        // GradScaler only grows to a finite scale.
        return this with { Scale = double.IsFinite(grown) ? grown : Scale, GoodSteps = 0 };
    }

    /// Factor that turns scaled gradients back into true ones.
    public double InverseScale => 1.0 / Scale;
}
