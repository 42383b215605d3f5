namespace DaFormer.Training.Runs;

/// libtorch's check failures on a `c10::Scalar` argument ("Expected false to be true … Exception raised
/// from toFloat/toDouble/toBFloat16 at c10/core/Scalar.h"). TorchSharp 0.107 turns a .NET number into
/// a `Scalar` implicitly — also inside its own calls, e.g. the `alpha = 1` of every tensor addition —
/// and leaves it to the finalizer, which can free it while libtorch still reads it (a garbage
/// collection started by the data-loader threads during the native call). Our code holds every
/// Scalar it passes (HeldScalars, docs/scalar-lifetime.md); this is the last line of defence for one
/// made where no scan can see. The step itself is fine: the trainer resumes the run from its last
/// checkpoint, which reproduces the lost iterations exactly.
public static class ScalarFault
{
    /// How many times one run resumes itself after such a fault before it reports the failure.
    public const int MaxRetries = 3;

    /// True for libtorch's Scalar check failures (message naming c10/core/Scalar.h, or "Unknown scalar type").
    public static bool Matches(Exception e) =>
        e is System.Runtime.InteropServices.ExternalException
        && (e.Message.Contains("c10/core/Scalar.h", StringComparison.Ordinal)
            || e.Message.Contains("Unknown scalar type", StringComparison.Ordinal));

    /// The line the run prints when it resumes itself.
    public static string RetryMessage(Exception e, string runDir, int retry)
    {
        var first = e.Message.Split('\n')[0].Trim();
        var where = e.Message.Split('\n').FirstOrDefault(l => l.Contains("c10/core/Scalar.h", StringComparison.Ordinal))?.Trim();
        return $"libtorch stopped in a Scalar check ({first}{(where is null ? "" : "; " + where)}) — a TorchSharp " +
               $"finalizer race, not a problem of the run; resuming from {Path.Combine(runDir, RunDirectory.LatestCheckpoint)} " +
               $"(retry {retry} of {MaxRetries}).";
    }
}
