using DaFormer.Model.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Training.Optim;

/// One AdamW update of every parameter with a gradient — the arithmetic of TorchSharp's `AdamW.step`
/// (= torch.optim.AdamW's single-tensor path, decoupled decay first) in the same order, on the same
/// state tensors, so results are bit-identical (AdamWUpdateTests) and checkpoints unchanged. It exists
/// because TorchSharp's step makes about six implicit Scalars per parameter per step (β's, 1 − β's,
/// ε, −step size, the decay factor) that nothing holds during the native calls (HeldScalars); here
/// each is held in a `using` for the duration of its group.
public static class AdamWUpdate
{
    /// Updates the parameters of `optimizer` from their `.grad`, with each group's current learning rate.
    public static void Step(AdamW optimizer)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var states = optimizer.state_dict().State.Cast<AdamW.State>().ToList();
        var index = 0;
        foreach (var group in optimizer.ParamGroups.Cast<AdamW.ParamGroup>())
        {
            var o = group.Options;
            if (o.amsgrad == true || o.maximize == true)
                throw new NotSupportedException("AdamWUpdate implements AdamW without amsgrad and maximize (the DAFormer optimizer).");
            double lr = group.LearningRate, beta1 = o.beta1!.Value, beta2 = o.beta2!.Value;
            using var decay = (1 - lr * o.weight_decay!.Value).ToScalar();
            using var beta1Scalar = beta1.ToScalar();
            using var oneMinusBeta1 = (1 - beta1).ToScalar();
            using var beta2Scalar = beta2.ToScalar();
            using var oneMinusBeta2 = (1 - beta2).ToScalar();
            using var eps = o.eps!.Value.ToScalar();
            foreach (var param in group.Parameters)
            {
                var state = states[index++];
                var grad = param.grad;
                if (grad is null) continue;
                state.step += 1;
                param.mul_(decay);
                var biasCorrection1 = 1 - Math.Pow(beta1, state.step);
                var biasCorrection2 = 1 - Math.Pow(beta2, state.step);
                state.exp_avg.mul_(beta1Scalar).add_(grad, oneMinusBeta1);
                state.exp_avg_sq.mul_(beta2Scalar).addcmul_(grad, grad, oneMinusBeta2);
                using var sqrtCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
                using var denom = state.exp_avg_sq.sqrt().div_(sqrtCorrection2).add_(eps, HeldScalars.One);
                using var negativeStepSize = (-(lr / biasCorrection1)).ToScalar();
                param.addcdiv_(state.exp_avg, denom, negativeStepSize);
            }
        }
    }
}
