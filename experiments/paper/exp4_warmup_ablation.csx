#r "../.refs/DaFormer.Training.dll"
#load "../_base/paper.csx"
// Table 4 of the DAFormer paper (the original generator's exp 4): learning-rate warmup. The
// `poly10` schedule (no warmup; the original's schedule file keeps its min lr 1e-4) for DeepLabV2
// on ResNet-101 and SegFormer on MiT-b5, plain DACS and target-only, seed 0: 4 runs. The rows with
// warmup (`poly10warm`) are the seed-0 runs of exp 1.
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

(Encoder Encoder, Decoder Decoder)[] networks = [(Encoder.R101V1c, Decoder.Dlv2Red), (Encoder.MitB5, Decoder.Segformer)];

return from n in networks
       from training in new[] { Dacs, TargetOnly }
       select training(Recipe.WithArchitecture(n.Encoder, n.Decoder)) with { Schedule = ScheduleConfig.Poly10 };
