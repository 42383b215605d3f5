using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Pipeline;
using DaFormer.Training.Inference;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace DaFormer.Tests.Scripting;

/// `daformer demo` with the public parity fixture (MiT-b0 + DAFormer head, 64 channels).
[Collection("Console")]
public class DemoCommandTests
{
    static string Checkpoint => Path.Combine(Paths.ParityDir, "checkpoint_uda.pth");
    static string Frame => Path.Combine(Paths.Shared, "demo", "cityscapes_frankfurt_demo.png");
    static string FixtureScript => Path.Combine(Paths.Experiments, "fixture_mitb0_c64.csx");

    /// Our JSON config of the fixture architecture with a tiny test scale, so folder tests stay fast.
    static string TinyConfig(string dir, int channels = 64)
    {
        var g = Presets.Gta2Cs;
        var c = g with
        {
            Model = g.Model with { Encoder = Encoder.MitB0, Channels = channels, Pretrained = null },
            Data = g.Data with { Validation = g.Data.Validation with { Scale = new(64, 32) } },
        };
        var path = Path.Combine(dir, "config.json");
        File.WriteAllText(path, ConfigJson.Serialize(c));
        return path;
    }

    [Fact]
    public void Overlay_of_the_frankfurt_frame_has_its_size_blends_towards_the_palette_and_shows_a_direct_forward_pass()
    {
        var outDir = Paths.NewTempDir("demo");
        var r = CliHarness.Run("demo", Frame, FixtureScript, Checkpoint, "--out", outDir, "--opacity", "0.5", "--device", "cpu");
        Assert.True(r.ExitCode == 0, r.All);
        var output = ImageIo.ReadRgb(Path.Combine(outDir, "cityscapes_frankfurt_demo_pred.png"));
        var image = ImageIo.ReadRgb(Frame);
        Assert.Equal((1024, 512), (output.Width, output.Height));

        // Direct forward pass: the segmentor's own forward on the normalised frame (1024×512 is
        // already the test scale), logits upsampled to the frame, arg-max.
        using var model = Architectures.Build(new SegmentorSpec("mit_b0", "daformer_sepaspp", 19, 64));
        SegmentorLoading.LoadInto(model, Checkpoint);
        model.eval();
        long[] classes;
        using (no_grad())
        using (NewDisposeScope())
        {
            var (chw, h, w) = TestPipeline.Run(image, 1024, 512, Normalization.ImageNet);
            var logits = model.forward(tensor(chw, [1, 3, h, w]));
            logits = nn.functional.interpolate(logits, [image.Height, image.Width], mode: InterpolationMode.Bilinear, align_corners: false);
            classes = logits.argmax(1).flatten().data<long>().ToArray();
        }
        var palette = LabelMaps.CityscapesPalette;
        var mismatches = 0;
        for (var i = 0; i < classes.Length; i++)
        {
            var (pr, pg, pb) = palette[(int)classes[i]];
            byte[] colour = [pr, pg, pb];
            for (var c = 0; c < 3; c++)
            {
                int x = image.Pixels[3 * i + c], o = output.Pixels[3 * i + c], p = colour[c];
                Assert.InRange(o, Math.Min(x, p), Math.Max(x, p));
                // img·0.5 + colour·0.5, truncated like numpy's astype(uint8).
                if (o != (x + p) / 2) mismatches++;
            }
        }
        Assert.Equal(0, mismatches);
        Assert.True(classes.Distinct().Count() > 1, "a constant prediction would not test the class mapping");
    }

    [Fact]
    public void A_folder_with_an_unreadable_image_skips_it_converts_grey_16_bit_and_exits_2()
    {
        var dir = Paths.NewTempDir("demofolder");
        var config = TinyConfig(Paths.NewTempDir("democfg"));
        var rng = new Random(5);
        var px = new byte[64 * 32 * 3];
        rng.NextBytes(px);
        ImageIo.WriteRgb(Path.Combine(dir, "a.png"), new RgbImage(64, 32, px));
        var grey = Enumerable.Range(0, 48 * 40).Select(i => new L16((ushort)(i * 37))).ToArray();
        using (var g = Image.LoadPixelData(grey, 48, 40))
            g.SaveAsPng(Path.Combine(dir, "b_grey16.png"), new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Grayscale });
        File.WriteAllBytes(Path.Combine(dir, "c_broken.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);

        var r = CliHarness.Run("demo", dir, config, Checkpoint, "--device", "cpu");

        Assert.True(r.ExitCode == 2, r.All);
        Assert.Contains("c_broken.png", r.Err);
        Assert.Contains("b_grey16.png: 16-bit grey image converted", r.Err);
        var a = ImageIo.ReadRgb(Path.Combine(dir, "pred", "a_pred.png"));
        var b = ImageIo.ReadRgb(Path.Combine(dir, "pred", "b_grey16_pred.png"));
        Assert.Equal((64, 32), (a.Width, a.Height));
        Assert.Equal((48, 40), (b.Width, b.Height));
        Assert.False(File.Exists(Path.Combine(dir, "pred", "c_broken_pred.png")));
        Assert.Contains("Predicted classes over 2 images", r.Out);
    }

    [Fact]
    public void A_config_of_another_architecture_is_a_clear_error()
    {
        var config = TinyConfig(Paths.NewTempDir("democfg"), channels: 256);
        var r = CliHarness.Run("demo", Frame, config, Checkpoint, "--out", Paths.NewTempDir("demo"), "--device", "cpu");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("checkpoint_uda.pth", r.Err);
        Assert.Contains("64", r.Err); // names the channels the file does fit
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void An_output_folder_that_cannot_be_created_is_a_clear_error()
    {
        var file = Path.Combine(Paths.NewTempDir("demo"), "not_a_folder.txt");
        File.WriteAllText(file, "x");
        var r = CliHarness.Run("demo", Frame, "auto", Checkpoint, "--out", Path.Combine(file, "preds"), "--device", "cpu");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--out", r.Err);
        Assert.Contains("cannot be created or written", r.Err);
    }

    [Fact]
    public void Blend_is_the_originals_formula()
    {
        var image = new RgbImage(2, 1, [0, 100, 255, 10, 20, 30]);
        var pred = new LabelMap(2, 1, [0, 13]); // road (128,64,128), car (0,0,142)
        var o = Overlay.Blend(image, pred, LabelMaps.CityscapesPalette, 0.25);
        Assert.Equal([32, 91, 223, 7, 15, 58], o.Pixels); // floor(x·0.75 + c·0.25)
        Assert.Equal(image.Pixels, Overlay.Blend(image, pred, LabelMaps.CityscapesPalette, 0).Pixels);
    }

    [Fact]
    public void Class_frequency_counts_pixels_and_images_per_class()
    {
        var f = ClassFrequency.Empty(19).Add(new LabelMap(2, 2, [0, 0, 0, 13])).Add(new LabelMap(2, 1, [13, 10]));
        Assert.Equal(3, f.Pixels[0]); Assert.Equal(2, f.Pixels[13]); Assert.Equal(1, f.Pixels[10]);
        Assert.Equal(2, f.Images[13]); Assert.Equal(1, f.Images[0]);
        var rows = f.Rows(LabelMaps.CityscapesClasses);
        Assert.Equal(["road", "50.00", "1"], rows[0]);
        Assert.Equal(["car", "33.33", "2"], rows[1]);
        Assert.Equal([0, 13], ClassFrequency.Present(new LabelMap(2, 2, [13, 0, 0, 13]), 19));
    }
}
