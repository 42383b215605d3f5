using DaFormer.Model;
using DaFormer.Model.Runtime;
using DaFormer.Model.Segmentors;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Training.Uda;

/// One training forward of the student, as the original's `forward_train`: the loss to back-propagate,
/// the logged entries by their names (`decode.loss_seg`, `decode.acc_seg`; under HRDA also
/// `decode.hr.*`), the features the feature distance compares (HRDA: at `feature_scale`; with
/// `'all'` also the detail crop's, with its box) and the logits (for debug images).
/// Tensors belong to the caller's dispose scope.
public sealed record TrainingForward(Tensor Loss, IReadOnlyDictionary<string, double> Logs, Tensor[]? Features, Tensor Logits,
    Tensor[]? DetailFeatures = null, DetailCropBox? DetailBox = null);

/// The seam between the DACS step and the segmentor: every student forward of the iteration (source,
/// mixed, masked) is the segmentor's own `ForwardTrain` — DAFormer's single CE, or HRDA's fused +
/// detail-crop losses with a detail box drawn from `crop` — so the step never asks which it has.
public static class SegmentorTraining
{
    /// Student forward on `image` with `label` (B,1,H,W) and optional pixel weights (B,H,W).
    /// `decodeLossScale` multiplies the `decode.loss_seg` term only (MIC's `mask_lambda`; HRDA's
    /// `decode.hr.loss_seg` stays unscaled, as in the original). `crop` draws HRDA's detail box.
    public static TrainingForward Forward(SegmentorBase student, Tensor image, Tensor label, Tensor? weight,
        double decodeLossScale = 1.0, Random? crop = null, bool returnFeatures = false)
    {
        var output = student.ForwardTrain(image, label, weight, crop, returnFeatures);
        Tensor? total = null;
        var logs = new Dictionary<string, double>();
        foreach (var (name, term) in output.LossTerms)
        {
            var t = name == "decode.loss_seg" && decodeLossScale != 1.0 ? term.Times(decodeLossScale) : term;
            logs[name] = t.ToDouble();
            total = total is null ? t : total.Plus(t);
        }
        foreach (var (name, acc) in output.Accuracies) logs[name] = acc;
        return new TrainingForward(total ?? throw new InvalidOperationException("the segmentor's training forward returned no loss term"),
            logs, output.Features, output.Logits, output.DetailFeatures, output.DetailBox);
    }

    /// `prefix` + key for every entry (DACS's `add_prefix`: `mix.`, `masked.`; the source step has none).
    public static void AddLogs(IDictionary<string, double> into, IReadOnlyDictionary<string, double> logs, string prefix = "")
    {
        foreach (var (k, v) in logs) into[prefix + k] = v;
    }
}
