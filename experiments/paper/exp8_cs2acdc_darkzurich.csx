#r "../.refs/DaFormer.Training.dll"
#load "../_base/paper.csx"
// The original generator's exp 8 (adverse conditions; 55.4 / 53.8 mIoU on the test sets in the
// journal extension of DAFormer): the final DAFormer recipe on Cityscapes → ACDC and Cityscapes →
// Dark Zurich, seeds 0, 1, 2: 6 runs.
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return from benchmark in new[] { Cs2Acdc, Cs2DarkZurich }
       from seed in PaperSeeds
       select benchmark.WithSeed(seed);
