using DaFormer.Model.Runtime;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;
using DaFormer.Training.Data.Synthetic;
using DaFormer.Training.Runs;

namespace DaFormer.Tests.Training.Runs;

/// A CPU-tiny DACS run on a tiny synthetic data set made once per test process: 64×32 images,
/// 32×32 crops, MiT-b0 with a 16-channel head. Used by the trainer tests.
public static class TinyRun
{
    static readonly Lazy<string> Data = new(() =>
    {
        var root = Paths.NewTempDir("tinysynth");
        SynthDataset.Write(root, new SynthOptions(Images: 6, Width: 64, Height: 32, Seed: 3, TargetVal: 2), threads: 1);
        return root;
    });

    public static string DataRoot => Data.Value;

    public static RunConfig Config(int iters, UdaMode mode = UdaMode.Dacs)
    {
        var q = Presets.Quickstart;
        return q with
        {
            Model = q.Model with { Channels = 16 },
            Data = q.Data with
            {
                Source = DatasetConfig.SyntheticDomain("source", "train", new(64, 32), DataRoot),
                Target = DatasetConfig.SyntheticDomain("target", "train", new(64, 32), DataRoot),
                Validation = DatasetConfig.SyntheticDomain("target", "val", new(64, 32), DataRoot),
                Crop = new(32, 32),
                Workers = 1,
                Rcs = Rcs.On(temperature: 0.01, minPixels: 1, minCropRatio: 0.5),
            },
            Uda = q.Uda with { Mode = mode },
            Schedule = q.Schedule with { MaxIters = iters, Warmup = new(Iters: 2) },
            Runtime = q.Runtime with { EvalInterval = 1000, CheckpointInterval = 1000, LogInterval = 1 },
        };
    }

    /// The same tiny config as an experiment script (for tests that go through `daformer run`);
    /// with several seeds the script is a sweep over them.
    public static string WriteScript(int maxIters, int checkpointEvery, params int[] seeds) => WriteScript(maxIters, checkpointEvery, mic: false, seeds);

    /// As above; `mic` adds Masked Image Consistency with 8-pixel blocks (a 4×4 grid on the 32² crops).
    public static string WriteScript(int maxIters, int checkpointEvery, bool mic, params int[] seeds)
    {
        var micLine = mic ? "Uda = q.Uda with { Mic = new MicConfig { BlockSize = 8 } }," : "";
        var path = Path.Combine(Paths.NewTempDir("dfscript"), "tiny.csx");
        var seedList = seeds.Length == 0 ? "0" : string.Join(", ", seeds);
        File.WriteAllText(path, $$"""
            #r "DaFormer.Training.dll"
            using System.Linq;
            using DaFormer.Training.Config;
            using static DaFormer.Training.Config.Presets;
            var q = Quickstart;
            DatasetConfig D(string domain, string split) => DatasetConfig.SyntheticDomain(domain, split, new(64, 32), @"{{DataRoot}}");
            var cfg = q with
            {
                Model = q.Model with { Channels = 16 },
                Data = q.Data with { Source = D("source", "train"), Target = D("target", "train"), Validation = D("target", "val"),
                                     Crop = new(32, 32), Workers = 1, Rcs = Rcs.On(temperature: 0.01, minPixels: 1, minCropRatio: 0.5) },
                {{micLine}}
                Schedule = q.Schedule with { MaxIters = {{maxIters}}, Warmup = new(Iters: 2) },
                Runtime = q.Runtime with { EvalInterval = 1000, CheckpointInterval = {{checkpointEvery}}, KeepCheckpoints = 1, LogInterval = 1 },
            };
            return new[] { {{seedList}} }.Select(s => cfg.WithSeed(s)).ToList();
            """);
        return path;
    }

    public static RunRequest Request(string workDir, IRunObserver? observer = null, bool resume = false, string? resumeDir = null,
                                     CancellationToken cancel = default) =>
        new(workDir, DeviceSpec.Cpu, Resume: resume, ResumeDir: resumeDir, Observer: observer, Cancel: cancel);

    /// Every logged number of the training records (losses, accuracies, pseudo-label confidence) by iteration.
    public static Dictionary<long, Dictionary<string, double>> LossTerms(string runDir) =>
        JsonlLog.Read(Path.Combine(runDir, "log.jsonl"))
            .Where(r => r.GetProperty("mode").GetString() == "train")
            .ToDictionary(r => r.GetProperty("iter").GetInt64(),
                r => r.EnumerateObject().Where(p => p.Name.Contains("loss") || p.Name.Contains("acc_seg") || p.Name == "pseudo_conf")
                      .ToDictionary(p => p.Name, p => p.Value.GetDouble()));

    /// The logged training losses by iteration (1-based: the record of iteration index i has iter i + 1).
    public static Dictionary<long, (double Src, double Mix)> Losses(string runDir) =>
        JsonlLog.Read(Path.Combine(runDir, "log.jsonl"))
            .Where(r => r.GetProperty("mode").GetString() == "train")
            .ToDictionary(r => r.GetProperty("iter").GetInt64(),
                r => (r.GetProperty("decode.loss_seg").GetDouble(), r.TryGetProperty("mix.decode.loss_seg", out var m) ? m.GetDouble() : double.NaN));
}

/// Calls `onIteration` after every iteration (e.g. to cancel the run).
public sealed class CallbackObserver(Action<IterationStats> onIteration) : IRunObserver
{
    public void RunStarted(string runName, string runDir, long startIteration, long maxIterations) { }
    public void Iteration(IterationStats stats, TimeSpan? eta) => onIteration(stats);
    public void Message(string text) { }
    public void Evaluated(long iteration, double miou, string table) { }
    public void RunFinished(string runDir, long iterations, double? finalMiou) { }
}
