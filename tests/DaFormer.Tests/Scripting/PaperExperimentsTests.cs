using System.Text.Json;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Scripting;

/// One script per experiment id 1–8 of the original generator (`experiments.py`), and
/// `daformer run <script> --list` prints exactly that id's run names, in the generator's order —
/// compared with `experiment_names.json`, the names the original generator produced.
[Collection("Console")]
public class PaperExperimentsTests
{
    /// Experiment id → script below experiments/ (the mapping README's "Paper tables" states).
    static readonly Dictionary<int, string> ScriptOf = new()
    {
        [1] = "paper/exp1_architecture_comparison.csx",
        [2] = "paper/exp2_encoder_decoder_ablation.csx",
        [3] = "paper/exp3_encoder_study.csx",
        [4] = "paper/exp4_warmup_ablation.csx",
        [5] = "paper/exp5_rcs_fd_ablation.csx",
        [6] = "paper/exp6_decoder_study.csx",
        [7] = "paper/exp7_synthia2cs.csx",
        [8] = "paper/exp8_cs2acdc_darkzurich.csx",
    };

    static readonly Lazy<Dictionary<int, List<string>>> Original = new(() =>
        JsonSerializer.Deserialize<Dictionary<string, List<string>>>(File.ReadAllText(Path.Combine(Paths.Fixtures, "experiment_names.json")))!
            .ToDictionary(kv => int.Parse(kv.Key), kv => kv.Value));

    public static TheoryData<int> Ids() => [.. ScriptOf.Keys];

    [Theory]
    [MemberData(nameof(Ids))]
    public void List_prints_exactly_the_original_generators_run_names(int id)
    {
        var r = CliHarness.Run("run", Path.Combine(Paths.Experiments, ScriptOf[id]), "--list");
        Assert.True(r.ExitCode == 0, r.All);
        // Plain table rows: "<index>  <run name>  <mode>  <iters>"; the index column says which lines are rows.
        var rows = r.Out.Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(cells => cells.Length >= 2 && int.TryParse(cells[0], out _))
            .ToList();
        Assert.Equal(Enumerable.Range(0, rows.Count).Select(i => i.ToString()), rows.Select(c => c[0]));
        Assert.Equal(Original.Value[id], rows.Select(c => c[1]));
    }

    [Fact]
    public void Every_experiment_id_of_the_original_has_its_script_and_the_folder_nothing_else()
    {
        Assert.Equal(Original.Value.Keys.Order(), ScriptOf.Keys.Order());
        var folder = Directory.GetFiles(Path.Combine(Paths.Experiments, "paper"), "*.csx")
            .Select(f => "paper/" + Path.GetFileName(f)).Order(StringComparer.Ordinal);
        Assert.Equal(ScriptOf.Values.Order(StringComparer.Ordinal), folder);
        // The ids the issue counts: 45 + 12 + 18 + 4 + 21 + 42 + 3 + 6 runs.
        Assert.Equal([45, 12, 18, 4, 21, 42, 3, 6], Original.Value.OrderBy(kv => kv.Key).Select(kv => kv.Value.Count));
    }
}
