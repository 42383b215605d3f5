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
        var cmd = new Command("info", "Show libtorch version, threads, allocator, MKL path and the device --device resolves to.");
        var check = new Option<bool>("--check-numerics")
        {
            Description = "Compare the float32 GEMMs and convolutions of our networks with float64 on this CPU (exit code 1 if one is off).",
        };
        cmd.Options.Add(check);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var device = TorchRuntime.Resolve(CommonOptions.DeviceOf(parse));
            Console.WriteLine($"TorchSharp   {typeof(torch).Assembly.GetName().Version}");
            Console.WriteLine($"libtorch     {torch.__version__}");
            Console.WriteLine($"threads      {torch.get_num_threads()}");
            Console.WriteLine($"cuda         {(torch.cuda.is_available() ? $"{torch.cuda.device_count()} device(s)" : "not available")}");
            Console.WriteLine($"device       {device}");
            Console.WriteLine($"allocator    {ProcessMemory.Allocator()}");
            Console.WriteLine($"mkl          {(MklCpuShim.IsLoaded() ? "kernels chosen by CPU features, vendor check answered by " + MklCpuShim.LibraryName : "as libtorch ships it")}");
            if (device.type == TorchSharp.DeviceType.CPU) Console.WriteLine($"bf16         {CpuBf16Speed.Describe(CpuBf16Speed.Measured)}");
            if (!parse.GetValue(check)) return 0;
            Console.WriteLine();
            Console.WriteLine("float32 vs float64 on this CPU (relative L2 error):");
            var results = CpuMathCheck.Run();
            foreach (var r in results)
                Console.WriteLine($"  {(r.Passed ? "ok  " : "FAIL")}  {r.RelL2,8:0.0e+0}  {r.Operation}");
            var failed = results.Where(r => !r.Passed).ToList();
            if (failed.Count == 0)
            {
                Console.WriteLine($"all {results.Count} within {results[0].Tolerance:0e+0}");
                return 0;
            }
            Console.Error.WriteLine($"{failed.Count} of {results.Count} float32 operations differ from float64 by more than {failed[0].Tolerance:0e+0} on this CPU: "
                + "a math-library kernel computes wrong results here. Try DAFORMER_NO_MKL_SHIM=1 (when the mkl line above names the AMD library) "
                + "and report the CPU (lscpu) with this output.");
            return 1;
        }));
        return cmd;
    }
}
