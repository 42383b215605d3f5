using DaFormer.Model.Runtime;

namespace DaFormer.Training.Runs;

/// How to run one config (everything the command line decides that is not part of the experiment:
/// where it runs and where its directory goes never change what is learnt, nor the config's hash).
/// <param name="WorkDirRoot">Run directories are created below it (`--work-dir`, default work_dirs).</param>
/// <param name="Device">Where to train (`--device`, default auto).</param>
/// <param name="Resume">Continue an earlier run instead of starting a new one.</param>
/// <param name="ResumeDir">The run directory to continue; null with Resume = the newest run of this config's name below WorkDirRoot.</param>
/// <param name="ScriptPath">The experiment script that produced the config (stored in the run directory).</param>
/// <param name="ScriptText">Its text (and that of its #load-ed bases), stored next to the resolved config.</param>
/// <param name="Observer">Receives progress, messages and evaluation tables (the CLI draws a bar / prints lines).</param>
/// <param name="Cancel">Signalled on the first Ctrl-C: write a checkpoint, return an Interrupted outcome.</param>
/// <param name="AllowChanges">Resume even though the config differs from the run's config.json (`--allow-changes`); the change is recorded.</param>
public sealed record RunRequest(
    string WorkDirRoot,
    DeviceSpec Device,
    bool Resume = false,
    string? ResumeDir = null,
    string? ScriptPath = null,
    string? ScriptText = null,
    IRunObserver? Observer = null,
    CancellationToken Cancel = default,
    bool AllowChanges = false);
