using System.Diagnostics;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Tests.Support;
using DaFormer.Training.Runs;

namespace DaFormer.Tests.Training.Runs;

/// Fault injection around run directories: concurrent owners, kill -9 in the middle of a checkpoint
/// write, a full disk, leftovers of dead writers, failed runs that wrote nothing.
[Collection(SerialCollection.Name)]
public class RunDirectoryFaultTests
{
    /// Records the run directory and lets a test act after a given iteration.
    sealed class Hook(Action<string, IterationStats> onIteration) : IRunObserver
    {
        public string? RunDir { get; private set; }
        public List<string> Messages { get; } = [];
        public void RunStarted(string runName, string runDir, long startIteration, long maxIterations) => RunDir = runDir;
        public void Iteration(IterationStats stats, TimeSpan? eta) => onIteration(RunDir!, stats);
        public void Message(string text) => Messages.Add(text);
        public void Evaluated(long iteration, double miouPercent, string table) { }
        public void RunFinished(string runDir, long iterations, double? finalMiouPercent) { }
    }

    static List<long> TrainIterations(string runDir) =>
        JsonlLog.Read(Path.Combine(runDir, "log.jsonl")).Where(r => r.GetProperty("mode").GetString() == "train")
            .Select(r => r.GetProperty("iter").GetInt64()).ToList();

    [Fact]
    public void A_second_run_started_on_the_same_work_dir_while_the_first_trains_gets_its_own_directory()
    {
        var work = Paths.NewTempDir("dfconc");
        var config = TinyRun.Config(iters: 1);
        RunOutcome? second = null;
        var first = Trainer.Run(config, TinyRun.Request(work, new Hook((_, s) =>
        {
            // While the first run owns its directory, the same config is started again on the same work dir.
            if (s.Iteration == 0) second = Trainer.Run(config, TinyRun.Request(work));
        })));
        Assert.Equal(RunStatus.Completed, first.Status);
        Assert.Equal(RunStatus.Completed, second!.Status);
        Assert.NotEqual(first.RunDir, second.RunDir);
        if (Path.GetFileName(first.RunDir)[..11] == Path.GetFileName(second.RunDir)[..11]) // same minute: same base name
            Assert.Equal(first.RunDir + "-2", second.RunDir);
        // Neither log is interleaved with the other: each holds its own iterations once.
        Assert.Equal([1L], TrainIterations(first.RunDir));
        Assert.Equal([1L], TrainIterations(second.RunDir));
    }

    [Fact]
    public void A_second_resume_of_a_run_directory_is_refused_naming_the_holder()
    {
        var work = Paths.NewTempDir("dfconc");
        var config = TinyRun.Config(iters: 2);
        using var cts = new CancellationTokenSource();
        var stopped = Trainer.Run(config, TinyRun.Request(work, new Hook((_, s) => { if (s.Iteration == 0) cts.Cancel(); }), cancel: cts.Token));
        Assert.Equal(RunStatus.Interrupted, stopped.Status);

        DaFormerError? refused = null;
        var resumed = Trainer.Run(config, TinyRun.Request(work, new Hook((dir, s) =>
        {
            if (s.Iteration == 1) refused = Assert.Throws<DaFormerError>(() => Trainer.Run(config, TinyRun.Request(work, resume: true, resumeDir: dir)));
        }), resume: true, resumeDir: stopped.RunDir));
        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.NotNull(refused);
        Assert.Contains(stopped.RunDir, refused!.Message);
        Assert.Contains($"pid {Environment.ProcessId} on host {Environment.MachineName}, started ", refused.Message);
        Assert.Equal([1L, 2L], TrainIterations(stopped.RunDir));
        // Once the holder is gone, the directory can be resumed again.
        Assert.Equal(RunStatus.Completed, Trainer.Run(config, TinyRun.Request(work, resume: true, resumeDir: stopped.RunDir)).Status);
    }

    [Fact]
    public void A_full_disk_while_writing_a_checkpoint_names_the_file_and_keeps_the_last_good_one()
    {
        var config = TinyRun.Config(iters: 4);
        config = config with { Runtime = config.Runtime with { CheckpointInterval = 2 } };
        var hook = new Hook((dir, s) =>
        {
            // After the checkpoint at 2: the next latest.pth goes to a "disk" that is full (/dev/full: ENOSPC on write).
            if (s.Iteration == 2) File.CreateSymbolicLink(CheckpointFiles.TemporaryName(Path.Combine(dir, RunDirectory.LatestCheckpoint)), "/dev/full");
        });
        var outcome = Trainer.Run(config, TinyRun.Request(Paths.NewTempDir("dffull"), hook));

        Assert.Equal(RunStatus.Failed, outcome.Status);
        var latest = Path.Combine(hook.RunDir!, RunDirectory.LatestCheckpoint);
        Assert.StartsWith($"could not write the checkpoint {latest}: ", outcome.Message);
        Assert.Contains("No space left on device", outcome.Message);
        Assert.Contains($"The last good checkpoint, {latest} (iteration 2), is intact", outcome.Message);
        Assert.DoesNotContain("\n", outcome.Message);
        using (var c = CheckpointReader.Read(latest)) Assert.Equal(2, c.Iteration);
        Assert.Empty(Directory.GetFiles(hook.RunDir!, ".*.tmp"));
        Assert.Equal(hook.RunDir, outcome.RunDir); // it holds a checkpoint and a log: kept
    }

    [Fact]
    public void A_run_that_fails_before_writing_anything_leaves_no_directory()
    {
        var work = Paths.NewTempDir("dfnothing");
        var config = TinyRun.Config(iters: 2);
        config = config with { Data = config.Data with { Source = config.Data.Source with { Root = Paths.NewTempDir("dfempty") } } };
        Assert.Throws<DaFormerError>(() => Trainer.Run(config, TinyRun.Request(work)));
        Assert.Empty(Directory.GetFileSystemEntries(work));
    }

    [Fact]
    public async Task Kill_9_during_an_interval_checkpoint_write_shows_no_file_under_its_final_name_and_the_next_owner_removes_the_leftover()
    {
        if (!OperatingSystem.IsLinux()) return; // named pipes below are a Unix facility
        var script = TinyRun.WriteScript(maxIters: 6, checkpointEvery: 4);
        var work = Paths.NewTempDir("dfkillwrite");
        using var child = KillResumeTests.Start(script, work, resume: false);
        // The child's iter_4.pth is copied through `.iter_4.pth.<pid>.tmp`: make that a pipe we read a
        // little of and then stop, so the writer is provably in the middle of the file when it is killed.
        string? runDir = null;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        // config.json is written once the child owns the directory (a foreign file in it before that would send the child elsewhere).
        while (((runDir = Directory.GetDirectories(work).FirstOrDefault()) is null || !File.Exists(Path.Combine(runDir, "config.json")))
               && DateTime.UtcNow < deadline && !child.HasExited) Thread.Sleep(20);
        Assert.NotNull(runDir);
        var finalName = Path.Combine(runDir!, "iter_4.pth");
        var pipe = Path.Combine(runDir!, $".iter_4.pth.{child.Id}.tmp");
        using (var mkfifo = Process.Start("mkfifo", [pipe])) mkfifo.WaitForExit();
        Assert.True(File.Exists(pipe), "mkfifo failed");

        // The reader is a shell that keeps the pipe open after reading 64 kB (no .NET FileStream: its
        // shared flock would collide with the writer's exclusive one).
        var psi = new ProcessStartInfo("bash", ["-c", "exec 3<\"$0\"; head -c 65536 <&3 >/dev/null && echo started; sleep 120", pipe])
            { RedirectStandardOutput = true, UseShellExecute = false };
        using var reader = Process.Start(psi)!;
        try
        {
            var line = await Task.Run(() => reader.StandardOutput.ReadLine()).WaitAsync(TimeSpan.FromMinutes(2)); // TimeoutException: nothing written
            Assert.True(line == "started", "the writer did not write into the pipe");
            Thread.Sleep(300); // the writer now waits for the pipe to drain, mid-file
            Assert.False(child.HasExited, "the run ended before it could be killed");
            child.Kill(entireProcessTree: true); // SIGKILL
            child.WaitForExit();
        }
        finally
        {
            reader.Kill();
            reader.WaitForExit();
        }

        Assert.False(File.Exists(finalName), "a partial iter_4.pth is visible under its final name");
        Assert.True(File.Exists(pipe));
        using (var c = CheckpointReader.Read(Path.Combine(runDir!, RunDirectory.LatestCheckpoint))) Assert.Equal(4, c.Iteration);

        var r = DaFormer.Tests.Scripting.CliHarness.Run("run", script, "--work-dir", work, "--resume");
        Assert.True(r.ExitCode == 0, r.All);
        Assert.False(File.Exists(pipe), "the dead writer's temporary file was not removed");
        Assert.Empty(Directory.GetFiles(runDir!, ".*.tmp"));
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], TrainIterations(runDir!));
        Assert.Single(Directory.GetDirectories(work));
    }
}
