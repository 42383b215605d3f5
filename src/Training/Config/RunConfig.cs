namespace DaFormer.Training.Config;

/// <summary>
/// One training run, complete: the trainer needs nothing else. Immutable; derive variants with the
/// one-call edits (<c>Gta2Cs.WithUda(u =&gt; u with { EmaAlpha = 0.99 })</c>, <c>.WithRcs(…)</c>, see
/// <see cref="RunConfigEdits"/>) or <c>with</c>. <c>new RunConfig()</c> is the final DAFormer GTA→Cityscapes
/// recipe (<see cref="Presets.Gta2Cs"/>).
/// </summary>
public sealed record RunConfig
{
    /// <summary>The network: encoder, decode head, ImageNet weights.</summary>
    public ModelConfig Model { get; init; } = new();
    /// <summary>Source, target and validation data, crops, Rare Class Sampling.</summary>
    public DataConfig Data { get; init; } = new();
    /// <summary>The self-training (DACS) knobs: EMA teacher, pseudo-labels, ClassMix, feature distance.</summary>
    public UdaConfig Uda { get; init; } = new();
    /// <summary>AdamW and its parameter groups.</summary>
    public OptimizerConfig Optimizer { get; init; } = new();
    /// <summary>Iterations, poly decay and learning-rate warmup.</summary>
    public ScheduleConfig Schedule { get; init; } = new();
    /// <summary>Seed, logging, evaluation and checkpoint intervals.</summary>
    public RuntimeConfig Runtime { get; init; } = new();

    /// <summary>The run name, derived from the settings like the original generator's, e.g.
    /// <c>gta2cs_dacs_a999_fdthings_rcs001_cpl_daformer_sepaspp_mitb5_poly10warm_s0</c>. Never typed.</summary>
    public string Name => RunName.Of(this);

    /// <summary>Encoder and decoder together with what the original generator couples to them: the ImageNet
    /// weights file, the decoder channels of the pairing's base model file (SegFormer 768 on b3…b5,
    /// UPerNet / DeepLabV3+ / DANet / ISANet 512), and no weight decay on MiT norms only.</summary>
    public RunConfig WithArchitecture(Encoder encoder, Decoder decoder) => this with
    {
        Model = Model with
        {
            Encoder = encoder,
            Decoder = decoder,
            Channels = ArchitectureNames.DefaultChannels(encoder, decoder),
            Pretrained = encoder.PretrainedFile(),
        },
        Optimizer = Optimizer with { NoDecayKeys = encoder.IsMit() ? ["norm", "pos_block"] : EquatableList<string>.Empty },
    };

    /// <summary>Training length with the generator's coupled intervals: evaluation every iters/10,
    /// one checkpoint at the end.</summary>
    public RunConfig WithIterations(int iterations) => this with
    {
        Schedule = Schedule with { MaxIters = iterations },
        Runtime = Runtime with { EvalInterval = Math.Max(1, iterations / 10), CheckpointInterval = iterations },
    };

    /// <summary>The same run with another random seed (the paper reports the mean over seeds 0, 1, 2).</summary>
    public RunConfig WithSeed(int seed) => this with { Runtime = Runtime with { Seed = seed } };
}
