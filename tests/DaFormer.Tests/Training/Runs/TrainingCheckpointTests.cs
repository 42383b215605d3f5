using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Tests.Support;
using DaFormer.Training.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Runs;

public class TrainingCheckpointTests
{
    static (nn.Module net, AdamW opt) Make(long seed)
    {
        manual_seed(seed);
        var net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.Linear(8, 2));
        var opt = optim.AdamW(net.parameters(), lr: 0.01, weight_decay: 0.01);
        return (net, opt);
    }

    static void Step(nn.Module net, AdamW opt, int i)
    {
        using var scope = NewDisposeScope();
        var g = new Generator((ulong)(100 + i));
        var x = randn(6, 4, generator: g);
        var y = randn(6, 2, generator: g);
        opt.zero_grad();
        var loss = nn.functional.mse_loss(((nn.Module<Tensor, Tensor>)net).call(x), y);
        loss.backward();
        opt.step();
    }

    [Fact]
    public void Resuming_from_a_checkpoint_continues_exactly_like_an_uninterrupted_run()
    {
        var (a, optA) = Make(1);
        for (var i = 0; i < 3; i++) Step(a, optA, i);
        var path = Path.Combine(Paths.NewTempDir(), "latest.pth");
        TrainingCheckpoint.Save(path, [("model.", a)], optA, new Dictionary<string, object> { ["iter"] = 3L, ["seed"] = 1L });

        var (b, optB) = Make(2); // different initial weights: everything must come from the file
        var meta = TrainingCheckpoint.Load(path, [("model.", b)], optB);
        Assert.Equal(3L, Convert.ToInt64(meta["iter"]));

        for (var i = 3; i < 6; i++) { Step(a, optA, i); Step(b, optB, i); }
        foreach (var (k, v) in a.state_dict())
            Assert.True(v.allclose(b.state_dict()[k], 0, 0), k);
    }

    [Fact]
    public void Checkpoint_is_readable_as_a_uda_checkpoint_with_prefixes()
    {
        var (a, opt) = Make(3);
        var path = Path.Combine(Paths.NewTempDir(), "iter_1.pth");
        TrainingCheckpoint.Save(path, [("model.", a), ("ema_model.", a)], opt, new Dictionary<string, object> { ["iter"] = 1L });
        using var c = CheckpointReader.Read(path);
        Assert.True(c.HasOptimizer);
        Assert.Equal(a.state_dict().Count, c.Tensors.Keys.Count(k => k.StartsWith("ema_model.")));
    }

    [Fact]
    public void Resuming_into_another_architecture_names_the_one_the_checkpoint_fits()
    {
        using var saved = Architectures.Build(new SegmentorSpec("mit_b0", "daformer_sepaspp", Channels: 16));
        var path = Path.Combine(Paths.NewTempDir(), "latest.pth");
        TrainingCheckpoint.Save(path, [("model.", saved)], null, new Dictionary<string, object> { ["iter"] = 1L });

        using var other = Architectures.Build(new SegmentorSpec("mit_b0", "daformer_sepaspp", Channels: 32));
        var e = Assert.Throws<DaFormer.Model.DaFormerError>(() => TrainingCheckpoint.Load(path, [("model.", other)], null));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("'model.*' weights", e.Message);
        Assert.Contains(ArchitectureGuess.Describe(new SegmentorSpec("mit_b0", "daformer_sepaspp", Channels: 16)), e.Message);
        Assert.Contains("Channels=16", e.Message);
        Assert.Contains("resume with the config the run was started with", e.Message);
    }
}
