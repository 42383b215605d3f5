using System.CommandLine;
using System.Globalization;
using DaFormer.Cli.ConsoleUi;
using DaFormer.Model;
using DaFormer.Model.Runtime;
using DaFormer.Training.Config;
using DaFormer.Training.Runs;

namespace DaFormer.Cli.Commands;

/// `daformer run SCRIPT`: evaluate an experiment script, validate every selected config, then train
/// them in order (a failed run does not stop the others) and print a summary table.
public static class RunCommand
{
    public static Command Build()
    {
        var cmd = new Command("run", "Run an experiment script (*.csx): validate all its configs, then train them in order.");
        var exp = new ExperimentOptions();
        exp.AddTo(cmd);
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate (including data roots) and show what would run; train nothing" };
        var list = new Option<bool>("--list") { Description = "List the configs' indices and run names; train nothing" };
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue from the last checkpoint: of RUN_DIR, or of the newest run with the same name below the work dir",
            Arity = ArgumentArity.ZeroOrOne,
            HelpName = "RUN_DIR",
        };
        var allowChanges = new Option<bool>("--allow-changes")
        {
            Description = "With --resume: continue even though the config differs from the run's config.json (the change is recorded in the run directory)",
        };
        var emitSlurm = new Option<string?>("--emit-slurm") { Description = "Write a Slurm job-array script (task k runs --only k) to FILE; train nothing", HelpName = "FILE" };
        cmd.Options.Add(dryRun);
        cmd.Options.Add(list);
        cmd.Options.Add(resume);
        cmd.Options.Add(allowChanges);
        cmd.Options.Add(emitSlurm);
        var slurm = new SlurmCliOptions();
        slurm.AddTo(cmd);

        cmd.SetAction(parse => Guard.Run(() =>
        {
            var (script, all) = exp.Resolve(parse);
            var selected = exp.Select(parse, all);
            WarnAboutSharedNames(all);

            if (parse.GetValue(list))
            {
                Ui.Table($"{ScriptDisplay(script.Path)}: {all.Count} config{(all.Count == 1 ? "" : "s")}", ["#", "run name", "mode", "iters"],
                    selected.Select(x => (IReadOnlyList<string>)[x.Index.ToString(CultureInfo.InvariantCulture), x.Config.Name, ModeName(x.Config), x.Config.Schedule.MaxIters.ToString(CultureInfo.InvariantCulture)]));
                return 0;
            }

            if (parse.GetValue(emitSlurm) is { } slurmFile)
            {
                if (parse.GetValue(exp.Only) is not null) throw new DaFormerError("--emit-slurm covers the whole sweep; leave out --only");
                // The data lives on the cluster, so only the pure checks run here.
                RequireValid(selected, pathExists: null);
                var options = slurm.Read(parse);
                var workingDir = Environment.CurrentDirectory;
                var logDir = Path.GetFullPath(options.LogDir, workingDir);
                foreach (var (what, p) in new[] { ("the current directory", workingDir), ("--slurm-log-dir", logDir) })
                    if (p.Any(char.IsWhiteSpace))
                        throw new DaFormerError($"--emit-slurm: {what} ({p}) contains a space, which #SBATCH lines cannot quote; run from (or choose) a path without spaces.");
                Directory.CreateDirectory(logDir);   // Slurm does not create the folder of --output; a missing one fails the task silently.
                var job = new SlurmJob(
                    Launcher: FindLauncher(script.Path),
                    ScriptPath: script.Path,
                    WorkingDirectory: workingDir,
                    RunNames: all.Select(x => x.Config.Name).ToList(),
                    WorkDirs: all.Select(_ => exp.WorkDirRoot(parse)).ToList(),
                    PassThroughArgs: PassThroughArgs(parse, exp),
                    JobName: Path.GetFileNameWithoutExtension(script.Path));
                var text = SlurmScript.Render(job, options with { LogDir = logDir });
                var tmp = slurmFile + ".tmp";
                File.WriteAllText(tmp, text);
                File.Move(tmp, slurmFile, overwrite: true);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(slurmFile, (UnixFileMode)Convert.ToInt32("755", 8));
                Console.WriteLine($"wrote {slurmFile}: a job array of {all.Count} task{(all.Count == 1 ? "" : "s")} (0…{all.Count - 1}); submit with: sbatch {slurmFile}");
                return 0;
            }

            RequireValid(selected, ConfigValidation.FileSystem, withData: parse.GetValue(dryRun));
            var where = new Where(exp.WorkDirRoot(parse), DeviceOf(parse));
            var resumeDir = parse.GetValue(resume);
            if (resumeDir is not null && selected.Count != 1)
                throw new DaFormerError($"--resume {resumeDir}: a run directory belongs to one config, but {selected.Count} are selected; add --only N");

            if (parse.GetValue(dryRun))
            {
                Ui.Table($"dry run — {selected.Count} valid config{(selected.Count == 1 ? "" : "s")}, nothing trained", ["#", "run name", "mode", "iters", "device", "work dir"],
                    selected.Select(x => (IReadOnlyList<string>)[x.Index.ToString(CultureInfo.InvariantCulture), x.Config.Name, ModeName(x.Config),
                        x.Config.Schedule.MaxIters.ToString(CultureInfo.InvariantCulture), where.Device.ToString(), where.WorkDirRoot]));
                return 0;
            }
            var isResume = parse.GetResult(resume) is not null;
            if (parse.GetValue(allowChanges) && !isResume) throw new DaFormerError("--allow-changes applies to --resume only; a new run simply uses the new config.");

            var outcomes = RunAll(selected, script, where, isResume, resumeDir, parse.GetValue(allowChanges));

            Ui.Table("summary", ["#", "run name", "status", "mIoU (%)", "run dir"],
                outcomes.Select(o => (IReadOnlyList<string>)[o.Index.ToString(CultureInfo.InvariantCulture), o.Name, o.Outcome.Status.ToString().ToLowerInvariant(),
                    o.Outcome.FinalMIoUPercent is { } m ? m.ToString("F2", CultureInfo.InvariantCulture) : "-", o.Outcome.RunDir.Length > 0 ? o.Outcome.RunDir : o.Outcome.Message ?? ""]));
            // Sweeps over seeds: final mIoU per experiment as mean ± sample std (what the synthetic benchmark reports).
            var completed = outcomes.Where(o => o.Outcome.Status == RunStatus.Completed && o.Outcome.RunDir.Length > 0).ToList();
            if (completed.Count > 1)
                CompareCommand.GroupTable("grouped over seeds (mean ± std)",
                    DaFormer.Training.Reports.RunComparison.Group(completed.Select(o => DaFormer.Training.Reports.RunComparison.Read(o.Outcome.RunDir))));
            // A single run ends with its target score as the last line (what the quickstart promises).
            if (outcomes.Count == 1 && outcomes[0].Outcome.FinalMIoUPercent is { } final)
                Console.WriteLine($"target mIoU: {final.ToString("F2", CultureInfo.InvariantCulture)}");
            return outcomes.All(o => o.Outcome.Status == RunStatus.Completed) ? 0 : 1;
        }));
        return cmd;
    }

    /// Trains the configs in order; a failure is reported and the next config runs. The first Ctrl-C
    /// asks the running trainer to checkpoint and return, and no further config of the sweep starts;
    /// a second Ctrl-C ends the process the usual way.
    static List<(int Index, string Name, RunOutcome Outcome)> RunAll(
        IReadOnlyList<(int Index, RunConfig Config)> selected, Scripts.LoadedScript script, Where where, bool resume, string? resumeDir, bool allowChanges)
    {
        var scriptText = script.CombinedText();
        var outcomes = new List<(int Index, string Name, RunOutcome Outcome)>();
        using var interrupt = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (interrupt.IsCancellationRequested) return;
            e.Cancel = true;
            Console.Error.WriteLine("interrupt: finishing the current run cleanly (Ctrl-C again to abort)…");
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            foreach (var (index, config) in selected)
            {
                if (interrupt.IsCancellationRequested)
                {
                    outcomes.Add((index, config.Name, new RunOutcome("", RunStatus.Interrupted, null, "not started (interrupted)")));
                    continue;
                }
                Console.WriteLine($"== [{index}] {config.Name}");
                RunOutcome outcome;
                try
                {
                    var request = new RunRequest(
                        WorkDirRoot: where.WorkDirRoot,
                        Device: where.Device,
                        Resume: resume,
                        ResumeDir: resumeDir,
                        ScriptPath: script.Path,
                        ScriptText: scriptText,
                        Observer: new ConsoleRunObserver(Math.Max(1, config.Runtime.LogInterval)),
                        Cancel: interrupt.Token,
                        AllowChanges: allowChanges);
                    outcome = Trainer.Run(config, request);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    var message = e is DaFormerError ? e.Message : $"{e.GetType().Name}: {NativeErrorText.WithoutFrames(e.Message)}";
                    Console.Error.WriteLine($"error: run [{index}] {config.Name} failed: {message}");
                    if (Environment.GetEnvironmentVariable("DAFORMER_DEBUG") == "1") Console.Error.WriteLine(e);
                    outcome = new RunOutcome("", RunStatus.Failed, null, message);
                }
                outcomes.Add((index, config.Name, outcome));
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
        return outcomes;
    }

    /// Where the runs go and run: `--work-dir` and `--device` (the run request, not the config).
    sealed record Where(string WorkDirRoot, DeviceSpec Device);

    static DeviceSpec DeviceOf(ParseResult parse)
    {
        try { return CommonOptions.DeviceOf(parse); }
        catch (ArgumentException) { throw new DaFormerError($"--device {parse.GetValue(CommonOptions.Device)}: not a device; expected auto, cpu, cuda or cuda:N."); }
    }

    /// Validates every config; prints each problem (with the config's index and name) and refuses to
    /// start anything when one is invalid.
    static void RequireValid(IReadOnlyList<(int Index, RunConfig Config)> configs, Func<string, bool>? pathExists, bool withData = false)
    {
        var invalid = 0;
        foreach (var (index, config) in configs)
        {
            var problems = ConfigValidation.Validate(config, pathExists).ToList();
            // A dry run also checks what the run would reject about its data (layouts, RCS statistics
            // and min_pixels), so it passes only when the run would start; the run itself finds the
            // same problems per config when it opens the data, without stopping the rest of a sweep.
            if (problems.Count == 0 && withData && pathExists is not null) problems.AddRange(DataSetup.Preflight(config));
            if (problems.Count == 0) continue;
            invalid++;
            Console.Error.WriteLine($"config [{index}] {config.Name}:");
            foreach (var p in problems) Console.Error.WriteLine($"  {p}");
        }
        if (invalid > 0)
            throw new DaFormerError($"{invalid} of {configs.Count} config{(configs.Count == 1 ? " is" : "s are")} invalid (see above); nothing was trained.");
    }

    /// Names cover what the original's names cover; a sweep over another knob yields equal names
    /// (each run still gets its own directory, but `--only NAME` cannot tell them apart).
    static void WarnAboutSharedNames(IReadOnlyList<(int Index, RunConfig Config)> all)
    {
        foreach (var g in all.GroupBy(x => x.Config.Name).Where(g => g.Count() > 1))
            Console.Error.WriteLine($"warning: configs {string.Join(", ", g.Select(x => x.Index))} share the run name {g.Key}; select them by index");
    }

    static string ModeName(RunConfig c) => c.Uda.Mode switch
    {
        UdaMode.SourceOnly => "source-only",
        UdaMode.TargetOnly => "target-only",
        _ => "dacs",
    };

    static string ScriptDisplay(string fullPath) => Scripts.ScriptPaths.Display(fullPath);

    /// `--set`, `--seed`, `--work-dir` and an explicit `--device`, forwarded to every Slurm task.
    static IReadOnlyList<string> PassThroughArgs(ParseResult parse, ExperimentOptions exp)
    {
        var args = new List<string>();
        foreach (var s in parse.GetValue(exp.Set) ?? []) args.AddRange(["--set", s]);
        if (parse.GetValue(exp.Seed) is { } seed) args.AddRange(["--seed", seed.ToString(CultureInfo.InvariantCulture)]);
        if (parse.GetValue(exp.WorkDir) is { } wd) args.AddRange(["--work-dir", wd]);
        if (parse.GetResult(CommonOptions.Device) is { Implicit: false }) args.AddRange(["--device", parse.GetValue(CommonOptions.Device)!]);
        return args;
    }

    /// The repository's `daformer` launcher above the script, else `daformer` on PATH.
    static string FindLauncher(string scriptPath)
    {
        for (var dir = new DirectoryInfo(Path.GetDirectoryName(scriptPath)!); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "daformer");
            if (File.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "DaFormer.sln"))) return candidate;
        }
        return "daformer";
    }
}
