using System.Text.Json.Serialization;

namespace DaFormer.Training.Config;

/// <summary>How the validation images are run through the network.</summary>
public enum TestMode
{
    /// <summary>Whole-image inference at the validation scale (DAFormer).</summary>
    [JsonStringEnumMemberName("whole")] Whole,
    /// <summary>Sliding window of <see cref="TestConfig.Crop"/> moved by <see cref="TestConfig.Stride"/> (HRDA/MIC: <c>test_cfg mode='slide'</c>).</summary>
    [JsonStringEnumMemberName("slide")] Slide,
}

/// <summary>Inference during evaluation (the original's <c>test_cfg</c>).</summary>
public sealed record TestConfig
{
    /// <summary>Whole image or sliding window.</summary>
    public TestMode Mode { get; init; } = TestMode.Whole;
    /// <summary>Window of slide mode; null in whole mode.</summary>
    public ImageSize? Crop { get; init; }
    /// <summary>Step of the window in slide mode; null in whole mode.</summary>
    public ImageSize? Stride { get; init; }

    /// <summary>Whole-image inference (DAFormer's evaluation).</summary>
    public static TestConfig Whole => new();
    /// <summary>Sliding-window inference with the given window and step.</summary>
    public static TestConfig Slide(ImageSize crop, ImageSize stride) => new() { Mode = TestMode.Slide, Crop = crop, Stride = stride };
}

/// <summary>How an experiment is evaluated, checkpointed and logged, and its seed (the original's runtime
/// settings of <c>configs/daformer/*.py</c>). Where it runs — the device and the work dir — is not part of
/// the experiment: <c>--device</c> and <c>--work-dir</c> go to the run request, so the same experiment has the
/// same config (and run-directory hash) on any machine.</summary>
public sealed record RuntimeConfig
{
    /// <summary>Random seed of initialisation, sampling and augmentation (the paper: mean over 0, 1, 2).</summary>
    public int Seed { get; init; } = 0;
    /// <summary>Evaluate the student every N iterations (the generator uses max_iters / 10).</summary>
    public int EvalInterval { get; init; } = 4000;
    /// <summary>Write an interval checkpoint every N iterations (the original: only at the end).</summary>
    public int CheckpointInterval { get; init; } = 40000;
    /// <summary>Interval checkpoints kept (<c>max_keep_ckpts</c>); <c>latest.pth</c> is always kept.</summary>
    public int KeepCheckpoints { get; init; } = 1;
    /// <summary>Log losses, learning rates and timings every N iterations.</summary>
    public int LogInterval { get; init; } = 50;
    /// <summary>The dtype the network computes in (<c>fp32</c>, <c>bf16</c>, <c>fp16</c> on CUDA). It changes the numbers a
    /// run produces, so it is part of the config and its hash. Only fp32 trains today.</summary>
    public DaFormer.Model.Runtime.Precision Precision { get; init; } = DaFormer.Model.Runtime.Precision.Fp32;
    /// <summary>DACS debug image grids every N iterations (<c>debug_img_interval</c>).</summary>
    public int DebugImageInterval { get; init; } = 1000;
    /// <summary>Inference during evaluation: whole image (DAFormer) or sliding window.</summary>
    public TestConfig Test { get; init; } = TestConfig.Whole;
}
