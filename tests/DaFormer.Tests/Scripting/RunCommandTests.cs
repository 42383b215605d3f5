using System.Globalization;
using System.Text.Json;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;

namespace DaFormer.Tests.Scripting;

/// `daformer run` / `daformer config` end to end, in-process.
[Collection("Console")]
public class RunCommandTests
{
    const string RcsSweep = """
        return from t in new[] { 0.002, 0.01, 0.05, 0.1, 0.5 }
               select Gta2Cs with { Data = Gta2Cs.Data with { Rcs = Rcs.On(temperature: t) } };
        """;

    [Fact]
    public void Config_of_the_recipe_script_is_the_spec_4_3_recipe_field_by_field()
    {
        var r = CliHarness.Run("config", Path.Combine(Paths.Experiments, "gta2cs_daformer.csx"));
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var leaves = new Dictionary<string, string>();
        Flatten(doc.RootElement, "", leaves);

        // Spec §3.2 (model), §2.1/§2.7 (data), §4.3 + §1.2 (UDA), §4.1 (optimizer), §4.2 (schedule), §4.3 (runtime).
        var expected = new Dictionary<string, string>
        {
            ["model.encoder"] = "mit_b5", ["model.decoder"] = "daformer_sepaspp", ["model.channels"] = "256",
            ["model.numClasses"] = "19", ["model.dropPathRate"] = "0.1", ["model.dropoutRatio"] = "0.1",
            ["model.pretrained"] = "pretrained/mit_b5.pth",
            ["data.source.kind"] = "gta", ["data.source.root"] = "data/gta", ["data.source.split"] = "train",
            ["data.source.scale.width"] = "1280", ["data.source.scale.height"] = "720", ["data.source.custom"] = "null",
            ["data.target.kind"] = "cityscapes", ["data.target.root"] = "data/cityscapes", ["data.target.split"] = "train",
            ["data.target.scale.width"] = "1024", ["data.target.scale.height"] = "512", ["data.target.custom"] = "null",
            ["data.validation.kind"] = "cityscapes", ["data.validation.root"] = "data/cityscapes", ["data.validation.split"] = "val",
            ["data.validation.scale.width"] = "1024", ["data.validation.scale.height"] = "512", ["data.validation.custom"] = "null",
            ["data.crop.width"] = "512", ["data.crop.height"] = "512", ["data.batchSize"] = "2", ["data.workers"] = "4",
            ["data.catMaxRatioSource"] = "0.75", ["data.catMaxRatioTarget"] = "1", ["data.photometricDistortion"] = "false",
            ["data.rcs.temperature"] = "0.01", ["data.rcs.minPixels"] = "3000", ["data.rcs.minCropRatio"] = "0.5",
            ["uda.mode"] = "dacs", ["uda.emaAlpha"] = "0.999", ["uda.pseudoThreshold"] = "0.968",
            ["uda.pseudoLabelCrop.top"] = "15", ["uda.pseudoLabelCrop.bottom"] = "120", ["uda.mix"] = "class",
            ["uda.colorJitter.strength"] = "0.2", ["uda.colorJitter.probability"] = "0.2", ["uda.blur"] = "true",
            ["uda.featureDistance.lambda"] = "0.005", ["uda.featureDistance.classes"] = "6,7,11,12,13,14,15,16,17,18",
            ["uda.featureDistance.minRatio"] = "0.75",
            ["optimizer.lr"] = "6E-05", ["optimizer.beta1"] = "0.9", ["optimizer.beta2"] = "0.999", ["optimizer.weightDecay"] = "0.01",
            ["optimizer.eps"] = "1E-08", ["optimizer.headLrMult"] = "10", ["optimizer.noDecayKeys"] = "norm,pos_block",
            ["schedule.maxIters"] = "40000", ["schedule.power"] = "1", ["schedule.minLr"] = "0",
            ["schedule.warmup.iters"] = "1500", ["schedule.warmup.ratio"] = "1E-06",
            ["runtime.seed"] = "0", ["runtime.evalInterval"] = "4000",
            ["runtime.checkpointInterval"] = "40000", ["runtime.keepCheckpoints"] = "1", ["runtime.logInterval"] = "50", ["runtime.precision"] = "fp32",
            ["runtime.debugImageInterval"] = "1000",
            ["runtime.test.mode"] = "whole", ["runtime.test.crop"] = "null", ["runtime.test.stride"] = "null",
            ["name"] = "gta2cs_dacs_a999_fdthings_rcs001_cpl_daformer_sepaspp_mitb5_poly10warm_s0",
        };
        // Numbers compare by value, so "6E-05" and "6e-05" are the same field value.
        foreach (var (path, value) in expected)
        {
            Assert.True(leaves.ContainsKey(path), $"missing field {path}");
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x))
                Assert.True(double.Parse(leaves[path], CultureInfo.InvariantCulture) == x, $"{path}: {leaves[path]} ≠ {value}");
            else
                Assert.True(value == leaves[path], $"{path}: {leaves[path]} ≠ {value}");
        }
        // …and nothing else: a new field must be added to this list (and to the recipe check) on purpose.
        Assert.Equal(expected.Keys.Order(), leaves.Keys.Order());
    }

    static void Flatten(JsonElement e, string prefix, Dictionary<string, string> into)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Flatten(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}", into);
                break;
            case JsonValueKind.Array:
                into[prefix] = string.Join(",", e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : x.GetRawText()));
                break;
            case JsonValueKind.String:
                into[prefix] = e.GetString()!;
                break;
            default:
                into[prefix] = e.GetRawText();
                break;
        }
    }

    [Fact]
    public void List_shows_the_five_derived_names_of_a_sweep_and_trains_nothing()
    {
        var r = CliHarness.Run("run", CliHarness.WriteScript(RcsSweep), "--list");
        Assert.Equal(0, r.ExitCode);
        foreach (var t in new[] { "0002", "001", "005", "01", "05" })
            Assert.Contains($"gta2cs_dacs_a999_fdthings_rcs{t}_cpl_daformer_sepaspp_mitb5_poly10warm_s0", r.Out);
        Assert.Equal(5, r.Out.Split('\n').Count(l => l.Contains("gta2cs_")));
        Assert.DoesNotContain("not implemented", r.All);
    }

    [Fact]
    public void Only_3_runs_exactly_one_config()
    {
        // Real roots so validation passes; the trainer is then called for config 3 only.
        var data = Paths.NewTempDir("dfdata");
        var script = CliHarness.WriteScript($$"""
            var root = @"{{data}}";
            DatasetConfig Cs(string split) => DatasetConfig.CityscapesTrain with { Root = root, Split = split };
            var baseCfg = Gta2Cs with
            {
                Model = Gta2Cs.Model with { Pretrained = root }, // exists, so FD's weights validate; the run fails on the data first
                Data = Gta2Cs.Data with { Source = Cs("train"), Target = Cs("train"), Validation = Cs("val") },
            };
            {{RcsSweep.Replace("Gta2Cs", "baseCfg")}}
            """);
        var r = CliHarness.Run("run", script, "--only", "3", "--work-dir", Paths.NewTempDir("dfwork"));
        Assert.Contains("== [3] cs2cs_dacs_a999_fdthings_rcs01_cpl", r.Out);
        Assert.Equal(1, r.Out.Split('\n').Count(l => l.StartsWith("== [")));
        Assert.Contains("summary", r.Out);
        // The data roots exist but hold no images: the one run fails, is reported, and the exit code says so.
        Assert.Contains("error: run [3]", r.Err);
        Assert.NotEqual(0, r.ExitCode);

        var byName = CliHarness.Run("run", script, "--only", "cs2cs_dacs_a999_fdthings_rcs005_cpl_daformer_sepaspp_mitb5_poly10warm_s0", "--list"); // (a dry run would reject the empty data roots)
        Assert.Equal(0, byName.ExitCode);
        Assert.Contains("rcs005", byName.Out);
        Assert.DoesNotContain("rcs01_", byName.Out);
    }

    [Fact]
    public void A_failed_run_does_not_stop_the_next_and_the_summary_lists_both()
    {
        var data = Paths.NewTempDir("dfdata");
        var script = CliHarness.WriteScript($$"""
            var cs = DatasetConfig.CityscapesTrain with { Root = @"{{data}}" };
            var c = Gta2Cs with { Model = Gta2Cs.Model with { Pretrained = @"{{data}}" }, Data = Gta2Cs.Data with { Source = cs, Target = cs, Validation = cs with { Split = "val" } } };
            return new[] { c, c.WithSeed(1) };
            """);
        var r = CliHarness.Run("run", script, "--work-dir", Paths.NewTempDir("dfwork"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("== [0] cs2cs_", r.Out);
        Assert.Contains("== [1] cs2cs_", r.Out);
        var summary = r.Out[r.Out.IndexOf("summary", StringComparison.Ordinal)..];
        Assert.Equal(2, summary.Split('\n').Count(l => l.Contains(" failed ")));
    }

    [Fact]
    public void Config_of_a_sweep_is_a_json_array_in_script_order()
    {
        var r = CliHarness.Run("config", CliHarness.WriteScript(RcsSweep));
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal([0.002, 0.01, 0.05, 0.1, 0.5],
            doc.RootElement.EnumerateArray().Select(c => c.GetProperty("data").GetProperty("rcs").GetProperty("temperature").GetDouble()));
    }

    [Fact]
    public void Only_out_of_range_is_a_clear_error()
    {
        var r = CliHarness.Run("run", CliHarness.WriteScript(RcsSweep), "--only", "5", "--list");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("yields 5 configs (indices 0…4", r.Err);
    }

    public static TheoryData<string, string, string> BadScripts => new()
    {
        { "syntax error", "return Gta2Cs with { Seed = 1 ", "error CS1513" },
        { "type error", "return Gta2Cs with { Optimizer = Gta2Cs.Optimizer with { Lr = \"fast\" } };", "error CS0029" },
        { "returns nothing", "var x = Gta2Cs;", "returned nothing" },
        { "wrong type", "return 42;", "returned a value of type Int32" },
        { "wrong sequence", "return new[] { 1, 2 };", "sequence of Int32" },
        { "empty sequence", "return new RunConfig[0];", "empty sequence" },
        { "throws", "var a = new int[1];\nvar b = a[2];\nreturn Gta2Cs;", "test.csx(6): the script threw IndexOutOfRangeException" },
        { "invalid config", "return Gta2Cs with { Optimizer = Gta2Cs.Optimizer with { Lr = -1 } };", "Optimizer.Lr: -1 must be > 0" },
    };

    [Theory]
    [MemberData(nameof(BadScripts))]
    public void Bad_scripts_give_a_clear_message_a_nonzero_exit_and_train_nothing(string what, string body, string message)
    {
        var r = CliHarness.Run("run", CliHarness.WriteScript(body));
        Assert.True(r.ExitCode != 0, what);
        Assert.Contains(message, r.Err);
        Assert.DoesNotContain("   at ", r.All);               // no stack trace
        Assert.DoesNotContain("not implemented", r.All);       // the trainer was never called
        Assert.DoesNotContain("summary", r.Out);
    }

    [Fact]
    public void Exceptions_in_a_loaded_base_name_the_base_line_also_from_the_cache()
    {
        var dir = Path.GetDirectoryName(CliHarness.WriteScript("return Gta2Cs;"))!;
        File.WriteAllText(Path.Combine(dir, "base.csx"), "#r \"DaFormer.Training.dll\"\nusing DaFormer.Model;\nstatic int Fail() => throw new DaFormerError(\"no such preset\");\n");
        var script = Path.Combine(dir, "main.csx");
        File.WriteAllText(script, "#r \"DaFormer.Training.dll\"\n#load \"base.csx\"\nvar x = Fail();\nreturn DaFormer.Training.Config.Presets.Gta2Cs;\n");
        foreach (var attempt in new[] { "compiled", "cached" })
        {
            var r = CliHarness.Run("run", script, "--list");
            Assert.True(r.ExitCode == 1, attempt);
            Assert.Contains("base.csx(3): the script threw no such preset", r.Err);
        }
    }

    [Fact]
    public void Compile_errors_show_file_line_column_and_the_offending_line()
    {
        var r = CliHarness.Run("run", CliHarness.WriteScript("return Gta2Cs with { Optimizer = Gta2Cs.Optimizer with { Lr = \"fast\" } };"), "--dry-run");
        Assert.Matches(@"test\.csx\(5,\d+\): error CS0029: Cannot implicitly convert type 'string' to 'double'", r.Err);
        Assert.Contains("Lr = \"fast\"", r.Err);
        Assert.Contains("^", r.Err);
    }

    [Fact]
    public void Unknown_set_path_is_an_error_that_lists_valid_fields()
    {
        var r = CliHarness.Run("run", CliHarness.WriteScript("return Gta2Cs;"), "--set", "Optimizer.Lrr=1e-4", "--dry-run");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Optimizer has no field 'Lrr'; valid fields: Lr, Beta1", r.Err);
    }

    [Fact]
    public void Set_seed_and_work_dir_override_every_config()
    {
        var r = CliHarness.Run("config", CliHarness.WriteScript(RcsSweep), "--set", "Optimizer.Lr=1e-4", "--set", "Data.Crop.Height=256",
            "--seed", "2", "--work-dir", "/tmp/w", "--only", "1", "--device", "cpu");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal(1e-4, root.GetProperty("optimizer").GetProperty("lr").GetDouble());
        Assert.Equal(256, root.GetProperty("data").GetProperty("crop").GetProperty("height").GetInt32());
        Assert.Equal(2, root.GetProperty("runtime").GetProperty("seed").GetInt32());
        // Where a run goes and runs is the request's business, not the experiment's: no trace in the config.
        Assert.False(root.GetProperty("runtime").TryGetProperty("workDirRoot", out _));
        Assert.False(root.GetProperty("runtime").TryGetProperty("device", out _));
        Assert.EndsWith("rcs001_cpl_daformer_sepaspp_mitb5_poly10warm_s2", root.GetProperty("name").GetString());
    }

    [Fact]
    public void Missing_data_is_reported_before_anything_trains()
    {
        var r = CliHarness.Run("run", CliHarness.WriteScript("return Gta2Cs with { Data = Gta2Cs.Data with { Source = DatasetConfig.Gta with { Root = \"/nonexistent/gta\" } } };"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Data.Source.Root: /nonexistent/gta does not exist", r.Err);
        Assert.Contains("nothing was trained", r.Err);
    }

    [Fact]
    public void Emit_slurm_writes_a_job_array_whose_task_k_runs_only_k()
    {
        var file = Path.Combine(Paths.NewTempDir("dfslurm"), "sweep.sh");
        var r = CliHarness.Run("run", CliHarness.WriteScript(RcsSweep), "--emit-slurm", file, "--set", "Optimizer.Lr=1e-4");
        Assert.Equal(0, r.ExitCode);
        var text = File.ReadAllText(file);
        Assert.Contains("#SBATCH --array=0-4", text);
        Assert.Contains("--only \"$SLURM_ARRAY_TASK_ID\"", text);
        Assert.Contains("--set Optimizer.Lr=1e-4", text);
        Assert.Contains("#   3: gta2cs_dacs_a999_fdthings_rcs01_cpl", text);
    }

    [Fact]
    public void Resume_with_a_run_dir_needs_exactly_one_config()
    {
        var data = Paths.NewTempDir("dfdata");
        var script = CliHarness.WriteScript($$"""
            var cs = DatasetConfig.CityscapesTrain with { Root = @"{{data}}" };
            var c = Gta2Cs with { Model = Gta2Cs.Model with { Pretrained = @"{{data}}" }, Data = Gta2Cs.Data with { Source = cs, Target = cs, Validation = cs with { Split = "val" } } };
            return new[] { c, c.WithSeed(1) };
            """);
        var r = CliHarness.Run("run", script, "--resume", "work_dirs/some_run");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("add --only N", r.Err);
        Assert.DoesNotContain("not implemented", r.All);
    }

    [Fact]
    public void Configs_sharing_a_name_are_flagged_and_not_selectable_by_name()
    {
        var script = CliHarness.WriteScript("return from p in new[] { 0.9, 0.968 } select Gta2Cs with { Uda = Gta2Cs.Uda with { PseudoThreshold = p } };");
        var list = CliHarness.Run("run", script, "--list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains("warning: configs 0, 1 share the run name", list.Err);
        var only = CliHarness.Run("run", script, "--list", "--only", Presets.Gta2Cs.Name);
        Assert.Equal(1, only.ExitCode);
        Assert.Contains("2 configs share that name (indices 0, 1)", only.Err);
    }

    [Fact]
    public void Emit_slurm_rejects_a_malformed_time_naming_the_option()
    {
        var r = CliHarness.Run("run", CliHarness.WriteScript(RcsSweep), "--emit-slurm", Path.Combine(Paths.NewTempDir("dfslurm"), "x.sh"), "--slurm-time", "tomorrow");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--slurm-time tomorrow: expected a Slurm time", r.Err);
    }

    [Fact]
    public void Emit_slurm_covers_the_whole_sweep()
    {
        var r = CliHarness.Run("run", CliHarness.WriteScript(RcsSweep), "--emit-slurm", Path.Combine(Paths.NewTempDir("dfslurm"), "x.sh"), "--only", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("leave out --only", r.Err);
    }

    [Fact]
    public void Dry_run_cold_start_is_fast_once_compiled()
    {
        var script = Path.Combine(Paths.Experiments, "quickstart.csx");
        CliHarness.Run("run", script, "--dry-run");          // compiles (or hits the cache)
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var r = CliHarness.Run("run", script, "--dry-run");
        sw.Stop();
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("synthsrc2synthtgt_dacs_rcs001_daformer_sepaspp_mitb0_poly10warm_s0", r.Out);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3), $"took {sw.Elapsed}");
    }
}
