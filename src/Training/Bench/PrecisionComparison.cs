using DaFormer.Model;
using DaFormer.Model.Runtime;
using static TorchSharp.torch;

namespace DaFormer.Training.Bench;

/// `bench model … --compare-precision`: the same network timed in fp32 and in a low precision in one
/// process, printed as one JSON line with the speed-ups (fp32 time / low-precision time; > 1 means
/// the low precision is faster). The training steps of the two precisions alternate
/// (ModelBenchmark.InterleavedTrainSteps), so a shared machine's changing load hits both alike; the
/// forward and inference timings run one precision after the other. Peak RSS of a training step is
/// not compared here: a caching allocator (tcmalloc) keeps the first precision's freed memory
/// resident for the second — run `bench model … --precision bf16` and `--precision fp32` as separate
/// processes and compare their `train_peak_rss_mb`. For bf16 on the CPU the line also carries
/// `CpuBf16Speed`'s bare matrix-product ratio, which bounds what the network can gain on this CPU.
public sealed record PrecisionComparison(
    ModelBenchResult Fp32, ModelBenchResult LowPrecision, double? ForwardSpeedup, double? InferSpeedup, double? TrainSpeedup = null,
    double? CpuBf16MatmulSpeedup = null)
{
    public static PrecisionComparison Run(SegmentorSpec spec, int crop, int batch, int iters, Device device, (int W, int H)? infer,
                                          bool train, Precision low = Precision.Bf16)
    {
        if (low == Precision.Fp32) throw new DaFormerError("--compare-precision compares fp32 with bf16 or fp16; pass --precision bf16 (the default) or fp16.");
        Precisions.EnsureSupported(low, device);
        var fp32 = ModelBenchmark.Run(spec, crop, batch, iters, device, infer, train, Precision.Fp32, timeTrainStep: false);
        var lowResult = ModelBenchmark.Run(spec, crop, batch, iters, device, infer, train, low, timeTrainStep: false);
        if (train && ModelBenchmark.TrainsIn(spec, low))
        {
            var (fp32Ms, lowMs) = ModelBenchmark.InterleavedTrainSteps(spec, crop, batch, iters, device, low);
            fp32 = fp32 with { TrainStepMs = Math.Round(fp32Ms, 1), TrainGflopPerSecond = ModelBenchmark.TrainGflopPerSecond(spec, crop, batch, fp32Ms) };
            lowResult = lowResult with { TrainStepMs = Math.Round(lowMs, 1), TrainGflopPerSecond = ModelBenchmark.TrainGflopPerSecond(spec, crop, batch, lowMs) };
        }
        return new PrecisionComparison(fp32, lowResult, Ratio(fp32.ForwardMs, lowResult.ForwardMs), Ratio(fp32.InferMs, lowResult.InferMs),
            Ratio(fp32.TrainStepMs, lowResult.TrainStepMs),
            low == Precision.Bf16 && device.type == TorchSharp.DeviceType.CPU ? Math.Round(CpuBf16Speed.Measured.Speedup, 2) : null);
    }

    static double? Ratio(double? reference, double? faster) =>
        reference is { } r && faster is { } f && f > 0 ? Math.Round(r / f, 2) : null;
}
