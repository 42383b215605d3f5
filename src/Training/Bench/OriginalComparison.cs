using System.Diagnostics;
using DaFormer.Model;
using DaFormer.Model.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Training.Bench;

/// `daformer bench original`: ours and the original DAFormer network (PyTorch, bench/original) timed
/// side by side on this machine, one JSON line. Speed-ups are the original's time / ours (> 1: ours is
/// faster). The two processes alternate — original step, our step, original step, … — so a shared
/// machine's changing load hits both alike. Load averages (1 min) before and after say how quiet it was;
/// `OmpWaitPolicy` / `OriginalOmpWaitPolicy` are the OpenMP waiting each side ran with (the original
/// inherits ours unless `--original-env` sets it): libgomp's default spinning is faster for ours, while
/// the original's OpenBLAS threads compete with its spinning OpenMP threads.
public sealed record OriginalComparison(
    string Arch, string Head, int Channels, int Crop, int Batch, int Iters, string InferSize, int Threads,
    double OriginalTrainStepMs, double TrainStepMs, double TrainSpeedup,
    double OriginalInferMs, double InferMs, double InferSpeedup,
    string OriginalTorch, string OriginalBlas, string OriginalAllocator, string Allocator,
    double OriginalPeakRssMb, double PeakRssMb, string OriginalOmpWaitPolicy, string OmpWaitPolicy, string MeasuredUtc, double LoadBefore, double LoadAfter)
{
    /// Times `iters` training steps (2×crop² in the setting) and `iters` whole-image inferences
    /// of each side after one warm-up each, alternating. Ours is the fp32 `bench model` step
    /// (ModelBenchmark.TrainStep) and `WholeInference` + arg-max; the original's is
    /// EncoderDecoder.forward_train + backward + AdamW.step and simple_test (softmax + arg-max).
    public static OriginalComparison Run(SegmentorSpec spec, int crop, int batch, int iters, Device device,
                                         (int W, int H) infer, OriginalProcess original, Action<string> progress)
    {
        var loadBefore = LoadAverage();
        ProcessMemory.TryResetPeak();
        manual_seed(0);
        using var model = Architectures.Build(spec);
        model.to(device);
        using var img = randn(batch, 3, crop, crop, device: device);
        double originalTrain, oursTrain;
        using (var step = new ModelBenchmark.TrainStep(model, spec, img, device, Precision.Fp32))
            (originalTrain, oursTrain) = Alternate("training step", iters, () => original.Time("train"), () => Time(step.Run), progress);
        model.eval();
        using var x = randn(1, 3, infer.H, infer.W, device: device);
        var (originalInfer, oursInfer) = Alternate("inference", iters, () => original.Time("infer"), () => Time(() =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            model.WholeInference(x).argmax(1);
        }), progress);
        var rt = original.Runtime;
        return new OriginalComparison(spec.Encoder, spec.Head, spec.Channels, crop, batch, iters, $"{infer.W}x{infer.H}", get_num_threads(),
            Math.Round(originalTrain, 1), Math.Round(oursTrain, 1), Math.Round(originalTrain / oursTrain, 2),
            Math.Round(originalInfer, 1), Math.Round(oursInfer, 1), Math.Round(originalInfer / oursInfer, 2),
            rt.Torch, rt.Blas, rt.Allocator, ProcessMemory.Allocator(),
            Math.Round(original.PeakRssMb(), 0), Math.Round(ProcessMemory.PeakRssMb(), 0), rt.OmpWaitPolicy,
            Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is { Length: > 0 } w ? w : "default", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'"), loadBefore, LoadAverage());
    }

    /// One warm-up of each side, then `iters` rounds of (original, ours); mean milliseconds of each.
    static (double Original, double Ours) Alternate(string what, int iters, Func<double> original, Func<double> ours, Action<string> progress)
    {
        progress($"{what}: warm-up (original {original():F0} ms, ours {ours():F0} ms)");
        double o = 0, u = 0;
        for (var i = 1; i <= iters; i++)
        {
            var oi = original();
            var ui = ours();
            (o, u) = (o + oi, u + ui);
            progress($"{what} {i}/{iters}: original {oi:F0} ms, ours {ui:F0} ms");
        }
        return (o / iters, u / iters);
    }

    static double Time(Action body)
    {
        var sw = Stopwatch.StartNew();
        body();
        return sw.Elapsed.TotalMilliseconds;
    }

    /// The 1-minute load average (/proc/loadavg), or -1 where there is none.
    static double LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0],
            System.Globalization.CultureInfo.InvariantCulture, out var l) ? l : -1;
}
