using DaFormer.Model;
using DaFormer.Training.Data;
using static TorchSharp.torch;

namespace DaFormer.Training.Evaluation;

/// How to run the network on one test image (spec §2.5): whole image or sliding window.
public sealed record InferenceMode(bool Slide = false, (int H, int W) Crop = default, (int H, int W) Stride = default)
{
    public static InferenceMode Whole => new();
}

/// One evaluation: the metrics plus the confusion matrix they came from.
public sealed record EvaluationResult(SegMetrics Metrics, ConfusionMatrix Confusion, int Images);

/// Runs a segmentor over test images and accumulates the confusion matrix against full-resolution
/// labels, like the original: logits at the network input size, then bilinearly resized to the
/// original image size, arg-max, compare with GT (255 ignored). One image at a time, so memory does
/// not grow with the data set.
public static class Evaluator
{
    /// `images` yields (normalised network input (1,3,h,w), full-resolution GT). `onImage` sees each
    /// prediction (H,W int64 on CPU) before it is disposed — e.g. to save coloured overlays.
    public static EvaluationResult Run(SegmentorBase model, IEnumerable<(Tensor Input, LabelMap Gt, string Name)> images, InferenceMode mode,
                                       Device device, Action<int, string, Tensor>? onImage = null, Action<int>? progress = null)
    {
        var cm = ConfusionMatrix.Empty(model.NumClasses);
        var n = 0;
        model.eval();
        using var _ = no_grad();
        foreach (var (input, gt, name) in images)
        {
            using var scope = NewDisposeScope();
            var x = input.to(device);
            var pred = Predict(model, x, mode, gt.Height, gt.Width).cpu();
            var gtTensor = tensor(gt.Values, [gt.Height, gt.Width], ScalarType.Byte).to(ScalarType.Int64);
            cm += ConfusionMatrix.Of(pred, gtTensor, model.NumClasses);
            onImage?.Invoke(n, name, pred);
            input.Dispose();
            progress?.Invoke(++n);
        }
        return new EvaluationResult(Metrics.Compute(cm), cm, n);
    }

    /// Prediction at (outH, outW): logits at the input size, resized (bilinear, align_corners false)
    /// to the original size, then arg-max (spec §2.5 steps 1–4; softmax does not change the arg-max).
    public static Tensor Predict(SegmentorBase model, Tensor input, InferenceMode mode, long outH, long outW)
    {
        using var scope = NewDisposeScope();
        var logits = mode.Slide ? model.SlideInference(input, mode.Crop, mode.Stride) : model.WholeInference(input);
        if (logits.shape[2] != outH || logits.shape[3] != outW)
            logits = nn.functional.interpolate(logits, [outH, outW], mode: InterpolationMode.Bilinear, align_corners: false);
        return logits.argmax(1).squeeze(0).MoveToOuterDisposeScope();
    }
}
