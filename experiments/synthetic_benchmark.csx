#r ".refs/DaFormer.Training.dll"
#load "_base/synthetic.csx"
// Does the adaptation work? On the synthetic domains: source-only (lower bound), DAFormer UDA and
// target-only (oracle), seeds 0 and 1 — the README's table is the mean ± spread of these six runs.
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return from training in new[] { SourceOnly, Adapted, TargetOnly }
       from seed in SyntheticSeeds
       select training(SyntheticBenchmarkUda).WithSeed(seed);
