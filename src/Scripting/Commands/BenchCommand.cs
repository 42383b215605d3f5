using System.CommandLine;
using System.Text.Json;
using DaFormer.Model;
using DaFormer.Model.Runtime;
using DaFormer.Training.Bench;

namespace DaFormer.Cli.Commands;

/// `daformer bench model|uda|data|original …`: speed and memory, one JSON line per benchmark.
public static class BenchCommand
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Build()
    {
        var cmd = new Command("bench", "Benchmarks: model (forward / training step / inference), uda (one DACS iteration), data (loader throughput), original (ours vs the original network in PyTorch, side by side).");
        cmd.Subcommands.Add(Model());
        cmd.Subcommands.Add(Uda());
        cmd.Subcommands.Add(BenchDataCommand.Build("data"));
        cmd.Subcommands.Add(BenchOriginalCommand.Build());
        return cmd;
    }

    static (Argument<string> Arch, Argument<string> Head, Option<int> Crop, Option<int> Batch, Option<int> Iters, Option<int> Channels, Option<int> Threads) Common(Command cmd, int iters)
    {
        var arch = new Argument<string>("ARCH") { Description = "mit_b0 … mit_b5" };
        var head = new Argument<string>("HEAD") { Description = "daformer (= daformer_sepaspp), daformer_aspp, daformer_conv1, segformer, dlv2red …" };
        var crop = new Option<int>("--crop") { Description = "square crop size", DefaultValueFactory = _ => 512 };
        var batch = new Option<int>("--batch") { Description = "images per batch", DefaultValueFactory = _ => 2 };
        var it = new Option<int>("--iters") { Description = "timed iterations (after one warm-up)", DefaultValueFactory = _ => iters };
        var channels = new Option<int>("--channels") { Description = "decode-head channels (256 in the paper)", DefaultValueFactory = _ => 256 };
        var threads = new Option<int>("--threads") { Description = "libtorch threads (0 = libtorch's default)", DefaultValueFactory = _ => 0 };
        cmd.Arguments.Add(arch); cmd.Arguments.Add(head);
        foreach (var o in new Option[] { crop, batch, it, channels, threads }) cmd.Options.Add(o);
        return (arch, head, crop, batch, it, channels, threads);
    }

    static Command Model()
    {
        var cmd = new Command("model", "Forward and training-step time, peak RSS and achieved GFLOP/s of a segmentor.");
        var (arch, head, crop, batch, iters, channels, threads) = Common(cmd, 3);
        var infer = new Option<string?>("--infer") { Description = "also time whole-image inference of one WxH image, e.g. 1024x512" };
        var inferOnly = new Option<bool>("--infer-only") { Description = "skip the training-step measurement" };
        var precision = PrecisionOption.Create();
        var compare = new Option<bool>("--compare-precision") { Description = "time fp32 and the --precision (default bf16) in one process; one JSON line with both and the speed-ups" };
        cmd.Options.Add(infer); cmd.Options.Add(inferOnly); cmd.Options.Add(precision); cmd.Options.Add(compare);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var device = Setup(parse, threads);
            var spec = Spec(parse.GetValue(arch)!, parse.GetValue(head)!, parse.GetValue(channels));
            var size = parse.GetValue(infer) is { } s ? ParseSize(s) : ((int, int)?)null;
            var p = PrecisionOption.Of(parse, precision);
            if (parse.GetValue(compare))
            {
                var low = parse.GetResult(precision) is { Implicit: false } ? p : DaFormer.Model.Runtime.Precision.Bf16;
                PrecisionOption.Advise(low, device);
                var c = PrecisionComparison.Run(spec, parse.GetValue(crop), parse.GetValue(batch), parse.GetValue(iters), device, size, !parse.GetValue(inferOnly), low);
                Console.WriteLine(JsonSerializer.Serialize(c, Json));
                WarnAboutAllocator(c.Fp32.Allocator, device);
                return 0;
            }
            PrecisionOption.Advise(p, device);
            var r = ModelBenchmark.Run(spec, parse.GetValue(crop), parse.GetValue(batch), parse.GetValue(iters), device, size, train: !parse.GetValue(inferOnly), p);
            Console.WriteLine(JsonSerializer.Serialize(r, Json));
            WarnAboutAllocator(r.Allocator, device);
            return 0;
        }));
        return cmd;
    }

    static Command Uda()
    {
        var cmd = new Command("uda", "Time of one full DACS iteration (RCS-style labels, FD, EMA, ClassMix, jitter/blur) vs. one supervised step; "
                                     + "analytic FLOPs and achieved GFLOP/s of the iteration.");
        var (arch, head, crop, batch, iters, channels, threads) = Common(cmd, 2);
        var mic = new Option<bool>("--mic") { Description = "Add the MIC step (masked target, block crop/16, ratio 0.7) to the DACS iteration." };
        var hrda = new Option<bool>("--hrda") { Description = "HRDA networks with the published settings on --crop crops: scales [1, 0.5], a detail crop and HR slide window of crop/2, class-wise attention, λ_d 0.1." };
        var compare = new Option<bool>("--compare-methods") { Description = "In one process: DAFormer and MIC(DAFormer) on --crop crops, HRDA and MIC(HRDA) on 2×crop crops with a crop² detail crop (the published 512 → 1024); one JSON line each, DACS iteration only." };
        foreach (var o in new Option[] { mic, hrda, compare }) cmd.Options.Add(o);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var device = Setup(parse, threads);
            var spec = Spec(parse.GetValue(arch)!, parse.GetValue(head)!, parse.GetValue(channels));
            int c = parse.GetValue(crop), b = parse.GetValue(batch), n = parse.GetValue(iters);
            if (c < 32) throw new DaFormerError($"--crop {c}: the UDA benchmark needs at least 32 (its labels are 32-pixel cells), e.g. 512.");
            if (parse.GetValue(compare))
            {
                if (parse.GetValue(mic) || parse.GetValue(hrda))
                    throw new DaFormerError("--compare-methods already times DAFormer, MIC(DAFormer), HRDA and MIC(HRDA); leave out --mic and --hrda.");
                foreach (var (methodCrop, withMic, hrdaSpec) in UdaBenchmark.CompareMethods(c, spec.Channels))
                {
                    var line = UdaBenchmark.Run(spec, methodCrop, b, n, device, withMic, hrdaSpec, supervised: false);
                    Console.WriteLine(JsonSerializer.Serialize(line, Json));
                    WarnAboutAllocator(line.Allocator, device);
                }
                return 0;
            }
            var hrdaSpec1 = parse.GetValue(hrda) ? UdaBenchmark.PublishedHrda(c / 2, spec.Channels) : null;
            if (hrdaSpec1 is not null && (c / 2) % 8 != 0)
                throw new DaFormerError($"--hrda --crop {c}: the detail crop crop/2 = {c / 2} must be a multiple of 8; use e.g. --crop 1024.");
            var r = UdaBenchmark.Run(spec, c, b, n, device, parse.GetValue(mic), hrdaSpec1);
            Console.WriteLine(JsonSerializer.Serialize(r, Json));
            WarnAboutAllocator(r.Allocator, device);
            return 0;
        }));
        return cmd;
    }

    /// CPU figures measured on glibc malloc are not the ones the README reports; say why, on stderr
    /// so that the JSON line on stdout stays machine-readable.
    static void WarnAboutAllocator(string allocator, TorchSharp.torch.Device device)
    {
        if (allocator != "glibc" || device.type != TorchSharp.DeviceType.CPU) return;
        Console.Error.WriteLine("note: measured with glibc malloc, which returns libtorch's large blocks to the kernel and "
            + "page-faults them back every step (MiT-b0 training step ~1.6x slower). ./daformer preloads tcmalloc when it is "
            + "installed or can be fetched from the Debian/Ubuntu archive; else `sudo apt-get install libtcmalloc-minimal4` "
            + "(README, \"Performance\").");
    }

    static TorchSharp.torch.Device Setup(ParseResult parse, Option<int> threads)
    {
        var device = TorchRuntime.Resolve(CommonOptions.DeviceOf(parse));
        if (parse.GetValue(threads) is > 0 and var n) TorchSharp.torch.set_num_threads(n);
        return device;
    }

    static SegmentorSpec Spec(string arch, string head, int channels)
    {
        var spec = new SegmentorSpec(arch, Architectures.CanonicalHead(head), Channels: channels);
        Architectures.Validate(spec);
        return spec;
    }

    internal static (int W, int H) ParseSize(string s)
    {
        var parts = s.ToLowerInvariant().Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], out var w) && int.TryParse(parts[1], out var h) && w > 0 && h > 0) return (w, h);
        throw new DaFormerError($"--infer '{s}': expected WIDTHxHEIGHT, e.g. 1024x512.");
    }
}
