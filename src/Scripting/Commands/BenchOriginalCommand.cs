using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using DaFormer.Model;
using DaFormer.Model.Runtime;
using DaFormer.Training.Bench;

namespace DaFormer.Cli.Commands;

/// `daformer bench original ARCH`: our fp32 MiT + DAFormer network and the original's (PyTorch, the
/// original's module code in bench/original) timed side by side on this machine — training step and
/// whole-image inference, the two processes alternating — as one JSON line. Before timing, the
/// original's network is checked against the parity fixture the original code produced, so what is
/// timed is the original network and not an approximation of it.
public static class BenchOriginalCommand
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Build()
    {
        var arch = new Argument<string>("ARCH") { Description = "mit_b0 … mit_b5 (with the DAFormer sep-ASPP head, 256 channels)" };
        var crop = new Option<int>("--crop") { Description = "square crop size of the training batch", DefaultValueFactory = _ => 512 };
        var batch = new Option<int>("--batch") { Description = "images per training batch", DefaultValueFactory = _ => 2 };
        var iters = new Option<int>("--iters") { Description = "timed rounds (after one warm-up each)", DefaultValueFactory = _ => 3 };
        var infer = new Option<string>("--infer") { Description = "whole-image inference size WxH", DefaultValueFactory = _ => "1024x512" };
        var threads = new Option<int>("--threads") { Description = "threads of both sides (0 = libtorch's default here)", DefaultValueFactory = _ => 0 };
        var python = new Option<string?>("--python") { Description = "the python with PyTorch to run the original with (default: the first of $DAFORMER_PYTHON, python3, /usr/bin/python3 that imports torch)" };
        var sameAllocator = new Option<bool>("--original-on-our-allocator") { Description = "preload our malloc (tcmalloc) into the original too; by default it runs on glibc malloc, as PyTorch does out of the box" };
        var originalEnv = new Option<string[]>("--original-env")
        {
            Description = "an environment variable for the original's process only, e.g. OMP_WAIT_POLICY=PASSIVE or OPENBLAS_CORETYPE= (empty: unset); repeatable",
            Arity = ArgumentArity.ZeroOrMore, HelpName = "NAME=VALUE", AllowMultipleArgumentsPerToken = false,
        };
        var fixture = new Option<string?>("--fixture") { Description = "the original's parity fixture to check its network against (default: ../shared/fixtures/parity_mitb0_daformer beside the checkout, or $DAFORMER_SHARED/fixtures/…)" };
        var cmd = new Command("original", "Ours vs the original DAFormer network (PyTorch) side by side: fp32 training step and inference, one JSON line.");
        cmd.Arguments.Add(arch);
        foreach (var o in new Option[] { crop, batch, iters, infer, threads, python, sameAllocator, originalEnv, fixture }) cmd.Options.Add(o);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var device = TorchRuntime.Resolve(CommonOptions.DeviceOf(parse));
            if (device.type != TorchSharp.DeviceType.CPU)
                throw new DaFormerError("bench original compares the two on the CPU (the original's side is CPU-only here); leave out --device or pass --device cpu.");
            if (parse.GetValue(threads) is > 0 and var n) TorchSharp.torch.set_num_threads(n);
            var archName = parse.GetValue(arch)!;
            if (ArchitectureTable.FindEncoder(archName)?.Family != EncoderFamily.Mit)
                throw new DaFormerError($"ARCH '{archName}': bench original has the original's MiT + DAFormer network only; use one of "
                    + string.Join(", ", ArchitectureTable.Encoders.Where(e => e.Family == EncoderFamily.Mit).Select(e => e.Name)) + ".");
            var spec = new SegmentorSpec(archName, Architectures.CanonicalHead("daformer"), Channels: 256);
            Architectures.Validate(spec);
            var size = BenchCommand.ParseSize(parse.GetValue(infer)!);
            int c = parse.GetValue(crop), b = parse.GetValue(batch), it = parse.GetValue(iters);
            if (c < 32 || b < 1 || it < 1) throw new DaFormerError("--crop must be ≥ 32, --batch and --iters ≥ 1.");

            var env = (parse.GetValue(originalEnv) ?? []).Select(ParseEnv).ToList();
            var script = OriginalScript();
            var py = FindPython(parse.GetValue(python));
            CheckAgainstFixture(py, script, parse.GetValue(fixture), env);
            var preload = parse.GetValue(sameAllocator) ? ProcessMemory.AllocatorLibrary()
                ?? throw new DaFormerError("--original-on-our-allocator: this process runs on glibc malloc, so there is no allocator to share (./daformer preloads tcmalloc when it can).")
                : null;
            using var original = OriginalProcess.Start(py, script, archName, c, b, size, TorchSharp.torch.get_num_threads(), preload, env);
            Console.Error.WriteLine($"original: PyTorch {original.Runtime.Torch}, {original.Runtime.Blas}, {original.Runtime.Allocator} malloc, "
                                    + $"{original.Runtime.Threads} threads, OpenMP waiting {original.Runtime.OmpWaitPolicy}; ours: libtorch (TorchSharp), {ProcessMemory.Allocator()} malloc, {TorchSharp.torch.get_num_threads()} threads");
            var r = OriginalComparison.Run(spec, c, b, it, device, size, original, Console.Error.WriteLine);
            Console.WriteLine(JsonSerializer.Serialize(r, Json));
            return 0;
        }));
        return cmd;
    }

    /// bench/original/bench_original.py of the checkout this CLI was built from.
    static string OriginalScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "original", "bench_original.py");
            if (File.Exists(candidate)) return candidate;
        }
        throw new DaFormerError($"bench original needs bench/original/bench_original.py of the DaFormer checkout; it was not found above {AppContext.BaseDirectory}. Run it from a checkout (./daformer bench original …).");
    }

    /// The python to run the original with: the one given with --python, else the first of
    /// $DAFORMER_PYTHON, python3, /usr/bin/python3 that imports torch.
    static string FindPython(string? explicitPython)
    {
        var candidates = explicitPython is { Length: > 0 } ? [explicitPython]
            : new[] { Environment.GetEnvironmentVariable("DAFORMER_PYTHON"), "python3", "/usr/bin/python3" }
                .Where(p => !string.IsNullOrEmpty(p)).Select(p => p!).Distinct().ToList();
        foreach (var p in candidates)
            if (Run(p, ["-c", "import torch"], TimeSpan.FromSeconds(120)).ExitCode == 0) return p;
        throw new DaFormerError($"bench original runs the original network on PyTorch, but {string.Join(", ", candidates)} cannot `import torch`. "
            + "On Debian/Ubuntu: `sudo apt-get install python3-torch libopenblas0-pthread` (PyTorch 1.13 on OpenBLAS, the original's era), "
            + "or pass --python PATH / set DAFORMER_PYTHON to a python that has PyTorch.");
    }

    static (string Name, string? Value) ParseEnv(string s) =>
        s.IndexOf('=') is > 0 and var i ? (s[..i], s[(i + 1)..] is { Length: > 0 } v ? v : null)
            : throw new DaFormerError($"--original-env '{s}': expected NAME=VALUE (NAME= unsets the variable), e.g. OMP_WAIT_POLICY=PASSIVE.");

    static void CheckAgainstFixture(string python, string script, string? explicitDir, IReadOnlyList<(string Name, string? Value)> env)
    {
        var dir = explicitDir ?? Path.Combine(
            Environment.GetEnvironmentVariable("DAFORMER_SHARED") is { Length: > 0 } s ? s
                : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(script)!, "..", "..", "..", "shared")),
            "fixtures", "parity_mitb0_daformer");
        if (!File.Exists(Path.Combine(dir, "weights.pth")))
        {
            if (explicitDir is not null) throw new DaFormerError($"--fixture {dir}: no weights.pth there; expected the original's parity_mitb0_daformer fixture folder (weights.pth, io.safetensors, grads.safetensors, manifest.json).");
            Console.Error.WriteLine($"note: the original's parity fixture is not at {dir}; the original's network is timed without being checked against it (--fixture DIR).");
            return;
        }
        var (code, output) = Run(python, [script, "--check", dir], TimeSpan.FromMinutes(10), env);
        if (code != 0)
            throw new DaFormerError($"The original's network in {script} does not reproduce the original's fixture {dir}, so its timing would not be the original's:\n{output.Trim()}");
        Console.Error.WriteLine($"original's network checked against {dir}: {output.Trim().Split('\n')[^1]}");
    }

    static (int ExitCode, string Output) Run(string file, string[] args, TimeSpan timeout, IReadOnlyList<(string Name, string? Value)>? env = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment.Remove("LD_PRELOAD");
        OriginalProcess.Apply(info, env ?? []);
        try
        {
            using var p = Process.Start(info)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                return (-1, $"{file} did not finish within {timeout.TotalMinutes:F0} min");
            }
            return (p.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e) { return (-1, e.Message); }
    }
}
