using System.Text.RegularExpressions;
using DaFormer.Training.Config;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DaFormer.Tests.Training.Config;

/// Properties over generated configs: names stay file-system safe and tell seeds apart; validation
/// flags exactly the out-of-range values.
public class ConfigPropertiesTests
{
    static readonly Gen<RunConfig> Configs =
        from preset in Gen.Elements(Presets.Gta2Cs, Presets.Synthia2Cs, Presets.Cs2Acdc, Presets.Cs2DarkZurich, Presets.Quickstart)
        from mode in Gen.Elements<Func<RunConfig, RunConfig>>(c => c, Presets.SourceOnly, Presets.TargetOnly, Presets.Dacs)
        from encoder in Gen.Elements(Encoder.MitB0, Encoder.MitB3, Encoder.MitB5)
        from decoder in Gen.Elements(Decoder.DaformerSepAspp, Decoder.DaformerConv1, Decoder.Segformer)
        from t in Gen.Elements(0.002, 0.01, 0.5, double.PositiveInfinity)
        from alpha in Gen.Elements(0.9, 0.99, 0.999)
        from seed in Gen.Choose(0, 9)
        let c = mode(preset.WithArchitecture(encoder, decoder)).WithSeed(seed)
        where !(c.Uda.Mode == UdaMode.TargetOnly && c.Data.Target.Kind == DatasetKind.DarkZurich)   // no labelled Dark Zurich train split
        select c with { Uda = c.Uda with { EmaAlpha = alpha }, Data = c.Data with { Rcs = c.Data.Rcs is null ? null : Rcs.On(t) } };

    [Property]
    public Property Names_are_file_system_safe_and_have_no_dots() =>
        Prop.ForAll(Arb.From(Configs), c => Regex.IsMatch(c.Name, "^[a-z0-9_-]+$"));

    [Property]
    public Property Names_tell_seeds_apart_and_end_with_the_seed() =>
        Prop.ForAll(Arb.From(Configs), Arb.From(Gen.Choose(0, 99)), (c, s) =>
            c.WithSeed(s).Name.EndsWith($"_s{s}") && (c.WithSeed(s).Name == c.Name) == (c.Runtime.Seed == s));

    [Property]
    public Property Non_positive_learning_rates_are_always_flagged() =>
        Prop.ForAll(Arb.From(Configs), Arb.From(Gen.Choose(-1000, 1000).Select(x => x * 1e-6)), (c, lr) =>
            ConfigValidation.Validate(c with { Optimizer = c.Optimizer with { Lr = lr } }).Any(p => p.Path == "Optimizer.Lr") == (lr <= 0));

    [Property]
    public Property Ema_alpha_is_flagged_exactly_outside_the_unit_interval() =>
        Prop.ForAll(Arb.From(Configs), Arb.From(Gen.Choose(-50, 150).Select(x => x / 100.0)), (c, a) =>
            ConfigValidation.Validate(c with { Uda = c.Uda with { EmaAlpha = a } }).Any(p => p.Path == "Uda.EmaAlpha") == (a < 0 || a > 1));

    [Property]
    public Property Generated_configs_are_valid_and_round_trip() =>
        Prop.ForAll(Arb.From(Configs), c => ConfigValidation.Validate(c).Count == 0 && ConfigJson.Deserialize(ConfigJson.Serialize(c)) == c);
}
