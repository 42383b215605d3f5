namespace DaFormer.Training.Config;

/// AdamW with the original's parameter groups (spec §4.1): every parameter whose name contains
/// `head` gets `Lr × HeadLrMult` (and keeps weight decay); otherwise a name containing one of
/// `NoDecayKeys` gets weight decay 0. Keys are matched in the original's order (`pos_block`,
/// `head`, `norm`: alphabetical, then by decreasing length), first match wins.
public sealed record OptimizerConfig
{
    public double Lr { get; init; } = 6e-5;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.999;
    public double WeightDecay { get; init; } = 0.01;
    public double Eps { get; init; } = 1e-8;
    /// Learning-rate multiplier of the decode head (`pmult=True` → 10).
    public double HeadLrMult { get; init; } = 10;
    /// Parameter-name substrings without weight decay; the generator sets them for MiT encoders only.
    public EquatableList<string> NoDecayKeys { get; init; } = ["norm", "pos_block"];
}
