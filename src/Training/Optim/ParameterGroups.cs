using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Training.Optim;

/// One optimizer parameter group: every parameter whose name classifies to the same (lr, decay) multipliers.
/// mmcv puts each parameter into its own group; grouping identical settings is equivalent for AdamW
/// (its state is per parameter) and keeps the group count at ≤ 3 for logging "lr per group". The
/// checkpoint files still get mmcv's one-group-per-parameter layout (see TrainingCheckpoint).
public sealed record ParameterGroup(string Label, double LrMult, double DecayMult, IReadOnlyList<(string Name, Parameter Param)> Parameters)
{
    public double BaseLr(double lr) => lr * LrMult;
    public double WeightDecay(double weightDecay) => weightDecay * DecayMult;
}

/// Parameter groups exactly as mmcv's DefaultOptimizerConstructor with DAFormer's paramwise_cfg
/// (spec §4.1): custom_keys {head: lr_mult 10, pos_block: decay_mult 0, norm: decay_mult 0}.
public static class ParameterGroups
{
    /// The custom keys in mmcv's matching order: sorted alphabetically, then stably by decreasing
    /// length → pos_block, head, norm. The first key that is a SUBSTRING of the full name wins.
    public static IReadOnlyList<(string Key, double LrMult, double DecayMult)> DaFormerKeys { get; } =
    [
        ("pos_block", 1.0, 0.0),
        ("head", 10.0, 1.0),
        ("norm", 1.0, 0.0),
    ];

    /// (lr multiplier, weight-decay multiplier) of a parameter by its full name. Decode-head BatchNorm
    /// parameters contain "head" first, so they get lr ×10 AND keep weight decay (spec pitfall 2).
    public static (double LrMult, double DecayMult) Classify(string name)
    {
        foreach (var (key, lrMult, decayMult) in DaFormerKeys)
            if (name.Contains(key, StringComparison.Ordinal)) return (lrMult, decayMult);
        return (1.0, 1.0);
    }

    /// Groups named parameters by classification, in order of first appearance; frozen parameters
    /// (requires_grad = false) are left out since AdamW would never update them anyway.
    public static IReadOnlyList<ParameterGroup> Build(IEnumerable<(string Name, Parameter Param)> named)
    {
        var groups = new List<(double Lr, double Decay, List<(string, Parameter)> Items)>();
        foreach (var (name, p) in named)
        {
            if (!p.requires_grad) continue;
            var (lr, decay) = Classify(name);
            var g = groups.FindIndex(x => x.Lr == lr && x.Decay == decay);
            if (g < 0) { groups.Add((lr, decay, new List<(string, Parameter)>())); g = groups.Count - 1; }
            groups[g].Items.Add((name, p));
        }
        return groups.Select(g => new ParameterGroup(LabelOf(g.Lr, g.Decay), g.Lr, g.Decay, g.Items)).ToList();
    }

    static string LabelOf(double lrMult, double decayMult) => (lrMult, decayMult) switch
    {
        (1.0, 1.0) => "backbone",
        (10.0, 1.0) => "head",
        (1.0, 0.0) => "backbone_no_decay",
        _ => $"lr_x{lrMult:0.###}_wd_x{decayMult:0.###}",
    };

    /// AdamW over the groups with the original hyper-parameters (spec §4.1; PyTorch's decoupled decay
    /// `p ← p·(1 − lr·wd)` — TorchSharp's AdamW applies the same update). Group order = `groups` order.
    public static AdamW CreateAdamW(IReadOnlyList<ParameterGroup> groups,
        double lr = 6e-5, double beta1 = 0.9, double beta2 = 0.999, double weightDecay = 0.01, double eps = 1e-8)
    {
        var paramGroups = groups.Select(g => new AdamW.ParamGroup(
            g.Parameters.Select(p => p.Param), lr: g.BaseLr(lr), beta1: beta1, beta2: beta2, eps: eps,
            weight_decay: g.WeightDecay(weightDecay))).ToList();
        return optim.AdamW(paramGroups, lr, beta1, beta2, eps, weightDecay);
    }

    /// Sets every group's lr for iteration `iter`: lr_g = schedule(baseLr·lrMult_g, iter). Each group is
    /// scheduled from its OWN base rate (matters when min_lr > 0, e.g. poly10). Returns the rates set,
    /// in group order (for the log).
    public static double[] SetLearningRates(torch.optim.Optimizer optimizer, IReadOnlyList<ParameterGroup> groups,
        double baseLr, int iter, Func<double, int, double> schedule)
    {
        var pgs = optimizer.ParamGroups.ToList();
        if (pgs.Count != groups.Count)
            throw new ArgumentException($"optimizer has {pgs.Count} parameter groups but {groups.Count} group specs were given");
        var lrs = new double[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            lrs[g] = schedule(groups[g].BaseLr(baseLr), iter);
            pgs[g].LearningRate = lrs[g];
        }
        return lrs;
    }
}
