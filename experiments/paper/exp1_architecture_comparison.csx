#r "../.refs/DaFormer.Training.dll"
#load "../_base/paper.csx"
// Table 1 of the DAFormer paper (the original generator's exp 1): UDA architecture comparison on
// GTA → Cityscapes. Five networks — DeepLabV2 (dilations 6 and 12, as AdaptSegNet, DACS and ProDA),
// DANet, ISANet and DeepLabV3+ on ResNet-101 (without BatchNorm in the decoder: it hurts UDA; the
// encoder keeps it), and SegFormer on MiT-b5 — each trained source-only, with plain DACS and
// target-only, seeds 0, 1, 2: 45 runs.
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

(Encoder Encoder, Decoder Decoder)[] networks =
[
    (Encoder.R101V1c, Decoder.Dlv2Red),
    (Encoder.R101V1c, Decoder.DaNodbn),
    (Encoder.R101V1c, Decoder.IsaNodbn),
    (Encoder.R101V1c, Decoder.Dlv3pNodbn),
    (Encoder.MitB5, Decoder.Segformer),
];

return from n in networks
       from training in new[] { SourceOnly, Dacs, TargetOnly }
       from seed in PaperSeeds
       select training(Recipe.WithArchitecture(n.Encoder, n.Decoder)).WithSeed(seed);
