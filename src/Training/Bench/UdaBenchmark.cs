using DaFormer.Model;
using DaFormer.Model.Runtime;
using DaFormer.Model.Segmentors;
using DaFormer.Training.Config;
using DaFormer.Training.Optim;
using DaFormer.Training.Randomness;
using DaFormer.Training.Uda;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Training.Bench;

/// One `daformer bench uda` line. `Method`: daformer, mic_daformer, hrda or mic_hrda. `DacsGflop`:
/// the analytic FLOPs of one DACS iteration of the batch (<see cref="UdaBenchmark.IterationFlops"/>);
/// `DacsGflopPerSecond` = that / the measured iteration time. The supervised-step fields are null
/// when only the DACS iteration was timed (`--compare-methods`).
public sealed record UdaBenchResult(
    string Arch, string Head, int Channels, int Crop, int Batch, int Iters, string Device, int Threads,
    double DacsIterationMs, double? SupervisedStepMs, double? Ratio, double PeakRssMb, string Allocator, int? MicBlockSize = null)
{
    public string Method { get; init; } = "daformer";
    public double SecondsPerIteration => Math.Round(DacsIterationMs / 1000, 2);
    /// HRDA's scales ("1,0.5") and detail crop ("512x512"); null for DAFormer.
    public string? HrdaScales { get; init; }
    public string? HrdaDetailCrop { get; init; }
    public double? DacsGflop { get; init; }
    public double? DacsGflopPerSecond { get; init; }
    /// Process CPU time (all threads) per DACS iteration, and the FLOPs per CPU-second × threads: the
    /// rate the iteration would reach with the cores to itself. Comparable between methods on a
    /// machine shared with other jobs, where the wall-clock rate measures the share of the cores it got.
    public double? CpuSecondsPerIteration { get; init; }
    public double? DacsGflopPerSecondCpu { get; init; }
}

/// Times a full DACS iteration (EMA update, source step, FD, teacher pseudo-labels, ClassMix, colour
/// jitter + blur, mixed step, AdamW step — spec §4.4 with RCS-style labels containing thing classes)
/// against one supervised training step of the same network and batch, for DAFormer or HRDA, with
/// or without MIC.
public static class UdaBenchmark
{
    /// `mic`: add the MIC step (the published `separatetrgaug`, ratio 0.7, block crop/16 — 32 on 512²,
    /// 64 on 1024²), so the DACS time includes its extra student forward/backward. `hrda`: the
    /// networks are HRDA segmentors (teacher pseudo-labels by slide inference over the whole crop).
    /// `supervised`: also time one supervised step (for the DACS/supervised ratio).
    public static UdaBenchResult Run(SegmentorSpec spec, int crop, int batch, int iters, Device device, bool mic = false,
                                     HrdaSpec? hrda = null, bool supervised = true)
    {
        ProcessMemory.TryResetPeak();
        manual_seed(0);
        using var student = SegmentorFactory.Build(spec, hrda);
        using var teacher = SegmentorFactory.Build(spec, hrda);
        using var imnet = SegmentorFactory.Build(spec, hrda);
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
        var (dacsMs, dacsCpuMs) = ModelBenchmark.TimeWithCpu(iters, () =>
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            Dacs.Step(nets, new DacsBatch(img, gt, timg), uda, spec.NumClasses, RandomStreams.ForIteration(0, iter++ + 1000));
            AdamWUpdate.Step(opt);
        });
        double? supMs = null;
        if (supervised)
        {
            var crops = new Random(0);
            supMs = ModelBenchmark.Time(iters, () =>
            {
                using var scope = NewDisposeScope();
                opt.zero_grad();
                SupervisedStep.Run(student, img, gt, crops);
                AdamWUpdate.Step(opt);
            });
        }
        var flops = IterationFlops(spec, hrda, crop, batch, mic, uda.FeatureDistance is not null);
        var method = (mic ? "mic_" : "") + (hrda is null ? "daformer" : "hrda");
        return new UdaBenchResult(spec.Encoder, spec.Head, spec.Channels, crop, batch, iters, device.ToString(), get_num_threads(),
            Math.Round(dacsMs, 1), supMs is { } s ? Math.Round(s, 1) : null, supMs is { } s2 ? Math.Round(dacsMs / s2, 2) : null,
            Math.Round(ProcessMemory.PeakRssMb(), 0), ProcessMemory.Allocator(), micBlock)
        {
            Method = method,
            HrdaScales = hrda is null ? null : FormattableString.Invariant($"{hrda.HrScale},{hrda.LrScale}"),
            HrdaDetailCrop = hrda is null ? null : $"{hrda.DetailCropWidth}x{hrda.DetailCropHeight}",
            DacsGflop = flops is { } f ? Math.Round(f / 1e9, 1) : null,
            DacsGflopPerSecond = flops is { } f2 ? Math.Round(f2 / (dacsMs / 1000) / 1e9, 1) : null,
            CpuSecondsPerIteration = Math.Round(dacsCpuMs / 1000, 2),
            DacsGflopPerSecondCpu = flops is { } f3 && dacsCpuMs > 0 ? Math.Round(f3 / (dacsCpuMs / 1000 / get_num_threads()) / 1e9, 1) : null,
        };
    }

    /// The methods `bench uda --compare-methods` times in one process: DAFormer and MIC(DAFormer) on
    /// `crop`² crops, HRDA and MIC(HRDA) as published relative to it — crops twice as large per side,
    /// scales [1, 0.5] (so the context view is DAFormer's crop), a detail crop and HR slide window
    /// of `crop`², the attention head as wide as the decode head, the other HRDA defaults
    /// (`hrda1-512-0.1`: class-wise attention, λ_d 0.1, overlapping batched slide, FD at 0.5).
    public static IReadOnlyList<(int Crop, bool Mic, HrdaSpec? Hrda)> CompareMethods(int crop, int channels) =>
    [
        (crop, false, null),
        (crop, true, null),
        (2 * crop, false, PublishedHrda(crop, channels)),
        (2 * crop, true, PublishedHrda(crop, channels)),
    ];

    /// HRDA's published settings (HrdaConfig's defaults) with a `detailCrop`² detail crop.
    public static HrdaSpec PublishedHrda(int detailCrop, int channels) =>
        new HrdaConfig { DetailCrop = new ImageSize(detailCrop, detailCrop), AttentionEmbedDim = channels }.ToSpec();

    /// Analytic FLOPs of one DACS iteration of `batch` crops (null for architectures FlopCount does
    /// not model). A training forward+backward counts 3× its forward, as for `bench model`. Per image:
    /// source step 3·T, mixed step 3·T, teacher pseudo-labels I, FD 3·E (the frozen ImageNet encoder
    /// once plus the backward of the distance through the student's encoder at the feature scale),
    /// MIC 3·T — with T the training forward (DAFormer: the crop; HRDA: context view + attention +
    /// detail crop), I the inference (HRDA: context view + attention + every HR slide window of the
    /// crop) and E the encoder at the feature scale. The EMA update, ClassMix, jitter, blur, losses and
    /// AdamW are element-wise and left out.
    public static double? IterationFlops(SegmentorSpec spec, HrdaSpec? hrda, int crop, int batch, bool mic, bool featureDistance)
    {
        var train = hrda is null ? FlopCount.Forward(spec, crop, crop) : FlopCount.HrdaTrainForward(spec, hrda, crop, crop);
        var infer = hrda is null ? FlopCount.Forward(spec, crop, crop) : FlopCount.HrdaInference(spec, hrda, crop, crop);
        var featureSide = hrda is null ? crop : (int)Math.Floor(crop * (hrda.FeatureScale ?? hrda.LrScale));
        var encoder = featureDistance ? FlopCount.Encoder(spec, featureSide, featureSide) : 0;
        if (train is not { } t || infer is not { } i || encoder is not { } e) return null;
        return batch * ((mic ? 9 : 6) * t + i + 3 * e);
    }
}
