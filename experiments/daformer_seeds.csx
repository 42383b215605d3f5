#r ".refs/DaFormer.Training.dll"
#load "_base/paper.csx"
// Table 6 (exps 6–7): the final DAFormer on GTA → CS and Synthia → CS, seeds 0, 1, 2 (the paper
// reports the mean: 68.3 and 60.9 mIoU16).
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return from benchmark in new[] { Gta2Cs, Synthia2Cs }
       from seed in PaperSeeds
       select benchmark.WithSeed(seed);
