namespace DaFormer.Training.Runs;

public enum RunStatus { Completed, Failed, Interrupted }

/// What a finished (or stopped) run left behind: its directory, how it ended, the last evaluated
/// target mIoU (0…100) if any, and a one-line message for the summary table.
public sealed record RunOutcome(string RunDir, RunStatus Status, double? FinalMIoU = null, string? Message = null);
