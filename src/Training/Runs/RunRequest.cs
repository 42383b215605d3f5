using DaFormer.Model.Runtime;

namespace DaFormer.Training.Runs;

/// How to run one config (everything the command line decides that is not part of the config).
/// <param name="WorkDirRoot">Run directories are created below it (the config's Runtime.WorkDirRoot after `--work-dir`).</param>
/// <param name="Device">Where to train (the config's Runtime.Device after `--device`).</param>
/// <param name="Resume">Continue an earlier run instead of starting a new one.</param>
/// <param name="ResumeDir">The run directory to continue; null with Resume = the newest run of this config's name below WorkDirRoot.</param>
/// <param name="ScriptPath">The experiment script that produced the config (stored in the run directory).</param>
/// <param name="ScriptText">Its text (and that of its #load-ed bases), stored next to the resolved config.</param>
/// <param name="Observer">Receives progress, messages and evaluation tables (the CLI draws a bar / prints lines).</param>
/// <param name="Cancel">Signalled on the first Ctrl-C: write a checkpoint, return an Interrupted outcome.</param>
public sealed record RunRequest(
    string WorkDirRoot,
    DeviceSpec Device,
    bool Resume = false,
    string? ResumeDir = null,
    string? ScriptPath = null,
    string? ScriptText = null,
    IRunObserver? Observer = null,
    CancellationToken Cancel = default);
