using DaFormer.Model.Runtime;
using DaFormer.Model.Backbones;
using DaFormer.Model.Segmentors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model;

/// What every segmentor offers the training step, evaluation and inference, so that none of them
/// asks which segmentor it has: the plain encoder–decoder (<see cref="Segmentor"/>, DAFormer) and
/// HRDA's multi-resolution one (<see cref="HrdaSegmentor"/>).
/// - `ForwardTrain`: the training forward and its loss terms under the original's log names;
/// - `EncodeDecode`: logits at the input size for one image batch (pseudo-labels, `whole` test);
/// - `SlideInference`: sliding windows of `EncodeDecode` (`slide` test);
/// - `FeatureImage` / `ExtractFeatures`: what the ImageNet feature distance compares.
public abstract class SegmentorBase(string name) : nn.Module<Tensor, Tensor>(name)
{
    public abstract int NumClasses { get; }

    /// The encoder (`backbone.*` keys): ImageNet weights are loaded into it.
    public abstract Encoder Backbone { get; }

    /// The encoder–decoder description (for HRDA: the per-scale segmentor it wraps).
    public abstract SegmentorSpec Spec { get; }

    /// The dtype the network computes in after `LowPrecisionInference.Prepare` (bf16/fp16): images are
    /// cast to it on the way into the encoder and the logits come out as float32. Null (the default):
    /// the network computes in the dtype of its weights and input (float32, or float64 for reference checks).
    public ScalarType? ComputeType { get; internal set; }

    /// The image in `ComputeType` for the encoder (the image itself when no compute type is set).
    protected Tensor InComputeType(Tensor img) => ComputeType is { } t && img.dtype != t ? img.to(t) : img.alias();

    /// HRDA's settings; null for a plain encoder–decoder.
    public virtual HrdaSpec? Hrda => null;

    /// Whether `SlideInference` sends all windows through the network as one batch (HRDA's
    /// `batched_slide`); the numbers are the same either way in eval mode.
    public virtual bool BatchedSlide => false;

    /// Training forward (mmseg `forward_train`): loss terms keyed `decode.loss_seg`, … (already
    /// weighted), accuracies, the logits to show and, on request, the feature-distance features.
    /// `pixelWeight` (B,H,W) multiplies the per-pixel loss. `random` draws HRDA's detail crop (one
    /// box per call); the plain segmentor draws nothing and accepts null.
    public abstract TrainingOutput ForwardTrain(Tensor img, Tensor gt, Tensor? pixelWeight = null, Random? random = null, bool returnFeatures = false);

    /// Logits resized to the input size (mmseg `encode_decode`).
    public abstract Tensor EncodeDecode(Tensor img);

    /// The image the ImageNet model sees for the feature distance (HRDA: the image at `feature_scale`).
    public virtual Tensor FeatureImage(Tensor img) => img.alias();

    /// mmseg `extract_feat`: the encoder features of `FeatureImage(img)` — what the frozen ImageNet
    /// copy of this segmentor contributes to the feature distance.
    public abstract Tensor[] ExtractFeatures(Tensor img);

    public override Tensor forward(Tensor img) => EncodeDecode(img);

    /// Whole-image inference (`test_cfg.mode='whole'`): logits at the input size.
    public virtual Tensor WholeInference(Tensor img) => EncodeDecode(img);

    /// Sliding-window inference (mmseg `slide_inference`): windows of `crop` with step `stride`, per
    /// axis `max(H − crop + stride − 1, 0) // stride + 1` windows, each shifted to end inside the
    /// image; overlapping logits are summed and divided by the per-pixel window count. With
    /// `BatchedSlide` all windows (which share one size) go through `EncodeDecode` in one batch,
    /// window-major.
    public Tensor SlideInference(Tensor img, (int H, int W) crop, (int H, int W) stride)
    {
        long b = img.shape[0], h = img.shape[2], w = img.shape[3];
        var boxes = (from y in Windows(h, crop.H, stride.H) from x in Windows(w, crop.W, stride.W) select (y, x)).ToList();
        var preds = zeros([b, NumClasses, h, w], dtype: img.dtype, device: img.device);
        using var count = zeros([1, 1, h, w], dtype: img.dtype, device: img.device);
        void Add(Tensor logits, ((long Start, long End) Y, (long Start, long End) X) box)
        {
            using var target = preds[.., .., (int)box.Y.Start..(int)box.Y.End, (int)box.X.Start..(int)box.X.End];
            target.PlusInPlace(logits);
            using var c = count[.., .., (int)box.Y.Start..(int)box.Y.End, (int)box.X.Start..(int)box.X.End];
            c.PlusInPlace(1L);
        }
        Tensor Cut(((long Start, long End) Y, (long Start, long End) X) box) =>
            img[.., .., (int)box.Y.Start..(int)box.Y.End, (int)box.X.Start..(int)box.X.End];
        if (BatchedSlide && boxes.Count > 1)
        {
            var windows = boxes.Select(Cut).ToArray();
            try
            {
                using var batch = cat(windows, 0);
                using var logits = EncodeDecode(batch);
                for (var k = 0; k < boxes.Count; k++)
                {
                    using var part = logits[(int)(k * b)..(int)((k + 1) * b)];
                    Add(part, boxes[k]);
                }
            }
            finally { foreach (var t in windows) t.Dispose(); }
        }
        else
        {
            foreach (var box in boxes)
            {
                using var window = Cut(box);
                using var logits = EncodeDecode(window);
                Add(logits, box);
            }
        }
        using (preds) return preds.div(count);
    }

    /// Window [start, end) ranges along one axis, as mmseg's slide_inference computes them.
    public static IEnumerable<(long Start, long End)> Windows(long size, long crop, long stride)
    {
        if (crop <= 0 || stride <= 0) throw new DaFormerError($"Sliding-window crop ({crop}) and stride ({stride}) must be positive.");
        var grids = Math.Max(size - crop + stride - 1, 0) / stride + 1;
        for (long i = 0; i < grids; i++)
        {
            var end = Math.Min(i * stride + crop, size);
            yield return (Math.Max(end - crop, 0), end);
        }
    }

    /// Enables or disables the stochastic layers (Dropout2d, DropPath) independently of BatchNorm.
    /// The EMA teacher runs with BN in train mode (batch statistics) but stochastic layers off:
    /// call `train()` then `SetStochasticLayersEnabled(false)`, or `TeacherMode()`.
    /// Note that a later `train()`/`eval()` resets these layers together with the rest.
    public void SetStochasticLayersEnabled(bool enabled)
    {
        foreach (var m in modules())
            if (m is Dropout2d or DropPath) m.train(enabled);
    }

    /// BN in train mode, Dropout/DropPath off — the EMA teacher's state during training (DACS).
    public void TeacherMode()
    {
        train();
        SetStochasticLayersEnabled(false);
    }
}
