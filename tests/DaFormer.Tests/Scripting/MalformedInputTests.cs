using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using DaFormer.Model;
using DaFormer.Tests.Support;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Loader;
using DaFormer.Training.Data.Pipeline;

namespace DaFormer.Tests.Scripting;

/// The malformed-input corpus: every file is built here (no binary blobs in git) and handed to the
/// command that reads it, in-process. Each case must end with a non-zero exit code and one paragraph
/// that names the file (or the value) and what is expected — no stack trace, no exception type
/// names — and must leave no output file (half-written or otherwise) behind.
[Collection("Console")]
public class MalformedInputTests
{
    /// The shared assertions of the corpus. `mustName` are the pieces the message must contain
    /// (the file, the key, the value).
    internal static void AssertClearRefusal(CliHarness.Result r, params string[] mustName)
    {
        Assert.True(r.ExitCode != 0, $"expected a non-zero exit code, got 0:\n{r.All}");
        var err = r.Err.Trim();
        Assert.False(string.IsNullOrEmpty(err), "no message on stderr:\n" + r.All);
        foreach (var s in mustName) Assert.True(r.All.Contains(s, StringComparison.Ordinal), $"message does not name '{s}':\n{r.All}");
        Assert.DoesNotContain("   at ", r.All);
        Assert.DoesNotContain("Exception", r.All);
        Assert.DoesNotContain("internal error", r.All);
        Assert.DoesNotContain("\n\n", err.Replace("\r", ""));
    }

    /// No file below `dir` except the ones the test wrote itself (`keep`), and no temporary file.
    internal static void AssertNothingWritten(string dir, params string[] keep)
    {
        var extra = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !keep.Contains(f)).ToList();
        Assert.True(extra.Count == 0, "files were written: " + string.Join(", ", extra));
    }

    // ------------------------------------------------------------------ scripts

    [Fact]
    public void An_endless_loop_in_a_script_stops_at_the_time_limit_naming_the_line()
    {
        var script = CliHarness.WriteScript("while (true) { }\nreturn Gta2Cs;");
        var r = CliHarness.Run("config", script, "--script-timeout", "1");
        AssertClearRefusal(r, "test.csx(5)", "time limit", "--script-timeout");
    }

    [Fact]
    public void An_endless_loop_without_braces_is_stopped_too()
    {
        var script = CliHarness.WriteScript("var i = 0;\nfor (;;) i++;\nreturn Gta2Cs;");
        AssertClearRefusal(CliHarness.Run("config", script, "--script-timeout", "0.5"), "time limit");
    }

    [Fact]
    public void Endless_recursion_in_a_script_is_stopped_without_killing_the_host()
    {
        var script = CliHarness.WriteScript("RunConfig Deeper(int n) => Deeper(n + 1);\nreturn Deeper(0);");
        var r = CliHarness.Run("config", script);
        AssertClearRefusal(r, "test.csx(5)", "recursed");
        // The host is alive and a following script still evaluates.
        Assert.Equal(0, CliHarness.Run("config", CliHarness.WriteScript("return Gta2Cs;")).ExitCode);
    }

    [Fact]
    public void Endless_recursion_through_a_block_bodied_method_and_a_property_is_stopped()
    {
        var a = CliHarness.WriteScript("int F(int n) { return F(n + 1) + 1; }\nvar x = F(0);\nreturn Gta2Cs;");
        AssertClearRefusal(CliHarness.Run("config", a), "recursed");
        var b = CliHarness.WriteScript("static int P => P + 1;\nvar y = P;\nreturn Gta2Cs;");
        AssertClearRefusal(CliHarness.Run("config", b), "recursed");
    }

    [Fact]
    public void An_empty_script_says_what_a_script_must_return()
    {
        var dir = Paths.NewTempDir("dfscript");
        var path = Path.Combine(dir, "empty.csx");
        File.WriteAllText(path, "");
        var r = CliHarness.Run("config", path);
        AssertClearRefusal(r, "empty.csx", "RunConfig");
        Assert.DoesNotContain("0 errors", r.All);
    }

    [Fact]
    public void A_script_of_only_directives_and_comments_is_treated_as_empty()
    {
        var r = CliHarness.Run("config", CliHarness.WriteScript("// nothing here\n"));
        AssertClearRefusal(r, "test.csx", "RunConfig");
    }

    [Fact]
    public void Guarded_scripts_keep_their_line_numbers_in_errors()
    {
        // An expression-bodied local function spanning lines, then a throw on line 8.
        var script = CliHarness.WriteScript("int Twice(int n) =>\n    2 * n;\nvar k = Twice(3);\nthrow new DaFormer.Model.DaFormerError(\"line eight\");");
        var r = CliHarness.Run("config", script);
        AssertClearRefusal(r, "test.csx(8)", "line eight");
    }

    [Fact]
    public void A_bad_script_timeout_value_is_refused()
    {
        var r = CliHarness.Run("config", CliHarness.WriteScript("return Gta2Cs;"), "--script-timeout", "-3");
        AssertClearRefusal(r, "--script-timeout -3");
    }

    // ------------------------------------------------------------------ images

    /// A PNG whose header declares `w`×`h` RGB pixels, with a few bytes of (valid zlib) image data:
    /// a "decompression bomb" of well under 1 kB.
    internal static byte[] PngHeaderOnly(int w, int h)
    {
        using var ms = new MemoryStream();
        ms.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, (uint)w);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), (uint)h);
        ihdr[8] = 8; ihdr[9] = 2;
        Chunk(ms, "IHDR", ihdr);
        using (var z = new MemoryStream())
        {
            using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zs.Write(new byte[4096]);
            Chunk(ms, "IDAT", z.ToArray());
        }
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(len, (uint)data.Length);
        s.Write(len);
        var t = Encoding.ASCII.GetBytes(type);
        s.Write(t);
        s.Write(data);
        var crc = Crc32([.. t, .. data]);
        BinaryPrimitives.WriteUInt32BigEndian(len, crc);
        s.Write(len);
    }

    // The PNG chunk checksum (ISO 3309 CRC-32, as zlib computes it).
    static uint Crc32(byte[] bytes)
    {
        var c = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            c ^= b;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xFFFFFFFFu;
    }

    static string Checkpoint => Path.Combine(Paths.ParityDir, "checkpoint_uda.pth");

    [Fact]
    public void Demo_refuses_a_30000_by_30000_png_from_its_header_naming_the_file_and_the_limit()
    {
        var dir = Paths.NewTempDir("bomb");
        var bomb = Path.Combine(dir, "bomb.png");
        File.WriteAllBytes(bomb, PngHeaderOnly(30000, 30000));
        Assert.True(new FileInfo(bomb).Length < 100_000);
        var r = CliHarness.Run("demo", bomb, "auto", Checkpoint, "--device", "cpu");
        AssertClearRefusal(r, bomb, "30000×30000", "100 MPixel", "DAFORMER_MAX_PIXELS");
        AssertNothingWritten(dir, bomb);
    }

    [Fact]
    public void Demo_on_a_folder_reports_the_bomb_and_still_segments_the_other_images()
    {
        var dir = Paths.NewTempDir("bombdir");
        File.WriteAllBytes(Path.Combine(dir, "b_bomb.png"), PngHeaderOnly(30000, 30000));
        var px = new byte[48 * 24 * 3];
        new Random(1).NextBytes(px);
        ImageIo.WriteRgb(Path.Combine(dir, "a.png"), new RgbImage(48, 24, px));
        ImageIo.WriteRgb(Path.Combine(dir, "c.png"), new RgbImage(48, 24, px));
        var config = Path.Combine(Paths.NewTempDir("bombcfg"), "config.json");
        var g = DaFormer.Training.Config.Presets.Gta2Cs;
        File.WriteAllText(config, DaFormer.Training.Config.ConfigJson.Serialize(g with
        {
            Model = g.Model with { Encoder = DaFormer.Training.Config.Encoder.MitB0, Channels = 64 },
            Data = g.Data with { Validation = g.Data.Validation with { Scale = new(64, 32) } },
        }));
        var r = CliHarness.Run("demo", dir, config, Checkpoint, "--device", "cpu");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("b_bomb.png", r.Err);
        Assert.Contains("1 of 3 images could not be read", r.Err);
        Assert.True(File.Exists(Path.Combine(dir, "pred", "a_pred.png")));
        Assert.True(File.Exists(Path.Combine(dir, "pred", "c_pred.png")));
        Assert.False(File.Exists(Path.Combine(dir, "pred", "b_bomb_pred.png")));
        Assert.DoesNotContain("Exception", r.All);
    }

    [Fact]
    public void The_training_loader_names_the_file_of_a_bomb_image()
    {
        var dir = Paths.NewTempDir("bombtrain");
        var img = Path.Combine(dir, "images", "x.png");
        var lbl = Path.Combine(dir, "labels", "x.png");
        Directory.CreateDirectory(Path.GetDirectoryName(img)!);
        File.WriteAllBytes(img, PngHeaderOnly(30000, 30000));
        ImageIo.WriteLabel(lbl, new LabelMap(4, 4, new byte[16]));
        var ds = new SegDataset("custom", dir, [new SampleFiles(img, lbl)], LabelMaps.CityscapesClasses, LabelMaps.CityscapesPalette);
        var spec = new UdaLoaderSpec(ds, ds, new PipelineSpec(64, 32, 32, 32), new PipelineSpec(64, 32, 32, 32), 1, 0, Workers: 1, WithTarget: false);
        using var loader = new UdaLoader(spec);
        var e = Assert.Throws<DaFormerError>(() => loader.Next());
        Assert.Contains(img, e.Message);
        Assert.Contains("MPixel", e.Message);
    }

    // ------------------------------------------------------------------ labels

    static SampleFiles Pair(string dir, LabelMap label, Action<string>? writeLabel = null)
    {
        var img = Path.Combine(dir, "i.png");
        var lbl = Path.Combine(dir, "l.png");
        ImageIo.WriteRgb(img, new RgbImage(label.Width, label.Height, new byte[label.Width * label.Height * 3]));
        if (writeLabel is null) ImageIo.WriteLabel(lbl, label); else writeLabel(lbl);
        return new SampleFiles(img, lbl);
    }

    [Fact]
    public void A_label_value_outside_the_classes_is_named_with_its_file_where_the_label_is_read()
    {
        var values = new byte[8 * 4];
        values[13] = 200;
        values[20] = 255; // ignore stays allowed
        var files = Pair(Paths.NewTempDir("label"), new LabelMap(8, 4, values));
        var e = Assert.Throws<DaFormerError>(() => SampleReaders.ForClasses(19, 255)(files, true));
        Assert.Contains(files.LabelPath!, e.Message);
        Assert.Contains("200 (e.g. at pixel (5, 1))", e.Message);
        Assert.Contains("0…18 and 255 = ignore", e.Message);
        Assert.DoesNotContain("Exception", e.Message);
    }

    [Fact]
    public void A_colour_label_is_refused_instead_of_turned_into_luminance()
    {
        var files = Pair(Paths.NewTempDir("label"), new LabelMap(8, 4, new byte[32]), path =>
        {
            var px = new byte[8 * 4 * 3];
            (px[30], px[31], px[32]) = (128, 64, 128); // pixel (2, 1) road purple, the rest black
            ImageIo.WriteRgb(path, new RgbImage(8, 4, px));
        });
        var e = Assert.Throws<DaFormerError>(() => ImageIo.ReadLabel(files.LabelPath!));
        Assert.Contains(files.LabelPath!, e.Message);
        Assert.Contains("colour (RGB) label", e.Message);
        Assert.Contains("(128, 64, 128)", e.Message);
    }

    [Fact]
    public void Grey_rgb_and_palette_labels_are_read_as_their_values()
    {
        var dir = Paths.NewTempDir("label");
        var rgb = Path.Combine(dir, "grey_rgb.png");
        ImageIo.WriteRgb(rgb, new RgbImage(2, 1, [7, 7, 7, 255, 255, 255]));
        Assert.Equal(new byte[] { 7, 255 }, ImageIo.ReadLabel(rgb).Values);
        var pal = Path.Combine(dir, "palette.png");
        DaFormer.Training.Data.Formats.PalettePng.Write(pal, new LabelMap(2, 1, [3, 1]), [(0, 0, 0), (250, 0, 0), (0, 250, 0), (9, 9, 9)]);
        Assert.Equal(new byte[] { 3, 1 }, ImageIo.ReadLabel(pal).Values);
    }

    [Fact]
    public void Test_command_names_a_validation_label_with_a_raw_label_id()
    {
        var dir = Paths.NewTempDir("labeltest");
        var val = CustomDomainWalkthroughTests.MakeDomain(dir, "val", 1, seed: 4);
        var bad = Path.Combine(val, "labels", "f0.png");
        var l = ImageIo.ReadLabel(bad);
        l.Values[0] = 26; // a Cityscapes label ID (car), not a train ID of a 3-class set
        ImageIo.WriteLabel(bad, l);
        var g = DaFormer.Training.Config.Presets.Quickstart;
        var layout = new DaFormer.Training.Config.CustomLayout
        {
            ImageDir = "images", LabelDir = "labels", ImageSuffix = ".png", LabelSuffix = ".png",
            ClassNames = ["background", "road", "vehicle"], Palette = [new(0, 0, 0), new(1, 1, 1), new(2, 2, 2)], Name = "farm",
        };
        var cfg = g with
        {
            Model = g.Model with { NumClasses = 3, Channels = 16 },
            Data = g.Data with { Validation = new() { Kind = DaFormer.Training.Config.DatasetKind.Custom, Root = val, Split = "train", Scale = new(64, 32), Custom = layout } },
        };
        var config = Path.Combine(dir, "config.json");
        File.WriteAllText(config, DaFormer.Training.Config.ConfigJson.Serialize(cfg));
        var ckpt = Path.Combine(dir, "w.safetensors");
        using (var model = Architectures.Build(cfg.Model.ToSpec()))
            DaFormer.Model.Checkpoints.Safetensors.Save(ckpt, model.state_dict().Select(kv => new KeyValuePair<string, TorchSharp.torch.Tensor>(kv.Key, kv.Value)));
        var r = CliHarness.Run("test", config, ckpt, "--device", "cpu");
        AssertClearRefusal(r, bad, "26 (e.g. at pixel (0, 0))", "0…2");
    }

    // ------------------------------------------------------------------ safetensors headers

    static string Safetensors(string dir, string name, string header, int dataBytes, ulong? declaredLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static TheoryData<string, string, int, string[]> LyingHeaders => new()
    {
        { "huge_shape", """{"w": {"dtype": "F32", "shape": [100000, 100000, 10], "data_offsets": [0, 16]}}""", 16, ["'w'", "needs 400000000000 bytes", "hold 16"] },
        { "overflow_shape", """{"w": {"dtype": "F32", "shape": [9223372036854775807, 4], "data_offsets": [0, 16]}}""", 16, ["'w'", "impossibly large"] },
        { "negative_shape", """{"w": {"dtype": "F32", "shape": [-1, 4], "data_offsets": [0, 16]}}""", 16, ["'w'", "\"shape\" entry -1 is negative"] },
        { "missing_dtype", """{"w": {"shape": [4], "data_offsets": [0, 16]}}""", 16, ["'w'", "no \"dtype\""] },
        { "number_dtype", """{"w": {"dtype": 7, "shape": [4], "data_offsets": [0, 16]}}""", 16, ["'w'", "\"dtype\" is 7"] },
        { "unknown_dtype", """{"w": {"dtype": "F128", "shape": [4], "data_offsets": [0, 16]}}""", 16, ["'w'", "unsupported dtype \"F128\""] },
        { "array_header", """[1, 2, 3]""", 0, ["the header is a JSON array"] },
        { "array_entry", """{"w": [4, 4]}""", 0, ["'w'", "the entry is a JSON array"] },
        { "float_shape", """{"w": {"dtype": "F32", "shape": [2.5, 2], "data_offsets": [0, 20]}}""", 20, ["'w'", "\"shape\" entry 2.5 is not an integer"] },
        { "negative_offset", """{"w": {"dtype": "F32", "shape": [4], "data_offsets": [-8, 8]}}""", 16, ["'w'", "\"data_offsets\" entry -8 is negative"] },
        { "offsets_beyond_file", """{"w": {"dtype": "F32", "shape": [250000], "data_offsets": [0, 1000000]}}""", 16, ["'w'", "beyond the 16 data bytes"] },
        { "offsets_reversed", """{"w": {"dtype": "F32", "shape": [0], "data_offsets": [16, 8]}}""", 16, ["'w'", "end before they begin"] },
        { "one_offset", """{"w": {"dtype": "F32", "shape": [4], "data_offsets": [16]}}""", 16, ["'w'", "\"data_offsets\" has 1 entries, expected 2"] },
        { "overlap", """{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}}""", 24, ["'b'", "overlap those of 'a'"] },
        { "not_json", """{"w": {"dtype": "F32", """, 0, ["not valid JSON"] },
        { "metadata_not_object", """{"__metadata__": [1]}""", 0, ["__metadata__"] },
    };

    [Theory]
    [MemberData(nameof(LyingHeaders))]
    public void A_lying_safetensors_header_is_one_paragraph_naming_the_file_and_key(string name, string header, int dataBytes, string[] expected)
    {
        var dir = Paths.NewTempDir("st");
        var path = Safetensors(dir, name + ".safetensors", header, dataBytes);
        var r = CliHarness.Run("checkpoint", "inspect", path);
        AssertClearRefusal(r, [path, .. expected]);
        AssertNothingWritten(dir, path);
    }

    [Fact]
    public void A_safetensors_header_length_beyond_the_file_is_refused()
    {
        var dir = Paths.NewTempDir("st");
        var path = Safetensors(dir, "long.safetensors", "{}", 0, declaredLength: 1UL << 40);
        AssertClearRefusal(CliHarness.Run("checkpoint", "inspect", path), path, "header length 1099511627776 exceeds the file size");
        var tiny = Path.Combine(dir, "tiny.safetensors");
        File.WriteAllBytes(tiny, [1, 2, 3]);
        AssertClearRefusal(CliHarness.Run("checkpoint", "inspect", tiny), tiny, "shorter than the 8-byte header length");
    }

    // ------------------------------------------------------------------ PyTorch checkpoints

    static string Zip(string dir, string name, params (string Entry, byte[] Data)[] entries)
    {
        var path = Path.Combine(dir, name);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
            foreach (var (entry, data) in entries)
            {
                using var s = zip.CreateEntry(entry, CompressionLevel.NoCompression).Open();
                s.Write(data);
            }
        return path;
    }

    public static TheoryData<string> BadPth => ["empty", "no_pickle", "garbage_pickle", "truncated"];

    [Theory]
    [MemberData(nameof(BadPth))]
    public void A_corrupt_pth_is_one_paragraph_naming_the_file(string kind)
    {
        var dir = Paths.NewTempDir("pth");
        var path = kind switch
        {
            "empty" => Write(Path.Combine(dir, "empty.pth"), []),
            "no_pickle" => Zip(dir, "no_pickle.pth", ("archive/version", "3\n"u8.ToArray())),
            "garbage_pickle" => Zip(dir, "garbage.pth", ("archive/data.pkl", [0x80, 0x02, 0xFF, 0xFE, 0x00, 0x13]), ("archive/version", "3\n"u8.ToArray())),
            _ => Write(Path.Combine(dir, "truncated.pth"), File.ReadAllBytes(Checkpoint)[..4096]),
        };
        var r = CliHarness.Run("checkpoint", "inspect", path);
        AssertClearRefusal(r, path);
        AssertNothingWritten(dir, path);
    }

    static string Write(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // ------------------------------------------------------------------ --set values

    public static TheoryData<string, string[]> BadSets => new()
    {
        { "Optimizer.Lr=abc", ["Optimizer.Lr=abc", "a number"] },
        { "Optimizer.Nope=1", ["Optimizer.Nope"] },
        { "Optimizer.Lr", ["'Optimizer.Lr'", "PATH=VALUE"] },
        { "Data.Rcs={broken", ["Data.Rcs={broken"] },
        { "Model.Encoder=mit_b9", ["mit_b9", "mit_b5"] },
        { "Schedule.MaxIters=1.5", ["Schedule.MaxIters=1.5", "an integer"] },
        { "Optimizer.Lr=-1", ["Optimizer.Lr", "-1 must be > 0"] },
    };

    [Theory]
    [MemberData(nameof(BadSets))]
    public void A_bad_set_value_is_one_paragraph_naming_the_path_and_value(string set, string[] expected)
    {
        var r = CliHarness.Run("run", CliHarness.WriteScript("return Gta2Cs;"), "--set", set, "--dry-run");
        Assert.True(r.ExitCode != 0, r.All);
        foreach (var e in expected) Assert.Contains(e, r.All);
        Assert.DoesNotContain("   at ", r.All);
        Assert.DoesNotContain("Exception", r.All);
    }
}
