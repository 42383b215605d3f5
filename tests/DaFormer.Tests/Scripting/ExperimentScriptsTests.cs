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
