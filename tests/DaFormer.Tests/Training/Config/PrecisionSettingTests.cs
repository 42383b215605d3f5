using DaFormer.Model;
using DaFormer.Model.Runtime;
using DaFormer.Training.Config;
using DaFormer.Training.Runs;
using static TorchSharp.torch;

namespace DaFormer.Tests.Training.Config;

/// `Runtime.Precision`: stored in the config JSON as fp32|bf16|fp16, part of the run hash, settable
/// with `--set`, and refused for training where it cannot (yet) be honoured.
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
    public void Training_refuses_fp16_on_the_cpu_and_low_precision_until_it_exists()
    {
        TrainingPrecision.EnsureTrainable(Precision.Fp32, CPU);
        var fp16 = Assert.Throws<DaFormerError>(() => TrainingPrecision.EnsureTrainable(Precision.Fp16, CPU));
        Assert.Contains("Runtime.Precision fp16 needs a CUDA device", fp16.Message);
        var bf16 = Assert.Throws<DaFormerError>(() => TrainingPrecision.EnsureTrainable(Precision.Bf16, CPU));
        Assert.Contains("fp32 only", bf16.Message);
        Assert.Contains("--precision bf16", bf16.Message);
    }
}
