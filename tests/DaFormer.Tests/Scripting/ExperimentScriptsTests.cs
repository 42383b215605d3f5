using DaFormer.Cli.Scripts;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;
using Snapshooter;
using Snapshooter.Xunit;

namespace DaFormer.Tests.Scripting;

/// Every script in experiments/ compiles, yields valid configs, and resolves to exactly the configs
/// in its committed snapshot (`__snapshots__/`), so an edit to a preset or a base that changes
/// any experiment shows up as a snapshot diff.
[Collection("Console")]
public class ExperimentScriptsTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        // Top-level scripts and the paper tables in experiments/paper/ (not the `#load`-ed bases).
        var files = Directory.GetFiles(Paths.Experiments, "*.csx")
            .Concat(Directory.GetFiles(Path.Combine(Paths.Experiments, "paper"), "*.csx"));
        foreach (var f in files.Select(f => Path.GetRelativePath(Paths.Experiments, f).Replace('\\', '/')).Order(StringComparer.Ordinal))
            data.Add(f);
        return data;
    }

    static LoadedScript Load(string name)
    {
        CliHarness.Init();
        return ExperimentScript.Load(Path.Combine(Paths.Experiments, name));
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_compiles_and_every_config_is_valid(string script)
    {
        var loaded = Load(script);
        Assert.NotEmpty(loaded.Configs);
        foreach (var c in loaded.Configs)
            Assert.Empty(ConfigValidation.Validate(c, _ => true));
        Assert.Equal(loaded.Configs.Count, loaded.Configs.Select(c => c.Name).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Resolved_configs_match_the_snapshot(string script)
    {
        var loaded = Load(script);
        // experiments/paper/exp1_….csx → snapshot "…_paper_exp1_…".
        var name = Path.ChangeExtension(script, null).Replace('/', '_');
        Snapshot.Match(ConfigJson.Serialize(loaded.Configs), SnapshotNameExtension.Create(name));
    }

    [Fact]
    public void The_annotated_recipe_script_equals_the_preset()
    {
        Assert.Equal(Presets.Gta2Cs, Assert.Single(Load("gta2cs_daformer.csx").Configs));
    }

    [Fact]
    public void The_annotated_MIC_scripts_equal_their_presets()
    {
        Assert.Equal(Presets.MicDaformerGta2Cs, Assert.Single(Load("gta2cs_mic_daformer.csx").Configs));
        Assert.Equal(Presets.MicHrdaGta2Cs, Assert.Single(Load("gta2cs_mic_hrda.csx").Configs));
    }

    [Fact]
    public void The_annotated_HRDA_scripts_equal_their_presets()
    {
        Assert.Equal(Presets.HrdaGta2Cs, Assert.Single(Load("gta2cs_hrda.csx").Configs));
        Assert.Equal(Presets.HrdaSynthia2Cs, Assert.Single(Load("synthia2cs_hrda.csx").Configs));
    }

    [Fact]
    public void The_MIC_ablation_crosses_four_block_sizes_with_four_mask_ratios()
    {
        var mics = Load("ablation_mic.csx").Configs.Select(c => c.Uda.Mic!).ToList();
        Assert.Equal(16, mics.Count);
        Assert.Equal([16, 32, 64, 128], mics.Select(m => m.BlockSize).Distinct().Order());
        Assert.Equal([0.3, 0.5, 0.7, 0.9], mics.Select(m => m.MaskRatio).Distinct().Order());
        Assert.Single(mics, m => m == Presets.MicDaformerGta2Cs.Uda.Mic);
    }

    [Fact]
    public void The_synthetic_methods_give_HRDA_the_full_resolution_and_DAFormer_the_half()
    {
        var configs = Load("synthetic_methods.csx").Configs;
        Assert.Equal(10, configs.Count);
        Assert.Equal([0, 1], configs.Select(c => c.Runtime.Seed).Distinct().Order());
        var hrda = configs.Where(c => c.Model.Hrda is not null).ToList();
        var daformer = configs.Where(c => c.Model.Hrda is null).ToList();
        Assert.Equal(4, hrda.Count);
        Assert.Equal(2, hrda.Count(c => c.Uda.Mic is not null));
        Assert.Equal([UdaMode.Dacs, UdaMode.SourceOnly, UdaMode.TargetOnly], daformer.Select(c => c.Uda.Mode).Distinct().Order());
        // One schedule for all ten runs, so the table compares like with like.
        Assert.Single(configs.Select(c => c.Schedule.MaxIters).Distinct());
        foreach (var (h, d) in hrda.SelectMany(h => daformer.Select(d => (h, d))))
        {
            // Same data at twice the resolution per side; HRDA's context view of its crop is DAFormer's crop.
            Assert.Equal(h.Data.Source.Root, d.Data.Source.Root);
            Assert.Equal((2 * d.Data.Validation.Scale.Width, 2 * d.Data.Validation.Scale.Height),
                         (h.Data.Validation.Scale.Width, h.Data.Validation.Scale.Height));
            Assert.Equal(d.Data.Crop.Width, h.Data.Crop.Width * h.Model.Hrda!.LrScale);
            Assert.Equal(d.Data.Crop, h.Model.Hrda.DetailCrop);
            Assert.Equal(d.Model with { Hrda = null }, h.Model with { Hrda = null });
        }
    }

    [Fact]
    public void Every_script_starts_with_an_r_line_that_editors_resolve_to_the_built_assembly()
    {
        foreach (var f in Directory.GetFiles(Paths.Experiments, "*.csx", SearchOption.AllDirectories))
        {
            var first = File.ReadLines(f).First();
            Assert.StartsWith("#r \"", first);
            var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(f)!, first[4..^1]));
            Assert.Equal(Path.Combine(Paths.Experiments, ".refs", "DaFormer.Training.dll"), target);
        }
        // The Cli build copies the assembly there (DaFormer.Cli.csproj, target DaFormerCopyScriptReferences).
        Assert.True(File.Exists(Path.Combine(Paths.Experiments, ".refs", "DaFormer.Training.dll")));
    }

    [Fact]
    public void Sources_include_the_loaded_bases()
    {
        var loaded = Load("quickstart.csx");
        Assert.Equal(["quickstart.csx", "synthetic.csx"], loaded.SourceFiles.Select(Path.GetFileName));
        Assert.Contains("// ===== #load", loaded.CombinedText());
    }
}
