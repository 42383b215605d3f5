using System.CommandLine;
using DaFormer.Cli.Commands;

namespace DaFormer.Cli;

/// The `daformer` command tree. Each command lives in its own file under Commands/ and is a small
/// function from parsed arguments to an exit code.
public static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("DAFormer for .NET — domain-adaptive semantic segmentation (MiT + DAFormer head, DACS, RCS, FD).");
        root.Options.Add(CommonOptions.Device);
        foreach (var command in CommandCatalog.All()) root.Subcommands.Add(command);
        return root;
    }

    public static int Run(string[] args)
    {
        var root = Build();
        var parse = root.Parse(args);
        return parse.Invoke();
    }
}
