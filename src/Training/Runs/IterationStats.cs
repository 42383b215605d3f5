namespace DaFormer.Training.Runs;

/// What one training iteration reports: named loss terms (as logged: `decode.loss_seg`,
/// `src.loss_imnet_feat_dist`, `mix.decode.loss_seg`), learning rates per group and timings.
public sealed record IterationStats(
    long Iteration,
    IReadOnlyDictionary<string, double> Losses,
    IReadOnlyList<double> LearningRates,
    double? PseudoConfidence,
    double StepMs,
    double DataWaitMs)
{
    /// fp16 runs: the loss scale after this iteration's update, the steps skipped so far, and whether
    /// this iteration's step was skipped (gradient overflow). Null/false otherwise.
    public double? LossScale { get; init; }
    public long? SkippedSteps { get; init; }
    public bool StepSkipped { get; init; }

    /// The total loss as the original's `_parse_losses` sums it: every term whose key contains "loss".
    /// The FD term of an iteration without a selected thing-class cell is 0 (the original's is NaN).
    public double Total => Losses.Where(kv => kv.Key.Contains("loss")).Sum(kv => kv.Value);
}

/// Receives progress from the trainer; the CLI renders it (bar in a terminal, lines when redirected).
public interface IRunObserver
{
    void RunStarted(string runName, string runDir, long startIteration, long maxIterations);
    void Iteration(IterationStats stats, TimeSpan? eta);
    void Message(string text);
    /// An evaluation after `iteration` completed iterations; mIoU in percent (NaN if undefined).
    void Evaluated(long iteration, double miouPercent, string table);
    void RunFinished(string runDir, long iterations, double? finalMiouPercent);
}

/// Pure helpers for progress lines.
public static class Progress
{
    /// Remaining time from the mean duration of recent iterations.
    public static TimeSpan? Eta(long done, long total, IReadOnlyList<double> recentStepMs)
    {
        if (recentStepMs.Count == 0 || done >= total) return done >= total ? TimeSpan.Zero : null;
        return TimeSpan.FromMilliseconds(recentStepMs.Average() * (total - done));
    }

    public static string FormatEta(TimeSpan? eta) => eta is not { } e ? "--:--"
        : e.TotalHours >= 1 ? $"{(int)e.TotalHours}h{e.Minutes:D2}m" : $"{e.Minutes:D2}:{e.Seconds:D2}";

    /// e.g. `iter 120/4000  loss 1.234 (decode.loss_seg 0.81, mix.decode.loss_seg 0.42)  lr 5.9e-05  2.1 it/s  ETA 31:12`;
    /// it/s is the ETA's rate (remaining iterations / ETA), the last step's only when there is no ETA.
    public static string Line(IterationStats s, long total, TimeSpan? eta)
    {
        var terms = string.Join(", ", s.Losses.Select(kv => $"{kv.Key} {kv.Value:F4}"));
        var lr = s.LearningRates.Count > 0 ? $"  lr {s.LearningRates[0]:0.##e+00}" : "";
        var conf = s.PseudoConfidence is { } c ? $"  pl {c:F3}" : "";
        // The speed the ETA assumes (its mean over the recent iterations), not the last step's: one
        // step's time jumps with evaluation, checkpoints and data waits, the average does not.
        var remaining = total - (s.Iteration + 1);
        var meanMs = eta is { } e && remaining > 0 && e > TimeSpan.Zero ? e.TotalMilliseconds / remaining : s.StepMs;
        var speed = meanMs > 0 ? $"  {1000.0 / meanMs:F2} it/s" : "";
        return $"iter {s.Iteration + 1}/{total}  loss {s.Total:F4} ({terms}){lr}{conf}{speed}  ETA {FormatEta(eta)}";
    }

    /// The first non-finite loss term, as a message naming the term and iteration, or null.
    public static string? NonFinite(IterationStats s) =>
        s.Losses.Where(kv => !double.IsFinite(kv.Value)).Select(kv =>
            $"loss term '{kv.Key}' became {kv.Value} at iteration {s.Iteration}; the run stops and keeps its last good checkpoint. " +
            "Lower the learning rate or check the data of this iteration.").FirstOrDefault();
}
