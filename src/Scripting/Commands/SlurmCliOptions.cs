using System.CommandLine;
using DaFormer.Model;

namespace DaFormer.Cli.Commands;

/// The `--slurm-*` options of `daformer run --emit-slurm`: the resources every task of the array asks for.
sealed class SlurmCliOptions
{
    static readonly SlurmOptions Defaults = new();

    readonly Option<string?> partition = new("--slurm-partition") { Description = "Slurm partition of every task (default: the cluster's default)", HelpName = "NAME" };
    readonly Option<int?> gpus = new("--slurm-gpus") { Description = $"GPUs per task (default {Defaults.Gpus}); > 0 also selects the CUDA build and --device cuda, 0 runs on CPU", HelpName = "N" };
    readonly Option<string?> time = new("--slurm-time") { Description = $"Wall-time limit per task (default {Defaults.Time})", HelpName = "[D-]HH:MM:SS" };
    readonly Option<int?> maxParallel = new("--slurm-max-parallel") { Description = "At most K tasks of the array at once (--array=0-N%K)", HelpName = "K" };
    readonly Option<int?> cpus = new("--slurm-cpus") { Description = $"CPU cores per task (default {Defaults.CpusPerTask})", HelpName = "N" };
    readonly Option<string?> memory = new("--slurm-mem") { Description = $"Memory per task (default {Defaults.Memory})", HelpName = "SIZE" };
    readonly Option<string?> logDir = new("--slurm-log-dir") { Description = $"Folder of the per-task logs (default {Defaults.LogDir}/ in the current directory)", HelpName = "DIR" };

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { partition, gpus, time, maxParallel, cpus, memory, logDir }) cmd.Options.Add(o);
    }

    /// The options as given, checked; a bad value names the option and what it expects.
    public SlurmOptions Read(ParseResult parse)
    {
        var o = Defaults with
        {
            Partition = parse.GetValue(partition),
            Gpus = parse.GetValue(gpus) ?? Defaults.Gpus,
            Time = parse.GetValue(time) ?? Defaults.Time,
            MaxParallel = parse.GetValue(maxParallel),
            CpusPerTask = parse.GetValue(cpus) ?? Defaults.CpusPerTask,
            Memory = parse.GetValue(memory) ?? Defaults.Memory,
            LogDir = parse.GetValue(logDir) ?? Defaults.LogDir,
        };
        if (o.Gpus < 0) throw new DaFormerError($"--slurm-gpus {o.Gpus}: expected 0 (CPU) or a positive number of GPUs per task.");
        if (o.CpusPerTask < 1) throw new DaFormerError($"--slurm-cpus {o.CpusPerTask}: expected at least 1 core per task.");
        if (o.MaxParallel is < 1) throw new DaFormerError($"--slurm-max-parallel {o.MaxParallel}: expected at least 1 task at a time.");
        if (!System.Text.RegularExpressions.Regex.IsMatch(o.Time, @"^(\d+-)?\d{1,3}(:\d{2}){0,2}$"))
            throw new DaFormerError($"--slurm-time {o.Time}: expected a Slurm time such as 24:00:00, 90:00 or 2-00:00:00.");
        if (!System.Text.RegularExpressions.Regex.IsMatch(o.Memory, @"^\d+[KMGT]?$"))
            throw new DaFormerError($"--slurm-mem {o.Memory}: expected a size such as 32G or 4000M.");
        if (o.Partition is { } p && !System.Text.RegularExpressions.Regex.IsMatch(p, @"^[A-Za-z0-9_.,-]+$"))
            throw new DaFormerError($"--slurm-partition {p}: expected a partition name (letters, digits, _ . , -).");
        return o;
    }
}
