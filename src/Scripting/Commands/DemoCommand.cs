using System.CommandLine;
using DaFormer.Cli.ConsoleUi;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Model.Runtime;
using DaFormer.Training.Data;
using DaFormer.Training.Inference;
using SkiaSharp;

namespace DaFormer.Cli.Commands;

/// `daformer demo IMAGE|DIR [CONFIG|auto] CHECKPOINT [--opacity 0.5] [--out PATH] [--legend] [--teacher]`:
/// the original's `demo/image_demo.py` for one image, a folder or a folder of video frames — writes
/// `<name>_pred.png`, the palette blended over the image (`img·(1−opacity) + colour·opacity`), same size
/// as the input (plus a legend strip of the classes present below it with --legend).
/// Exit code 2 when some images of a folder could not be read (they are skipped with a warning).
public static class DemoCommand
{
    public const int SkippedExit = 2;

    public static Command Build()
    {
        var paths = new Argument<string[]>("INPUT [CONFIG] CHECKPOINT")
        {
            Description = "an image or a folder of images (e.g. video frames), an optional config (.csx, run config.json, the original's config JSON, or 'auto' = inferred from the checkpoint), and a checkpoint",
            Arity = new ArgumentArity(2, 3),
        };
        var opacity = new Option<double>("--opacity") { Description = "opacity of the palette over the image", DefaultValueFactory = _ => 0.5 };
        var output = new Option<string?>("--out") { Description = "output file (single image, .png) or folder (default: next to the image; DIR/pred for a folder)", HelpName = "PATH" };
        var legend = new Option<bool>("--legend") { Description = "append a legend strip of the classes present below each overlay" };
        var teacher = new Option<bool>("--teacher") { Description = "use the EMA teacher (ema_model.*) instead of the student (model.*)" };
        var precision = PrecisionOption.Create();
        var cmd = new Command("demo", "Segment images and write palette overlays (<name>_pred.png).");
        cmd.Arguments.Add(paths);
        foreach (var o in new Option[] { opacity, output, legend, teacher, precision }) cmd.Options.Add(o);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var args = parse.GetValue(paths)!;
            var (input, config, checkpoint) = args.Length == 3 ? (args[0], args[1], args[2]) : (args[0], "auto", args[1]);
            var op = parse.GetValue(opacity);
            if (op is < 0 or > 1) throw new DaFormerError($"--opacity {op}: expected a value in [0, 1].");
            if (!File.Exists(checkpoint)) throw new DaFormerError($"{checkpoint}: checkpoint not found.");
            var isDir = Directory.Exists(input);
            var images = Inputs(input);
            var outArg = parse.GetValue(output);
            var singleFile = !isDir && outArg is not null && outArg.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
            var outDir = singleFile ? Path.GetDirectoryName(Path.GetFullPath(outArg!))!
                : outArg ?? (isDir ? Path.Combine(input, "pred") : Path.GetDirectoryName(Path.GetFullPath(input))!);
            PredictionWriter.EnsureWritable(outDir, "--out");

            string? setupWarning = null;
            var setup = config == "auto" ? InferenceSetup.FromCheckpoint(checkpoint, out setupWarning) : TestCommand.ReadConfig(config, requireData: false);
            if (setupWarning is not null) Console.Error.WriteLine($"warning: {setupWarning}");
            Console.Error.WriteLine($"config: {setup.Source}; test scale {setup.Scale.A}×{setup.Scale.B} (keep ratio)");
            var which = parse.GetValue(teacher) ? WhichWeights.Teacher : WhichWeights.Student;
            var device = TorchRuntime.Resolve(CommonOptions.DeviceOf(parse));
            var computeIn = PrecisionOption.Of(parse, precision);
            using var model = InferenceModel.Load(setup, checkpoint, which, device, computeIn);
            PrecisionOption.Advise(computeIn, device);
            var (names, palette) = setup.Classes(model.NumClasses);
            var mode = setup.Mode(forceSlide: false);
            var frequency = ClassFrequency.Empty(model.NumClasses);
            var skipped = 0;
            foreach (var path in images)
            {
                RgbImage image;
                try
                {
                    (image, var warning) = InputImage.Read(path);
                    if (warning is not null) Console.Error.WriteLine($"warning: {warning}");
                }
                catch (DaFormerError e) when (isDir)
                {
                    Console.Error.WriteLine($"warning: skipped {e.Message}");
                    skipped++;
                    continue;
                }
                var pred = ModelTest.Predict(model, image, setup.Scale, mode, device);
                frequency = frequency.Add(pred);
                var overlay = Overlay.Blend(image, pred, palette, op);
                if (parse.GetValue(legend)) overlay = Below(overlay, Legend(ClassFrequency.Present(pred, model.NumClasses), names, palette, overlay.Width));
                var target = singleFile ? outArg! : Path.Combine(outDir, Path.GetFileNameWithoutExtension(path) + "_pred.png");
                ImageIo.WriteRgb(target, overlay);
                Console.WriteLine($"wrote {target}");
            }
            if (isDir)
            {
                Ui.Table($"Predicted classes over {images.Count - skipped} images", ["class", "% pixels", "images"], frequency.Rows(names));
                if (skipped > 0)
                {
                    Console.Error.WriteLine($"{skipped} of {images.Count} images could not be read and were skipped.");
                    return SkippedExit;
                }
            }
            return 0;
        }));
        return cmd;
    }

    /// The image itself, or the images of a folder (not recursive, sorted; earlier `_pred.png` outputs left out).
    static IReadOnlyList<string> Inputs(string input)
    {
        if (File.Exists(input)) return [input];
        if (!Directory.Exists(input)) throw new DaFormerError($"{input}: no such image or folder.");
        var files = Directory.GetFiles(input)
            .Where(f => InputImage.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()) && !f.EndsWith("_pred.png", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        return files.Count > 0 ? files
            : throw new DaFormerError($"{input}: the folder holds no images ({string.Join(", ", InputImage.Extensions)}).");
    }

    /// A strip of colour swatches with class names, wrapped to `width`.
    static RgbImage Legend(IReadOnlyList<int> classes, IReadOnlyList<string> names, IReadOnlyList<(byte R, byte G, byte B)> palette, int width)
    {
        const int rowH = 24, swatch = 16, pad = 6;
        using var font = new SKFont(SKTypeface.Default, 14);
        using var paint = new SKPaint { IsAntialias = true };
        var entries = classes.Select(k => (k, W: swatch + 4 + (int)Math.Ceiling(font.MeasureText(names[k])) + 2 * pad)).ToList();
        var rows = new List<List<(int K, int W)>> { new() };
        var x = 0;
        foreach (var e in entries)
        {
            if (x + e.W > width && rows[^1].Count > 0) { rows.Add([]); x = 0; }
            rows[^1].Add(e); x += e.W;
        }
        var height = Math.Max(1, rows.Count) * rowH;
        using var bmp = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bmp))
        {
            canvas.Clear(SKColors.White);
            for (var r = 0; r < rows.Count; r++)
            {
                x = pad;
                foreach (var (k, w) in rows[r])
                {
                    var (cr, cg, cb) = palette[k];
                    paint.Color = new SKColor(cr, cg, cb);
                    canvas.DrawRect(x, r * rowH + (rowH - swatch) / 2f, swatch, swatch, paint);
                    paint.Color = SKColors.Black;
                    canvas.DrawText(names[k], x + swatch + 4, r * rowH + rowH - 7, font, paint);
                    x += w;
                }
            }
        }
        var px = new byte[width * height * 3];
        var src = bmp.Bytes;
        for (var i = 0; i < width * height; i++) { px[3 * i] = src[4 * i]; px[3 * i + 1] = src[4 * i + 1]; px[3 * i + 2] = src[4 * i + 2]; }
        return new RgbImage(width, height, px);
    }

    static RgbImage Below(RgbImage top, RgbImage bottom) =>
        new(top.Width, top.Height + bottom.Height, [.. top.Pixels, .. bottom.Pixels]);
}
