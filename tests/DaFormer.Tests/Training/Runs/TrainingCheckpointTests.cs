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

    /// Parameter names that classify like a segmentor's: a "norm" (no decay) and a "head" (lr × 10).
    sealed class TinySegmentor : nn.Module<Tensor, Tensor>
    {
        readonly Linear backbone = nn.Linear(4, 8);
        readonly BatchNorm1d norm = nn.BatchNorm1d(8);
        readonly Linear head = nn.Linear(8, 2);

        public TinySegmentor() : base("tiny") => RegisterComponents();

        public override Tensor forward(Tensor x) => head.call(norm.call(backbone.call(x)));
    }

    static (nn.Module net, AdamW opt, IReadOnlyList<DaFormer.Training.Optim.ParameterGroup> groups) MakeGrouped(long seed)
    {
        manual_seed(seed);
        var net = new TinySegmentor();
        var groups = DaFormer.Training.Optim.ParameterGroups.Build(net.named_parameters().Select(p => (p.name, p.parameter)));
        return (net, DaFormer.Training.Optim.ParameterGroups.CreateAdamW(groups, lr: 0.01), groups);
    }

    static void StepGrouped(nn.Module net, AdamW opt, int i)
    {
        using var scope = NewDisposeScope();
        var g = new Generator((ulong)(100 + i));
        var x = randn(6, 4, generator: g);
        var y = randn(6, 2, generator: g);
        opt.zero_grad();
        nn.functional.mse_loss(((TinySegmentor)net).call(x), y).backward();
        opt.step();
    }

    [Fact]
    public void The_optimizer_is_stored_as_mmcv_stores_it_one_group_per_parameter_and_resumes_exactly()
    {
        var (a, optA, groupsA) = MakeGrouped(1);
        var (teacher, _, _) = MakeGrouped(5);
        for (var i = 0; i < 3; i++) StepGrouped(a, optA, i);
        var path = Path.Combine(Paths.NewTempDir(), "latest.pth");
        TrainingCheckpoint.Save(path, [("model.", a), ("ema_model.", teacher)], optA, new Dictionary<string, object> { ["iter"] = 3L }, groupsA);

        var opt = (System.Collections.IDictionary)PyTorchFile.Read(path)["optimizer"]!;
        var pgs = ((System.Collections.IList)opt["param_groups"]!).Cast<System.Collections.IDictionary>().ToList();
        var names = a.named_parameters().Select(p => "model." + p.name).Concat(teacher.named_parameters().Select(p => "ema_model." + p.name)).ToList();
        Assert.Equal(names.Count, pgs.Count);
        Assert.All(pgs.Select((g, i) => (g, i)), x => Assert.Equal(x.i, Convert.ToInt32(((System.Collections.IList)x.g["params"]!)[0])));
        // Rates by name as mmcv's paramwise_cfg gives them, the teacher's copies included.
        for (var i = 0; i < names.Count; i++)
        {
            var (lrMult, decayMult) = (names[i].Contains("head") ? 10.0 : 1.0, names[i].Contains("norm") ? 0.0 : 1.0);
            Assert.Equal(0.01 * lrMult, Convert.ToDouble(pgs[i]["initial_lr"]), 12);
            Assert.Equal(0.01 * decayMult, Convert.ToDouble(pgs[i]["weight_decay"]), 12);
        }
        // State only for the parameters AdamW stepped (the student's), keyed by their index.
        var state = (System.Collections.IDictionary)opt["state"]!;
        Assert.Equal(Enumerable.Range(0, a.parameters().Count()), state.Keys.Cast<object>().Select(Convert.ToInt32).Order());

        var (b, optB, groupsB) = MakeGrouped(2);
        TrainingCheckpoint.Load(path, [("model.", b), ("ema_model.", teacher)], optB, groupsB);
        for (var i = 3; i < 6; i++) { StepGrouped(a, optA, i); StepGrouped(b, optB, i); }
        foreach (var (k, v) in a.state_dict())
            Assert.True(v.allclose(b.state_dict()[k], 0, 0), k);
    }

    [Fact]
    public void A_checkpoint_of_the_earlier_three_group_layout_still_resumes_exactly()
    {
        var (a, optA, _) = MakeGrouped(1);
        for (var i = 0; i < 3; i++) StepGrouped(a, optA, i);
        var path = Path.Combine(Paths.NewTempDir(), "latest.pth");
        TrainingCheckpoint.Save(path, [("model.", a)], optA, new Dictionary<string, object> { ["iter"] = 3L }); // no groups: the old writer
        Assert.Equal(3, ((System.Collections.IList)((System.Collections.IDictionary)PyTorchFile.Read(path)["optimizer"]!)["param_groups"]!).Count);

        var (b, optB, groupsB) = MakeGrouped(2);
        TrainingCheckpoint.Load(path, [("model.", b)], optB, groupsB);
        for (var i = 3; i < 6; i++) { StepGrouped(a, optA, i); StepGrouped(b, optB, i); }
        foreach (var (k, v) in a.state_dict())
            Assert.True(v.allclose(b.state_dict()[k], 0, 0), k);
    }

    [Fact]
    public void Meta_has_the_classes_palette_and_versions_the_original_checkpoint_has()
    {
        // The original's released-style checkpoint (fixture) is the reference for CLASSES, PALETTE and mmcv_version.
        var original = (System.Collections.IDictionary)PyTorchFile.Read(Path.Combine(Paths.ParityDir, "checkpoint_uda.pth"))["meta"]!;
        var (net, opt) = Make(3);
        var meta = CheckpointMeta.Of(DaFormer.Training.Config.Presets.Quickstart, "{}", 7, 7, 0,
            DaFormer.Training.Data.LabelMaps.CityscapesClasses, DaFormer.Training.Data.LabelMaps.CityscapesPalette);
        var path = Path.Combine(Paths.NewTempDir(), "latest.pth");
        TrainingCheckpoint.Save(path, [("model.", net)], opt, meta);
        var ours = (System.Collections.IDictionary)PyTorchFile.Read(path)["meta"]!;

        static List<string> Strings(object? o) => ((System.Collections.IEnumerable)o!).Cast<object>().Select(x => x.ToString()!).ToList();
        static List<string> Colours(object? o) => ((System.Collections.IEnumerable)o!).Cast<System.Collections.IEnumerable>()
            .Select(c => string.Join(",", c.Cast<object>().Select(Convert.ToInt32))).ToList();
        Assert.Equal(Strings(original["CLASSES"]), Strings(ours["CLASSES"]));
        Assert.Equal(Colours(original["PALETTE"]), Colours(ours["PALETTE"]));
        Assert.Equal(original["mmcv_version"], ours["mmcv_version"]);
        Assert.Equal(7, Convert.ToInt64(ours["iter"]));
        Assert.Matches(@"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}$", (string)ours["time"]!);
    }
}
