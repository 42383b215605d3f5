#r ".refs/DaFormer.Training.dll"
#load "_base/paper.csx"
// Table 3 (exp 3): encoder study — SegFormer on MiT-b3, b4, b5, each source-only, plain DACS and
// target-only, seed 0. (The ResNet-50 / ResNeSt rows of the original table are not ported.)
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

return from encoder in new[] { Encoder.MitB3, Encoder.MitB4, Encoder.MitB5 }
       from training in new[] { SourceOnly, Dacs, TargetOnly }
       select training(Recipe.WithArchitecture(encoder, Decoder.Segformer));
