using System.CommandLine;
using DaFormer.Training.Config;

namespace DaFormer.Cli.Commands;

/// `daformer config SCRIPT`: the resolved configs as JSON (one object, or an array for a sweep) —
/// exactly what `run` would train and what the run directory stores. Problems a pure validation
/// finds are listed on stderr as warnings; data roots are not checked here.
public static class ConfigCommand
{
    public static Command Build()
    {
        var cmd = new Command("config", "Print the configs an experiment script resolves to, as JSON.");
        var exp = new ExperimentOptions();
        exp.AddTo(cmd);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var (_, all) = exp.Resolve(parse);
            var selected = exp.Select(parse, all);
            foreach (var (index, config) in selected)
                foreach (var p in ConfigValidation.Validate(config))
                    Console.Error.WriteLine($"warning: config [{index}] {config.Name}: {p}");
            Console.WriteLine(ConfigJson.Serialize(selected.Select(x => x.Config).ToList()));
            return 0;
        }));
        return cmd;
    }
}
