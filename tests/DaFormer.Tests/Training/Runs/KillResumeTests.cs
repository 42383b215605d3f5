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

    /// DAFormer + MIC: a run killed with SIGKILL and resumed logs, from the checkpoint on, exactly the
    /// numbers of the same config trained without interruption (masked losses included), because every
    /// random draw — mask grids and the masked branch's augmentation too — comes from (seed, iteration).
    [Fact]
    public void A_killed_MIC_run_resumes_with_exactly_the_losses_of_an_uninterrupted_run()
    {
        const int iters = 12, every = 3;
        var script = TinyRun.WriteScript(iters, every, mic: true);
        var work = Paths.NewTempDir("dfkillmic");
        string? runDir = null;
        using (var first = Start(script, work, resume: false))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (DateTime.UtcNow < deadline && !first.HasExited)
            {
                runDir = Directory.GetDirectories(work).FirstOrDefault();
                if (runDir is not null && File.Exists(Path.Combine(runDir, "iter_6.pth"))) break;
                Thread.Sleep(20);
            }
            Assert.False(first.HasExited, "the run ended before it could be killed");
            first.Kill(entireProcessTree: true);
            first.WaitForExit();
        }
        long saved;
        using (var c = CheckpointReader.Read(Path.Combine(runDir!, RunDirectory.LatestCheckpoint)))
            saved = c.Iteration!.Value;
        Assert.True(saved >= 6 && saved < iters, $"checkpoint at {saved}");
        using (var second = Start(script, work, resume: true))
        {
            Assert.True(second.WaitForExit(TimeSpan.FromMinutes(3)), "the resumed run did not finish");
            Assert.Equal(0, second.ExitCode);
        }

        // The same config, uninterrupted, in this process.
        var config = DaFormer.Training.Config.ConfigJson.Deserialize(File.ReadAllText(Path.Combine(runDir!, "config.json")));
        Assert.NotNull(config.Uda.Mic);
        var straight = Trainer.Run(config, TinyRun.Request(Paths.NewTempDir("dfmicstraight")));
        Assert.Equal(RunStatus.Completed, straight.Status);

        var expected = TinyRun.LossTerms(straight.RunDir);
        var resumed = TinyRun.LossTerms(runDir!);
        // Records are 1-based (iterations completed); the resumed process logged saved + 1 … iters.
        Assert.Equal(Enumerable.Range(1, iters).Select(i => (long)i), resumed.Keys.Order());
        for (var i = saved + 1; i <= iters; i++)
        {
            Assert.Contains("masked.decode.loss_seg", resumed[i].Keys);
            Assert.Equal(expected[i], resumed[i]);
        }
    }
}
