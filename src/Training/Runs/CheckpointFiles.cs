namespace DaFormer.Training.Runs;

/// The file side of checkpointing: every checkpoint appears under its final name only complete
/// (written to `.NAME.<pid>.tmp`, flushed to disk, renamed), and a failed write is reported as one
/// paragraph naming the file and the last good checkpoint.
public static class CheckpointFiles
{
    /// The temporary name a checkpoint is written under before the rename (the pid tells the next
    /// owner of the run directory whose leftover it is; see RunDirectory.RemoveStaleTemporaryFiles).
    public static string TemporaryName(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");

    /// Copies a complete checkpoint to `destination` atomically: copy to the temporary name, fsync,
    /// rename. A crash at any moment leaves either no `destination` or the whole file.
    public static void CopyAtomic(string source, string destination)
    {
        var tmp = TemporaryName(destination);
        try
        {
            using (var from = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read))
            using (var to = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                from.CopyTo(to, 1 << 20);
                to.Flush(flushToDisk: true);
            }
            File.Move(tmp, destination, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) TryDelete(tmp);
        }
    }

    /// Whether an exception from writing a file is the file system refusing (full disk, read-only
    /// folder, quota), as opposed to a bug: these end the run with <see cref="WriteFailure"/>.
    public static bool IsWriteFailure(Exception e) =>
        e is IOException or UnauthorizedAccessException || e.InnerException is { } inner && IsWriteFailure(inner);

    /// "could not write …/iter_20.pth (No space left on device); the last good checkpoint … is intact …".
    public static string WriteFailure(string path, Exception e, string runDir, (long Iteration, string Path)? lastGood)
    {
        var reason = Innermost(e).Message.Split('\n')[0].Trim();
        var kept = lastGood is { } g
            ? $"The last good checkpoint, {g.Path} (iteration {g.Iteration}), is intact; after freeing space (or making {runDir} writable) continue with --resume {runDir}."
            : "No checkpoint of this run had been written yet; free space (or make the folder writable) and start the run again.";
        return $"could not write the checkpoint {path}: {reason}. The run stops here. {kept}";
    }

    static Exception Innermost(Exception e) => e.InnerException is { } inner && IsWriteFailure(inner) ? Innermost(inner) : e;

    static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
