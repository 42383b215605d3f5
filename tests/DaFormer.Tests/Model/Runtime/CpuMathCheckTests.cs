using System.Diagnostics;
using DaFormer.Model.Runtime;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Model.Runtime;

/// The float32 kernels libtorch picks on this CPU agree with float64 (`daformer info --check-numerics`),
/// also with the launcher's MKL library preloaded (build/native/mkl_intel_cpu.c: on AMD CPUs with
/// AVX-512 it lets MKL use its AVX-512 GEMM kernels; elsewhere it changes nothing).
public class CpuMathCheckTests
{
    [Fact]
    public void Float32_gemms_and_convolutions_of_our_networks_agree_with_float64_on_this_cpu()
    {
        var results = CpuMathCheck.Run();
        Assert.Equal(9, results.Select(r => r.Operation).Distinct().Count());
        foreach (var r in results)
        {
            Assert.True(r.Passed, $"{r.Operation}: relL2 {r.RelL2:E2}");
            Assert.True(r.RelL2 > 0, $"{r.Operation}: float32 equal to float64 bit for bit means the comparison did not run in float32");
        }
    }

    [Fact]
    public void With_the_mkl_library_preloaded_the_check_passes_and_info_names_the_library()
    {
        var dir = Paths.NewTempDir("dfmkl");
        var lib = Path.Combine(dir, MklCpuShim.LibraryName);
        var source = Path.Combine(Paths.RepoRoot, "build", "native", "mkl_intel_cpu.c");
        var (ccExit, ccOut) = Run("cc", ["-shared", "-fPIC", "-O2", "-o", lib, source], null);
        Assert.True(ccExit == 0, "the launcher builds this library with the system C compiler: " + ccOut);

        var dll = Path.Combine(AppContext.BaseDirectory, "daformer.dll");
        var (exit, output) = Run("dotnet", [dll, "info", "--check-numerics"], lib);
        Assert.True(exit == 0, output);
        Assert.Contains($"kernels chosen by CPU features, vendor check answered by {MklCpuShim.LibraryName}", output);
        Assert.Contains("all 9 within 1e-5", output);
        Assert.DoesNotContain("FAIL", output);
    }

    static (int Exit, string Output) Run(string file, string[] args, string? preload)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (preload is not null) psi.Environment["LD_PRELOAD"] = preload;
        psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3))) { p.Kill(entireProcessTree: true); return (-1, "timed out"); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
