using DaFormer.Model.Runtime;
using static TorchSharp.torch;

namespace DaFormer.Training.Uda;

/// Teacher pseudo-labels of one DACS iteration (spec §4.4 step 5). `Label` (B,H,W) int64, `Weight`
/// (B,H,W) float32 filled with the batch-wide confidence fraction and zeroed in the cropped rows.
/// The tensors belong to the caller's dispose scope.
public sealed record PseudoLabels(Tensor Label, Tensor Weight, double ConfidentFraction)
{
    /// softmax → (max prob, argmax) over classes; q = #(prob ≥ threshold) / (B·H·W) — ONE scalar for the
    /// whole batch, not a per-pixel mask (pitfall 5); W = q everywhere, then the top `ignoreTop` and bottom
    /// `ignoreBottom` rows set to 0 (rectification artefacts in Cityscapes; 15 / 120 in DAFormer).
    public static PseudoLabels FromTeacherLogits(Tensor logits, double threshold = 0.968, int ignoreTop = 0, int ignoreBottom = 0)
    {
        if (logits.dim() != 4) throw new ArgumentException($"teacher logits must be (B,C,H,W), got [{string.Join(",", logits.shape)}]");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var prob = logits.detach().softmax(1);
        var (conf, label) = prob.max(1);
        var confident = conf.GreaterOrEqual(threshold).sum().item<long>();
        var q = (double)confident / conf.numel();
        var weight = HeldScalars.FullLike(conf, q, ScalarType.Float32);
        ZeroIgnoredRows(weight, ignoreTop, ignoreBottom);
        return new PseudoLabels(label.MoveToOuterDisposeScope(), weight.MoveToOuterDisposeScope(), q);
    }

    /// Weight 1 where pseudo-labels are trusted and 0 in the ignored rows, shaped like `label` (B,H,W):
    /// the weight of a consumer without the confidence factor (MIC with `mask_pseudo_threshold=None`).
    public static Tensor Region(Tensor label, int ignoreTop = 0, int ignoreBottom = 0)
    {
        var weight = ones(label.shape, dtype: ScalarType.Float32, device: label.device);
        ZeroIgnoredRows(weight, ignoreTop, ignoreBottom);
        return weight;
    }

    static void ZeroIgnoredRows(Tensor weight, int ignoreTop, int ignoreBottom)
    {
        var height = (int)weight.shape[1];
        if (ignoreTop > 0) weight[.., ..Math.Min(ignoreTop, height), ..] = 0;
        if (ignoreBottom > 0) weight[.., Math.Max(height - ignoreBottom, 0).., ..] = 0;
    }
}
