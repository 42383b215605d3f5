using DaFormer.Model;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Loader;
using DaFormer.Training.Data.Pipeline;
using DaFormer.Training.Evaluation;
using static TorchSharp.torch;

namespace DaFormer.Training.Inference;

/// `daformer test`: the trainer's evaluation (EvalSamples → Evaluator, one image at a time, so ≈500
/// images never sit in memory together) with optional per-image prediction files, and the
/// benchmark-server export (`--format-only`: label-ID PNGs, no ground truth needed).
public static class ModelTest
{
    /// Evaluates on the labelled `data` at the keep-ratio `scale`; writes predictions when `writer` is given.
    /// `progress(done, total)` after each image.
    public static EvaluationResult Evaluate(SegmentorBase model, SegDataset data, (int A, int B) scale, InferenceMode mode, Device device,
                                            PredictionWriter? writer = null, Action<int, int>? progress = null)
    {
        var samples = EvalSamples.Enumerate(data, scale.A, scale.B).Select(e => (e.Image, e.GroundTruth, e.Files.ImagePath));
        Action<int, string, Tensor>? onImage = writer is null ? null : (_, path, pred) => writer.Write(path, Overlay.ToLabelMap(pred));
        return Evaluator.Run(model, samples, mode, device, onImage, n => progress?.Invoke(n, data.Samples.Count));
    }

    /// Predicts every image of `data` (labels not read) and writes Cityscapes label-ID PNGs.
    public static int FormatOnly(SegmentorBase model, SegDataset data, (int A, int B) scale, InferenceMode mode, Device device,
                                 PredictionWriter writer, Action<int, int>? progress = null)
    {
        model.eval();
        using var _ = no_grad();
        var n = 0;
        foreach (var s in data.Samples)
        {
            var image = ImageIo.ReadRgb(s.ImagePath);
            writer.Write(s.ImagePath, Predict(model, image, scale, mode, device));
            progress?.Invoke(++n, data.Samples.Count);
        }
        return n;
    }

    /// One image: test pipeline (keep-ratio resize, ImageNet normalisation), inference, logits
    /// resized back to the image's own size, arg-max — what the evaluator does (spec §2.5).
    public static LabelMap Predict(SegmentorBase model, RgbImage image, (int A, int B) scale, InferenceMode mode, Device device)
    {
        using var scope = NewDisposeScope();
        using var __ = no_grad();
        var (chw, h, w) = TestPipeline.Run(image, scale.A, scale.B, Normalization.ImageNet);
        var input = tensor(chw, [1, 3, h, w]).to(device);
        var pred = Evaluator.Predict(model, input, mode, image.Height, image.Width).cpu();
        return Overlay.ToLabelMap(pred);
    }
}
