using DaFormer.Model.Runtime;
using DaFormer.Training.Optim;
using TorchSharp.Modules;

namespace DaFormer.Training.Runs;

/// What the optimiser update of one iteration did under fp16 loss scaling (null fields without it):
/// the scaler for the next iteration, whether the step was skipped, and the line to log when it was.
public sealed record UpdateOutcome(LossScaler? Scaler, bool Skipped, string? Message);

/// The optimiser update at the end of an iteration, in the run's precision. fp32 and bf16 (float32's
/// range, no loss scaling): a plain AdamW step. fp16: the step's backward passes were scaled by
/// `LossScale(scaler)`; the gradients are unscaled and checked, an inf/NaN skips the step (parameters
/// and AdamW state unchanged) and halves the scale, and every 2000 good steps double it —
/// `torch.cuda.amp.GradScaler`'s policy (LossScaler, ScaledOptimizerStep). The DAFormer/HRDA/MIC
/// configs clip no gradients (the original's `optimizer_config` is empty); ScaledOptimizerStep would
/// unscale before clipping if a clip were added.
public static class OptimizerUpdate
{
    /// A fresh scaler for fp16 runs, null otherwise.
    public static LossScaler? InitialScaler(Precision precision) => precision == Precision.Fp16 ? LossScaler.Default : null;

    /// The factor the iteration's backward passes multiply the losses by.
    public static double LossScale(LossScaler? scaler) => scaler?.Scale ?? 1.0;

    /// Steps (or, on overflow, skips) after the iteration `iteration` (0-based) whose gradients sit in `parameters`.
    public static UpdateOutcome Apply(LossScaler? scaler, IReadOnlyList<Parameter> parameters, Action optimizerStep, long iteration)
    {
        if (scaler is null)
        {
            optimizerStep();
            return new UpdateOutcome(null, false, null);
        }
        var r = ScaledOptimizerStep.Step(scaler, parameters, optimizerStep);
        var message = r.Skipped
            ? $"iteration {iteration + 1}: fp16 gradients overflowed (inf/NaN after unscaling by {scaler.Scale:G}); optimiser step skipped, " +
              $"loss scale lowered to {r.Scaler.Scale:G} ({r.Scaler.SkippedSteps} step(s) skipped in this run)."
            : null;
        return new UpdateOutcome(r.Scaler, r.Skipped, message);
    }

    /// The scaler's state in a checkpoint's meta (fp16 runs), so that a resumed run continues with the
    /// same scale, as GradScaler's `state_dict` in PyTorch checkpoints.
    public static void Save(LossScaler? scaler, IDictionary<string, object> meta)
    {
        if (scaler is null) return;
        meta["loss_scale"] = scaler.Scale;
        meta["loss_scale_good_steps"] = (long)scaler.GoodSteps;
        meta["skipped_steps"] = scaler.SkippedSteps;
    }

    /// The scaler stored by `Save`, or `fresh` when the checkpoint has none (an fp32/bf16 checkpoint
    /// resumed in fp16 starts with GradScaler's initial scale).
    public static LossScaler? Restore(LossScaler? fresh, IReadOnlyDictionary<string, object?> meta)
    {
        if (fresh is null || !meta.TryGetValue("loss_scale", out var scale) || scale is null) return fresh;
        return fresh with
        {
            Scale = Convert.ToDouble(scale),
            GoodSteps = meta.TryGetValue("loss_scale_good_steps", out var g) && g is not null ? Convert.ToInt32(g) : 0,
            SkippedSteps = meta.TryGetValue("skipped_steps", out var k) && k is not null ? Convert.ToInt64(k) : 0,
        };
    }
}
