using System.Diagnostics;
using DaFormer.Model;
using DaFormer.Model.LowPrecision;
using DaFormer.Model.Runtime;
using DaFormer.Training.Config;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Loader;
using DaFormer.Training.Evaluation;
using DaFormer.Training.Optim;
using DaFormer.Training.Randomness;
using DaFormer.Training.Uda;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Training.Runs;

/// Trains one validated config: the imperative shell around `Dacs.Step` / the supervised step. It
/// alone does I/O: the run directory, log.jsonl, evaluation, checkpoints and progress.
public static class Trainer
{
    /// Trains `config` in a run directory this call owns for its whole duration (see RunLock): a new
    /// one, or with `request.Resume` the run's existing one. A fresh run that fails before writing a
    /// checkpoint or a log record leaves no directory behind.
    public static RunOutcome Run(RunConfig config, RunRequest request)
    {
        var device = TorchRuntime.Resolve(request.Device);
        TrainingPrecision.EnsureTrainable(config.Runtime.Precision, device, config.Model.ToSpec());
        var configJson = ConfigJson.Serialize(config);
        var observer = request.Observer ?? NullObserver.Instance;
        if (CpuBf16Speed.Advice(config.Runtime.Precision, device, () => CpuBf16Speed.Measured) is { } advice) observer.Message(advice);
        var (runDir, runLock, changes) = ClaimRunDirectory(config, request, configJson);
        using (runLock)
        {
            RunOutcome outcome;
            var attempt = request;
            for (var retry = 1; ; retry++)
            {
                try
                {
                    outcome = Train(config, attempt, runDir, configJson, changes, device, observer);
                    break;
                }
                catch (Exception e) when (retry <= ScalarFault.MaxRetries && ScalarFault.Matches(e)
                                          && File.Exists(Path.Combine(runDir, RunDirectory.LatestCheckpoint)))
                {
                    observer.Message(ScalarFault.RetryMessage(e, runDir, retry));
                    // Resuming is exact (every random draw comes from (seed, iteration)), so the run ends
                    // as an uninterrupted one would; the config was checked when the run was claimed.
                    attempt = request with { Resume = true };
                    changes = [];
                }
                catch
                {
                    if (!request.Resume) RunDirectory.RemoveIfNothingWritten(runDir);
                    throw;
                }
            }
            if (outcome.Status == RunStatus.Failed && !request.Resume && RunDirectory.RemoveIfNothingWritten(runDir))
                outcome = outcome with { RunDir = "" };
            return outcome;
        }
    }

    static RunOutcome Train(RunConfig config, RunRequest request, string runDir, string configJson,
                            IReadOnlyList<ConfigChange> changes, Device device, IRunObserver observer)
    {
        var resumeFrom = request.Resume ? Path.Combine(runDir, RunDirectory.LatestCheckpoint) : null;
        var seed = (long)config.Runtime.Seed;
        var data = DataSetup.OpenAll(config, observer.Message);

        using var nets = Networks.Create(config, device, seed);
        var groups = ParameterGroups.Build(nets.Student.named_parameters().Select(p => (p.name, p.parameter)));
        var groupLabels = groups.Select(g => g.Label).ToList();
        var o = config.Optimizer;
        using var optimizer = ParameterGroups.CreateAdamW(groups, o.Lr, o.Beta1, o.Beta2, o.WeightDecay, o.Eps);
        var studentParameters = nets.Student.parameters().ToList();
        // Mixed precision: every forward of the run (student, teacher, ImageNet copy, evaluation) computes
        // its convolutions and linear layers in bf16/fp16 on float32 weights; fp16 also scales the losses.
        using var autocast = Autocast.Enable(TrainingPrecision.ComputeType(config.Runtime.Precision));
        var scaler = OptimizerUpdate.InitialScaler(config.Runtime.Precision);

        long start = 0, startBatch = 0;
        (long Iteration, string Path)? lastGood = null;
        if (resumeFrom is not null)
        {
            var meta = TrainingCheckpoint.Load(resumeFrom, nets.Prefixed(), optimizer, groups);
            start = Convert.ToInt64(meta["iter"]);
            startBatch = Convert.ToInt64(meta["batch"]);
            lastGood = (start, resumeFrom);
            scaler = OptimizerUpdate.Restore(scaler, meta);
            observer.Message($"resumed from {resumeFrom} at iteration {start}");
        }

        var maxIters = config.Schedule.MaxIters;
        observer.RunStarted(config.Name, runDir, start, maxIters);
        // Records are 1-based (iter = iterations completed), so those up to `start` belong to the checkpoint.
        using var log = new JsonlLog(Path.Combine(runDir, "log.jsonl"), truncateAfterIteration: start);
        using var board = new TensorBoardLog(Path.Combine(runDir, "tensorboard"));
        if (changes.Count > 0) RecordConfigChanges(runDir, configJson, log, start, changes, observer);
        using var loader = DataSetup.TrainLoader(config, data, seed, startBatch);
        var validation = (data.Validation, data.ValScaleA, data.ValScaleB);
        var margins = config.Uda.PseudoLabelMargins is { } pm ? PseudoMargins.Resized(pm, config.Data.Target.Scale) : null;
        var recent = new Queue<double>();
        double? lastMiouPercent = null;
        var waitBefore = loader.DataWaitMs;

        void Log(Dictionary<string, object?> record, long step)
        {
            log.Write(record);
            foreach (var (tag, value) in TrainingRecords.Scalars(record)) board.Scalar(tag, value, step);
        }

        // Writes latest.pth (and iter_N.pth) atomically; on a refusing file system returns the
        // paragraph that ends the run, with the last good checkpoint still in place.
        string? Checkpoint(long nextIter, bool interval)
        {
            var meta = CheckpointMeta.Of(config, configJson, nextIter, loader.NextBatchIndex, seed, data.Validation.ClassNames, data.Validation.Palette);
            OptimizerUpdate.Save(scaler, meta);
            var latest = Path.Combine(runDir, RunDirectory.LatestCheckpoint);
            try { TrainingCheckpoint.Save(latest, nets.Prefixed(), optimizer, meta, groups); }
            catch (Exception e) when (CheckpointFiles.IsWriteFailure(e)) { return CheckpointFiles.WriteFailure(latest, e, runDir, lastGood); }
            lastGood = (nextIter, latest);
            if (!interval) return null;
            var copy = Path.Combine(runDir, $"iter_{nextIter}.pth");
            try { CheckpointFiles.CopyAtomic(latest, copy); }
            catch (Exception e) when (CheckpointFiles.IsWriteFailure(e)) { return CheckpointFiles.WriteFailure(copy, e, runDir, lastGood); }
            PruneIntervalCheckpoints(runDir, config.Runtime.KeepCheckpoints);
            return null;
        }

        RunOutcome Failed(string message)
        {
            observer.Message(message);
            return new RunOutcome(runDir, RunStatus.Failed, lastMiouPercent, message);
        }

        for (var i = start; i < maxIters; i++)
        {
            if (request.Cancel.IsCancellationRequested)
            {
                if (Checkpoint(i, interval: false) is { } failure) return Failed(failure);
                observer.Message($"interrupted: checkpoint written at iteration {i}; continue with --resume {runDir}");
                return new RunOutcome(runDir, RunStatus.Interrupted, lastMiouPercent, $"interrupted at iteration {i}");
            }
            var clock = Stopwatch.StartNew();
            IterationStats stats;
            using (var scope = NewDisposeScope())
            {
                // Dropout / DropPath draw from the global generator: reseed it per iteration so that
                // a resumed run repeats exactly what an uninterrupted run would have drawn.
                var random = RandomStreams.ForIteration(seed, i);
                manual_seed(random.TorchSeed(Purpose.TorchOps));
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
                    var r = Dacs.Step(new DacsNetworks(nets.Student, nets.Teacher!, nets.ImageNet),
                        new DacsBatch(src, gt, batch.TargetImage!.to(device))
                        {
                            ValidPseudoMask = margins is null ? null : PseudoMargins.Masks(margins,
                                batch.TargetGeometry.Select(t => new CropGeometry(t.Box, t.Flipped)).ToList(), (int)gt.shape[2], (int)gt.shape[3]).to(device),
                        },
                        config.Uda, config.Model.NumClasses, random, captureDebug: debug, lossScale: OptimizerUpdate.LossScale(scaler));
                    losses = r.Losses;
                    conf = r.PseudoConfidence;
                    if (r.Debug is { } panels)
                        using (panels)
                            DebugImages.Write(Path.Combine(runDir, "debug", $"{i + 1:D6}.png"), panels, Data.Pipeline.Normalization.ImageNet.Mean, Data.Pipeline.Normalization.ImageNet.Std);
                }
                else losses = SupervisedStep.Run(nets.Student, src, gt, random.Random(Purpose.HrdaCrop), OptimizerUpdate.LossScale(scaler));
                stats = new IterationStats(i, losses, lrs, conf, 0, waited);
                if (Progress.NonFinite(stats) is { } problem)
                    return Failed(problem + " " + LastGoodSentence(lastGood));
                var update = OptimizerUpdate.Apply(scaler, studentParameters, () => AdamWUpdate.Step(optimizer), i);
                scaler = update.Scaler;
                if (update.Message is { } skipped) observer.Message(skipped);
                stats = stats with { LossScale = scaler?.Scale, SkippedSteps = scaler?.SkippedSteps, StepSkipped = update.Skipped };
            }
            var ms = clock.Elapsed.TotalMilliseconds;
            stats = stats with { StepMs = ms };
            recent.Enqueue(ms);
            if (recent.Count > 20) recent.Dequeue();
            observer.Iteration(stats, Progress.Eta(i + 1, maxIters, recent.ToList()));
            var done = i + 1;
            if (done % config.Runtime.LogInterval == 0 || i == start)
                Log(TrainingRecords.Train(stats, groupLabels, ProcessMemory.RssMb()), done);

            if (done % config.Runtime.EvalInterval == 0 || done == maxIters)
            {
                var (metrics, table) = Evaluate(nets.Student, validation, config, device);
                lastMiouPercent = TrainingRecords.Percent(metrics.MIoU);
                Log(TrainingRecords.Val(done, metrics, data.Validation.ClassNames), done);
                observer.Evaluated(done, lastMiouPercent ?? double.NaN, table);
                nets.Student.train();
            }
            if (done % config.Runtime.CheckpointInterval == 0 || done == maxIters)
                if (Checkpoint(done, interval: done % config.Runtime.CheckpointInterval == 0) is { } failure)
                    return Failed(failure);
        }
        observer.RunFinished(runDir, maxIters, lastMiouPercent);
        return new RunOutcome(runDir, RunStatus.Completed, lastMiouPercent);
    }

    static string LastGoodSentence((long Iteration, string Path)? lastGood) => lastGood is { } g
        ? $"The last good checkpoint, {g.Path} (iteration {g.Iteration}), is intact."
        : "No checkpoint of this run had been written yet.";

    static double LearningRate(ScheduleConfig s, double baseLr, int iter) =>
        PolySchedule.LearningRate(baseLr, iter, s.MaxIters, s.Power, s.MinLr, s.Warmup?.Iters ?? 0, s.Warmup?.Ratio ?? 1e-6);

    /// Evaluates the student on the validation set (eval mode, whole/slide as configured): the
    /// metrics (fractions) and the per-class table (percentages) that is printed.
    public static (SegMetrics Metrics, string Table) Evaluate(
        SegmentorBase model, (SegDataset Data, int ScaleA, int ScaleB) validation, RunConfig cfg, Device device)
    {
        var mode = cfg.Runtime.Test.Mode == TestMode.Slide && cfg.Runtime.Test.Crop is { } c && cfg.Runtime.Test.Stride is { } s
            ? new InferenceMode(true, (c.Height, c.Width), (s.Height, s.Width)) : InferenceMode.Whole;
        var samples = EvalSamples.Enumerate(validation.Data, validation.ScaleA, validation.ScaleB)
            .Select(e => (e.Image, e.GroundTruth, e.Files.ImagePath));
        var m = Evaluator.Run(model, samples, mode, device).Metrics;
        return (m, EvaluationTable.Format(validation.Data.ClassNames, m, cfg.Data.Source.Kind == DatasetKind.Synthia));
    }

    /// A new locked run directory (config.json and the script written), or for `--resume` the run's
    /// directory, locked, cleared of dead writers' temporary files and checked against the config.
    static (string RunDir, RunLock Lock, IReadOnlyList<ConfigChange> Changes) ClaimRunDirectory(RunConfig config, RunRequest request, string configJson)
    {
        if (!request.Resume)
        {
            var (dir, runLock) = RunDirectory.ClaimNew(request.WorkDirRoot, RunDirectory.Name(DateTime.UtcNow, config.Name, configJson));
            try
            {
                AtomicText(Path.Combine(dir, "config.json"), configJson);
                if (request.ScriptText is { } text)
                    AtomicText(Path.Combine(dir, Path.GetFileName(request.ScriptPath ?? "experiment.csx")), text);
            }
            catch (Exception e)
            {
                runLock.Dispose();
                RunDirectory.RemoveIfNothingWritten(dir);
                if (CheckpointFiles.IsWriteFailure(e))
                    throw new DaFormerError($"--work-dir {request.WorkDirRoot}: cannot write the run directory {dir} ({e.Message}); choose a writable folder with free space.", e);
                throw;
            }
            return (dir, runLock, []);
        }
        var resumeDir = request.ResumeDir is { } given ? RunDirectory.RequireResumable(given)
            : RunDirectory.FindResumable(request.WorkDirRoot, config.Name, configJson)
              ?? throw new DaFormerError($"--resume: no run of '{config.Name}' with a checkpoint under {request.WorkDirRoot}; start it without --resume.");
        var held = RunLock.Acquire(resumeDir);
        try
        {
            RunDirectory.RemoveStaleTemporaryFiles(resumeDir);
            var stored = Path.Combine(resumeDir, "config.json");
            var changes = File.Exists(stored) ? ConfigDiff.Between(File.ReadAllText(stored), configJson) : [];
            if (changes.Count > 0 && !request.AllowChanges)
                throw new DaFormerError(
                    $"--resume {resumeDir}: the config differs from the one the run was started with ({stored}) in " +
                    $"{string.Join("; ", changes)}. Resume with the run's own settings, or pass --allow-changes to continue " +
                    "with the new ones (the change is then recorded in config_changes.jsonl and log.jsonl, and config.json updated).");
            return (resumeDir, held, changes);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// `--allow-changes`: config.json takes the new values, and the change is recorded with the
    /// iteration it applies from in config_changes.jsonl (one JSON object per resume) and log.jsonl.
    static void RecordConfigChanges(string runDir, string configJson, JsonlLog log, long start, IReadOnlyList<ConfigChange> changes, IRunObserver observer)
    {
        AtomicText(Path.Combine(runDir, "config.json"), configJson);
        var list = changes.Select(c => new Dictionary<string, object?> { ["path"] = c.Path, ["old"] = c.Old, ["new"] = c.New }).ToList();
        var record = new Dictionary<string, object?> { ["iter"] = start, ["mode"] = "config_change", ["time"] = DateTime.UtcNow.ToString("O"), ["changes"] = list };
        File.AppendAllText(Path.Combine(runDir, "config_changes.jsonl"), System.Text.Json.JsonSerializer.Serialize(record) + "\n");
        log.Write(record);
        observer.Message($"config changed on resume (--allow-changes), from iteration {start}: {string.Join("; ", changes)}");
    }

    static void AtomicText(string path, string text)
    {
        var tmp = CheckpointFiles.TemporaryName(path);
        File.WriteAllText(tmp, text);
        File.Move(tmp, path, overwrite: true);
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
