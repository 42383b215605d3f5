using System.Text.Json.Serialization;

namespace DaFormer.Training.Config;

public enum TestMode
{
    /// Whole-image inference at the validation scale (DAFormer).
    [JsonStringEnumMemberName("whole")] Whole,
    /// Sliding window of `Crop` with `Stride` (HRDA/MIC: `test_cfg mode='slide'`).
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

/// How an experiment is evaluated, checkpointed and logged, and its seed (the original's runtime
/// settings of `configs/daformer/*.py`). Where it runs — the device and the work dir — is not part of
/// the experiment: `--device` and `--work-dir` go to the run request, so the same experiment has the
/// same config (and run-directory hash) on any machine.
public sealed record RuntimeConfig
{
    public int Seed { get; init; } = 0;
    /// Evaluate the student every N iterations (the generator uses max_iters / 10).
    public int EvalInterval { get; init; } = 4000;
    /// Write an interval checkpoint every N iterations (the original: only at the end).
    public int CheckpointInterval { get; init; } = 40000;
    /// Interval checkpoints kept (`max_keep_ckpts`); `latest.pth` is always kept.
    public int KeepCheckpoints { get; init; } = 1;
    public int LogInterval { get; init; } = 50;
    /// DACS debug image grids every N iterations (`debug_img_interval`).
    public int DebugImageInterval { get; init; } = 1000;
    public TestConfig Test { get; init; } = TestConfig.Whole;
}
