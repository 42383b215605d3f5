#r ".refs/DaFormer.Training.dll"
#load "_base/synthetic.csx"
// DAFormer, HRDA and MIC(HRDA) on the built-in synthetic domains, between source-only and target-only,
// seeds 0 and 1 — the README's "HRDA and MIC" table is the mean ± spread of these ten runs.
// The data are the synthetic domains at twice the default size (`daformer synth data/synthetic_hr
// --size 512x256`, then `convert gta` / `convert cityscapes`), so that the two methods stand to each
// other as in the papers (GTA → Cityscapes): DAFormer trains on the images downscaled ×0.5 (256×128,
// 128² crops, as synthetic_benchmark.csx); HRDA trains on 256² crops of the full-resolution images
// through a 0.5-scale context view of the whole crop (128², DAFormer's input) and a 128² detail crop
// at full resolution. Every run is evaluated against the full-resolution labels.
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

const string Root = "data/synthetic_hr";

/// The benchmark's schedule at 1000 iterations (HRDA costs ≈ 3× a DAFormer iteration here, so the ten
/// runs do not fit the 2000 of synthetic_benchmark.csx on two CPU cores); evaluated at the end and halfway.
static RunConfig SyntheticMethodsUda => SyntheticBenchmarkUda
    .WithSchedule(s => s with { MaxIters = 1000 })
    .WithRuntime(r => r with { EvalInterval = 1000 / 2, CheckpointInterval = 1000 / 2, DebugImageInterval = 1000 });

/// The synthetic domains of `Root` at `scale` (the images are 512×256).
static DataConfig Domains(DataConfig d, ImageSize scale) => d with
{
    Source = DatasetConfig.SyntheticDomain("source", "train", scale, Root),
    Target = DatasetConfig.SyntheticDomain("target", "train", scale, Root),
    Validation = DatasetConfig.SyntheticDomain("target", "val", scale, Root),
};

/// DAFormer: the synthetic benchmark's recipe on the images downscaled to 256×128.
static RunConfig Daformer => SyntheticMethodsUda with { Data = Domains(SyntheticMethodsUda.Data, new(256, 128)) };

/// HRDA: the same recipe at full resolution, as HrdaGta2Cs relates to Gta2Cs — crops twice as large
/// per side, a context view at 0.5 (the DAFormer input) and a detail crop of half the training crop;
/// the attention head as wide as the decode head (64); RCS's crop threshold ×4 (minCropRatio 0.5 → 2,
/// the original's 0.5 → 2 from DAFormer to HRDA); test as the original: slide windows of the training
/// crop with stride half of it, each window predicted by HRDA (context + sliding detail windows).
static RunConfig Hrda => Daformer with
{
    Model = Daformer.Model with
    {
        Hrda = new HrdaConfig { Scales = [1.0, 0.5], DetailCrop = new(128, 128), AttentionEmbedDim = 64 },
    },
    Data = Domains(Daformer.Data, new(512, 256)) with
    {
        Crop = new(256, 256),
        Rcs = Rcs.On(temperature: 0.01, minPixels: 100, minCropRatio: 2.0),
    },
    Runtime = Daformer.Runtime with { Test = TestConfig.Slide(new(256, 256), new(128, 128)) },
};

/// MIC(HRDA): HRDA plus Masked Image Consistency with MicConfig.Hrda, its block scaled with the crop
/// (64-pixel blocks on 1024² crops → 16-pixel blocks on 256² crops, a 16 × 16 grid as in the original).
static RunConfig MicHrda => Hrda with { Uda = Hrda.Uda with { Mic = MicConfig.Hrda with { BlockSize = 16 } } };

return from training in new[] { SourceOnly(Daformer), Daformer, Hrda, MicHrda, TargetOnly(Daformer) }
       from seed in SyntheticSeeds
       select training.WithSeed(seed);
