using System.Text.Json;
using DaFormer.Tests.Support;
using DaFormer.Tests.Training.Runs;
using DaFormer.Training.Runs;

namespace DaFormer.Tests.Scripting;

/// `daformer run --resume` from the command line: the device and work dir are not part of the
/// experiment, a changed config is refused (or recorded with --allow-changes), a held run directory
/// is refused naming its holder.
[Collection("Console")]
public class RunResumeTests
{
    [Fact]
    public void Run_on_cpu_then_resume_without_the_flag_continues_the_same_run_and_a_changed_set_is_refused_unless_allowed()
    {
        var script = TinyRun.WriteScript(maxIters: 2, checkpointEvery: 2);
        var work = Paths.NewTempDir("dfresume");
        var first = CliHarness.Run("run", script, "--work-dir", work, "--device", "cpu");
        Assert.True(first.ExitCode == 0, first.All);
        var runDir = Assert.Single(Directory.GetDirectories(work));

        var resumed = CliHarness.Run("run", script, "--work-dir", work, "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.All);
        Assert.Contains($"resumed from {Path.Combine(runDir, RunDirectory.LatestCheckpoint)} at iteration 2", resumed.Out);
        Assert.Single(Directory.GetDirectories(work));

        var changed = CliHarness.Run("run", script, "--work-dir", work, "--resume", "--set", "Optimizer.Lr=1e-3", "--set", "Data.Workers=2");
        Assert.Equal(1, changed.ExitCode);
        Assert.Contains($"--resume {runDir}: the config differs from the one the run was started with", changed.Err);
        Assert.Contains("Optimizer.Lr: 6E-05 → 0.001", changed.Err);
        Assert.Contains("Data.Workers: 1 → 2", changed.Err);
        Assert.Contains("--allow-changes", changed.Err);
        Assert.DoesNotContain("   at ", changed.All);
        Assert.False(File.Exists(Path.Combine(runDir, "config_changes.jsonl")));

        var allowed = CliHarness.Run("run", script, "--work-dir", work, "--resume", "--set", "Optimizer.Lr=1e-3", "--allow-changes");
        Assert.True(allowed.ExitCode == 0, allowed.All);
        var change = JsonDocument.Parse(File.ReadLines(Path.Combine(runDir, "config_changes.jsonl")).Single()).RootElement;
        Assert.Equal(2, change.GetProperty("iter").GetInt64());
        var field = Assert.Single(change.GetProperty("changes").EnumerateArray());
        Assert.Equal(("Optimizer.Lr", "6E-05", "0.001"), (field.GetProperty("path").GetString(), field.GetProperty("old").GetString(), field.GetProperty("new").GetString()));
        // config.json tells the truth afterwards, and the log says from when.
        Assert.Equal(1e-3, JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "config.json"))).RootElement.GetProperty("optimizer").GetProperty("lr").GetDouble());
        Assert.Contains(JsonlLog.Read(Path.Combine(runDir, "log.jsonl")), r => r.GetProperty("mode").GetString() == "config_change");
    }

    [Fact]
    public void Resuming_a_run_directory_another_run_holds_exits_non_zero_naming_the_holder()
    {
        var script = TinyRun.WriteScript(maxIters: 1, checkpointEvery: 1);
        var work = Paths.NewTempDir("dfheld");
        Assert.Equal(0, CliHarness.Run("run", script, "--work-dir", work).ExitCode);
        var runDir = Assert.Single(Directory.GetDirectories(work));

        using (RunLock.TryAcquire(runDir)) // another run owns it now
        {
            var r = CliHarness.Run("run", script, "--resume", runDir);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"--resume {runDir}: the run directory is in use by another run (pid {Environment.ProcessId} on host {Environment.MachineName}, started ", r.Err);
            Assert.DoesNotContain("   at ", r.All);
        }
    }
}
