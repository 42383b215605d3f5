using DaFormer.Model;
using DaFormer.Model.Runtime;
using DaFormer.Training.Config;
using DaFormer.Training.Optim;
using DaFormer.Training.Randomness;
using DaFormer.Training.Uda;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Training.Bench;

public sealed record UdaBenchResult(
    string Arch, string Head, int Channels, int Crop, int Batch, int Iters, string Device, int Threads,
    double DacsIterationMs, double SupervisedStepMs, double Ratio, double PeakRssMb, string Allocator, int? MicBlockSize = null);

/// Times a full DACS iteration (EMA update, source step, FD, teacher pseudo-labels, ClassMix, colour
/// jitter + blur, mixed step, AdamW step — spec §4.4 with RCS-style labels containing thing classes)
/// against one supervised training step of the same network and batch.
public static class UdaBenchmark
{
    /// `mic`: add the MIC step (the published `separatetrgaug`, ratio 0.7, block crop/16 — 32 on 512²,
    /// 64 on 1024²), so the DACS time includes its extra student forward/backward.
    public static UdaBenchResult Run(SegmentorSpec spec, int crop, int batch, int iters, Device device, bool mic = false)
    {
        ProcessMemory.TryResetPeak();
        manual_seed(0);
        using var student = Architectures.Build(spec);
        using var teacher = Architectures.Build(spec);
        using var imnet = Architectures.Build(spec);
        foreach (var m in new[] { student, teacher, imnet }) m.to(device);
        foreach (var p in teacher.parameters().Concat(imnet.parameters())) p.requires_grad = false;
        var groups = ParameterGroups.Build(student.named_parameters().Select(p => (p.name, p.parameter)));
        using var opt = ParameterGroups.CreateAdamW(groups);
        using var img = randn(batch, 3, crop, crop, device: device);
        using var timg = randn(batch, 3, crop, crop, device: device);
        // Blocky labels so that the FD mask and ClassMix see realistic regions (32-pixel cells of random classes).
        using var cells = randint(0, spec.NumClasses, [batch, 1, crop / 32, crop / 32], dtype: ScalarType.Int64, device: device);
        using var gt = nn.functional.interpolate(cells.to(ScalarType.Float32), [crop, crop], mode: InterpolationMode.Nearest).to(ScalarType.Int64);
        var micBlock = mic ? Math.Max(1, crop / 16) : (int?)null;
        // The final recipe: α 0.999, thing-class FD, jitter, blur (+ MIC on request).
        var uda = new UdaConfig { Mic = micBlock is { } b ? new MicConfig { BlockSize = b } : null };
        var nets = new DacsNetworks(student, teacher, imnet);
        var iter = 0;
        var dacsMs = ModelBenchmark.Time(iters, () =>
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            Dacs.Step(nets, new DacsBatch(img, gt, timg), uda, spec.NumClasses, RandomStreams.ForIteration(0, iter++ + 1000));
            opt.step();
        });
        var supMs = ModelBenchmark.Time(iters, () =>
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            SupervisedStep.Run(student, img, gt);
            opt.step();
        });
        return new UdaBenchResult(spec.Encoder, spec.Head, spec.Channels, crop, batch, iters, device.ToString(), get_num_threads(),
            Math.Round(dacsMs, 1), Math.Round(supMs, 1), Math.Round(dacsMs / supMs, 2), Math.Round(ProcessMemory.PeakRssMb(), 0), ProcessMemory.Allocator(), micBlock);
    }
}
