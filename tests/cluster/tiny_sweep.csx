#r "../../experiments/.refs/DaFormer.Training.dll"
// Three tiny runs for tests/cluster/slurm-smoke.sh (a minute each on one core): source-only, DAFormer
// UDA and target-only on a small synthetic data set (128×64 images in data/synthetic, relative to the
// directory the job array was written from), MiT-b0 with a 64-channel head, 64² crops, 60 iterations,
// a checkpoint every 20 (so a requeued task has something to resume from).
using System.Linq;
using DaFormer.Training.Config;
using static DaFormer.Training.Config.Presets;

var tiny = Quickstart
    .WithDomains(
        source: DatasetConfig.SyntheticDomain("source", "train", new(128, 64)),
        target: DatasetConfig.SyntheticDomain("target", "train", new(128, 64)),
        validation: DatasetConfig.SyntheticDomain("target", "val", new(128, 64)))
    .WithCrop(64, 64)
    .WithData(d => d with { Workers = 1, Rcs = Rcs.On(minPixels: 20) })
    .WithSchedule(s => s with { MaxIters = 60, Warmup = new(Iters: 5) })
    .WithRuntime(r => r with { EvalInterval = 60, CheckpointInterval = 20, LogInterval = 10, DebugImageInterval = 60 });

return from training in new[] { SourceOnly, Adapted, TargetOnly }
       select training(tiny);
