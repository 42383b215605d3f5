using DaFormer.Model;
using DaFormer.Model.Runtime;
using DaFormer.Training.Config;
using DaFormer.Training.Runs;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Config;

/// `Runtime.Precision`: stored in the config JSON as fp32|bf16|fp16, part of the run hash, settable
/// with `--set`, and refused for training where it cannot be honoured.
public class PrecisionSettingTests
{
    [Fact]
    public void Precision_is_written_by_its_short_name_and_read_back()
    {
        var cfg = Presets.Quickstart with { Runtime = Presets.Quickstart.Runtime with { Precision = Precision.Bf16 } };
        var json = ConfigJson.Serialize(cfg);
        Assert.Contains("\"precision\": \"bf16\"", json);
        Assert.Equal(Precision.Bf16, ConfigJson.Deserialize(json).Runtime.Precision);
        Assert.Contains("\"precision\": \"fp32\"", ConfigJson.Serialize(Presets.Quickstart)); // the default
    }

    [Fact]
    public void Precision_changes_the_run_hash()
    {
        var fp32 = ConfigJson.Serialize(Presets.Quickstart);
        var bf16 = ConfigJson.Serialize(Presets.Quickstart with { Runtime = Presets.Quickstart.Runtime with { Precision = Precision.Bf16 } });
        Assert.NotEqual(RunDirectory.ShortHash(fp32), RunDirectory.ShortHash(bf16));
    }

    [Fact]
    public void Set_accepts_the_short_name_and_rejects_others()
    {
        Assert.Equal(Precision.Fp16, ConfigOverrides.Apply(Presets.Quickstart, "Runtime.Precision", "fp16").Runtime.Precision);
        Assert.Throws<DaFormerError>(() => ConfigOverrides.Apply(Presets.Quickstart, "Runtime.Precision", "fp8"));
    }

    [Fact]
    public void Training_refuses_fp16_on_the_cpu_and_low_precision_for_networks_autocast_does_not_cover()
    {
        var daformer = new SegmentorSpec("mit_b0", "daformer_sepaspp");
        TrainingPrecision.EnsureTrainable(Precision.Fp32, CPU, daformer);
        TrainingPrecision.EnsureTrainable(Precision.Bf16, CPU, daformer);
        TrainingPrecision.EnsureTrainable(Precision.Bf16, CPU, new SegmentorSpec("mit_b5", "segformer"));
        var fp16 = Assert.Throws<DaFormerError>(() => TrainingPrecision.EnsureTrainable(Precision.Fp16, CPU, daformer));
        Assert.Contains("Runtime.Precision fp16 needs a CUDA device", fp16.Message);
        var resnet = Assert.Throws<DaFormerError>(() => TrainingPrecision.EnsureTrainable(Precision.Bf16, CPU, new SegmentorSpec("r101v1c", "dlv2")));
        Assert.Contains("r101v1c + dlv2", resnet.Message);
        Assert.Contains("Runtime.Precision=fp32", resnet.Message);
        // fp32 trains every network.
        TrainingPrecision.EnsureTrainable(Precision.Fp32, CPU, new SegmentorSpec("r101v1c", "dlv2"));
    }
}
