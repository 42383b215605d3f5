#r "../.refs/DaFormer.Training.dll"
// Shared base of the scripts on the built-in synthetic domains (`daformer synth data/synthetic`):
// a game-like "source" in the GTA layout and a camera-like "target" in the Cityscapes layout.
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

/// DAFormer UDA at CPU size: MiT-b0, 64-channel DAFormer head, 128² crops, batch 2 (see Presets.Quickstart).
static RunConfig SyntheticUda => Quickstart;

/// Seeds of the synthetic benchmark (mean ± spread over these).
static readonly int[] SyntheticSeeds = [0, 1];
