using System.Runtime.InteropServices;
using TorchSharp;

namespace DaFormer.Model.Runtime;

/// Raised when libtorch cannot be loaded; the message carries the dynamic loader's own reason.
public sealed class TorchUnavailableException(string message) : DaFormerError(message);

/// The one place that touches TorchSharp's native back end first, so that a load failure is
/// reported with the real cause (a missing symbol version, a missing file) instead of TorchSharp's
/// generic "doesn't contain a reference to libtorch-cpu-linux-x64".
public static class TorchRuntime
{
    /// Loads libtorch and resolves the requested device. `auto` prefers CUDA when it is present.
    public static torch.Device Resolve(DeviceSpec spec)
    {
        EnsureLoaded();
        switch (spec.Type)
        {
            case DeviceSpec.Kind.Cpu:
                return torch.CPU;
            case DeviceSpec.Kind.Auto:
                return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
            default:
                if (!torch.cuda.is_available())
                    throw new TorchUnavailableException(
                        $"--device {spec}: CUDA is not available. This build uses the CPU libtorch package; " +
                        "rebuild with `-p:TorchDevice=cuda` (see README, 'CUDA') on a machine with an NVIDIA GPU, or use --device cpu.");
                var count = torch.cuda.device_count();
                if (spec.Index >= count)
                    throw new TorchUnavailableException($"--device {spec}: only {count} CUDA device(s) present (cuda:0 … cuda:{count - 1}).");
                return new torch.Device(DeviceType.CUDA, spec.Index);
        }
    }

    /// Forces the native back end to load, translating failures into a readable reason.
    public static void EnsureLoaded()
    {
        try
        {
            _ = torch.get_num_threads();
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
        {
            throw new TorchUnavailableException(Diagnose());
        }
    }

    /// Loads the native libraries by hand to obtain the loader's error text (dlerror).
    public static string Diagnose()
    {
        var baseDir = AppContext.BaseDirectory;
        var rid = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win-x64"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx-arm64" : "linux-x64";
        var candidates = new[] { Path.Combine(baseDir, "runtimes", rid, "native"), baseDir };
        var names = RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
            ? new[] { "c10.dll", "torch_cpu.dll", "LibTorchSharp.dll" }
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX)
                ? new[] { "libc10.dylib", "libtorch_cpu.dylib", "libLibTorchSharp.dylib" }
                : new[] { "libc10.so", "libtorch_cpu.so", "libLibTorchSharp.so" };
        foreach (var dir in candidates)
        {
            if (!File.Exists(Path.Combine(dir, names[^1]))) continue;
            foreach (var name in names)
            {
                var path = Path.Combine(dir, name);
                try { NativeLibrary.Load(path); }
                catch (Exception e)
                {
                    return $"libtorch could not be loaded: {path} failed: {e.Message.Trim()}\n" +
                           "If the message names a missing GLIBCXX version, the build-time fix (README, 'Native library') " +
                           "did not run: rebuild with `dotnet build` from the repository root.";
                }
            }
            return "libtorch's native libraries load by hand but TorchSharp still failed to initialise; " +
                   "check that the TorchSharp and libtorch package versions match (TorchSharp 0.107.0 ↔ libtorch 2.10.0).";
        }
        return $"libtorch native libraries were not found under {baseDir}runtimes/{rid}/native. " +
               "Build the project (`./daformer --help` builds on first use) so the libtorch package is copied next to the program.";
    }
}
