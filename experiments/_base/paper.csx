#r "../.refs/DaFormer.Training.dll"
// Shared base of the paper's experiment scripts (`paper/exp<N>_*.csx` = experiment id N of the
// original `experiments.py`) and of our own studies around them.
using System.Collections.Generic;
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

/// The paper reports the mean over seeds 0, 1 and 2.
static readonly int[] PaperSeeds = [0, 1, 2];

/// The final DAFormer recipe on GTA→Cityscapes (the released `gta2cs_…_daformer_mitb5_s0` config).
static RunConfig Recipe => Gta2Cs;

/// One config per seed.
static IEnumerable<RunConfig> Seeds(RunConfig cfg, IEnumerable<int> seeds) => seeds.Select(cfg.WithSeed);
