using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Training.Data.Loader;

/// One training batch: source image (B,3,H,W) float32, source label (B,1,H,W) int64, target image
/// (B,3,H,W) (null when the loader runs without a target) and, when requested, target label
/// (B,1,H,W). The caller owns (disposes) the tensors.
public sealed class UdaBatch : IDisposable
{
    public long BatchIndex { get; }
    public Tensor SourceImage { get; }
    public Tensor SourceLabel { get; }
    public Tensor? TargetImage { get; }
    public Tensor? TargetLabel { get; }
    public IReadOnlyList<int> SourceIndices { get; }
    public IReadOnlyList<int> TargetIndices { get; }
    /// The RCS class each source sample was drawn for (null entries without RCS).
    public IReadOnlyList<int?> RcsClasses { get; }
    /// Crop box and flip of each target sample in its resized image (empty without a target): what
    /// the pseudo-label margins need to follow the target through the pipeline.
    public IReadOnlyList<(Pipeline.CropBox Box, bool Flipped)> TargetGeometry { get; }

    public UdaBatch(long batchIndex, IReadOnlyList<UdaSample> samples)
    {
        BatchIndex = batchIndex;
        SourceImage = StackImages(samples.Select(s => s.Source).ToList());
        SourceLabel = StackLabels(samples.Select(s => s.Source).ToList());
        var targets = samples.Select(s => s.Target).ToList();
        TargetImage = targets.All(t => t is not null) ? StackImages(targets!) : null;
        TargetLabel = targets.All(t => t?.Label is not null) ? StackLabels(targets!) : null;
        SourceIndices = samples.Select(s => s.SourceIndex).ToArray();
        TargetIndices = samples.Select(s => s.TargetIndex).ToArray();
        RcsClasses = samples.Select(s => s.RcsClass).ToArray();
        TargetGeometry = targets.All(t => t is not null) ? targets.Select(t => (t!.Box, t.Flipped)).ToArray() : [];
    }

    public static Tensor StackImages(IReadOnlyList<Pipeline.AugmentedSample> samples)
    {
        int h = samples[0].Height, w = samples[0].Width, plane = 3 * h * w;
        var data = new float[samples.Count * plane];
        for (var i = 0; i < samples.Count; i++)
        {
            if (samples[i].Height != h || samples[i].Width != w)
                throw new InvalidOperationException($"batch mixes sample sizes {h}×{w} and {samples[i].Height}×{samples[i].Width}");
            Array.Copy(samples[i].Image, 0, data, i * plane, plane);
        }
        return torch.tensor(data, new long[] { samples.Count, 3, h, w });
    }

    public static Tensor StackLabels(IReadOnlyList<Pipeline.AugmentedSample> samples)
    {
        int h = samples[0].Height, w = samples[0].Width, plane = h * w;
        var data = new long[samples.Count * plane];
        for (var i = 0; i < samples.Count; i++)
        {
            var label = samples[i].Label ?? throw new InvalidOperationException("sample has no label");
            for (var j = 0; j < plane; j++) data[i * plane + j] = label[j];
        }
        return torch.tensor(data, new long[] { samples.Count, 1, h, w });
    }

    public void Dispose()
    {
        SourceImage.Dispose();
        SourceLabel.Dispose();
        TargetImage?.Dispose();
        TargetLabel?.Dispose();
    }
}
