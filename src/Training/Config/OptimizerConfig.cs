namespace DaFormer.Training.Config;

/// <summary>
/// AdamW with the original's parameter groups (mmcv <c>paramwise_cfg</c>): every parameter whose name
/// contains <c>head</c> gets <see cref="Lr"/> × <see cref="HeadLrMult"/> (and keeps weight decay);
/// otherwise a name containing one of <see cref="NoDecayKeys"/> gets weight decay 0. Keys are matched in
/// the original's order (<c>pos_block</c>, <c>head</c>, <c>norm</c>: alphabetical, then by decreasing length), first match wins.
/// </summary>
public sealed record OptimizerConfig
{
    /// <summary>Base learning rate of the encoder (the paper: 6e-5; the head trains at 10×).</summary>
    public double Lr { get; init; } = 6e-5;
    /// <summary>AdamW β1 (0.9).</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>AdamW β2 (0.999).</summary>
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Decoupled weight decay (0.01).</summary>
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>AdamW ε (1e-8).</summary>
    public double Eps { get; init; } = 1e-8;
    /// <summary>Learning-rate multiplier of the decode head (the original's <c>pmult=True</c> → 10).</summary>
    public double HeadLrMult { get; init; } = 10;
    /// <summary>Parameter-name substrings without weight decay; the generator sets them for MiT encoders only.</summary>
    public EquatableList<string> NoDecayKeys { get; init; } = ["norm", "pos_block"];
}
