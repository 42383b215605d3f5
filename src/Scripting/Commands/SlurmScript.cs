using System.Globalization;
using System.Text;

namespace DaFormer.Cli.Commands;

/// <summary>Cluster resources of an emitted job array (the `--slurm-*` options of `daformer run`).</summary>
/// <param name="Partition">`#SBATCH --partition`; null = the cluster's default partition.</param>
/// <param name="Gpus">GPUs per task; &gt; 0 also makes the task use the CUDA build and `--device cuda`.</param>
/// <param name="Time">Wall-time limit per task (`HH:MM:SS` or `D-HH:MM:SS`).</param>
/// <param name="MaxParallel">At most this many tasks of the array at once (`--array=0-N%K`); null = no limit.</param>
/// <param name="CpusPerTask">CPU cores per task (the data loader's workers plus the main thread).</param>
/// <param name="Memory">Memory per task (`32G`, `4000M`).</param>
/// <param name="LogDir">Folder of the per-task logs (`&lt;job&gt;_&lt;array job id&gt;_&lt;task&gt;.out`), created when the script is written.</param>
public sealed record SlurmOptions(
    string? Partition = null,
    int Gpus = 1,
    string Time = "24:00:00",
    int? MaxParallel = null,
    int CpusPerTask = 5,
    string Memory = "32G",
    string LogDir = "slurm-logs");

/// <summary>
/// What one emitted job array runs: task k trains config k of the script (`--only k`) with the same
/// overrides. All paths are absolute, so `sbatch FILE` works from any directory.
/// </summary>
/// <param name="Launcher">The repository's `daformer` launcher (absolute) or `daformer` on PATH.</param>
/// <param name="ScriptPath">The experiment script (absolute).</param>
/// <param name="WorkingDirectory">Where relative data / work-dir paths of the configs resolve: the directory `--emit-slurm` ran in.</param>
/// <param name="RunNames">Run name of each task, in `--only` order.</param>
/// <param name="WorkDirs">Work-dir root of each task (for finding a checkpoint to resume after a requeue).</param>
/// <param name="PassThroughArgs">`--set`, `--seed`, `--work-dir`, `--device` as given on the command line.</param>
/// <param name="JobName">Slurm job name.</param>
public sealed record SlurmJob(
    string Launcher,
    string ScriptPath,
    string WorkingDirectory,
    IReadOnlyList<string> RunNames,
    IReadOnlyList<string> WorkDirs,
    IReadOnlyList<string> PassThroughArgs,
    string JobName);

/// A Slurm job-array script in which task k runs `daformer run SCRIPT --only k` with the same
/// overrides, so every config of a sweep trains as its own job (pure; the command writes it).
/// A preempted task that Slurm requeues (`--requeue`, SLURM_RESTART_COUNT &gt; 0) continues from its
/// last checkpoint with `--resume`; requeued attempts append to the same per-task log.
public static class SlurmScript
{
    public static string Render(SlurmJob job, SlurmOptions options)
    {
        var n = job.RunNames.Count;
        var logDir = Path.IsPathRooted(options.LogDir) ? options.LogDir : Path.Combine(job.WorkingDirectory, options.LogDir);
        var sb = new StringBuilder();
        sb.Append("#!/bin/bash\n");
        sb.Append($"#SBATCH --job-name={job.JobName}\n");
        sb.Append($"#SBATCH --array=0-{n - 1}{(options.MaxParallel is { } k ? "%" + k.ToString(CultureInfo.InvariantCulture) : "")}\n");
        if (options.Partition is { } partition) sb.Append($"#SBATCH --partition={partition}\n");
        if (options.Gpus > 0) sb.Append($"#SBATCH --gres=gpu:{options.Gpus}\n");
        sb.Append($"#SBATCH --cpus-per-task={options.CpusPerTask}\n");
        sb.Append($"#SBATCH --mem={options.Memory}\n");
        sb.Append($"#SBATCH --time={options.Time}\n");
        // #SBATCH lines are not shell: no quoting, no variables — hence absolute paths without spaces.
        sb.Append($"#SBATCH --chdir={job.WorkingDirectory}\n");
        sb.Append($"#SBATCH --output={logDir}/%x_%A_%a.out\n");
        sb.Append("#SBATCH --open-mode=append\n");
        sb.Append("#SBATCH --requeue\n");
        sb.Append("# Written by `daformer run --emit-slurm`. Submit from any directory: sbatch THIS_FILE\n");
        sb.Append("# (one log per task in the --output folder above). Task → run:\n");
        for (var i = 0; i < n; i++) sb.Append($"#   {i}: {job.RunNames[i]}\n");
        sb.Append("set -euo pipefail\n");
        sb.Append($"cd {Quote(job.WorkingDirectory)}\n");
        sb.Append($"launcher={Quote(job.Launcher)}\n");
        sb.Append($"script={Quote(job.ScriptPath)}\n");
        sb.Append($"names=({string.Join(" ", job.RunNames.Select(Quote))})\n");
        sb.Append($"work_dirs=({string.Join(" ", job.WorkDirs.Select(Quote))})\n");
        sb.Append("task=\"${SLURM_ARRAY_TASK_ID:?submit this file with sbatch (or set SLURM_ARRAY_TASK_ID to a task index)}\"\n");
        var args = new List<string>(job.PassThroughArgs);
        if (options.Gpus > 0)
        {
            sb.Append("# A GPU node: the launcher builds against CUDA libtorch, and the run uses the GPU.\n");
            sb.Append("export DAFORMER_TORCH=cuda\n");
            if (!args.Contains("--device")) args.AddRange(["--device", "cuda"]);
        }
        sb.Append("# Preempted and requeued by Slurm: continue from the task's last checkpoint when there is one.\n");
        sb.Append("resume=()\n");
        sb.Append("if [ \"${SLURM_RESTART_COUNT:-0}\" -gt 0 ] && compgen -G \"${work_dirs[$task]}/*_${names[$task]}_?????/latest.pth\" >/dev/null; then\n");
        sb.Append("  echo \"requeued (restart ${SLURM_RESTART_COUNT}): resuming ${names[$task]} from its last checkpoint\"\n");
        sb.Append("  resume=(--resume)\n");
        sb.Append("fi\n");
        sb.Append("echo \"task $task: ${names[$task]} on $(hostname) at $(date -u +%Y-%m-%dT%H:%M:%SZ)\"\n");
        sb.Append("# Tasks that start together on a fresh checkout would each build the tool: build once, under a lock.\n");
        sb.Append("if [ -x \"$launcher\" ] && command -v flock >/dev/null; then flock \"$(dirname \"$launcher\")/.daformer-build.lock\" \"$launcher\" --help >/dev/null; fi\n");
        var cmd = string.Join(" ", new[] { "run", "\"$script\"", "--only", "\"$SLURM_ARRAY_TASK_ID\"" }.Concat(args.Select(Quote)));
        sb.Append($"exec \"$launcher\" {cmd} ${{resume[@]+\"${{resume[@]}}\"}}\n");
        return sb.ToString();
    }

    /// POSIX shell single-quoting when needed.
    public static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}
