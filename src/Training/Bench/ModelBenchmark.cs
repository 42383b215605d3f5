using System.Diagnostics;
using DaFormer.Model;
using DaFormer.Model.LowPrecision;
using DaFormer.Model.Runtime;
using DaFormer.Training.Optim;
using DaFormer.Training.Runs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Training.Bench;

/// One benchmark result (printed as one JSON line by `daformer bench model`).
public sealed record ModelBenchResult(
    string Arch, string Head, int Channels, int Crop, int Batch, int Iters, string Device, int Threads,
    long Parameters, double? ForwardMs, double? TrainStepMs, double? InferMs, string? InferSize,
    double? ForwardGflop, double? TrainGflopPerSecond, double? InferGflopPerSecond, double PeakRssMb, string Allocator,
    string Precision = "fp32", double? TrainBaseRssMb = null, double? TrainPeakRssMb = null);

/// Times the network the way the issue defines the comparison with the original: a training step
/// (forward in train mode, the original's loss, backward, AdamW step with the DAFormer parameter
/// groups) on a (B,3,crop,crop) batch, a no-grad forward of that batch, and optionally whole-image
/// inference of one W×H image. The first iteration warms up and is not timed. `TrainPeakRssMb` is the
/// peak resident set during the training iterations, `TrainBaseRssMb` the resident set just before
/// them (network and batch built): their difference is what the training step itself holds.
/// `PeakRssMb` is the peak over the whole measurement.
public static class ModelBenchmark
{
    /// With bf16/fp16 the training step is mixed precision as a run trains (Autocast on float32 weights,
    /// fp16 with loss scaling), for the networks Autocast covers (MixedPrecisionCoverage; others leave
    /// the step out); then the network is prepared for low-precision inference (LowPrecisionInference:
    /// BN folded, weights cast once) and the forward and inference are timed. `timeTrainStep` false
    /// leaves the training step out but still times the forward of the training batch.
    public static ModelBenchResult Run(SegmentorSpec spec, int crop, int batch, int iters, Device device, (int W, int H)? infer, bool train = true,
                                       Precision precision = Precision.Fp32, bool timeTrainStep = true)
    {
        Precisions.EnsureSupported(precision, device);
        ProcessMemory.TryResetPeak();
        manual_seed(0);
        using var model = Architectures.Build(spec);
        model.to(device);
        var parameters = model.parameters().Sum(p => p.numel());
        double? trainMs = null, fwdMs = null, inferMs = null, trainBaseRss = null, trainPeakRss = null;
        using var img = train ? randn(batch, 3, crop, crop, device: device) : null;
        if (train && timeTrainStep && TrainsIn(spec, precision))
        {
            using var step = new TrainStep(model, spec, img!, device, precision);
            ProcessMemory.TryResetPeak();
            trainBaseRss = ProcessMemory.RssMb();
            trainMs = Time(iters, step.Run);
            trainPeakRss = ProcessMemory.PeakRssMb();
        }
        if (precision != Precision.Fp32)
        {
            model.eval();
            LowPrecisionInference.Prepare(model, precision, device);
        }
        if (train)
        {
            model.eval();
            fwdMs = Time(iters, () =>
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                model.DecodeLogits(model.ExtractFeatures(img!));
                Sync(device);
            });
        }
        if (infer is { } size)
        {
            model.eval();
            using var x = randn(1, 3, size.H, size.W, device: device);
            inferMs = Time(iters, () =>
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                model.WholeInference(x).argmax(1);
                Sync(device);
            });
        }
        var flops = FlopCount.Forward(spec, crop, crop);
        var inferFlops = infer is { } s2 ? FlopCount.Forward(spec, s2.H, s2.W) : null;
        return new ModelBenchResult(spec.Encoder, spec.Head, spec.Channels, crop, batch, iters, device.ToString(), get_num_threads(),
            parameters, Round(fwdMs), Round(trainMs), Round(inferMs), infer is { } s3 ? $"{s3.W}x{s3.H}" : null,
            flops is { } f ? Math.Round(f / 1e9, 1) : null,
            TrainGflopPerSecond(spec, crop, batch, trainMs),
            inferFlops is { } fi && inferMs is { } ti ? Math.Round(fi / (ti / 1000) / 1e9, 1) : null,
            Math.Round(ProcessMemory.PeakRssMb(), 0), ProcessMemory.Allocator(), precision.Name(),
            trainBaseRss is { } b0 ? Math.Round(b0, 0) : null, trainPeakRss is { } p0 ? Math.Round(p0, 0) : null);
    }

    /// Whether the training step can be timed in `precision` (every network in fp32; bf16/fp16 where Autocast covers it).
    public static bool TrainsIn(SegmentorSpec spec, Precision precision) => precision == Precision.Fp32 || MixedPrecisionCoverage.Covers(spec);

    /// Achieved GFLOP/s of a training step (3 × forward FLOPs per image: forward + backward ≈ 2 × forward).
    public static double? TrainGflopPerSecond(SegmentorSpec spec, int crop, int batch, double? trainMs) =>
        FlopCount.Forward(spec, crop, crop) is { } f && trainMs is { } t ? Math.Round(3 * f * batch / (t / 1000) / 1e9, 1) : null;

    /// Mean training-step milliseconds of fp32 and of `low`, measured on two networks with the same
    /// initial weights and batch, the steps alternating (fp32, low, fp32, low, …) after one warm-up
    /// step each: on a shared machine a change of load then hits both alike instead of one phase.
    public static (double Fp32Ms, double LowMs) InterleavedTrainSteps(SegmentorSpec spec, int crop, int batch, int iters, Device device, Precision low)
    {
        manual_seed(0);
        using var reference = Architectures.Build(spec);
        manual_seed(0);
        using var mixed = Architectures.Build(spec);
        reference.to(device);
        mixed.to(device);
        manual_seed(1);
        using var img = randn(batch, 3, crop, crop, device: device);
        using var fp32Step = new TrainStep(reference, spec, img, device, Precision.Fp32);
        using var lowStep = new TrainStep(mixed, spec, img, device, low);
        fp32Step.Run();
        lowStep.Run();
        double fp32Ms = 0, lowMs = 0;
        for (var i = 0; i < Math.Max(1, iters); i++)
        {
            var sw = Stopwatch.StartNew();
            fp32Step.Run();
            fp32Ms += sw.Elapsed.TotalMilliseconds;
            sw.Restart();
            lowStep.Run();
            lowMs += sw.Elapsed.TotalMilliseconds;
        }
        return (fp32Ms / Math.Max(1, iters), lowMs / Math.Max(1, iters));
    }

    /// One training step as `daformer run` performs it in `precision`: forward in train mode under
    /// Autocast, the original's loss, backward (loss-scaled for fp16), AdamW with the DAFormer groups.
    internal sealed class TrainStep : IDisposable
    {
        readonly Segmentor model;
        readonly Tensor img, label;
        readonly AdamW optimizer;
        readonly List<TorchSharp.Modules.Parameter> parameters;
        readonly Precision precision;
        readonly Device device;
        LossScaler? scaler;

        public TrainStep(Segmentor model, SegmentorSpec spec, Tensor img, Device device, Precision precision)
        {
            (this.model, this.img, this.device, this.precision) = (model, img, device, precision);
            var groups = ParameterGroups.Build(model.named_parameters().Select(p => (p.name, p.parameter)));
            optimizer = ParameterGroups.CreateAdamW(groups);
            label = randint(0, spec.NumClasses, [img.shape[0], 1, img.shape[2], img.shape[3]], dtype: ScalarType.Int64, device: device);
            parameters = model.parameters().ToList();
            scaler = OptimizerUpdate.InitialScaler(precision);
        }

        public void Run()
        {
            using var scope = NewDisposeScope();
            using var autocast = Autocast.Enable(TrainingPrecision.ComputeType(precision));
            model.train();
            optimizer.zero_grad();
            var loss = Segmentor.Loss(model.DecodeLogits(model.ExtractFeatures(img)), label);
            ScaledOptimizerStep.Backward(loss, OptimizerUpdate.LossScale(scaler));
            scaler = OptimizerUpdate.Apply(scaler, parameters, () => AdamWUpdate.Step(optimizer), 0).Scaler;
            Sync(device);
        }

        public void Dispose()
        {
            optimizer.Dispose();
            label.Dispose();
        }
    }

    /// Mean milliseconds of `iters` timed runs after one warm-up run.
    public static double Time(int iters, Action body)
    {
        body();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < iters; i++) body();
        return sw.Elapsed.TotalMilliseconds / Math.Max(1, iters);
    }

    /// As <see cref="Time"/>, plus the process CPU time (all threads) per timed run. On a shared
    /// machine the wall time depends on what else runs; the CPU time much less so.
    public static (double WallMs, double CpuMs) TimeWithCpu(int iters, Action body)
    {
        body();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < iters; i++) body();
        var wall = sw.Elapsed.TotalMilliseconds;
        var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
        return (wall / Math.Max(1, iters), used / Math.Max(1, iters));
    }

    static void Sync(Device device)
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize();
    }

    static double? Round(double? ms) => ms is { } v ? Math.Round(v, 1) : null;
}
