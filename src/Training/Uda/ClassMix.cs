using DaFormer.Model.Runtime;
using static TorchSharp.torch;

namespace DaFormer.Training.Uda;

/// ClassMix of DACS (spec §4.4 steps 6–7, `dacs_transforms.get_class_masks` / `generate_class_mask` /
/// `one_mix`). Class choice is a pure function of the label values and a passed-in Random; masks and
/// mixing are vectorised tensor ops.
public static class ClassMix
{
    /// Sorted unique values of the WHOLE source label batch (all samples together, 255 included —
    /// pitfall 6). Values are read back to the CPU once per iteration.
    public static long[] SourceClasses(Tensor sourceLabels)
    {
        using var scope = NewDisposeScope();
        var u = sourceLabels.flatten().unique(sorted: true).Item1.to(ScalarType.Int64).cpu();
        return u.data<long>().ToArray();
    }

    /// How many classes one sample takes: ceil(n/2) = (n + n mod 2)/2.
    public static int ChosenCount(int n) => (n + n % 2) / 2;

    /// ceil(n/2) distinct entries of `classes`, uniformly without replacement (partial Fisher–Yates;
    /// the original uses numpy.random.choice(replace=False) — same distribution, different stream).
    public static long[] ChooseClasses(IReadOnlyList<long> classes, Random rng)
    {
        var pool = classes.ToArray();
        var k = ChosenCount(pool.Length);
        for (var i = 0; i < k; i++)
        {
            var j = rng.Next(i, pool.Length);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..k];
    }

    /// One independent class draw per sample, all from the union of the batch's source labels.
    public static long[][] ChooseClassesPerSample(Tensor sourceLabels, Random rng)
    {
        var classes = SourceClasses(sourceLabels);
        return Enumerable.Range(0, (int)sourceLabels.shape[0]).Select(_ => ChooseClasses(classes, rng)).ToArray();
    }

    /// Int64 mask, same shape as `label`: 1 where the label is one of `classes` (generate_class_mask
    /// sums `label == c` over the chosen classes; they are distinct, so the sum is 0/1).
    public static Tensor ClassMask(Tensor label, IReadOnlyList<long> classes)
    {
        using var scope = NewDisposeScope();
        var mask = zeros_like(label, dtype: ScalarType.Bool);
        foreach (var c in classes) mask.logical_or_(label.Equal(c));
        return mask.to(ScalarType.Int64).MoveToOuterDisposeScope();
    }

    /// Per-sample masks (B,1,H,W) for labels (B,1,H,W) — or (B,H,W) giving (B,H,W) — with classes[b].
    public static Tensor ClassMasks(Tensor sourceLabels, IReadOnlyList<IReadOnlyList<long>> classesPerSample)
    {
        if (classesPerSample.Count != sourceLabels.shape[0])
            throw new ArgumentException($"ClassMix: {classesPerSample.Count} class lists for a batch of {sourceLabels.shape[0]}");
        using var scope = NewDisposeScope();
        return stack(Enumerable.Range(0, classesPerSample.Count)
                .Select(b => ClassMask(sourceLabels[b], classesPerSample[b])).ToArray())
            .MoveToOuterDisposeScope();
    }

    /// `M·source + (1 − M)·target` with M ∈ {0,1} broadcast over channels. Computed as a select, which
    /// equals the original arithmetic exactly for finite values and costs one pass.
    public static Tensor Mix(Tensor mask, Tensor source, Tensor target)
    {
        using var scope = NewDisposeScope();
        return where(mask.to(ScalarType.Bool), source, target).MoveToOuterDisposeScope();
    }

    /// The mixed batch of one DACS iteration: images (B,3,H,W), labels (B,1,H,W) int64 = M·gt + (1−M)·PL,
    /// and pixel weights (B,H,W) = M·1 + (1−M)·W_PL. `masks` is (B,1,H,W), pseudo tensors (B,H,W).
    public static (Tensor Image, Tensor Label, Tensor Weight) MixBatch(
        Tensor masks, Tensor sourceImage, Tensor targetImage, Tensor sourceLabel, Tensor pseudoLabel, Tensor pseudoWeight)
    {
        using var scope = NewDisposeScope();
        var m = masks.to(ScalarType.Bool);
        var image = where(m, sourceImage, targetImage);
        var label = where(m, sourceLabel.to(ScalarType.Int64), pseudoLabel.to(ScalarType.Int64).unsqueeze(1));
        var m2 = m.squeeze(1);
        var weight = where(m2, ones_like(pseudoWeight), pseudoWeight);
        return (image.MoveToOuterDisposeScope(), label.MoveToOuterDisposeScope(), weight.MoveToOuterDisposeScope());
    }
}
