using System.Collections;
using System.IO.Compression;
using System.Text.Json;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;
using DaFormer.Training.Data;
using DaFormer.Training.Uda;
using static TorchSharp.torch;

namespace DaFormer.Tests.Scripting;

/// Output formats and printed values that must be what they claim: `checkpoint export` writes the
/// format its extension names, `demo auto` uses the config stored in our checkpoints, `bench data`
/// prints one JSON line, and the debug grid scales every panel to its cell under a title.
[Collection("Console")]
public class TrustFixesTests
{
    static string Fixture => Path.Combine(Paths.ParityDir, "checkpoint_uda.pth");

    [Fact]
    public void Export_to_pth_writes_a_torch_zip_with_the_same_tensors_as_the_safetensors_export()
    {
        var dir = Paths.NewTempDir("export");
        var pth = Path.Combine(dir, "teacher.pth");
        var st = Path.Combine(dir, "teacher.safetensors");
        Assert.Equal(0, CliHarness.Run("checkpoint", "export", Fixture, "--teacher", "--to", pth).ExitCode);
        Assert.Equal(0, CliHarness.Run("checkpoint", "export", Fixture, "--teacher", "--to", st).ExitCode);

        // torch.save's format: a zip whose archive holds data.pkl and one storage file per tensor.
        using (var zip = ZipFile.OpenRead(pth))
            Assert.Contains(zip.Entries, e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal));
        var root = PyTorchFile.Read(pth);
        Assert.True(root["state_dict"] is IDictionary);
        Assert.True(root["meta"] is IDictionary);
        var fromPth = (IDictionary)root["state_dict"]!;
        var fromSt = Safetensors.Load(st);
        Assert.Equal(fromSt.Count, fromPth.Count);
        foreach (var (k, t) in fromSt)
            Assert.True(((Tensor)fromPth[k]!).allclose(t, 0, 0), $"tensor {k} differs");
        // And our reader sees a plain segmentor that fits the fixture's architecture.
        using var c = CheckpointReader.Read(pth);
        Assert.Equal(CheckpointLayout.Segmentor, c.Layout);
        Assert.StartsWith("PK", File.ReadAllText(pth)[..2]);
    }

    [Fact]
    public void Export_to_an_unknown_extension_is_refused_before_anything_is_written()
    {
        var dir = Paths.NewTempDir("export");
        var r = CliHarness.Run("checkpoint", "export", Fixture, "--to", Path.Combine(dir, "weights.bin"));
        MalformedInputTests.AssertClearRefusal(r, "weights.bin", ".bin", ".safetensors", ".pth");
        MalformedInputTests.AssertNothingWritten(dir);
    }

    /// A randomly initialised MiT-b0 with a 16-channel head saved like our trainer saves it, with
    /// `meta.config` = `configText`.
    static string TinyCheckpoint(string dir, string configText)
    {
        var cfg = Presets.Quickstart with { Model = Presets.Quickstart.Model with { Channels = 16 } };
        using var model = Architectures.Build(cfg.Model.ToSpec());
        var stateDict = new Hashtable();
        foreach (var (k, v) in model.state_dict()) stateDict["model." + k] = v;
        var ckpt = Path.Combine(dir, "latest.pth");
        PyTorchFile.Write(ckpt, new Hashtable { ["meta"] = new Hashtable { ["config"] = configText, ["iter"] = 10L }, ["state_dict"] = stateDict });
        return ckpt;
    }

    [Fact]
    public void Demo_auto_uses_the_config_stored_in_the_checkpoint()
    {
        var dir = Paths.NewTempDir("demoauto");
        var q = Presets.Quickstart;
        var cfg = q with
        {
            Model = q.Model with { Channels = 16 },
            Data = q.Data with { Validation = q.Data.Validation with { Scale = new(96, 48) } },
        };
        var ckpt = TinyCheckpoint(dir, ConfigJson.Serialize(cfg));
        var image = Path.Combine(dir, "frame.png");
        ImageIo.WriteRgb(image, new RgbImage(200, 100, new byte[200 * 100 * 3]));

        var r = CliHarness.Run("demo", image, "auto", ckpt, "--device", "cpu");
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains("test scale 96×48", r.Err);
        Assert.Contains("meta.config", r.Err);
        var pred = ImageIo.ReadRgb(Path.Combine(dir, "frame_pred.png"));
        Assert.Equal((200, 100), (pred.Width, pred.Height));
    }

    [Fact]
    public void Bench_data_prints_exactly_one_json_line_on_stdout()
    {
        var r = CliHarness.Run("bench", "data", "--images", "1", "--seconds", "0.1", "--workers", "0", "--batch", "1", "--crop", "64");
        Assert.True(r.ExitCode == 0, r.All);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        using var doc = JsonDocument.Parse(lines[0]);
        Assert.Equal("data", doc.RootElement.GetProperty("benchmark").GetString());
        Assert.True(doc.RootElement.GetProperty("pairs_per_s").GetDouble() > 0);
        Assert.Contains("pairs/s", r.Err); // the tables went to stderr
    }

    [Fact]
    public void Debug_grid_scales_every_panel_to_its_cell_and_titles_each_column()
    {
        const int h = 16, w = 16;
        // One normalised image (mean 0, std 1 → the values are the bytes) and a 4×4 prediction with a
        // different class in each pixel, as the decoder's 1/4-resolution output would be.
        using var img = full(new long[] { 1, 3, h, w }, 100f);
        using var pred = arange(16, dtype: ScalarType.Int64).view(1, 4, 4);
        using var gt = zeros(new long[] { 1, h, w }, dtype: ScalarType.Int64);
        var panels = new DebugImages.Panels([("source", img)], [("source GT", gt), ("mixed pred", pred)]);
        var path = Path.Combine(Paths.NewTempDir("debuggrid"), "g.png");
        DebugImages.Write(path, panels, [0, 0, 0], [1, 1, 1]);
        var grid = ImageIo.ReadRgb(path);
        Assert.Equal((3 * (w + 2), DebugImages.TitleHeight + h + 2), (grid.Width, grid.Height));

        // The prediction fills its whole 16×16 cell: each 4×4 block has the palette colour of its class.
        var x0 = 2 * (w + 2);
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var cls = (y / 4) * 4 + x / 4;
                var (r, g, b) = LabelMaps.CityscapesPalette[cls];
                var yy = DebugImages.TitleHeight + y;
                Assert.Equal((r, g, b), (grid[yy, x0 + x, 0], grid[yy, x0 + x, 1], grid[yy, x0 + x, 2]));
            }
        // Every column has ink (its title) in the strip above it; the strip is otherwise white.
        for (var c = 0; c < 3; c++)
        {
            var ink = 0;
            for (var y = 0; y < DebugImages.TitleHeight; y++)
                for (var x = c * (w + 2); x < c * (w + 2) + w; x++)
                    if (grid[y, x, 0] == 0) ink++;
            Assert.True(ink > 5, $"column {c} has no title");
        }
    }

    [Fact]
    public void The_tiny_font_draws_known_glyphs_and_skips_unknown_ones()
    {
        Assert.True(TinyFont.Ink('T', 2, 6));      // the stem of T
        Assert.False(TinyFont.Ink('T', 0, 6));
        Assert.Equal(TinyFont.Ink('a', 0, 3), TinyFont.Ink('A', 0, 3));
        Assert.False(TinyFont.Ink('€', 2, 3));
        Assert.Equal(11, TinyFont.Width("AB"));
    }
}
