#r ".refs/DaFormer.Training.dll"
#load "_base/paper.csx"
// Our own study, next to Table 1 (not a run of the original generator): the DAFormer network
// (MiT-b5 + DAFormer head) trained with plain DACS — α 0.99, no RCS, no feature distance, no
// pseudo-label crop — seeds 0, 1, 2. Against exp 6's full-recipe DAFormer rows it separates what the
// network contributes from what the training strategies add; `baselines.csx` has its source-only
// and target-only bounds.
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return from seed in PaperSeeds
       select Dacs(Recipe).WithSeed(seed);
