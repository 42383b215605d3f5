namespace DaFormer.Training.Config;

/// One training run, complete: the trainer needs nothing else. Immutable; derive variants with
/// `with` (`Gta2Cs with { Uda = Gta2Cs.Uda with { EmaAlpha = 0.99 } }`) or the helpers below.
/// `new RunConfig()` is the final DAFormer GTA→Cityscapes recipe of spec §4.3.
public sealed record RunConfig
{
    public ModelConfig Model { get; init; } = new();
    public DataConfig Data { get; init; } = new();
    public UdaConfig Uda { get; init; } = new();
    public OptimizerConfig Optimizer { get; init; } = new();
    public ScheduleConfig Schedule { get; init; } = new();
    public RuntimeConfig Runtime { get; init; } = new();

    /// The run name, derived from the settings like the original generator's (spec §6.1), e.g.
    /// `gta2cs_dacs_a999_fdthings_rcs001_cpl_daformer_sepaspp_mitb5_poly10warm_s0`. Never typed.
    public string Name => RunName.Of(this);

    /// Encoder and decoder together with what the original generator couples to them: the ImageNet
    /// weights file, the decoder channels of the pairing's base model file (SegFormer 768 on b3…b5,
    /// UPerNet / DeepLabV3+ / DANet / ISANet 512), and no weight decay on MiT norms only.
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

    /// Training length with the generator's coupled intervals: evaluation every iters/10,
    /// one checkpoint at the end (spec §6.1).
    public RunConfig WithIterations(int iterations) => this with
    {
        Schedule = Schedule with { MaxIters = iterations },
        Runtime = Runtime with { EvalInterval = Math.Max(1, iterations / 10), CheckpointInterval = iterations },
    };

    public RunConfig WithSeed(int seed) => this with { Runtime = Runtime with { Seed = seed } };
}
