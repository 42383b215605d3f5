#r "../.refs/DaFormer.Training.dll"
#load "../_base/paper.csx"
// Table 2 of the DAFormer paper (the original generator's exp 2): is it the Transformer encoder or
// the MLP decoder? The crossed pairs — DeepLabV3+ on MiT-b5 (F4 upsampled ×4 by the SegFormer
// adapter; `mitb5-del` is how the generator puts MiT-b5 into a ResNet-based model config) and
// SegFormer's head on ResNet-101 — with plain DACS and target-only, seeds 0, 1, 2: 12 runs.
// The table's other two rows (SegFormer on MiT-b5, DeepLabV3+ on ResNet-101) are runs of exp 1.
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

(Encoder Encoder, Decoder Decoder)[] networks =
[
    (Encoder.MitB5Del, Decoder.SfaDlv3pNodbn),
    (Encoder.R101V1c, Decoder.Segformer),
];

return from n in networks
       from training in new[] { Dacs, TargetOnly }
       from seed in PaperSeeds
       select training(Recipe.WithArchitecture(n.Encoder, n.Decoder)).WithSeed(seed);
