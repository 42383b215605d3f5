using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DaFormer.Model;

namespace DaFormer.Training.Bench;

/// What the original's process reports about itself when it is ready.
public sealed record OriginalRuntime(string Torch, string Blas, string Allocator, int Threads, string OmpWaitPolicy);

/// The original DAFormer network in PyTorch (bench/original/bench_original.py) as a child process that
/// times one training step or one inference per request, so `daformer bench original` can alternate
/// it with ours. Both processes stay resident; only one computes at a time.
public sealed class OriginalProcess : IDisposable
{
    readonly Process process;
    readonly StringBuilder stderr;

    /// Versions, BLAS kernel family and allocator of the original's process.
    public OriginalRuntime Runtime { get; }

    OriginalProcess(Process process, OriginalRuntime runtime, StringBuilder stderr) =>
        (this.process, Runtime, this.stderr) = (process, runtime, stderr);

    /// Starts `python script --serve …` and waits for its ready line. `preload` is a malloc library
    /// for LD_PRELOAD (null: the original's default, glibc malloc); `env` sets (or, with a null value,
    /// unsets) variables for the original's process only.
    public static OriginalProcess Start(string python, string script, string arch, int crop, int batch, (int W, int H) infer,
                                        int threads, string? preload, IReadOnlyList<(string Name, string? Value)> env)
    {
        var info = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        foreach (var a in new[] { script, "--serve", "--arch", arch, "--crop", $"{crop}", "--batch", $"{batch}",
                                  "--infer", $"{infer.W}x{infer.H}", "--threads", $"{threads}" })
            info.ArgumentList.Add(a);
        // The original runs on its own allocator unless asked otherwise: never inherit ours by accident.
        info.Environment.Remove("LD_PRELOAD");
        if (preload is not null) info.Environment["LD_PRELOAD"] = preload;
        Apply(info, env);
        var process = Process.Start(info) ?? throw new DaFormerError($"Could not start {python} {script}.");
        var err = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (err) err.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        var ready = ReadReply(process, err, "start");
        var runtime = new OriginalRuntime(ready.GetProperty("torch").GetString()!, ready.GetProperty("blas").GetString()!,
                                          ready.GetProperty("allocator").GetString()!, ready.GetProperty("threads").GetInt32(),
                                          ready.TryGetProperty("omp_wait_policy", out var w) ? w.GetString()! : "default");
        return new OriginalProcess(process, runtime, err);
    }

    /// Sets each (name, value) in the child's environment; a null value removes the variable.
    public static void Apply(ProcessStartInfo info, IEnumerable<(string Name, string? Value)> env)
    {
        foreach (var (name, value) in env)
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
    }

    /// Milliseconds of one "train" (forward, loss, backward, AdamW) or "infer" (whole-image inference).
    public double Time(string what) => Ask(what).GetProperty(what).GetDouble();

    /// The original process's peak resident set (ru_maxrss) in MiB.
    public double PeakRssMb() => Ask("rss").GetProperty("peak_rss_mb").GetDouble();

    JsonElement Ask(string command)
    {
        process.StandardInput.WriteLine(command);
        process.StandardInput.Flush();
        return ReadReply(process, stderr, command);
    }

    static JsonElement ReadReply(Process process, StringBuilder err, string command)
    {
        var line = process.StandardOutput.ReadLine();
        if (line is null)
        {
            // After the exit, the parameterless WaitForExit also waits until stderr is read to its end.
            if (process.WaitForExit(5000)) process.WaitForExit();
            string text;
            lock (err) text = err.ToString();
            var tail = string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(12));
            throw new DaFormerError($"The original's benchmark process ended during '{command}' (exit code "
                                    + $"{(process.HasExited ? process.ExitCode : -1)}). Its last output:\n{tail}");
        }
        try { return JsonDocument.Parse(line).RootElement.Clone(); }
        catch (JsonException) { throw new DaFormerError($"The original's benchmark process answered '{command}' with '{line}', not one JSON line."); }
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.StandardInput.WriteLine("quit");
                process.StandardInput.Flush();
                if (!process.WaitForExit(10_000)) process.Kill(entireProcessTree: true);
            }
        }
        catch (IOException) { }
        process.Dispose();
    }
}
