#r "../.refs/DaFormer.Training.dll"
#load "../_base/paper.csx"
// Table 6 of the DAFormer paper, Synthia → Cityscapes (the original generator's exp 7): the final
// DAFormer recipe, seeds 0, 1, 2: 3 runs. Report mIoU over 16 and 13 classes (60.9 / 67.4 in the
// paper). The GTA → CS column is exp 6's DAFormer rows.
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return from seed in PaperSeeds
       select Synthia2Cs.WithSeed(seed);
