#r "../.refs/DaFormer.Training.dll"
#load "../_base/paper.csx"
// Table 3 of the DAFormer paper (the original generator's exp 3): encoder study. DeepLabV2 on
// ResNet-50 and ResNeSt-50/101/200, SegFormer's head on MiT-b3 and MiT-b4 (with the b5 head config,
// 768 channels, as the original intends), each source-only, plain DACS and target-only, seed 0:
// 18 runs. The ResNet-101 and MiT-b5 rows of the table are runs of exp 1.
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

(Encoder Encoder, Decoder Decoder)[] networks =
[
    (Encoder.R50V1c, Decoder.Dlv2Red),
    (Encoder.S50, Decoder.Dlv2Red),
    (Encoder.S101, Decoder.Dlv2Red),
    (Encoder.S200, Decoder.Dlv2Red),
    (Encoder.MitB3, Decoder.Segformer),
    (Encoder.MitB4, Decoder.Segformer),
];

return from n in networks
       from training in new[] { SourceOnly, Dacs, TargetOnly }
       select training(Recipe.WithArchitecture(n.Encoder, n.Decoder));
