using DaFormer.Model;
using DaFormer.Model.Runtime;
using static TorchSharp.torch;

namespace DaFormer.Training.Bench;

/// `bench model … --compare-precision`: the same network timed in fp32 and in a low precision in one
/// process (so both see the same machine load), printed as one JSON line with the speed-ups
/// (fp32 time / low-precision time; > 1 means the low precision is faster) and the training step's
/// memory ratio (low-precision / fp32 growth of the resident set over the training iterations, see
/// ModelBenchResult.TrainPeakRssMb; &lt; 1 means the low precision holds less).
public sealed record PrecisionComparison(
    ModelBenchResult Fp32, ModelBenchResult LowPrecision, double? ForwardSpeedup, double? InferSpeedup,
    double? TrainSpeedup = null, double? TrainMemoryRatio = null)
{
    public static PrecisionComparison Run(SegmentorSpec spec, int crop, int batch, int iters, Device device, (int W, int H)? infer,
                                          bool train, Precision low = Precision.Bf16)
    {
        if (low == Precision.Fp32) throw new DaFormerError("--compare-precision compares fp32 with bf16 or fp16; pass --precision bf16 (the default) or fp16.");
        Precisions.EnsureSupported(low, device);
        var fp32 = ModelBenchmark.Run(spec, crop, batch, iters, device, infer, train, Precision.Fp32);
        var lowResult = ModelBenchmark.Run(spec, crop, batch, iters, device, infer, train, low);
        return new PrecisionComparison(fp32, lowResult, Ratio(fp32.ForwardMs, lowResult.ForwardMs), Ratio(fp32.InferMs, lowResult.InferMs),
            Ratio(fp32.TrainStepMs, lowResult.TrainStepMs), Ratio(Growth(lowResult), Growth(fp32)));
    }

    static double? Growth(ModelBenchResult r) => r.TrainPeakRssMb is { } p && r.TrainBaseRssMb is { } b ? p - b : null;

    static double? Ratio(double? reference, double? faster) =>
        reference is { } r && faster is { } f && f > 0 ? Math.Round(r / f, 2) : null;
}
