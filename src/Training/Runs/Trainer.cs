using System.Diagnostics;
using DaFormer.Model;
using DaFormer.Model.Runtime;
using DaFormer.Training.Config;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Loader;
using DaFormer.Training.Evaluation;
using DaFormer.Training.Optim;
using DaFormer.Training.Uda;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Training.Runs;

/// Trains one validated config: the imperative shell around `Dacs.Step` / the supervised step. It
/// alone does I/O: the run directory, log.jsonl, evaluation, checkpoints and progress.
public static class Trainer
{
    public static RunOutcome Run(RunConfig config, RunRequest request)
    {
        var device = TorchRuntime.Resolve(request.Device);
        TrainingPrecision.EnsureTrainable(config.Runtime.Precision, device);
        var configJson = ConfigJson.Serialize(config);
        var observer = request.Observer ?? NullObserver.Instance;
        var (runDir, resumeFrom) = PrepareRunDirectory(config, request, configJson);
        var seed = (long)config.Runtime.Seed;
        var data = DataSetup.OpenAll(config, observer.Message);

        using var nets = Networks.Create(config, device, seed);
        var groups = ParameterGroups.Build(nets.Student.named_parameters().Select(p => (p.name, p.parameter)));
        var o = config.Optimizer;
        using var optimizer = ParameterGroups.CreateAdamW(groups, o.Lr, o.Beta1, o.Beta2, o.WeightDecay, o.Eps);

        long start = 0, startBatch = 0;
        if (resumeFrom is not null)
        {
            var meta = TrainingCheckpoint.Load(resumeFrom, nets.Prefixed(), optimizer);
            start = Convert.ToInt64(meta["iter"]);
            startBatch = Convert.ToInt64(meta["batch"]);
            observer.Message($"resumed from {resumeFrom} at iteration {start}");
        }

        var maxIters = config.Schedule.MaxIters;
        observer.RunStarted(config.Name, runDir, start, maxIters);
        using var log = new JsonlLog(Path.Combine(runDir, "log.jsonl"), truncateAfterIteration: start - 1);
        var board = torch.utils.tensorboard.SummaryWriter(Path.Combine(runDir, "tensorboard"));
        using var loader = DataSetup.TrainLoader(config, data, seed, startBatch);
        var validation = (data.Validation, data.ValScaleA, data.ValScaleB);
        var dacs = DacsSettingsOf(config);
        var recent = new Queue<double>();
        double? lastMiou = null;
        var lastGood = start;
        var waitBefore = loader.DataWaitMs;

        void Checkpoint(long nextIter, bool interval)
        {
            var meta = new Dictionary<string, object>
            {
                ["iter"] = nextIter, ["batch"] = loader.NextBatchIndex, ["seed"] = seed, ["run_name"] = config.Name,
                ["config"] = configJson, ["time"] = DateTime.UtcNow.ToString("O"), ["daformer_net"] = "1",
            };
            var latest = Path.Combine(runDir, RunDirectory.LatestCheckpoint);
            TrainingCheckpoint.Save(latest, nets.Prefixed(), optimizer, meta);
            if (interval)
            {
                File.Copy(latest, Path.Combine(runDir, $"iter_{nextIter}.pth"), overwrite: true);
                PruneIntervalCheckpoints(runDir, config.Runtime.KeepCheckpoints);
            }
        }

        for (var i = start; i < maxIters; i++)
        {
            if (request.Cancel.IsCancellationRequested)
            {
                Checkpoint(i, interval: false);
                observer.Message($"interrupted: checkpoint written at iteration {i}; continue with --resume {runDir}");
                return new RunOutcome(runDir, RunStatus.Interrupted, lastMiou, $"interrupted at iteration {i}");
            }
            var clock = Stopwatch.StartNew();
            IterationStats stats;
            using (var scope = NewDisposeScope())
            {
                // Dropout / DropPath draw from the global generator: reseed it per iteration so that
                // a resumed run repeats exactly what an uninterrupted run would have drawn.
                manual_seed((long)(RandomStreams.Seed(seed, i, RandomStreams.Purpose.TorchOps) & 0x7FFFFFFFFFFFFFFF));
                var lrs = ParameterGroups.SetLearningRates(optimizer, groups, o.Lr, (int)i,
                    (b, it) => LearningRate(config.Schedule, b, it));
                optimizer.zero_grad();
                using var batch = loader.Next();
                var waited = loader.DataWaitMs - waitBefore;
                waitBefore = loader.DataWaitMs;
                var src = batch.SourceImage.to(device);
                var gt = batch.SourceLabel.to(device);
                IReadOnlyDictionary<string, double> losses;
                double? conf = null;
                if (config.Uda.Mode == UdaMode.Dacs)
                {
                    var debug = config.Runtime.DebugImageInterval > 0 && (i + 1) % config.Runtime.DebugImageInterval == 0;
                    var r = Dacs.Step(new DacsNetworks(nets.Student, nets.Teacher!, nets.ImageNet?.backbone), src, gt,
                        batch.TargetImage!.to(device), (int)i, dacs, seed, captureDebug: debug);
                    losses = r.Losses;
                    conf = r.PseudoConfidence;
                    if (r.Debug is { } panels)
                        using (panels)
                            DebugImages.Write(Path.Combine(runDir, "debug", $"{i + 1:D6}.png"), panels, DacsSettings.Mean, DacsSettings.Std);
                }
                else losses = SupervisedStep.Run(nets.Student, src, gt);
                stats = new IterationStats(i, losses, lrs, conf, 0, waited);
                if (Progress.NonFinite(stats) is { } problem)
                {
                    observer.Message(problem);
                    return new RunOutcome(runDir, RunStatus.Failed, lastMiou, problem + $" Last good checkpoint: iteration {lastGood}.");
                }
                optimizer.step();
            }
            var ms = clock.Elapsed.TotalMilliseconds;
            stats = stats with { StepMs = ms };
            recent.Enqueue(ms);
            if (recent.Count > 20) recent.Dequeue();
            observer.Iteration(stats, Progress.Eta(i + 1, maxIters, recent.ToList()));
            if ((i + 1) % config.Runtime.LogInterval == 0 || i == start)
            {
                log.Write(TrainRecord(stats));
                Board(board, stats);
            }

            var done = i + 1;
            if (done % config.Runtime.EvalInterval == 0 || done == maxIters)
            {
                var (miou, record, table) = Evaluate(nets.Student, validation, config, device, observer);
                record["iter"] = done;
                log.Write(record);
                observer.Evaluated(done, miou, table);
                board.add_scalar("val/mIoU", (float)(100 * miou), (int)done);
                lastMiou = miou;
                nets.Student.train();
            }
            if (done % config.Runtime.CheckpointInterval == 0 || done == maxIters)
            {
                Checkpoint(done, interval: done % config.Runtime.CheckpointInterval == 0);
                lastGood = done;
            }
        }
        observer.RunFinished(runDir, maxIters, lastMiou);
        return new RunOutcome(runDir, RunStatus.Completed, lastMiou is { } m ? 100 * m : null);
    }

    static double LearningRate(ScheduleConfig s, double baseLr, int iter) =>
        PolySchedule.LearningRate(baseLr, iter, s.MaxIters, s.Power, s.MinLr, s.Warmup?.Iters ?? 0, s.Warmup?.Ratio ?? 1e-6);

    /// TensorBoard scalars: every loss term, the learning rate per group and the pseudo-label confidence.
    static void Board(TorchSharp.Modules.SummaryWriter board, IterationStats s)
    {
        var step = (int)s.Iteration;
        foreach (var (k, v) in s.Losses) board.add_scalar($"train/{k}", (float)v, step);
        board.add_scalar("train/loss", (float)s.Total, step);
        for (var g = 0; g < s.LearningRates.Count; g++) board.add_scalar($"lr/group{g}", (float)s.LearningRates[g], step);
        if (s.PseudoConfidence is { } c) board.add_scalar("train/pseudo_conf", (float)c, step);
    }

    public static DacsSettings DacsSettingsOf(RunConfig c) => new(
        EmaAlpha: c.Uda.EmaAlpha,
        PseudoThreshold: c.Uda.PseudoThreshold,
        PseudoCropTop: c.Uda.PseudoLabelCrop?.Top ?? 0,
        PseudoCropBottom: c.Uda.PseudoLabelCrop?.Bottom ?? 0,
        ColorJitterStrength: c.Uda.ColorJitter.Strength,
        ColorJitterProbability: c.Uda.ColorJitter.Probability,
        Blur: c.Uda.Blur,
        FdLambda: c.Uda.FeatureDistance?.Lambda ?? 0,
        FdClasses: c.Uda.FeatureDistance?.Classes?.Select(x => (long)x).ToList(),
        FdMinRatio: c.Uda.FeatureDistance?.MinRatio ?? 0.75,
        NumClasses: c.Model.NumClasses);

    static Dictionary<string, object?> TrainRecord(IterationStats s)
    {
        var r = new Dictionary<string, object?> { ["iter"] = s.Iteration, ["mode"] = "train", ["lr"] = s.LearningRates };
        foreach (var (k, v) in s.Losses) r[k] = v;
        r["loss"] = s.Total;
        if (s.PseudoConfidence is { } c) r["pseudo_conf"] = c;
        r["time"] = s.StepMs / 1000.0;
        r["data_time"] = s.DataWaitMs / 1000.0;
        r["memory_mb"] = Math.Round(ProcessMemory.RssMb(), 1);
        return r;
    }

    /// Evaluates the student on the validation set (eval mode, whole/slide as configured).
    public static (double Miou, Dictionary<string, object?> Record, string Table) Evaluate(
        Segmentor model, (SegDataset Data, int ScaleA, int ScaleB) validation, RunConfig cfg, Device device, IRunObserver observer)
    {
        var mode = cfg.Runtime.Test.Mode == TestMode.Slide && cfg.Runtime.Test.Crop is { } c && cfg.Runtime.Test.Stride is { } s
            ? new InferenceMode(true, (c.Height, c.Width), (s.Height, s.Width)) : InferenceMode.Whole;
        var samples = EvalSamples.Enumerate(validation.Data, validation.ScaleA, validation.ScaleB)
            .Select(e => (e.Image, e.GroundTruth, e.Files.ImagePath));
        var result = Evaluator.Run(model, samples, mode, device);
        var m = result.Metrics;
        var names = validation.Data.ClassNames;
        var record = new Dictionary<string, object?> { ["mode"] = "val", ["mIoU"] = m.MIoU, ["mAcc"] = m.MAcc, ["aAcc"] = m.AAcc };
        for (var k = 0; k < m.IoU.Length && k < names.Count; k++)
        {
            record[$"IoU.{names[k]}"] = double.IsNaN(m.IoU[k]) ? null : m.IoU[k];
            record[$"Acc.{names[k]}"] = double.IsNaN(m.Acc[k]) ? null : m.Acc[k];
        }
        var table = EvaluationTable.Format(names, m, cfg.Data.Source.Kind == DatasetKind.Synthia);
        return (m.MIoU, record, table);
    }

    static (string RunDir, string? ResumeFrom) PrepareRunDirectory(RunConfig config, RunRequest request, string configJson)
    {
        string? dir = null;
        if (request.Resume)
            dir = request.ResumeDir is { } given ? RunDirectory.RequireResumable(given)
                : RunDirectory.FindResumable(request.WorkDirRoot, config.Name, configJson)
                  ?? throw new DaFormerError($"--resume: no run of '{config.Name}' with a checkpoint under {request.WorkDirRoot}; start it without --resume.");
        if (dir is not null) return (dir, Path.Combine(dir, RunDirectory.LatestCheckpoint));
        dir = Path.Combine(request.WorkDirRoot, RunDirectory.Name(DateTime.UtcNow, config.Name, configJson));
        try { Directory.CreateDirectory(dir); }
        catch (UnauthorizedAccessException) { throw new DaFormerError($"--work-dir {request.WorkDirRoot}: not writable; choose another folder."); }
        File.WriteAllText(Path.Combine(dir, "config.json"), configJson);
        if (request.ScriptText is { } text)
            File.WriteAllText(Path.Combine(dir, Path.GetFileName(request.ScriptPath ?? "experiment.csx")), text);
        return (dir, null);
    }

    static void PruneIntervalCheckpoints(string runDir, int keep)
    {
        var files = Directory.GetFiles(runDir, "iter_*.pth")
            .Select(f => (File: f, Iter: long.TryParse(Path.GetFileNameWithoutExtension(f)[5..], out var n) ? n : -1))
            .OrderByDescending(x => x.Iter).ToList();
        foreach (var (f, _) in files.Skip(Math.Max(keep, 0))) File.Delete(f);
    }

    sealed class NullObserver : IRunObserver
    {
        public static readonly NullObserver Instance = new();
        public void RunStarted(string runName, string runDir, long startIteration, long maxIterations) { }
        public void Iteration(IterationStats stats, TimeSpan? eta) { }
        public void Message(string text) { }
        public void Evaluated(long iteration, double miou, string table) { }
        public void RunFinished(string runDir, long iterations, double? finalMiou) { }
    }
}
