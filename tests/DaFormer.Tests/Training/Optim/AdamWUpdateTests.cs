using DaFormer.Training.Optim;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Optim;

/// AdamWUpdate must be TorchSharp's AdamW step, number for number: checked against
/// `optim.AdamW.step()` itself on two copies of the same parameters.
public class AdamWUpdateTests
{
    static (Parameter[] Params, AdamW Optimizer) Make(int seed)
    {
        var g = new Generator((ulong)seed);
        Parameter P(params long[] shape) => new(randn(shape, generator: g), requires_grad: true);
        var ps = new[] { P(8, 4, 3, 3), P(8), P(5, 7), P(7) };
        var groups = new List<AdamW.ParamGroup>
        {
            new(ps[..2], lr: 6e-5, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01),
            new(ps[2..], lr: 6e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.0),
        };
        return (ps, optim.AdamW(groups, 6e-5, 0.9, 0.999, 1e-8, 0.01));
    }

    [Fact]
    public void Five_steps_equal_TorchSharps_AdamW_bit_for_bit_with_per_group_rates_and_a_parameter_without_gradient()
    {
        var (mine, myOpt) = Make(1);
        var (theirs, theirOpt) = Make(1);
        using (myOpt) using (theirOpt)
        {
            var g = new Generator(7);
            for (var step = 0; step < 5; step++)
            {
                foreach (var (group, lr) in myOpt.ParamGroups.Zip(new[] { 6e-5 * (1 - step / 10.0), 6e-4 * (1 - step / 10.0) })) group.LearningRate = lr;
                foreach (var (group, lr) in theirOpt.ParamGroups.Zip(new[] { 6e-5 * (1 - step / 10.0), 6e-4 * (1 - step / 10.0) })) group.LearningRate = lr;
                for (var i = 0; i < mine.Length; i++)
                {
                    if (i == 3 && step < 2) { mine[i].grad = null; theirs[i].grad = null; continue; }   // no gradient yet: not updated, step not counted
                    var grad = randn(mine[i].shape, generator: g);
                    mine[i].grad = grad.clone();
                    theirs[i].grad = grad.clone();
                }
                AdamWUpdate.Step(myOpt);
                theirOpt.step();
                for (var i = 0; i < mine.Length; i++)
                    Assert.True(mine[i].eq(theirs[i]).all().item<bool>(), $"parameter {i} differs after step {step + 1}");
            }
            var myStates = myOpt.state_dict().State.Cast<AdamW.State>().ToList();
            var theirStates = theirOpt.state_dict().State.Cast<AdamW.State>().ToList();
            Assert.Equal(theirStates.Select(s => s.step), myStates.Select(s => s.step));
            Assert.Equal([5L, 5L, 5L, 3L], myStates.Select(s => s.step));
            for (var i = 0; i < mine.Length; i++)
            {
                Assert.True(myStates[i].exp_avg.eq(theirStates[i].exp_avg).all().item<bool>());
                Assert.True(myStates[i].exp_avg_sq.eq(theirStates[i].exp_avg_sq).all().item<bool>());
            }
            // The update moved the parameters (a no-op would also "equal" a no-op).
            var (initial, _) = Make(1);
            Assert.All(Enumerable.Range(0, mine.Length), i => Assert.False(mine[i].eq(initial[i]).all().item<bool>()));
        }
    }
}
