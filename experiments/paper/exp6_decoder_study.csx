#r "../.refs/DaFormer.Training.dll"
#load "../_base/paper.csx"
// Table 7 of the DAFormer paper (the original generator's exp 6): decoder study on MiT-b5 with the
// full UDA recipe (α 0.999, FD on thing classes, RCS T = 0.01, pseudo-label crop) and target-only,
// seeds 0, 1, 2: 42 runs. The last decoder is DAFormer itself, so its UDA runs are the GTA → CS
// rows of Table 6. The SegFormer row is exp 5's full-recipe SegFormer.
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

Decoder[] decoders =
[
    Decoder.DaformerConv1,             // SegFormer-style 1×1 fusion with 256 channels
    Decoder.Upernet,                   // UPerNet, 512 channels
    Decoder.UpernetCh256,              // UPerNet, 256 channels
    Decoder.DaformerIsa,               // fusion by interlaced sparse self-attention
    Decoder.DaformerSepAsppBottleneck, // context only at F4
    Decoder.DaformerAspp,              // DAFormer without depthwise-separable convolutions
    Decoder.DaformerSepAspp,           // DAFormer
];

return from decoder in decoders
       from training in new System.Func<RunConfig, RunConfig>[] { c => c, TargetOnly }
       from seed in PaperSeeds
       select training(Recipe.WithArchitecture(Encoder.MitB5, decoder)).WithSeed(seed);
