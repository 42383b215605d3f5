using System.CommandLine;
using DaFormer.Cli.Scripts;
using DaFormer.Model;
using DaFormer.Training.Config;

namespace DaFormer.Cli.Commands;

/// The options `run` and `config` share: which script, which of its configs, and command-line
/// overrides — applied in the order: script → `--set` (in order) → `--seed` → `--only`. `--work-dir`
/// and `--device` say where a run goes and runs, not what it learns: they are part of the run
/// request, not of the config (so they do not change its hash, and `--resume` finds the run without them).
sealed class ExperimentOptions
{
    public readonly Argument<string> Script = new("SCRIPT") { Description = "Experiment script (*.csx) that evaluates to a RunConfig or a sequence of them" };
    public readonly Option<string?> Only = new("--only") { Description = "Select one config of a sweep by index (0-based, as --list shows) or by run name", HelpName = "N|NAME" };
    public readonly Option<string[]> Set = new("--set")
    {
        Description = "Override a field: --set Optimizer.Lr=1e-4 (repeatable; paths as in the JSON / the records)",
        Arity = ArgumentArity.ZeroOrMore,
        HelpName = "PATH=VALUE",
        AllowMultipleArgumentsPerToken = false,
    };
    public readonly Option<int?> Seed = new("--seed") { Description = "Override Runtime.Seed of every config", HelpName = "S" };
    public readonly Option<double?> ScriptTimeout = new("--script-timeout")
    {
        Description = $"Stop evaluating the script after this many seconds (default 60, or ${ExperimentScript.TimeoutVariable})",
        HelpName = "SECONDS",
    };
    public readonly Option<string?> WorkDir = new("--work-dir") { Description = "Create run directories below DIR (default work_dirs)", HelpName = "DIR" };

    public void AddTo(Command cmd)
    {
        cmd.Arguments.Add(Script);
        cmd.Options.Add(Only);
        cmd.Options.Add(Set);
        cmd.Options.Add(Seed);
        cmd.Options.Add(WorkDir);
        cmd.Options.Add(ScriptTimeout);
    }

    /// Loads the script and applies the overrides; returns every config with its index in the
    /// script's sequence (before `--only`).
    public (LoadedScript Script, IReadOnlyList<(int Index, RunConfig Config)> All) Resolve(ParseResult parse)
    {
        var limit = parse.GetValue(ScriptTimeout);
        if (limit is { } l && !(l > 0 && double.IsFinite(l))) throw new DaFormerError($"--script-timeout {l}: expected a positive number of seconds.");
        var script = ExperimentScript.Load(parse.GetValue(Script)!, limit is { } sec ? TimeSpan.FromSeconds(sec) : null);
        var sets = parse.GetValue(Set) ?? [];
        var seed = parse.GetValue(Seed);
        var configs = script.Configs.Select((c, i) =>
        {
            c = ConfigOverrides.ApplyAll(c, sets);
            if (seed is { } s) c = c.WithSeed(s);
            return (i, c);
        }).ToList();
        return (script, configs);
    }

    /// `--work-dir` (default work_dirs).
    public string WorkDirRoot(ParseResult parse) => parse.GetValue(WorkDir) is { Length: > 0 } w ? w : "work_dirs";

    /// Applies `--only`: an index (0-based) or a run name.
    public IReadOnlyList<(int Index, RunConfig Config)> Select(ParseResult parse, IReadOnlyList<(int Index, RunConfig Config)> all) =>
        parse.GetValue(Only) is { } only ? [SelectOne(only, all)] : all;

    public static (int Index, RunConfig Config) SelectOne(string only, IReadOnlyList<(int Index, RunConfig Config)> all)
    {
        if (int.TryParse(only, out var index))
        {
            if (index < 0 || index >= all.Count)
                throw new DaFormerError($"--only {only}: the script yields {all.Count} config{(all.Count == 1 ? "" : "s")} (indices 0…{all.Count - 1}; see --list)");
            return all[index];
        }
        var matches = all.Where(x => x.Config.Name == only).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new DaFormerError($"--only {only}: no config of the script has that name; see --list"),
            _ => throw new DaFormerError($"--only {only}: {matches.Count} configs share that name (indices {string.Join(", ", matches.Select(m => m.Index))}); select by index"),
        };
    }
}
