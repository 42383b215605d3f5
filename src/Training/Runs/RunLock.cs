using System.Globalization;
using DaFormer.Model;

namespace DaFormer.Training.Runs;

/// Ownership of one run directory: an exclusive lock on `RUN_DIR/.lock`, held open for the whole
/// run. The operating system releases it when the process ends in any way (kill -9 included), so
/// a lock never outlives its owner and no stale lock has to be cleaned up by hand. The holder's pid,
/// host and start time are written next to it (`.lock.owner`) so a refused run can name the holder.
public sealed class RunLock : IDisposable
{
    public const string LockFile = ".lock", OwnerFile = ".lock.owner";

    readonly FileStream _stream;

    public string RunDir { get; }

    RunLock(string runDir, FileStream stream)
    {
        RunDir = runDir;
        _stream = stream;
    }

    /// Takes the lock of `runDir`, or returns null when another live run (in this or another process) holds it.
    public static RunLock? TryAcquire(string runDir)
    {
        FileStream stream;
        try
        {
            // FileShare.None becomes an exclusive, non-blocking flock on Unix (a sharing lock on
            // Windows); it conflicts with every other open of the file, in this process too.
            stream = new FileStream(Path.Combine(runDir, LockFile), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(Path.Combine(runDir, LockFile)))
        {
            return null;
        }
        var owner = $"pid {Environment.ProcessId} on host {Environment.MachineName}, started {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC";
        var tmp = Path.Combine(runDir, $".{OwnerFile}.{Environment.ProcessId}.tmp");
        File.WriteAllText(tmp, owner);
        File.Move(tmp, Path.Combine(runDir, OwnerFile), overwrite: true);
        return new RunLock(runDir, stream);
    }

    /// Takes the lock of an existing run directory (for `--resume`), or refuses naming the holder.
    public static RunLock Acquire(string runDir) =>
        TryAcquire(runDir) ?? throw new DaFormerError(
            $"--resume {runDir}: the run directory is in use by another run ({Holder(runDir)}); only one run may write to a " +
            "run directory. Wait for that run to finish or stop it, then resume again.");

    /// Who holds the lock, as written by the holder ("pid 123 on host x, started … UTC").
    public static string Holder(string runDir)
    {
        try { return File.ReadAllText(Path.Combine(runDir, OwnerFile)).Trim(); }
        catch (IOException) { return "owner unknown"; }
    }

    public void Dispose()
    {
        try { File.Delete(Path.Combine(RunDir, OwnerFile)); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        _stream.Dispose();
    }
}
