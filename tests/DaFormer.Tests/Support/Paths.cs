namespace DaFormer.Tests.Support;

/// Locations the tests read: the repository root and the read-only reference material in ../shared
/// (golden fixtures from the original implementation; never regenerated or edited).
public static class Paths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Shared =>
        Environment.GetEnvironmentVariable("DAFORMER_SHARED") is { Length: > 0 } s ? s : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string Fixtures => Path.Combine(Shared, "fixtures");
    public static string ParityDir => Path.Combine(Fixtures, "parity_mitb0_daformer");
    public static string Experiments => Path.Combine(RepoRoot, "experiments");

    /// A fresh temporary directory (deleted by the OS eventually; tests should not rely on cleanup).
    public static string NewTempDir(string prefix = "dft")
    {
        var dir = Path.Combine(Path.GetTempPath(), $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, prefix.Length + 33)]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DaFormer.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("DaFormer.sln not found above " + AppContext.BaseDirectory);
    }
}
