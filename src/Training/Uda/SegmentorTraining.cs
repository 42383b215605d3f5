using DaFormer.Model;
using static TorchSharp.torch;

namespace DaFormer.Training.Uda;

/// One training forward of the student, as the original's `forward_train`: the loss to back-propagate,
/// the logged entries by their names (`decode.loss_seg`, `decode.acc_seg`; under HRDA also
/// `decode.hr.*`), the encoder features the feature distance uses and the logits (for debug images).
/// Tensors belong to the caller's dispose scope.
public sealed record TrainingForward(Tensor Loss, IReadOnlyDictionary<string, double> Logs, Tensor[] Features, Tensor Logits);

/// The seam between the DACS step and the segmentor: every student forward of the iteration (source,
/// mixed, masked) goes through here, so a multi-resolution segmentor only changes this call (its own
/// training loss with a detail crop drawn from `crop`, fused + HR terms), not the step.
public static class SegmentorTraining
{
    /// Student forward in train mode on `image` with `label` (B,1,H,W) and optional pixel weights
    /// (B,H,W). `decodeLossScale` multiplies the `decode.loss_seg` entry only (MIC's `mask_lambda`).
    /// `crop` draws the detail-crop box of an HRDA segmentor; a single-scale segmentor ignores it.
    public static TrainingForward Forward(Segmentor student, Tensor image, Tensor label, Tensor? weight,
        double decodeLossScale = 1.0, Random? crop = null)
    {
        var features = student.ExtractFeatures(image);
        var logits = student.DecodeLogits(features);
        var loss = Segmentor.Loss(logits, label, weight);
        if (decodeLossScale != 1.0) loss = loss * decodeLossScale;
        var logs = new Dictionary<string, double>
        {
            ["decode.loss_seg"] = loss.item<float>(),
            ["decode.acc_seg"] = Segmentor.Accuracy(logits, label),
        };
        return new TrainingForward(loss, logs, features, logits);
    }

    /// `prefix` + key for every entry (DACS's `add_prefix`: `mix.`, `masked.`; the source step has none).
    public static void AddLogs(IDictionary<string, double> into, IReadOnlyDictionary<string, double> logs, string prefix = "")
    {
        foreach (var (k, v) in logs) into[prefix + k] = v;
    }
}
