#r "../.refs/DaFormer.Training.dll"
// Shared base of the scripts on the built-in synthetic domains (`daformer synth data/synthetic`):
// a game-like "source" in the GTA layout and a camera-like "target" in the Cityscapes layout.
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

/// DAFormer UDA at CPU size: MiT-b0, 64-channel DAFormer head, 128² crops, batch 2 (see Presets.Quickstart).
static RunConfig SyntheticUda => Quickstart;

/// The benchmark trains twice as long as the quickstart: self-training needs the teacher to become
/// confident first (measured, seed 0: UDA 22.3 → 30.8 mIoU from 1000 to 2000 iterations, source-only 20.8 → 22.6).
static RunConfig SyntheticBenchmarkUda => Quickstart
    .WithSchedule(s => s with { MaxIters = 2000 })
    .WithRuntime(r => r with { EvalInterval = 500, CheckpointInterval = 500 });

/// Seeds of the synthetic benchmark (mean ± spread over these).
static readonly int[] SyntheticSeeds = [0, 1];
