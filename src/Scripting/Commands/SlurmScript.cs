using System.Text;

namespace DaFormer.Cli.Commands;

/// A Slurm job-array script in which task k runs `daformer run SCRIPT --only k` with the same
/// overrides, so every config of a sweep trains as its own job (pure; the command writes it).
public static class SlurmScript
{
    public static string Render(string launcher, string scriptPath, IReadOnlyList<string> runNames, IReadOnlyList<string> passThroughArgs, string jobName)
    {
        var sb = new StringBuilder();
        sb.Append("#!/bin/bash\n");
        sb.Append($"#SBATCH --job-name={jobName}\n");
        sb.Append($"#SBATCH --array=0-{runNames.Count - 1}\n");
        sb.Append("#SBATCH --gres=gpu:1\n");
        sb.Append("#SBATCH --cpus-per-task=5\n");
        sb.Append("#SBATCH --mem=32G\n");
        sb.Append("#SBATCH --time=24:00:00\n");
        sb.Append("#SBATCH --output=%x_%A_%a.out\n");
        sb.Append("# Written by `daformer run --emit-slurm`; submit with `sbatch` from the repository root.\n");
        sb.Append("# Adjust the resources above to your cluster. Task → run:\n");
        for (var i = 0; i < runNames.Count; i++) sb.Append($"#   {i}: {runNames[i]}\n");
        sb.Append("set -euo pipefail\n");
        var args = string.Join(" ", new[] { "run", Quote(scriptPath), "--only", "\"$SLURM_ARRAY_TASK_ID\"" }.Concat(passThroughArgs.Select(Quote)));
        sb.Append($"exec {Quote(launcher)} {args}\n");
        return sb.ToString();
    }

    /// POSIX shell single-quoting when needed.
    public static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}
