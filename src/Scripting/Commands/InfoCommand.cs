using System.CommandLine;
using DaFormer.Model.Runtime;
using TorchSharp;

namespace DaFormer.Cli.Commands;

/// `daformer info`: versions, threads and the device `--device` resolves to — the first thing to run
/// when something does not load.
public static class InfoCommand
{
    public static Command Build()
    {
        var cmd = new Command("info", "Show libtorch version, threads and the device --device resolves to.");
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var device = TorchRuntime.Resolve(CommonOptions.DeviceOf(parse));
            Console.WriteLine($"TorchSharp   {typeof(torch).Assembly.GetName().Version}");
            Console.WriteLine($"libtorch     {torch.__version__}");
            Console.WriteLine($"threads      {torch.get_num_threads()}");
            Console.WriteLine($"cuda         {(torch.cuda.is_available() ? $"{torch.cuda.device_count()} device(s)" : "not available")}");
            Console.WriteLine($"device       {device}");
            Console.WriteLine($"allocator    {ProcessMemory.Allocator()}");
            return 0;
        }));
        return cmd;
    }
}
