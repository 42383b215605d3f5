using DaFormer.Model.Runtime;
using static TorchSharp.torch;

namespace DaFormer.Training.Uda;

/// The random decisions of one strong augmentation of a mixed batch: the two per-iteration switches
/// (u_cj, u_blur, shared by the batch) and, when on, per-sample jitter factors / blur σ (null = off).
public sealed record StrongAugmentDraw(double UColorJitter, double UBlur, IReadOnlyList<JitterFactors>? Jitter, IReadOnlyList<double>? BlurSigma)
{
    public static StrongAugmentDraw None { get; } = new(0, 0, null, null);
}

/// DACS strong augmentation of the mixed images (spec §4.4 steps 2 and 7; pitfall 7): colour jitter when
/// u_cj > p (p = 0.2 → 80 % of iterations), Gaussian blur when u_blur > 0.5; jitter first, then blur.
public static class StrongAugment
{
    /// Draws u_cj and u_blur, then per sample the jitter factors (if jitter is on) and σ ~ U(0.15, 1.15)
    /// (if blur is on). All randomness comes from `rng`.
    public static StrongAugmentDraw Draw(Random rng, int batch,
        double jitterStrength = 0.2, double jitterProbability = 0.2, bool blur = true)
    {
        var uCj = rng.NextDouble();
        var uBlur = rng.NextDouble();
        IReadOnlyList<JitterFactors>? jitter = uCj > jitterProbability
            ? Enumerable.Range(0, batch).Select(_ => JitterFactors.Draw(rng, jitterStrength)).ToArray()
            : null;
        IReadOnlyList<double>? sigma = blur && uBlur > 0.5
            ? Enumerable.Range(0, batch).Select(_ => 0.15 + rng.NextDouble()).ToArray()
            : null;
        return new StrongAugmentDraw(uCj, uBlur, jitter, sigma);
    }

    /// Applies the draw to a normalised (B,3,H,W) batch. `mean`/`std` are the dataset normalisation in
    /// 0..255 units (RGB order). Jitter works in [0,1]: x ← (x·std + mean)/255, jitter, x ← (255·x − mean)/std;
    /// blur acts on the normalised image. Returns a new tensor (the input is not modified).
    public static Tensor Apply(Tensor normalized, IReadOnlyList<double> mean, IReadOnlyList<double> std, StrongAugmentDraw draw)
    {
        if (mean.Count != 3 || std.Count != 3) throw new ArgumentException("mean and std need 3 (RGB) values");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = normalized;
        if (draw.Jitter is { } jitter)
        {
            var m = tensor(mean.Select(v => (float)v).ToArray(), device: x.device).view(1, 3, 1, 1);
            var s = tensor(std.Select(v => (float)v).ToArray(), device: x.device).view(1, 3, 1, 1);
            var unit = (x * s).Plus(m).DividedBy(255.0);
            x = (ColorJitter.ApplyPerSample(unit, jitter).Times(255.0) - m) / s;
        }
        if (draw.BlurSigma is { } sigma) x = GaussianBlur.Blur(x, sigma);
        return (ReferenceEquals(x, normalized) ? x.clone() : x).MoveToOuterDisposeScope();
    }
}
