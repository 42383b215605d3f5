using DaFormer.Model.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Segmentors;

/// The result of a segmentor's training forward.
/// - `LossTerms`: the loss tensors under the original's log names (`decode.loss_seg`,
///   `decode.hr.loss_seg`, `decode.lr.loss_seg`), each already multiplied by its weight; the
///   gradient is taken of their sum (mmseg `_parse_losses` sums every key containing `loss`).
/// - `Accuracies`: `decode.acc_seg`, `decode.hr.acc_seg`, … (logged only).
/// - `Logits`: the prediction to show (HRDA: the fused logits), at the head's stride.
/// - `Features`: the encoder features for the ImageNet feature distance when requested (HRDA: the
///   view at `feature_scale`; with `'all'` the context view, and `DetailFeatures` the detail crop's).
/// - `DetailBox`: HRDA's detail crop of this forward (null for the plain segmentor).
public sealed record TrainingOutput(
    IReadOnlyList<KeyValuePair<string, Tensor>> LossTerms,
    IReadOnlyDictionary<string, double> Accuracies,
    Tensor Logits,
    Tensor[]? Features = null,
    Tensor[]? DetailFeatures = null,
    DetailCropBox? DetailBox = null)
{
    /// The loss to back-propagate: the sum of all terms.
    public Tensor Total()
    {
        var total = LossTerms[0].Value.alias();
        for (var i = 1; i < LossTerms.Count; i++) total = total.Plus(LossTerms[i].Value);
        return total;
    }

    /// The loss term logged as `name` (e.g. "decode.loss_seg").
    public Tensor Term(string name) => LossTerms.First(t => t.Key == name).Value;

    /// Loss terms and accuracies as numbers, keys prefixed as the UDA step logs them ("mix.", "masked.").
    public Dictionary<string, double> Logs(string prefix = "")
    {
        var logs = new Dictionary<string, double>();
        foreach (var (k, v) in LossTerms) logs[prefix + k] = v.ToDouble();
        foreach (var (k, v) in Accuracies) logs[prefix + k] = v;
        return logs;
    }
}
