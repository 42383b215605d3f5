using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DaFormer.Model;

namespace DaFormer.Training.Runs;

/// Naming, claiming and locating run directories: `work_dirs/<yyMMdd_HHmm>_<run name>_<short hash>/`,
/// where the hash is taken over the resolved config JSON, so the same config always has the same
/// suffix. A second run that would get a directory already in use gets `…_<hash>-2`, `-3`, ….
public static partial class RunDirectory
{
    public const string LatestCheckpoint = "latest.pth";

    [GeneratedRegex(@"^\d{6}_\d{4}_(?<name>.+)_(?<hash>[0-9a-f]{5})(-(?<n>\d+))?$")]
    private static partial Regex DirName();

    public static string ShortHash(string configJson) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(configJson)))[..5].ToLowerInvariant();

    public static string Name(DateTime startedUtc, string runName, string configJson) =>
        $"{startedUtc:yyMMdd_HHmm}_{runName}_{ShortHash(configJson)}";

    /// The run name inside a run directory's folder name (`261127_0100_NAME_abcde[-2]` → NAME), or null.
    public static string? RunNameOf(string dir) =>
        DirName().Match(Path.GetFileName(Path.TrimEndingDirectorySeparator(dir))) is { Success: true } m ? m.Groups["name"].Value : null;

    /// A new directory for a run that starts now: the first of `baseName`, `baseName-2`, … that did
    /// not exist yet and whose lock this process got. Two runs started in the same minute with the
    /// same config therefore never share a directory (the lock decides a race between processes).
    public static (string Dir, RunLock Lock) ClaimNew(string root, string baseName)
    {
        for (var k = 1; k < 10_000; k++)
        {
            var dir = Path.Combine(root, k == 1 ? baseName : $"{baseName}-{k}");
            if (Directory.Exists(dir)) continue;
            try { Directory.CreateDirectory(dir); }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                throw new DaFormerError($"--work-dir {root}: cannot create the run directory {dir} ({e.Message}); choose a writable folder.");
            }
            if (RunLock.TryAcquire(dir) is not { } runLock) continue;
            // Lost a race against a run that created the same folder first and has already finished.
            if (Directory.EnumerateFileSystemEntries(dir).Any(f => !Path.GetFileName(f).StartsWith(RunLock.LockFile, StringComparison.Ordinal)))
            {
                runLock.Dispose();
                continue;
            }
            return (dir, runLock);
        }
        throw new DaFormerError($"--work-dir {root}: 10000 run directories named {baseName}-N exist; clean up the work dir.");
    }

    /// The newest run directory under `root` for this run name that has a checkpoint: one with
    /// exactly this config if there is one, else the newest of that name (its config is then
    /// compared field by field before resuming). Null when there is none.
    public static string? FindResumable(string root, string runName, string configJson)
    {
        if (!Directory.Exists(root)) return null;
        var hash = ShortHash(configJson);
        var candidates = Directory.GetDirectories(root)
            .Select(d => (Dir: d, Match: DirName().Match(Path.GetFileName(d))))
            .Where(x => x.Match.Success && x.Match.Groups["name"].Value == runName && File.Exists(Path.Combine(x.Dir, LatestCheckpoint)))
            .OrderByDescending(x => Path.GetFileName(x.Dir)[..11], StringComparer.Ordinal)
            .ThenByDescending(x => x.Match.Groups["n"].Success ? int.Parse(x.Match.Groups["n"].Value) : 1)
            .ToList();
        return (candidates.FirstOrDefault(x => x.Match.Groups["hash"].Value == hash).Dir ?? candidates.FirstOrDefault().Dir);
    }

    /// Checks a directory given with `--resume DIR`.
    public static string RequireResumable(string dir)
    {
        if (!Directory.Exists(dir)) throw new DaFormerError($"--resume {dir}: no such run directory.");
        if (!File.Exists(Path.Combine(dir, LatestCheckpoint)))
            throw new DaFormerError($"--resume {dir}: the run directory has no {LatestCheckpoint} yet (it was stopped before its first checkpoint); start it again without --resume.");
        return dir;
    }

    /// Removes the temporary files of writers that died mid-write (`.latest.pth.<pid>.tmp`, debug
    /// images). Called by the directory's new owner: while it holds the lock nobody else writes there.
    public static IReadOnlyList<string> RemoveStaleTemporaryFiles(string dir)
    {
        var removed = new List<string>();
        foreach (var folder in new[] { dir, Path.Combine(dir, "debug") }.Where(Directory.Exists))
            foreach (var f in Directory.GetFiles(folder, ".*.tmp"))
            {
                try { File.Delete(f); removed.Add(f); }
                catch (IOException) { }
            }
        return removed;
    }

    /// Deletes a run directory that a failed run created but wrote nothing of value to: no
    /// checkpoint and no logged record (only config.json, the script, the lock, empty event files).
    public static bool RemoveIfNothingWritten(string dir)
    {
        if (!Directory.Exists(dir)) return false;
        if (Directory.EnumerateFiles(dir, "*.pth").Any()) return false;
        var log = Path.Combine(dir, "log.jsonl");
        if (File.Exists(log) && new FileInfo(log).Length > 0) return false;
        try { Directory.Delete(dir, recursive: true); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}
