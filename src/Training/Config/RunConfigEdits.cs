namespace DaFormer.Training.Config;

/// <summary>
/// One-call edits of a <see cref="RunConfig"/>, so a script states only the delta:
/// <c>Gta2Cs.WithUda(u =&gt; u with { EmaAlpha = 0.99 })</c> instead of repeating the parent in a nested
/// <c>with</c> (<c>Gta2Cs with { Uda = Gta2Cs.Uda with { EmaAlpha = 0.99 } }</c>). Each returns a new config.
/// </summary>
public static class RunConfigEdits
{
    /// <summary>Edits the network part (<see cref="RunConfig.Model"/>): <c>cfg.WithModel(m =&gt; m with { Channels = 64 })</c>.</summary>
    public static RunConfig WithModel(this RunConfig cfg, Func<ModelConfig, ModelConfig> edit) => cfg with { Model = edit(cfg.Model) };

    /// <summary>Edits the data part (<see cref="RunConfig.Data"/>): <c>cfg.WithData(d =&gt; d with { Crop = new(256, 256) })</c>.</summary>
    public static RunConfig WithData(this RunConfig cfg, Func<DataConfig, DataConfig> edit) => cfg with { Data = edit(cfg.Data) };

    /// <summary>Edits the self-training part (<see cref="RunConfig.Uda"/>): <c>cfg.WithUda(u =&gt; u with { EmaAlpha = 0.99 })</c>.</summary>
    public static RunConfig WithUda(this RunConfig cfg, Func<UdaConfig, UdaConfig> edit) => cfg with { Uda = edit(cfg.Uda) };

    /// <summary>Edits AdamW (<see cref="RunConfig.Optimizer"/>): <c>cfg.WithOptimizer(o =&gt; o with { Lr = 1e-4 })</c>.</summary>
    public static RunConfig WithOptimizer(this RunConfig cfg, Func<OptimizerConfig, OptimizerConfig> edit) => cfg with { Optimizer = edit(cfg.Optimizer) };

    /// <summary>Edits the learning-rate schedule (<see cref="RunConfig.Schedule"/>): <c>cfg.WithSchedule(s =&gt; s with { Warmup = null })</c>.</summary>
    public static RunConfig WithSchedule(this RunConfig cfg, Func<ScheduleConfig, ScheduleConfig> edit) => cfg with { Schedule = edit(cfg.Schedule) };

    /// <summary>Edits seed, intervals and evaluation (<see cref="RunConfig.Runtime"/>): <c>cfg.WithRuntime(r =&gt; r with { LogInterval = 10 })</c>.</summary>
    public static RunConfig WithRuntime(this RunConfig cfg, Func<RuntimeConfig, RuntimeConfig> edit) => cfg with { Runtime = edit(cfg.Runtime) };

    /// <summary>
    /// Rare Class Sampling of the source ("RCS" in the paper): <c>cfg.WithRcs(Rcs.On(temperature: 0.1))</c>;
    /// <c>null</c> turns it off.
    /// </summary>
    public static RunConfig WithRcs(this RunConfig cfg, Rcs? rcs) => cfg with { Data = cfg.Data with { Rcs = rcs } };

    /// <summary>
    /// Thing-Class ImageNet Feature Distance ("FD" in the paper): <c>cfg.WithFeatureDistance(FeatureDistance.AllPixels)</c>;
    /// <c>null</c> turns it off.
    /// </summary>
    public static RunConfig WithFeatureDistance(this RunConfig cfg, FeatureDistance? fd) => cfg with { Uda = cfg.Uda with { FeatureDistance = fd } };

    /// <summary>The three data sets at once: the labelled source, the unlabelled target and the labelled validation set.</summary>
    public static RunConfig WithDomains(this RunConfig cfg, DatasetConfig source, DatasetConfig target, DatasetConfig validation) =>
        cfg with { Data = cfg.Data with { Source = source, Target = target, Validation = validation } };

    /// <summary>Random training crop of width × height pixels (the original's <c>crop_size</c>, 512 × 512 in the paper).</summary>
    public static RunConfig WithCrop(this RunConfig cfg, int width, int height) => cfg with { Data = cfg.Data with { Crop = new(width, height) } };

    /// <summary>One config per seed (<c>cfg.WithSeeds(0, 1, 2)</c>, the paper's three seeds), in the order given.</summary>
    public static IEnumerable<RunConfig> WithSeeds(this RunConfig cfg, params int[] seeds) => seeds.Select(cfg.WithSeed);

    /// <summary>One config per seed for every config of a sweep: <c>rows.WithSeeds(0, 1, 2)</c>.</summary>
    public static IEnumerable<RunConfig> WithSeeds(this IEnumerable<RunConfig> configs, params int[] seeds) =>
        from c in configs from s in seeds select c.WithSeed(s);
}

/// <summary>Sweeps written as lists, without spelling out delegate types.</summary>
public static class Sweep
{
    /// <summary>
    /// Ways of training a config, as a list a query can range over — lambdas allowed:
    /// <c>from training in Sweep.Variants(SourceOnly, c =&gt; c.WithRcs(null), TargetOnly) select training(cfg)</c>.
    /// </summary>
    public static IReadOnlyList<Func<RunConfig, RunConfig>> Variants(params Func<RunConfig, RunConfig>[] variants) => variants;

    /// <summary>The configs given, as one sweep: <c>return Sweep.Of(Gta2Cs, Synthia2Cs);</c>.</summary>
    public static IReadOnlyList<RunConfig> Of(params RunConfig[] configs) => configs;
}
