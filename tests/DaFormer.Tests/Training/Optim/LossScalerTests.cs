using DaFormer.Training.Optim;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Optim;

/// fp16 dynamic loss scaling (GradScaler's algorithm), checked on the CPU in float32: the scale's
/// state machine against GradScaler's documented rules, and a scaled step against an unscaled
/// reference step computed independently.
public class LossScalerTests
{
    [Fact]
    public void Defaults_are_gradscalers()
    {
        var s = LossScaler.Default;
        Assert.Equal((65536.0, 2.0, 0.5, 2000), (s.Scale, s.GrowthFactor, s.BackoffFactor, s.GrowthInterval));
    }

    [Fact]
    public void Overflow_halves_the_scale_resets_the_run_of_good_steps_and_counts_a_skip()
    {
        var s = LossScaler.Default with { GoodSteps = 1999 };
        var after = s.Update(foundInf: true);
        Assert.Equal(32768.0, after.Scale);
        Assert.Equal(0, after.GoodSteps);
        Assert.Equal(1, after.SkippedSteps);
    }

    [Fact]
    public void Scale_doubles_after_exactly_growth_interval_good_steps()
    {
        var s = LossScaler.Default;
        for (var i = 0; i < 1999; i++) s = s.Update(foundInf: false);
        Assert.Equal(65536.0, s.Scale);
        s = s.Update(foundInf: false);
        Assert.Equal(131072.0, s.Scale);
        Assert.Equal(0, s.GoodSteps);
        Assert.Equal(0, s.SkippedSteps);
    }

    /// Any sequence of overflow flags: scale = init · 2^(growths) · 0.5^(overflows), where growths are
    /// counted by replaying GradScaler's rule independently (runs of 2000 good steps since the last event).
    [Property(MaxTest = 50)]
    public Property Scale_follows_gradscalers_rule_for_any_overflow_sequence() =>
        Prop.ForAll(Arb.From(Gen.ListOf(Gen.Frequency((1, Gen.Constant(true)), (200, Gen.Constant(false)))).Select(l => l.ToArray())), flags =>
        {
            var s = new LossScaler(GrowthInterval: 20);
            int run = 0, growths = 0, overflows = 0;
            foreach (var inf in flags)
            {
                s = s.Update(inf);
                if (inf) { overflows++; run = 0; }
                else if (++run == 20) { growths++; run = 0; }
            }
            return s.Scale == 65536.0 * Math.Pow(2, growths) * Math.Pow(0.5, overflows) && s.SkippedSteps == overflows && s.GoodSteps == run;
        });

    [Fact]
    public void A_scaled_step_applies_the_same_update_as_an_unscaled_one()
    {
        var (reference, _) = TrainOnce(scaler: null, maxGradNorm: null);
        var (scaled, result) = TrainOnce(LossScaler.Default with { Scale = 1024 }, maxGradNorm: null);
        Assert.False(result!.Skipped);
        Assert.Equal(1024, result.Scaler.Scale); // no growth after one step
        for (var i = 0; i < reference.Length; i++)
            Assert.True(allclose(scaled[i], reference[i], rtol: 1e-6, atol: 1e-7), $"parameter {i} differs");
    }

    [Fact]
    public void Gradients_are_unscaled_before_clipping()
    {
        // With clipping on the true gradient norm the update is −lr·g·min(1, max/‖g‖). Clipping the
        // scaled gradients instead would shrink the update by a further factor of the scale.
        const double maxNorm = 0.05;
        var (reference, refNorm) = TrainOnce(scaler: null, maxGradNorm: maxNorm);
        var (scaled, result) = TrainOnce(LossScaler.Default, maxGradNorm: maxNorm);
        Assert.True(refNorm!.GradNorm > maxNorm, "the test needs a gradient that is actually clipped");
        Assert.Equal(refNorm.GradNorm!.Value, result!.GradNorm!.Value, 4);
        for (var i = 0; i < reference.Length; i++)
            Assert.True(allclose(scaled[i], reference[i], rtol: 1e-5, atol: 1e-7), $"parameter {i} differs");
    }

    [Fact]
    public void An_overflowing_gradient_skips_the_step_and_halves_the_scale()
    {
        using var scope = NewDisposeScope();
        var layer = Layer();
        var before = layer.parameters().Select(p => p.detach().clone()).ToArray();
        var loss = Loss(layer);
        ScaledOptimizerStep.Scaled(loss, LossScaler.Default).backward();
        using (no_grad()) layer.weight!.grad![0, 0] = float.PositiveInfinity; // what an fp16 overflow leaves behind
        var stepped = false;
        var r = ScaledOptimizerStep.Step(LossScaler.Default, layer.parameters().ToList(), () => stepped = true, maxGradNorm: 1.0);
        Assert.True(r.Skipped);
        Assert.False(stepped);
        Assert.Equal(32768.0, r.Scaler.Scale);
        Assert.Equal(1, r.Scaler.SkippedSteps);
        var after = layer.parameters().ToArray();
        for (var i = 0; i < before.Length; i++) Assert.True(after[i].eq(before[i]).all().item<bool>(), $"parameter {i} changed");
    }

    // Local generators: tests of other classes run in parallel and reseed the global one.
    static Linear Layer()
    {
        var layer = nn.Linear(6, 3);
        var g = new Generator(42);
        using (no_grad())
        {
            layer.weight!.copy_(randn([3, 6], generator: g));
            layer.bias!.copy_(randn([3], generator: g));
        }
        return layer;
    }

    static Tensor Loss(Linear layer)
    {
        var x = randn([5, 6], generator: new Generator(43)) * 10;
        var y = layer.forward(x);
        return (y * y).mean();
    }

    /// One SGD step (lr 0.1) on a fixed Linear and loss, with or without loss scaling; returns the
    /// parameters after the step (and, unscaled, the gradient norm that clipping saw).
    static (Tensor[] Params, ScaledStepResult? Result) TrainOnce(LossScaler? scaler, double? maxGradNorm)
    {
        var layer = Layer();
        var parameters = layer.parameters().ToList();
        using var opt = torch.optim.SGD(parameters, 0.1);
        opt.zero_grad();
        var loss = Loss(layer);
        ScaledStepResult? result;
        if (scaler is null)
        {
            loss.backward();
            double? norm = maxGradNorm is { } m ? nn.utils.clip_grad_norm_(parameters, m) : null;
            opt.step();
            result = new ScaledStepResult(LossScaler.Default, false, norm);
        }
        else
        {
            ScaledOptimizerStep.Scaled(loss, scaler).backward();
            result = ScaledOptimizerStep.Step(scaler, parameters, () => opt.step(), maxGradNorm);
        }
        return (parameters.Select(p => p.detach().clone()).ToArray(), result);
    }
}
