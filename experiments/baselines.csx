#r ".refs/DaFormer.Training.dll"
#load "_base/paper.csx"
// The bounds around DAFormer: the DAFormer network trained on the source only (lower bound) and on
// the labelled target only (oracle), for GTA → CS and Synthia → CS, seeds 0, 1, 2.
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return from benchmark in new[] { Gta2Cs, Synthia2Cs }
       from training in new[] { SourceOnly, TargetOnly }
       from seed in PaperSeeds
       select training(benchmark).WithSeed(seed);
