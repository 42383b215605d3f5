namespace DaFormer.Training.Runs;

public enum RunStatus { Completed, Failed, Interrupted }

/// What a finished (or stopped) run left behind: its directory ("" when a failed run left nothing
/// and its directory was removed), how it ended, the last evaluated target mIoU in percent (0–100,
/// as the tables print it, whatever way the run ended) if any, and a one-line message for the summary.
public sealed record RunOutcome(string RunDir, RunStatus Status, double? FinalMIoUPercent = null, string? Message = null);
