using DaFormer.Model.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Training.Optim;

/// What one optimiser step under loss scaling did (for the log: `loss_scale`, `skipped_steps`).
/// <param name="Scaler">The loss scaler's state after this step.</param>
/// <param name="Skipped">True when a gradient was inf/NaN: the parameters were left unchanged.</param>
/// <param name="GradNorm">Total L2 norm of the unscaled gradients before clipping (null when skipped or not clipped).</param>
public sealed record ScaledStepResult(LossScaler Scaler, bool Skipped, double? GradNorm);

/// The imperative half of fp16 loss scaling, in GradScaler's order: `Scaled(loss).backward()`, then
/// `Step`: unscale the gradients in place, check them, clip the UNSCALED gradients (clipping scaled
/// ones would clip at `max_norm · scale`), step or skip, update the scale.
public static class ScaledOptimizerStep
{
    /// The loss to call backward on.
    public static Tensor Scaled(Tensor loss, LossScaler scaler) => loss.Times(scaler.Scale);

    /// Backward of `loss` × `scale` — every backward of a training step goes through here, so that
    /// under fp16 all gradient contributions (source, feature distance, mixed, masked) carry the same
    /// scale. A scale of 1 (fp32, bf16) back-propagates the loss itself.
    public static void Backward(Tensor loss, double scale, bool retainGraph = false)
    {
        if (scale == 1.0)
        {
            loss.backward(retain_graph: retainGraph);
            return;
        }
        using var scaled = loss.Times(scale);
        scaled.backward(retain_graph: retainGraph);
    }

    /// Unscales the gradients of `parameters`, and unless one is non-finite clips them to
    /// `maxGradNorm` (when given) and calls `optimizerStep`. Returns the updated scaler.
    public static ScaledStepResult Step(LossScaler scaler, IReadOnlyList<Parameter> parameters, Action optimizerStep, double? maxGradNorm = null)
    {
        var foundInf = UnscaleAndCheck(parameters, scaler.InverseScale);
        if (foundInf) return new ScaledStepResult(scaler.Update(foundInf: true), true, null);
        double? norm = null;
        if (maxGradNorm is { } max)
        {
            var withGrad = parameters.Where(p => p.grad is not null).ToArray();
            norm = nn.utils.clip_grad_norm_(withGrad, max);
        }
        optimizerStep();
        return new ScaledStepResult(scaler.Update(foundInf: false), false, norm);
    }

    /// Divides every gradient by the scale (in float32, as GradScaler does) and reports whether any
    /// element is inf or NaN.
    public static bool UnscaleAndCheck(IEnumerable<Parameter> parameters, double inverseScale)
    {
        using var _ = no_grad();
        var foundInf = false;
        using var factor = inverseScale.ToScalar();   // held across the loop (HeldScalars says why)
        foreach (var p in parameters)
        {
            var g = p.grad;
            if (g is null) continue;
            g.mul_(factor);
            using var finite = isfinite(g).all();
            if (!finite.item<bool>()) foundInf = true;
        }
        return foundInf;
    }
}
