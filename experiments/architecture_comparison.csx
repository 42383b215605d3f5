#r ".refs/DaFormer.Training.dll"
#load "_base/paper.csx"
// Table 1 (exp 1): UDA architecture comparison — a CNN (DeepLabV2 on ResNet-101) against a
// Transformer (SegFormer on MiT-b5) and DAFormer, each source-only, with plain DACS and target-only.
// (DANet, ISANet and DeepLabV3+ of the original table are not ported.)
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

(Encoder Encoder, Decoder Decoder)[] architectures =
[
    (Encoder.R101V1c, Decoder.Dlv2Red),     // DeepLabV2 with dilations 6, 12 (as AdaptSegNet, DACS, ProDA)
    (Encoder.MitB5, Decoder.Segformer),     // SegFormer
    (Encoder.MitB5, Decoder.DaformerSepAspp), // DAFormer network with plain DACS
];

return from a in architectures
       from training in new[] { SourceOnly, Dacs, TargetOnly }
       from seed in PaperSeeds
       select training(Recipe.WithArchitecture(a.Encoder, a.Decoder)).WithSeed(seed);
