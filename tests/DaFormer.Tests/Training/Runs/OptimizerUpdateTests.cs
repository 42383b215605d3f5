using DaFormer.Model;
using DaFormer.Model.Runtime;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;
using DaFormer.Training.Optim;
using DaFormer.Training.Randomness;
using DaFormer.Training.Runs;
using DaFormer.Training.Uda;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Runs;

/// The trainer's fp16 update (OptimizerUpdate) and the loss scale in the step's backward passes,
/// driven on the CPU with float32 tensors — fp16 itself needs CUDA, but scaling, unscaling, the
/// overflow skip and the scale bookkeeping do not depend on the dtype. Scaling by a power of two and
/// unscaling again is exact in float32 (no overflow or underflow at these magnitudes), so a scaled
/// update must equal the plain float32 update to float32 rounding. Twin networks draw DropPath/Dropout
/// from the global generator, so the class runs alone.
[Collection(SerialCollection.Name)]
public class OptimizerUpdateTests
{
    sealed class Twin : IDisposable
    {
        public readonly Segmentor Model;
        public readonly AdamW Optimizer;
        public readonly List<Parameter> Parameters;

        public Twin()
        {
            manual_seed(11);
            Model = Architectures.Build(new SegmentorSpec("mit_b0", "daformer_sepaspp", Channels: 16));
            Model.train();
            Model.SetStochasticLayersEnabled(false);
            var groups = ParameterGroups.Build(Model.named_parameters().Select(p => (p.name, p.parameter)));
            Optimizer = ParameterGroups.CreateAdamW(groups, lr: 6e-5);
            Parameters = Model.parameters().ToList();
        }

        public Tensor[] Snapshot() => Parameters.Select(p => p.detach().clone()).ToArray();

        public void Dispose()
        {
            Optimizer.Dispose();
            Model.Dispose();
        }
    }

    static (Tensor Img, Tensor Gt) Batch(int seed)
    {
        manual_seed(seed);
        var img = randn(2, 3, 32, 32);
        var cells = randint(0, 19, [2, 1, 4, 4], dtype: ScalarType.Int64);
        return (img, nn.functional.interpolate(cells.to(ScalarType.Float32), [32, 32], mode: InterpolationMode.Nearest).to(ScalarType.Int64));
    }

    static double MaxRelDiff(Tensor[] a, Tensor[] b) =>
        a.Zip(b).Max(p => TensorAssert.Compare(p.First, p.Second).RelL2);

    /// The change of every parameter since `before` (AdamW's updates, ~lr per element: comparing them,
    /// not the weights, keeps a wrong update from hiding behind the size of the weights).
    static Tensor[] Updates(Tensor[] after, Tensor[] before) => after.Zip(before).Select(p => p.First - p.Second).ToArray();

    [Fact]
    public void Only_fp16_has_a_scaler_and_without_one_the_update_is_a_plain_step()
    {
        Assert.Null(OptimizerUpdate.InitialScaler(Precision.Fp32));
        Assert.Null(OptimizerUpdate.InitialScaler(Precision.Bf16));
        Assert.Equal(LossScaler.Default, OptimizerUpdate.InitialScaler(Precision.Fp16));
        Assert.Equal(1.0, OptimizerUpdate.LossScale(null));
        Assert.Equal(65536.0, OptimizerUpdate.LossScale(LossScaler.Default));
        var steps = 0;
        var outcome = OptimizerUpdate.Apply(null, [], () => steps++, 0);
        Assert.Equal((1, false, null), (steps, outcome.Skipped, outcome.Message));
        Assert.Null(outcome.Scaler);
    }

    [Fact]
    public void A_loss_scaled_update_changes_the_weights_as_the_unscaled_float32_update_does()
    {
        using var scope = NewDisposeScope();
        var (img, gt) = Batch(1);
        using var scaled = new Twin();
        using var plain = new Twin();
        var scaler = OptimizerUpdate.InitialScaler(Precision.Fp16);
        var initial = plain.Snapshot(); // the twins start equal

        // SupervisedStep switches DropPath/Dropout on: both twins draw the same masks.
        scaled.Optimizer.zero_grad();
        manual_seed(100);
        var logsScaled = SupervisedStep.Run(scaled.Model, img, gt, lossScale: OptimizerUpdate.LossScale(scaler));
        var outcome = OptimizerUpdate.Apply(scaler, scaled.Parameters, () => scaled.Optimizer.step(), 0);
        plain.Optimizer.zero_grad();
        manual_seed(100);
        var logsPlain = SupervisedStep.Run(plain.Model, img, gt);
        plain.Optimizer.step();

        Assert.False(outcome.Skipped);
        Assert.Equal(scaler! with { GoodSteps = 1 }, outcome.Scaler);
        Assert.Equal(logsPlain["decode.loss_seg"], logsScaled["decode.loss_seg"]); // logged unscaled
        // AdamW's update hardly depends on the gradients' scale, so the gradients themselves are
        // compared too: the update unscaled them in place, to the float32 ones.
        Assert.True(MaxRelDiff(scaled.Parameters.Select(p => p.grad!).ToArray(), plain.Parameters.Select(p => p.grad!).ToArray()) < 1e-6);
        Assert.True(MaxRelDiff(Updates(scaled.Snapshot(), initial), Updates(plain.Snapshot(), initial)) < 1e-5);
    }

    [Fact]
    public void An_overflow_skips_the_update_keeps_weights_and_adamw_state_halves_the_scale_and_says_so()
    {
        using var scope = NewDisposeScope();
        var (img1, gt1) = Batch(1);
        var (img2, gt2) = Batch(2);
        using var run = new Twin();       // good step, overflowing step (skipped), good step
        using var reference = new Twin(); // the same two good steps without the overflow in between
        LossScaler? scaler = OptimizerUpdate.InitialScaler(Precision.Fp16);
        var initial = reference.Snapshot();

        // Each batch with its own seed for DropPath/Dropout, the same in both networks.
        UpdateOutcome Iteration(Tensor img, Tensor gt, long i, int seed, bool injectOverflow = false)
        {
            run.Optimizer.zero_grad();
            manual_seed(seed);
            SupervisedStep.Run(run.Model, img, gt, lossScale: OptimizerUpdate.LossScale(scaler));
            // What an fp16 overflow leaves behind: one inf in one gradient.
            if (injectOverflow) using (no_grad()) run.Parameters[5].grad!.view(-1)[0].fill_(double.PositiveInfinity);
            var outcome = OptimizerUpdate.Apply(scaler, run.Parameters, () => run.Optimizer.step(), i);
            scaler = outcome.Scaler;
            return outcome;
        }

        Assert.False(Iteration(img1, gt1, 0, 100).Skipped);
        var before = run.Snapshot();
        var skipped = Iteration(img2, gt2, 1, 200, injectOverflow: true);
        Assert.True(skipped.Skipped);
        Assert.Equal(0, MaxRelDiff(run.Snapshot(), before)); // weights untouched
        Assert.Equal(32768.0, scaler!.Scale);
        Assert.Equal((0, 1L), (scaler.GoodSteps, scaler.SkippedSteps));
        Assert.Contains("iteration 2: fp16 gradients overflowed", skipped.Message);
        Assert.Contains("loss scale lowered to 32768", skipped.Message);
        Assert.False(Iteration(img2, gt2, 2, 200).Skipped);

        foreach (var (img, gt, seed) in new[] { (img1, gt1, 100), (img2, gt2, 200) })
        {
            reference.Optimizer.zero_grad();
            manual_seed(seed);
            SupervisedStep.Run(reference.Model, img, gt);
            reference.Optimizer.step();
        }
        // Equal after two steps: the skipped one left AdamW's moments and step count alone.
        Assert.True(MaxRelDiff(Updates(run.Snapshot(), initial), Updates(reference.Snapshot(), initial)) < 1e-5);
    }

    [Fact]
    public void The_loss_scale_multiplies_every_backward_of_a_dacs_step_with_feature_distance_and_mic()
    {
        using var scope = NewDisposeScope();
        var (img, gt) = Batch(3);
        using (no_grad()) gt[0].fill_(11); // one image all "person", so the thing-class feature distance selects cells
        var timg = randn(2, 3, 32, 32);
        var uda = new UdaConfig { Mic = new MicConfig { BlockSize = 8 } };
        Assert.NotNull(uda.FeatureDistance);

        (IReadOnlyDictionary<string, double> Losses, Tensor[] Grads) Step(double lossScale)
        {
            manual_seed(5);
            var spec = new SegmentorSpec("mit_b0", "daformer_sepaspp", Channels: 16);
            using var student = Architectures.Build(spec);
            using var teacher = Architectures.Build(spec);
            using var imnet = Architectures.Build(spec);
            foreach (var p in teacher.parameters().Concat(imnet.parameters())) p.requires_grad = false;
            manual_seed(6); // DropPath / Dropout draw the same in both runs
            var r = Dacs.Step(new DacsNetworks(student, teacher, imnet), new DacsBatch(img, gt, timg), uda, 19,
                              RandomStreams.ForIteration(0, 3), lossScale: lossScale);
            return (r.Losses, student.parameters().Select(p => p.grad!.clone()).ToArray());
        }
        var plain = Step(1.0);
        var scaled = Step(1024.0);

        Assert.True(plain.Losses["src.loss_imnet_feat_dist"] > 0); // the FD backward ran
        Assert.Contains("masked.decode.loss_seg", plain.Losses.Keys);
        foreach (var (k, v) in plain.Losses) Assert.Equal(v, scaled.Losses[k]); // logged unscaled
        var unscaled = scaled.Grads.Select(g => g / 1024.0).ToArray();
        Assert.True(MaxRelDiff(unscaled, plain.Grads) < 1e-6);
    }

    [Fact]
    public void The_scaler_state_is_written_to_and_read_back_from_a_checkpoint()
    {
        using var scope = NewDisposeScope();
        var scaler = LossScaler.Default with { Scale = 8192, GoodSteps = 17, SkippedSteps = 3 };
        var meta = new Dictionary<string, object> { ["iter"] = 20L };
        OptimizerUpdate.Save(scaler, meta);
        using var module = nn.Linear(2, 2);
        var path = Path.Combine(Paths.NewTempDir("scaler"), "latest.pth");
        TrainingCheckpoint.Save(path, [("model.", module)], null, meta);
        var read = TrainingCheckpoint.Load(path, [("model.", module)], null);

        Assert.Equal(scaler, OptimizerUpdate.Restore(LossScaler.Default, read));
        Assert.Null(OptimizerUpdate.Restore(null, read)); // a bf16/fp32 run resuming an fp16 checkpoint has no scaler
        // An fp32/bf16 checkpoint resumed in fp16 starts with GradScaler's initial scale.
        Assert.Equal(LossScaler.Default, OptimizerUpdate.Restore(LossScaler.Default, new Dictionary<string, object?> { ["iter"] = 20L }));
    }
}
