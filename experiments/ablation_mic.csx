#r ".refs/DaFormer.Training.dll"
// MIC block size × mask ratio on MIC(DAFormer), GTA → Cityscapes (MIC paper Table 8; the original's
// experiment 84). Block sizes are half of the paper's patch sizes because DAFormer trains at half
// resolution; 32 / 0.7 is the published setting. The paper averages seeds 0, 1, 2 — add
// `from seed in new[] { 0, 1, 2 }` and `.WithSeed(seed)` for the full table.
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return from block in new[] { 16, 32, 64, 128 }
       from ratio in new[] { 0.3, 0.5, 0.7, 0.9 }
       select MicDaformerGta2Cs with
       {
           Uda = MicDaformerGta2Cs.Uda with { Mic = MicDaformerGta2Cs.Uda.Mic! with { BlockSize = block, MaskRatio = ratio } },
       };
