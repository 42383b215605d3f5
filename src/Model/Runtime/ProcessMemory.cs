namespace DaFormer.Model.Runtime;

/// Resident-set figures of this process, read from /proc on Linux (the GC's view misses libtorch's
/// native allocations). Elsewhere they fall back to the working set the runtime reports.
public static class ProcessMemory
{
    /// Peak resident set size (VmHWM) in MiB.
    public static double PeakRssMb() => ReadStatusKb("VmHWM:") is { } kb ? kb / 1024.0 : Environment.WorkingSet / 1048576.0;

    /// Current resident set size (VmRSS) in MiB.
    public static double RssMb() => ReadStatusKb("VmRSS:") is { } kb ? kb / 1024.0 : Environment.WorkingSet / 1048576.0;

    /// Resets the peak (VmHWM) to the current RSS, so a benchmark measures its own phase (Linux ≥ 4.0).
    public static bool TryResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// The malloc libtorch's tensors come from: "tcmalloc", "jemalloc" or "mimalloc" when one is
    /// loaded (the launcher preloads tcmalloc when it is installed), "glibc" otherwise on Linux,
    /// "system" elsewhere. CPU step times depend on it (README, "Performance"), so benchmarks report it.
    public static string Allocator()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return "system";
        foreach (var line in File.ReadLines(maps))
            foreach (var name in KnownAllocators)
                if (line.Contains($"lib{name}", StringComparison.Ordinal)) return name;
        return "glibc";
    }

    /// The file of the malloc library <see cref="Allocator"/> found (for LD_PRELOAD into a child
    /// process that should run on the same allocator), or null with glibc / off Linux.
    public static string? AllocatorLibrary()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return null;
        foreach (var line in File.ReadLines(maps))
            foreach (var name in KnownAllocators)
                if (line.Contains($"lib{name}", StringComparison.Ordinal) && line.IndexOf('/') is >= 0 and var i) return line[i..].Trim();
        return null;
    }

    static readonly string[] KnownAllocators = ["tcmalloc", "jemalloc", "mimalloc"];

    static long? ReadStatusKb(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        foreach (var line in File.ReadLines(status))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0]);
        return null;
    }
}
