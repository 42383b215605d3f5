namespace DaFormer.Model.Runtime;

/// Whether ./daformer preloaded build/native/mkl_intel_cpu.c (AMD CPUs with AVX-512), which lets
/// libtorch's statically linked MKL use its AVX-512 GEMM kernels instead of its generic path.
public static class MklCpuShim
{
    /// The file name the launcher gives the compiled library.
    public const string LibraryName = "libdaformer_mkl_intel_cpu.so";

    /// True when the library is mapped into this process (/proc/self/maps).
    public static bool IsLoaded() =>
        File.Exists("/proc/self/maps") && File.ReadLines("/proc/self/maps").Any(l => l.Contains(LibraryName, StringComparison.Ordinal));
}
