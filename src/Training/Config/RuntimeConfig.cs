using System.Text.Json.Serialization;

namespace DaFormer.Training.Config;

public enum TestMode
{
    /// Whole-image inference at the validation scale (DAFormer).
    [JsonStringEnumMemberName("whole")] Whole,
    /// Sliding window of `Crop` with `Stride` (HRDA/MIC), spec §2.5.
    [JsonStringEnumMemberName("slide")] Slide,
}

/// Inference during evaluation (`test_cfg`).
public sealed record TestConfig
{
    public TestMode Mode { get; init; } = TestMode.Whole;
    /// Window and step of slide mode; null in whole mode.
    public ImageSize? Crop { get; init; }
    public ImageSize? Stride { get; init; }

    public static TestConfig Whole => new();
    public static TestConfig Slide(ImageSize crop, ImageSize stride) => new() { Mode = TestMode.Slide, Crop = crop, Stride = stride };
}

/// Everything about running that does not change what is learnt — except the seed (spec §4.3).
public sealed record RuntimeConfig
{
    public int Seed { get; init; } = 0;
    /// `auto`, `cpu`, `cuda`, `cuda:N`; the command line's `--device` overrides it.
    public string Device { get; init; } = "auto";
    /// Evaluate the student every N iterations (the generator uses max_iters / 10).
    public int EvalInterval { get; init; } = 4000;
    /// Write an interval checkpoint every N iterations (the original: only at the end).
    public int CheckpointInterval { get; init; } = 40000;
    /// Interval checkpoints kept (`max_keep_ckpts`); `latest.pth` is always kept.
    public int KeepCheckpoints { get; init; } = 1;
    public int LogInterval { get; init; } = 50;
    /// The dtype the network computes in (`fp32`, `bf16`, `fp16` on CUDA). It changes the numbers a
    /// run produces, so it is part of the config and its hash. Only fp32 trains today (issue 12).
    public DaFormer.Model.Runtime.Precision Precision { get; init; } = DaFormer.Model.Runtime.Precision.Fp32;
    /// DACS debug image grids every N iterations (`debug_img_interval`).
    public int DebugImageInterval { get; init; } = 1000;
    /// Run directories are created below this folder.
    public string WorkDirRoot { get; init; } = "work_dirs";
    public TestConfig Test { get; init; } = TestConfig.Whole;
}
