#r ".refs/DaFormer.Training.dll"
#load "_base/paper.csx"
// Table 7 (exp 6): decoder study on MiT-b5 with the full UDA recipe (α 0.999, FD things, RCS 0.01,
// pseudo-label crop) and target-only. (UperNet and ISA fusion of the original table are not ported.)
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

Decoder[] decoders =
[
    Decoder.DaformerConv1,             // SegFormer-style 1×1 fusion with 256 channels
    Decoder.DaformerSepAsppBottleneck, // context only at F4
    Decoder.DaformerAspp,              // DAFormer without depthwise-separable convolutions
    Decoder.DaformerSepAspp,           // DAFormer
];

return from decoder in decoders
       from training in new System.Func<RunConfig, RunConfig>[] { c => c, TargetOnly }
       from seed in PaperSeeds
       select training(Recipe.WithArchitecture(Encoder.MitB5, decoder)).WithSeed(seed);
