using DaFormer.Model.Runtime;
using static TorchSharp.torch;

namespace DaFormer.Training.Uda;

/// ImageNet Feature Distance of DAFormer (spec §4.4 step 4, `dacs.calc_feat_dist`).
/// `Loss` is null when no cell is selected: the original's mean over an empty selection is NaN but sends
/// no gradient, so the trainer must skip the backward and not add it to the total (log NaN via `Value`).
public sealed record FeatureDistanceLoss(Tensor? Loss, long SelectedCells, Tensor? Mask)
{
    public bool IsEmpty => Loss is null;

    /// The loss as a number for logging; NaN exactly when the original logs NaN.
    public double Value => Loss is null ? double.NaN : Loss.item<float>();
}

public static class FeatureDistance
{
    /// The Cityscapes "thing" classes the FD is restricted to (spec §1.2).
    public static IReadOnlyList<long> ThingClasses { get; } = [6, 7, 11, 12, 13, 14, 15, 16, 17, 18];

    /// `downscale_label_ratio`: per (scaleFactor × scaleFactor) cell, the majority class if its pixel
    /// fraction is ≥ minRatio and it is not the ignore label, else `ignoreIndex`. (B,1,H,W) → (B,1,H/sf,W/sf)
    /// int64. Counts with one bincount instead of the original's (B,C+1,H,W) one-hot + avg-pool (same
    /// result: fraction = count/sf², compared in float32; ties go to the lowest class like torch.max).
    public static Tensor DownscaleLabelRatio(Tensor gt, int scaleFactor, double minRatio, int nClasses, int ignoreIndex = 255)
    {
        if (scaleFactor <= 1) throw new ArgumentOutOfRangeException(nameof(scaleFactor), scaleFactor, "scale factor must be > 1");
        if (gt.dim() != 4 || gt.shape[1] != 1) throw new ArgumentException($"gt must be (B,1,H,W), got [{string.Join(",", gt.shape)}]");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        long b = gt.shape[0], h = gt.shape[2] / scaleFactor, w = gt.shape[3] / scaleFactor, c1 = nClasses + 1;
        var g = gt[.., 0, ..(int)(h * scaleFactor), ..(int)(w * scaleFactor)].to(ScalarType.Int64);
        g = g.FilledWhere(g.Equal(ignoreIndex), nClasses);
        var outOfRange = g.Less(0).logical_or(g.Greater(nClasses)).any().item<bool>();
        if (outOfRange)
            throw new ArgumentException($"gt holds values outside 0..{nClasses - 1} and {ignoreIndex}");
        var dev = g.device;
        var cellY = HeldScalars.Arange(h * scaleFactor, ScalarType.Int64, dev).FloorDividedBy(scaleFactor);
        var cellX = HeldScalars.Arange(w * scaleFactor, ScalarType.Int64, dev).FloorDividedBy(scaleFactor);
        var cell = HeldScalars.Arange(b, ScalarType.Int64, dev).view(b, 1, 1).Times(h * w)
                   .Plus(cellY.view(1, -1, 1).Times(w)).Plus(cellX.view(1, 1, -1));
        var counts = bincount(cell.Times(c1).Plus(g).flatten(), minlength: b * h * w * c1).view(b, h, w, c1);
        var (maxCount, label) = counts.max(-1);
        var ratio = maxCount.to(ScalarType.Float32).DividedBy(scaleFactor * scaleFactor);
        label = label.FilledWhere(label.Equal(nClasses), ignoreIndex);
        label = label.FilledWhere(ratio.Less(minRatio), ignoreIndex);
        return label.unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// Bool mask (same shape): label ∈ classes (`torch.any(gt[..., None] == classes, -1)`).
    public static Tensor ClassMask(Tensor label, IReadOnlyList<long> classes)
    {
        using var scope = NewDisposeScope();
        var mask = zeros_like(label, dtype: ScalarType.Bool);
        foreach (var c in classes) mask.logical_or_(label.Equal(c));
        return mask.MoveToOuterDisposeScope();
    }

    /// Plain (not squared) Euclidean distance over channels: (B,C,h,w) × 2 → (B,h,w).
    public static Tensor PixelwiseDistance(Tensor f1, Tensor f2)
    {
        using var scope = NewDisposeScope();
        return (f1 - f2).norm(1, false, 2).MoveToOuterDisposeScope();
    }

    /// λ · mean of the per-cell distance over the cells selected by the ratio-pooled label (or over all
    /// cells when `classes` is null). The label scale factor is gtWidth // featWidth (32 for 512 → 16).
    /// Gradient flows into `studentFeat` only; `imnetFeat` is treated as a constant.
    public static FeatureDistanceLoss Compute(Tensor studentFeat, Tensor imnetFeat, Tensor gt, double lambda,
        IReadOnlyList<long>? classes, double minRatio = 0.75, int nClasses = 19, int ignoreIndex = 255)
    {
        using var scope = NewDisposeScope();
        var dist = PixelwiseDistance(studentFeat, imnetFeat.detach());
        if (classes is null)
            return new FeatureDistanceLoss(dist.mean().Times(lambda).MoveToOuterDisposeScope(), dist.numel(), null);
        var scale = (int)(gt.shape[^1] / studentFeat.shape[^1]);
        var gtRescaled = DownscaleLabelRatio(gt, scale, minRatio, nClasses, ignoreIndex);
        var mask = ClassMask(gtRescaled, classes);
        var selected = mask.sum().item<long>();
        if (selected == 0) return new FeatureDistanceLoss(null, 0, mask.MoveToOuterDisposeScope());
        var loss = dist.masked_select(mask.squeeze(1)).mean().Times(lambda);
        return new FeatureDistanceLoss(loss.MoveToOuterDisposeScope(), selected, mask.MoveToOuterDisposeScope());
    }
}
