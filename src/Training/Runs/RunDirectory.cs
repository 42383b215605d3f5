using System.Security.Cryptography;
using System.Text;
using DaFormer.Model;

namespace DaFormer.Training.Runs;

/// Naming and locating run directories: `work_dirs/<yyMMdd_HHmm>_<run name>_<short hash>/`, where the
/// hash is taken over the resolved config JSON, so the same config always has the same suffix.
public static class RunDirectory
{
    public const string LatestCheckpoint = "latest.pth";

    public static string ShortHash(string configJson) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(configJson)))[..5].ToLowerInvariant();

    public static string Name(DateTime startedUtc, string runName, string configJson) =>
        $"{startedUtc:yyMMdd_HHmm}_{runName}_{ShortHash(configJson)}";

    /// The newest run directory under `root` for this run name and config that has a checkpoint, if any.
    public static string? FindResumable(string root, string runName, string configJson)
    {
        if (!Directory.Exists(root)) return null;
        var suffix = $"_{runName}_{ShortHash(configJson)}";
        return Directory.GetDirectories(root)
            .Where(d => Path.GetFileName(d).EndsWith(suffix, StringComparison.Ordinal) && File.Exists(Path.Combine(d, LatestCheckpoint)))
            .OrderByDescending(d => Path.GetFileName(d), StringComparer.Ordinal)
            .FirstOrDefault();
    }

    /// Checks a directory given with `--resume DIR`.
    public static string RequireResumable(string dir)
    {
        if (!Directory.Exists(dir)) throw new DaFormerError($"--resume {dir}: no such run directory.");
        if (!File.Exists(Path.Combine(dir, LatestCheckpoint)))
            throw new DaFormerError($"--resume {dir}: the run directory has no {LatestCheckpoint} yet (it was stopped before its first checkpoint); start it again without --resume.");
        return dir;
    }
}
