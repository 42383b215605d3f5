using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace DaFormer.Training.Uda;

/// Mean-teacher update of DACS (spec §4.4 step 1). Parameters only: buffers such as BatchNorm running
/// statistics are neither copied nor averaged (pitfall 8), so callers pass `module.parameters()`.
public static class Ema
{
    /// α_i = min(1 − 1/(i+1), α): 0 at i = 0, 0.5 at i = 1, … capped at α.
    public static double Alpha(int iter, double alpha) => Math.Min(1.0 - 1.0 / (iter + 1), alpha);

    /// The DACS teacher step for iteration `iter` (0-based): i == 0 copies the student (the original's
    /// _init_ema_weights), i > 0 blends with α_i. In place, no autograd.
    public static void UpdateTeacher(IEnumerable<Parameter> teacher, IEnumerable<Parameter> student, int iter, double alpha)
    {
        if (iter == 0) Copy(teacher, student);
        else Blend(teacher, student, Alpha(iter, alpha));
    }

    /// θ_T ← c·θ_T + (1 − c)·θ_S for aligned parameter sequences (same order as the original's zip over
    /// `parameters()`). c = 1 keeps the teacher, c = 0 copies the student.
    public static void Blend(IEnumerable<Parameter> teacher, IEnumerable<Parameter> student, double coefficient)
    {
        using var _ = no_grad();
        // Explicit Scalars held until the loop ends: an implicit double → Scalar conversion is left to
        // the finalizer, which may free it while libtorch still reads it (a MIC(HRDA) run on the
        // synthetic domains died after 590 iterations in mul_ with "Unknown scalar type").
        using var keep = coefficient.ToScalar();
        using var mix = (1.0 - coefficient).ToScalar();
        foreach (var (t, s) in Aligned(teacher, student))
            t.mul_(keep).add_(s, alpha: mix);
    }

    public static void Copy(IEnumerable<Parameter> teacher, IEnumerable<Parameter> student)
    {
        using var _ = no_grad();
        foreach (var (t, s) in Aligned(teacher, student)) t.copy_(s);
    }

    static IEnumerable<(Parameter T, Parameter S)> Aligned(IEnumerable<Parameter> teacher, IEnumerable<Parameter> student)
    {
        var ts = teacher as IReadOnlyList<Parameter> ?? teacher.ToList();
        var ss = student as IReadOnlyList<Parameter> ?? student.ToList();
        if (ts.Count != ss.Count)
            throw new ArgumentException($"EMA: the teacher has {ts.Count} parameters but the student has {ss.Count}");
        for (var i = 0; i < ts.Count; i++)
        {
            if (!ts[i].shape.SequenceEqual(ss[i].shape))
                throw new ArgumentException(
                    $"EMA: parameter {i} has shape [{string.Join(",", ts[i].shape)}] in the teacher but [{string.Join(",", ss[i].shape)}] in the student");
            yield return (ts[i], ss[i]);
        }
    }
}
