using System.CommandLine;
using DaFormer.Model.Runtime;

namespace DaFormer.Cli.Commands;

/// Options shared by every command.
public static class CommonOptions
{
    /// `--device auto|cpu|cuda[:N]`, recursive so it is accepted after any sub-command.
    public static readonly Option<string> Device = new("--device")
    {
        Description = "auto | cpu | cuda | cuda:N (auto prefers CUDA when present)",
        DefaultValueFactory = _ => "auto",
        Recursive = true,
    };

    public static DeviceSpec DeviceOf(ParseResult parse) => DeviceSpec.Parse(parse.GetValue(Device) ?? "auto");
}
