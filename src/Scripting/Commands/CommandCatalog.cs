using System.CommandLine;

namespace DaFormer.Cli.Commands;

/// Every top-level command, in the order `daformer --help` lists them. Add a command by adding its
/// file and one line here.
public static class CommandCatalog
{
    public static IEnumerable<Command> All() =>
    [
        RunCommand.Build(),
        ConfigCommand.Build(),
        ConvertCommand.Build(),
        CheckpointCommand.Build(),
        ModelCommand.Build(),
        CompareCommand.Build(),
        PlotCommand.Build(),
        DownloadCommand.Build(),
        InfoCommand.Build(),
        SynthCommand.Build(),
        BenchCommand.Build(),
        TestCommand.Build(),
        DemoCommand.Build(),
    ];
}
