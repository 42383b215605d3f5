#r ".refs/DaFormer.Training.dll"
#load "_base/paper.csx"
// Table 4 (exp 4): learning-rate warmup — `poly10` (no warmup; its min lr 1e-4 is kept as in the
// original) against `poly10warm`, for DeepLabV2/R101 and SegFormer/MiT-b5, plain DACS and target-only, seed 0.
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

(Encoder Encoder, Decoder Decoder)[] architectures = [(Encoder.R101V1c, Decoder.Dlv2Red), (Encoder.MitB5, Decoder.Segformer)];

return from a in architectures
       from schedule in new[] { ScheduleConfig.Poly10, ScheduleConfig.Poly10Warm }
       from training in new[] { Dacs, TargetOnly }
       select training(Recipe.WithArchitecture(a.Encoder, a.Decoder)) with { Schedule = schedule };
