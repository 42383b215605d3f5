using System.Diagnostics;
using DaFormer.Model.Checkpoints;
using DaFormer.Tests.Support;
using DaFormer.Training.Runs;

namespace DaFormer.Tests.Training.Runs;

/// A `daformer run` process killed with SIGKILL mid-run loses at most the iterations since its last
/// checkpoint, and `--resume` finishes the run with every iteration logged exactly once.
[Collection(SerialCollection.Name)]
public class KillResumeTests
{
    const int MaxIters = 40, CheckpointEvery = 5;

    /// `daformer run SCRIPT --work-dir DIR [--resume]` as a child process (output discarded).
    internal static Process Start(string script, string workDir, bool resume)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "daformer.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "run", script, "--work-dir", workDir }.Concat(resume ? ["--resume"] : Array.Empty<string>()))
            psi.ArgumentList.Add(a);
        psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        psi.Environment["CI"] = "1";
        psi.Environment["DAFORMER_SCRIPT_CACHE"] = "off";
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    [Fact]
    public void Kill_9_loses_at_most_the_iterations_since_the_last_checkpoint_and_resume_completes()
    {
        var script = TinyRun.WriteScript(MaxIters, CheckpointEvery);
        var work = Paths.NewTempDir("dfkillwork");
        string? runDir = null;
        using (var first = Start(script, work, resume: false))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (DateTime.UtcNow < deadline && !first.HasExited)
            {
                runDir = Directory.GetDirectories(work).FirstOrDefault();
                var ck = runDir is null ? null : Path.Combine(runDir, "iter_10.pth");
                if (ck is not null && File.Exists(ck)) break;
                Thread.Sleep(50);
            }
            Assert.False(first.HasExited, "the run ended before it could be killed");
            first.Kill(entireProcessTree: true); // SIGKILL: no chance to write anything more
            first.WaitForExit();
        }
        Assert.NotNull(runDir);
        long saved;
        using (var c = CheckpointReader.Read(Path.Combine(runDir!, RunDirectory.LatestCheckpoint)))
            saved = c.Iteration!.Value;
        var loggedBeforeKill = TinyRun.Losses(runDir!).Keys.Max();
        Assert.True(saved >= 10 && saved % CheckpointEvery == 0, $"checkpoint at {saved}");
        Assert.InRange(loggedBeforeKill - saved, 0, CheckpointEvery);

        using (var second = Start(script, work, resume: true))
        {
            Assert.True(second.WaitForExit(TimeSpan.FromMinutes(3)), "the resumed run did not finish");
            Assert.Equal(0, second.ExitCode);
        }
        var iterations = JsonlLog.Read(Path.Combine(runDir!, "log.jsonl"))
            .Where(r => r.GetProperty("mode").GetString() == "train").Select(r => r.GetProperty("iter").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, MaxIters).Select(i => (long)i), iterations);
        Assert.Single(Directory.GetDirectories(work));
    }
}
