using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using DaFormer.Cli.ConsoleUi;
using DaFormer.Model;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Loader;
using DaFormer.Training.Data.Pipeline;
using DaFormer.Training.Data.Synthetic;

namespace DaFormer.Cli.Commands;

/// `daformer bench data`: how many source+target training pairs per second the loader delivers for
/// GTA-sized PNGs (decode → keep-ratio resize → 512² crop with cat_max_ratio → flip → normalise →
/// batch tensors) with N workers. Generates a handful of synthetic 1914×1052 images in a temp folder.
public static class BenchDataCommand
{
    public static Command Build(string name = "data")
    {
        var workers = new Option<int>("--workers") { Description = "Loader worker threads.", DefaultValueFactory = _ => 2 };
        var seconds = new Option<double>("--seconds") { Description = "Measuring time after one warm-up batch.", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { Description = "Pairs per batch.", DefaultValueFactory = _ => 2 };
        var crop = new Option<int>("--crop") { Description = "Crop size.", DefaultValueFactory = _ => 512 };
        var images = new Option<int>("--images") { Description = "Generated images per domain.", DefaultValueFactory = _ => 4 };
        var target = new Option<string>("--target") { Description = "Target images: 'gta' (1914x1052, scale 1280x720) or 'cityscapes' (2048x1024, scale 1024x512).", DefaultValueFactory = _ => "gta" };
        var dir = new Option<string?>("--dir") { Description = "Folder for the generated images (default: a temp folder, deleted afterwards)." };
        var cmd = new Command(name, "Measure data-loading throughput (source+target pairs/s) on GTA-sized PNGs.");
        foreach (var o in new Option[] { workers, seconds, batch, crop, images, target, dir }) cmd.Options.Add(o);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var targetKind = parse.GetValue(target)!.ToLowerInvariant();
            if (targetKind is not ("gta" or "cityscapes")) throw new DaFormerError($"--target '{targetKind}' must be 'gta' or 'cityscapes'.");
            int n = parse.GetValue(images), cropSize = parse.GetValue(crop), w = parse.GetValue(workers), b = parse.GetValue(batch);
            if (n < 1 || b < 1 || w < 0 || cropSize < 16) throw new DaFormerError("--images, --batch must be ≥ 1, --workers ≥ 0, --crop ≥ 16.");
            var userDir = parse.GetValue(dir);
            var root = userDir ?? Path.Combine(Path.GetTempPath(), $"daformer-bench-data-{Guid.NewGuid():N}"[..40]);
            try
            {
                var (tw, th) = targetKind == "gta" ? (1914, 1052) : (2048, 1024);
                Console.Error.WriteLine($"generating {n} source (1914x1052) and {n} target ({tw}x{th}) PNGs in {root} …");
                // Both domains use the camera look: its noise and texture make the PNGs about as costly to
                // decode as real photos (flat game-like colours would compress, and decode, far better).
                var source = Generate(Path.Combine(root, "source"), n, 1914, 1052, 0);
                var targetSet = Generate(Path.Combine(root, "target"), n, tw, th, 1000);
                var srcPipe = PipelineSpec.GtaSource(cropSize);
                var tgtPipe = targetKind == "gta" ? new PipelineSpec(1280, 720, cropSize, cropSize) : PipelineSpec.CityscapesTarget(cropSize);

                var stages = StageTimes(source, srcPipe);
                var spec = new UdaLoaderSpec(source, targetSet, srcPipe, tgtPipe, b, Seed: 0, Workers: w, PrefetchBatches: 2);
                using var loader = new UdaLoader(spec);
                loader.Next().Dispose(); // warm-up (JIT, first decodes)
                var wait0 = loader.DataWaitMs;
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                var batches = 0;
                while (sw.Elapsed.TotalSeconds < parse.GetValue(seconds)) { loader.Next().Dispose(); batches++; }
                var elapsed = sw.Elapsed.TotalSeconds;
                var pairs = batches * b / elapsed;
                // CPU time per pair does not depend on how busy the machine is: it gives the rate
                // the workers would reach on otherwise idle cores.
                var cpuMsPerPair = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / Math.Max(1, batches * b);
                var idleEstimate = 1000.0 * Math.Min(w == 0 ? 1 : w, Environment.ProcessorCount) / cpuMsPerPair;
                string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
                // stdout: the one JSON line the other benchmarks print (README "Performance"); the
                // human-readable tables and summary go to stderr so `> result.jsonl` stays parseable.
                Console.Error.Write(Ui.PlainTable("single-thread stage times per source sample (ms)", ["stage", "ms"],
                    stages.Select(s => (IReadOnlyList<string>)[s.Stage, F(s.Ms)]).ToList()));
                var waitPerBatch = (loader.DataWaitMs - wait0) / Math.Max(1, batches);
                Console.Error.Write(Ui.PlainTable($"loader throughput ({w} workers, batch {b}, crop {cropSize}, target {targetKind}, {Environment.ProcessorCount} cores)",
                    ["metric", "value"],
                    [
                        ["pairs/s", F(pairs)],
                        ["batches", batches.ToString(CultureInfo.InvariantCulture)],
                        ["ms waited per batch", F(waitPerBatch)],
                        ["CPU ms per pair", F(cpuMsPerPair)],
                        ["pairs/s on idle cores (est.)", F(idleEstimate)],
                    ]));
                Console.Error.WriteLine($"data: {pairs.ToString("F2", CultureInfo.InvariantCulture)} pairs/s measured, ≈ {idleEstimate.ToString("F1", CultureInfo.InvariantCulture)} pairs/s " +
                                  $"from CPU time on {Math.Min(w == 0 ? 1 : w, Environment.ProcessorCount)} idle core(s) (a busy machine lowers the measured rate)");
                var line = new Dictionary<string, object>
                {
                    ["benchmark"] = "data", ["workers"] = w, ["batch"] = b, ["crop"] = cropSize, ["target"] = targetKind,
                    ["cores"] = Environment.ProcessorCount, ["seconds"] = Math.Round(elapsed, 3), ["batches"] = batches,
                    ["pairs_per_s"] = Math.Round(pairs, 3), ["wait_ms_per_batch"] = Math.Round(waitPerBatch, 2),
                    ["cpu_ms_per_pair"] = Math.Round(cpuMsPerPair, 2), ["idle_pairs_per_s_estimate"] = Math.Round(idleEstimate, 2),
                    ["stage_ms"] = stages.ToDictionary(s => s.Stage, s => Math.Round(s.Ms, 2)),
                };
                Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(line));
                return 0;
            }
            finally
            {
                if (userDir is null && Directory.Exists(root)) Directory.Delete(root, recursive: true);
            }
        }));
        return cmd;
    }

    static SegDataset Generate(string dir, int n, int w, int h, int firstIndex)
    {
        const SynthDomain domain = SynthDomain.TargetTrain;
        var opts = new SynthOptions(Images: n, Width: w, Height: h, Seed: 0);
        var samples = new SampleFiles[n];
        Parallel.For(0, n, i =>
        {
            var img = SynthDataset.Render(opts, domain, firstIndex + i);
            var ip = Path.Combine(dir, "images", $"{i:D5}.png");
            var lp = Path.Combine(dir, "labels", $"{i:D5}_labelTrainIds.png");
            if (!File.Exists(ip)) ImageIo.WriteRgb(ip, img.Image);
            if (!File.Exists(lp)) ImageIo.WriteLabel(lp, img.TrainIds);
            samples[i] = new SampleFiles(ip, lp);
        });
        return new SegDataset(Path.GetFileName(dir), dir, samples, CsClass.Names, []);
    }

    static List<(string Stage, double Ms)> StageTimes(SegDataset ds, PipelineSpec spec)
    {
        double decodeImg = 0, decodeLab = 0, pipe = 0;
        var rng = new Random(0);
        var norm = spec.Norm.Table();
        var sw = new Stopwatch();
        foreach (var s in ds.Samples) TrainPipeline.Run(ImageIo.ReadRgb(s.ImagePath), ImageIo.ReadLabel(s.LabelPath!), spec, rng, norm); // JIT warm-up
        foreach (var s in ds.Samples)
        {
            sw.Restart(); var img = ImageIo.ReadRgb(s.ImagePath); decodeImg += sw.Elapsed.TotalMilliseconds;
            sw.Restart(); var lab = ImageIo.ReadLabel(s.LabelPath!); decodeLab += sw.Elapsed.TotalMilliseconds;
            sw.Restart(); TrainPipeline.Run(img, lab, spec, rng, norm); pipe += sw.Elapsed.TotalMilliseconds;
        }
        var n = ds.Samples.Count;
        return [("decode image", decodeImg / n), ("decode label", decodeLab / n), ("resize+crop+flip+normalise", pipe / n)];
    }
}
