using System.Globalization;
using DaFormer.Training.Config;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DaFormer.Tests.Training.Config;

public class RunNameTests
{
    // Names below are the ones spec §4.3 / §6.1 state, or follow from its rule by hand.
    [Fact]
    public void Final_recipe_names_match_the_spec()
    {
        Assert.Equal("gta2cs_dacs_a999_fdthings_rcs001_cpl_daformer_sepaspp_mitb5_poly10warm_s0", RunName.Of(Presets.Gta2Cs));
        Assert.Equal("syn2cs_dacs_a999_fdthings_rcs001_cpl_daformer_sepaspp_mitb5_poly10warm_s0", RunName.Of(Presets.Synthia2Cs));
        Assert.Equal("cs2dzur_dacs_a999_fdthings_rcs001_cpl_daformer_sepaspp_mitb5_poly10warm_s2", RunName.Of(Presets.Cs2DarkZurich.WithSeed(2)));
        Assert.Equal("cs2acdc_dacs_a999_fdthings_rcs001_cpl_daformer_sepaspp_mitb5_poly10warm_s0", RunName.Of(Presets.Cs2Acdc));
    }

    [Fact]
    public void Table_5_variants_get_the_generators_uda_tokens()
    {
        var segformer = Presets.Dacs(Presets.Gta2Cs.WithArchitecture(Encoder.MitB5, Decoder.Segformer));
        Assert.Equal("gta2cs_dacs_segformer_mitb5_poly10warm_s0", segformer.Name);
        Assert.Equal("gta2cs_dacs_rcsinf_segformer_mitb5_poly10warm_s1",
            (segformer with { Data = segformer.Data with { Rcs = Rcs.On(double.PositiveInfinity) } }).WithSeed(1).Name);
        Assert.Equal("gta2cs_dacs_fd_segformer_mitb5_poly10warm_s0",
            (segformer with { Uda = segformer.Uda with { FeatureDistance = FeatureDistance.AllPixels } }).Name);
        Assert.Equal("gta2cs_dacs_fdthings_rcs001_segformer_mitb5_poly10warm_s0",
            (segformer with { Uda = segformer.Uda with { FeatureDistance = FeatureDistance.Things }, Data = segformer.Data with { Rcs = Rcs.On() } }).Name);
    }

    [Fact]
    public void Baselines_and_schedules()
    {
        Assert.Equal("gta2cs_source-only_dlv2red_r101v1c_poly10warm_s0", Presets.SourceOnly(Presets.Gta2Cs.WithArchitecture(Encoder.R101V1c, Decoder.Dlv2Red)).Name);
        Assert.Equal("gta2cs_target-only_daformer_sepaspp_mitb5_poly10_s0", (Presets.TargetOnly(Presets.Gta2Cs) with { Schedule = ScheduleConfig.Poly10 }).Name);
    }

    [Fact]
    public void Values_outside_the_generators_vocabulary_still_give_distinct_names()
    {
        var a = Presets.Gta2Cs with { Uda = Presets.Gta2Cs.Uda with { EmaAlpha = 0.9 } };
        Assert.Equal("gta2cs_dacs_a9_fdthings_rcs001_cpl_daformer_sepaspp_mitb5_poly10warm_s0", a.Name);
        var l = Presets.Gta2Cs with { Uda = Presets.Gta2Cs.Uda with { FeatureDistance = FeatureDistance.Things with { Lambda = 0.01 } } };
        Assert.Equal("gta2cs_dacs_a999_fdthingsl001_rcs001_cpl_daformer_sepaspp_mitb5_poly10warm_s0", l.Name);
    }

    // Python 3: repr() of these floats (independent facts of CPython's float repr).
    [Theory]
    [InlineData(0.01, "0.01")]
    [InlineData(0.002, "0.002")]
    [InlineData(1.0, "1.0")]
    [InlineData(40000.0, "40000.0")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(6e-05, "6e-05")]
    [InlineData(1.5e-07, "1.5e-07")]
    [InlineData(123.456, "123.456")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(double.PositiveInfinity, "inf")]
    public void PythonFloat_repr_matches_cpython(double x, string expected) => Assert.Equal(expected, PythonFloat.Repr(x));

    [Property]
    public Property PythonFloat_repr_round_trips() =>
        Prop.ForAll(Arb.From(ArbMap.Default.GeneratorFor<NormalFloat>().Select(f => f.Get)), x =>
            double.Parse(PythonFloat.Repr(x), NumberStyles.Float, CultureInfo.InvariantCulture) == x);
}

public class RunNamePartsTests
{
    [Fact]
    public void Extra_name_fields_follow_the_generator()
    {
        var p = RunNameParts.Of(Presets.Gta2Cs);
        Assert.Equal("gta2cityscapes", p.Dataset);                       // spec §6.1 example
        Assert.Equal("adamw_6e-05_pmTrue_poly10warm_1x2_40k", p.Opt);    // spec §6.1 example
        Assert.Equal(("daformer_sepaspp_mitb5", "mitb5", "daformer_sepaspp"), (p.Architecture, p.Encoder, p.Decoder));
        Assert.Equal("dacs_a999_fdthings_rcs0.01_cpl", p.Uda);
    }

    [Fact]
    public void Architecture_is_head_then_the_generators_backbone_key()
    {
        // experiments.py: name_architecture = f'{architecture}_{backbone}', name_encoder = backbone.
        var p = RunNameParts.Of(Presets.Dacs(Presets.Gta2Cs.WithArchitecture(Encoder.MitB5Del, Decoder.SfaDlv3pNodbn)));
        Assert.Equal(("sfa_dlv3p_nodbn_mitb5-del", "mitb5-del", "sfa_dlv3p_nodbn", "dacs"), (p.Architecture, p.Encoder, p.Decoder, p.Uda));
        var x = RunNameParts.Of(Presets.TargetOnly(Presets.Gta2Cs.WithArchitecture(Encoder.X101_32, Decoder.Dlv2Red)));
        Assert.Equal(("dlv2red_x101-32", "x101-32", "target-only"), (x.Architecture, x.Encoder, x.Uda));
    }
}
