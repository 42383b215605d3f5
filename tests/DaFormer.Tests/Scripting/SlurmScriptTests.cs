using System.Diagnostics;
using DaFormer.Cli.Commands;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Scripting;

/// <summary>
/// The job array `daformer run --emit-slurm` writes: its #SBATCH options, and — run by bash with a fake
/// launcher, as Slurm would run one task — which command a task executes, fresh and after a requeue.
/// (tests/cluster/slurm-smoke.sh runs it on a real Slurm cluster.)
/// </summary>
public class SlurmScriptTests
{
    static SlurmJob Job(string workingDir, string launcher = "/opt/daformer/daformer", params string[] passThrough) => new(
        Launcher: launcher,
        ScriptPath: "/opt/daformer/experiments/ablation_rcs.csx",
        WorkingDirectory: workingDir,
        RunNames: ["run_a_s0", "run_b_s0", "run_c_s0"],
        WorkDirs: ["work_dirs", "work_dirs", "/scratch/runs"],
        PassThroughArgs: passThrough,
        JobName: "ablation_rcs");

    static IReadOnlyList<string> Lines(string script) => script.Split('\n');

    [Fact]
    public void Gpu_tasks_ask_for_the_partition_gpus_time_and_throttle_given()
    {
        var text = SlurmScript.Render(Job("/home/me/daformer"), new SlurmOptions(Partition: "gpu-long", Gpus: 2, Time: "2-00:00:00", MaxParallel: 4, CpusPerTask: 8, Memory: "48G", LogDir: "/home/me/logs"));
        var lines = Lines(text);
        Assert.Contains("#SBATCH --array=0-2%4", lines);
        Assert.Contains("#SBATCH --partition=gpu-long", lines);
        Assert.Contains("#SBATCH --gres=gpu:2", lines);
        Assert.Contains("#SBATCH --time=2-00:00:00", lines);
        Assert.Contains("#SBATCH --cpus-per-task=8", lines);
        Assert.Contains("#SBATCH --mem=48G", lines);
        // Works from any directory: the runs' relative paths resolve where --emit-slurm ran.
        Assert.Contains("#SBATCH --chdir=/home/me/daformer", lines);
        // One log per task (%a), kept across a requeue.
        Assert.Contains("#SBATCH --output=/home/me/logs/%x_%A_%a.out", lines);
        Assert.Contains("#SBATCH --open-mode=append", lines);
        Assert.Contains("#SBATCH --requeue", lines);
        // What a GPU node needs: the CUDA build and the CUDA device.
        Assert.Contains("export DAFORMER_TORCH=cuda", lines);
        Assert.Contains(lines, l => l.StartsWith("exec \"$launcher\" run \"$script\" --only \"$SLURM_ARRAY_TASK_ID\" --device cuda", StringComparison.Ordinal));
        // Every #SBATCH line comes before the first command (sbatch stops reading them there).
        var firstCommand = lines.ToList().FindIndex(l => l.Length > 0 && !l.StartsWith('#'));
        Assert.True(lines.ToList().FindLastIndex(l => l.StartsWith("#SBATCH", StringComparison.Ordinal)) < firstCommand);
    }

    [Fact]
    public void Cpu_tasks_ask_for_no_gpu_and_keep_an_explicit_device()
    {
        var text = SlurmScript.Render(Job("/w", "/opt/daformer/daformer", "--device", "cpu"), new SlurmOptions(Gpus: 0));
        Assert.DoesNotContain("--gres", text);
        Assert.DoesNotContain("DAFORMER_TORCH", text);
        Assert.DoesNotContain("--partition", text);
        Assert.Contains("#SBATCH --array=0-2\n", text);
        Assert.Contains("--device cpu", text);
        Assert.DoesNotContain("--device cuda", text);
        Assert.Contains("#SBATCH --output=/w/slurm-logs/%x_%A_%a.out", text);
    }

    [Fact]
    public void The_emitted_script_is_valid_bash()
    {
        var file = Path.Combine(Paths.NewTempDir("dfslurm"), "sweep.sh");
        File.WriteAllText(file, SlurmScript.Render(Job("/w", "/opt/my daformer/daformer", "--set", "Data.Rcs=off", "--set", "Optimizer.Lr=1e-4"), new SlurmOptions()));
        var (code, _, err) = Bash(["-n", file], new Dictionary<string, string>());
        Assert.True(code == 0, err);
    }

    /// <summary>Runs task <paramref name="task"/> of an emitted script with a launcher that only records its arguments.</summary>
    static string RunTask(string dir, int task, int restartCount)
    {
        var launcher = Path.Combine(dir, "fake-daformer");
        var calls = Path.Combine(dir, "calls.txt");
        File.WriteAllText(launcher, $"#!/bin/bash\necho \"$*\" >> '{calls}'\n");
        File.SetUnixFileMode(launcher, (UnixFileMode)Convert.ToInt32("755", 8));
        var file = Path.Combine(dir, "sweep.sh");
        File.WriteAllText(file, SlurmScript.Render(Job(dir, launcher, "--seed", "3"), new SlurmOptions(Gpus: 0)));
        File.Delete(calls);
        var (code, output, err) = Bash([file], new Dictionary<string, string>
        {
            ["SLURM_ARRAY_TASK_ID"] = task.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SLURM_RESTART_COUNT"] = restartCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Assert.True(code == 0, output + err);
        return File.ReadAllLines(calls).Last();
    }

    [Fact]
    public void A_task_runs_its_config_and_resumes_only_when_requeued_with_a_checkpoint()
    {
        var dir = Paths.NewTempDir("dfslurmtask");
        Assert.Equal("run /opt/daformer/experiments/ablation_rcs.csx --only 1 --seed 3", RunTask(dir, task: 1, restartCount: 0));
        // Requeued before its first checkpoint: nothing to resume, start again.
        Assert.Equal("run /opt/daformer/experiments/ablation_rcs.csx --only 1 --seed 3", RunTask(dir, task: 1, restartCount: 1));
        // Requeued after a checkpoint of this task's run: continue it.
        var run = Path.Combine(dir, "work_dirs", "261201_0842_run_b_s0_b9fcf");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "latest.pth"), "");
        Assert.Equal("run /opt/daformer/experiments/ablation_rcs.csx --only 1 --seed 3 --resume", RunTask(dir, task: 1, restartCount: 1));
        // Another task's checkpoint does not make task 0 resume; a first start never resumes.
        Assert.Equal("run /opt/daformer/experiments/ablation_rcs.csx --only 0 --seed 3", RunTask(dir, task: 0, restartCount: 1));
        Assert.Equal("run /opt/daformer/experiments/ablation_rcs.csx --only 1 --seed 3", RunTask(dir, task: 1, restartCount: 0));
    }

    static (int Code, string Out, string Err) Bash(IEnumerable<string> args, IReadOnlyDictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var err = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000)) { p.Kill(true); throw new TimeoutException("bash did not finish in 30 s"); }
        return (p.ExitCode, output.Result, err.Result);
    }
}
