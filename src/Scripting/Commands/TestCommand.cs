using System.CommandLine;
using DaFormer.Cli.ConsoleUi;
using DaFormer.Cli.Scripts;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Model.Runtime;
using DaFormer.Training.Config;
using DaFormer.Training.Evaluation;
using DaFormer.Training.Inference;
using DaFormer.Training.Runs;
using Spectre.Console;

namespace DaFormer.Cli.Commands;

/// `daformer test RUN_DIR | CONFIG CHECKPOINT [--data ROOT] [--split val] [--save-preds DIR] [--opacity 1]
/// [--slide] [--format-only] [--teacher]`: the original's `test.sh` — per-class IoU/Acc table, aAcc,
/// mIoU (mIoU16/13 for Synthia-trained models), written as test_results.json/.md next to the weights.
public static class TestCommand
{
    public static Command Build()
    {
        var paths = new Argument<string[]>("RUN_DIR | CONFIG CHECKPOINT")
        {
            Description = "a run directory (config.json + latest.pth), or a config (.csx script, run config.json or the original's config JSON) and a checkpoint",
            Arity = new ArgumentArity(1, 2),
        };
        var data = new Option<string?>("--data") { Description = "root of the test data set (default: the config's)", HelpName = "ROOT" };
        var split = new Option<string?>("--split") { Description = "split to test on (default: the config's validation split, e.g. val)" };
        var savePreds = new Option<string?>("--save-preds") { Description = "write coloured overlays and train-ID PNGs per image into DIR", HelpName = "DIR" };
        var opacity = new Option<double>("--opacity") { Description = "opacity of the palette over the image in the overlays (the original's test.sh: 1)", DefaultValueFactory = _ => 1.0 };
        var slide = new Option<bool>("--slide") { Description = "sliding-window inference (the config's window, else 512×512 with stride 341)" };
        var formatOnly = new Option<bool>("--format-only") { Description = "only write Cityscapes label-ID PNGs for the benchmark server (no labels needed, no metrics)" };
        var teacher = new Option<bool>("--teacher") { Description = "evaluate the EMA teacher (ema_model.*) instead of the student (model.*)" };
        var precision = PrecisionOption.Create();
        var cmd = new Command("test", "Evaluate a trained model on its validation set: per-class IoU/Acc, aAcc, mIoU; optional prediction images.");
        cmd.Arguments.Add(paths);
        foreach (var o in new Option[] { data, split, savePreds, opacity, slide, formatOnly, teacher, precision }) cmd.Options.Add(o);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var args = parse.GetValue(paths)!;
            var (setup, checkpoint, resultsDir) = Resolve(args);
            var test = setup.TestData ?? throw new DaFormerError($"{setup.Source}: the config names no test data set.");
            if (parse.GetValue(data) is { } root) test = test with { Root = root };
            if (parse.GetValue(split) is { } s) test = test with { Split = s };
            setup = setup with { TestData = test };
            var which = parse.GetValue(teacher) ? WhichWeights.Teacher : WhichWeights.Student;
            var op = parse.GetValue(opacity);
            if (op is < 0 or > 1) throw new DaFormerError($"--opacity {op}: expected a value in [0, 1].");
            var format = parse.GetValue(formatOnly);
            var predsDir = parse.GetValue(savePreds) ?? (format ? Path.Combine(resultsDir, "label_ids") : null);
            if (predsDir is not null) PredictionWriter.EnsureWritable(predsDir, parse.GetValue(savePreds) is null ? "label-ID folder" : "--save-preds");
            if (!format) PredictionWriter.EnsureWritable(resultsDir, "results folder");

            var dataset = DataSetup.Open(test, requireLabels: !format, Console.WriteLine);
            if (dataset.Samples.Count == 0)
                throw new DaFormerError($"{test.Root}: no {test.Split} images found for a {test.Kind} data set.");
            var device = TorchRuntime.Resolve(CommonOptions.DeviceOf(parse));
            var computeIn = PrecisionOption.Of(parse, precision);
            using var model = InferenceModel.Load(setup, checkpoint, which, device, computeIn);
            PrecisionOption.Advise(computeIn, device);
            if (!format && dataset.ClassNames.Count != model.NumClasses)
                throw new DaFormerError($"{checkpoint}: the model predicts {model.NumClasses} classes but the data set {test.Root} has {dataset.ClassNames.Count}.");
            var mode = setup.Mode(parse.GetValue(slide));
            var (names, palette) = format ? setup.Classes(model.NumClasses) : (dataset.ClassNames, dataset.Palette);
            var writer = predsDir is null ? null
                : new PredictionWriter(predsDir, PredictionWriter.CommonDirectory(dataset.Samples.Select(x => x.ImagePath).ToList()), palette, op, format);
            var weights = which == WhichWeights.Teacher ? "teacher" : "student";
            Console.WriteLine($"testing {checkpoint} ({weights}) on {dataset.Samples.Count} {test.Kind} {test.Split} images at {test.Scale}, " +
                              $"{(mode.Slide ? $"slide {mode.Crop.W}x{mode.Crop.H} stride {mode.Stride.W}x{mode.Stride.H}" : "whole")} inference");

            if (format)
            {
                var n = WithProgress("predicting", dataset.Samples.Count, p => ModelTest.FormatOnly(model, dataset, setup.Scale, mode, device, writer!, p));
                Console.WriteLine($"wrote {n} Cityscapes label-ID PNGs to {predsDir}");
                return 0;
            }
            var result = WithProgress("evaluating", dataset.Samples.Count, p => ModelTest.Evaluate(model, dataset, setup.Scale, mode, device, writer, p));
            var summary = new TestSummary(Path.GetFullPath(checkpoint), weights, setup.Source, $"{test.Kind.ToString().ToLowerInvariant()} {test.Root}",
                test.Split, result.Images, test.Scale.ToString(), mode.Slide ? "slide" : "whole", dataset.ClassNames, result.Metrics, setup.SynthiaSource);
            Print(summary);
            File.WriteAllText(Path.Combine(resultsDir, "test_results.json"), TestReport.Json(summary));
            File.WriteAllText(Path.Combine(resultsDir, "test_results.md"), TestReport.Markdown(summary));
            if (writer is not null) Console.WriteLine($"wrote overlays and train-ID maps of {writer.Written} images to {predsDir}");
            Console.WriteLine($"wrote {Path.Combine(resultsDir, "test_results.json")} and test_results.md");
            return 0;
        }));
        return cmd;
    }

    /// RUN_DIR → its config.json and checkpoint, results into the run directory; CONFIG CHECKPOINT →
    /// results next to the checkpoint.
    static (InferenceSetup Setup, string Checkpoint, string ResultsDir) Resolve(IReadOnlyList<string> args)
    {
        if (args.Count == 1)
        {
            if (!Directory.Exists(args[0]))
                throw new DaFormerError($"{args[0]}: not a run directory; pass a run directory, or a config and a checkpoint (daformer test CONFIG CHECKPOINT).");
            var (setup, ckpt) = InferenceConfigFile.ReadRunDirectory(args[0]);
            return (setup, ckpt, args[0]);
        }
        var checkpoint = args[1];
        if (!File.Exists(checkpoint)) throw new DaFormerError($"{checkpoint}: checkpoint not found.");
        return (ReadConfig(args[0], requireData: true), checkpoint, Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
    }

    /// A `.csx` script (exactly one config), one of our JSON configs or the original's config JSON.
    public static InferenceSetup ReadConfig(string path, bool requireData)
    {
        if (path.EndsWith(".csx", StringComparison.OrdinalIgnoreCase))
        {
            var script = ExperimentScript.Load(path);
            if (script.Configs.Count != 1)
                throw new DaFormerError($"{path}: the script yields {script.Configs.Count} configs; a test needs exactly one (write a script that returns the one you trained).");
            return InferenceSetup.FromRunConfig(script.Configs[0], path);
        }
        return InferenceConfigFile.ReadJson(path, requireData);
    }

    static void Print(TestSummary s)
    {
        var m = s.Metrics;
        Ui.Table($"Per-class results ({s.Images} images)", Metrics.PerClassHeaders, Metrics.PerClassRows(s.ClassNames, m));
        var headers = new List<string> { "aAcc", "mIoU", "mAcc" };
        var row = new List<string> { Metrics.Percent(m.AAcc), Metrics.Percent(m.MIoU), Metrics.Percent(m.MAcc) };
        if (s.SynthiaSubsets) { headers.AddRange(["mIoU16", "mIoU13"]); row.AddRange([Metrics.Percent(s.MIoU16!.Value), Metrics.Percent(s.MIoU13!.Value)]); }
        Ui.Table("Summary", headers, [row]);
    }

    /// A Spectre progress bar in a terminal; plain `label n/N` lines (about every 10 %) when redirected.
    public static T WithProgress<T>(string label, int total, Func<Action<int, int>, T> work)
    {
        if (!Ui.Interactive)
        {
            var step = Math.Max(1, total / 10);
            return work((n, all) => { if (n % step == 0 || n == all) Console.WriteLine($"{label} {n}/{all}"); });
        }
        T result = default!;
        AnsiConsole.Progress().Start(ctx =>
        {
            var task = ctx.AddTask(label, maxValue: total);
            result = work((n, _) => task.Value = n);
        });
        return result;
    }
}
