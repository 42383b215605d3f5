using DaFormer.Model;
using DaFormer.Training.Config;
using DaFormer.Training.Optim;
using DaFormer.Training.Randomness;
using static TorchSharp.torch;

namespace DaFormer.Training.Uda;

/// The images, labels and weights the masked step starts from (before augmentation and masking).
public sealed record MaskedInputs(Tensor Image, Tensor Label, Tensor? Weight);

/// What the masked step did: its logged entries (without the `masked.` prefix) and, for the debug
/// grid, the masked image and the student's prediction on it.
public sealed record MaskedResult(IReadOnlyDictionary<string, double> Logs, Tensor MaskedImage, Tensor Prediction);

/// Masked Image Consistency, the step the original's `MaskingConsistencyModule.__call__` performs
/// inside DACS after the mixed step: choose the images of `mask_mode`, give them a fresh strong
/// augmentation (`…aug` modes), blank blocks with `BlockMaskGenerator`, train the student on them
/// with the teacher's pseudo-labels of the UNMASKED target, `mask_lambda` on `decode.loss_seg`.
public static class MaskedConsistency
{
    /// Images, labels and weights of `mode`. The target modes use the DACS pseudo-labels with their
    /// UN-mixed weights (DACS mixes into a copy so that these stay available); `separate` takes
    /// sample 0 of the source (ground truth, weight 1) and sample 0 of the target.
    public static MaskedInputs Select(MaskMode mode, Tensor img, Tensor gt, Tensor timg, Tensor pseudoLabel, Tensor pseudoWeight)
    {
        switch (mode)
        {
            case MaskMode.SeparateTarget or MaskMode.SeparateTargetAug:
                return new MaskedInputs(timg, pseudoLabel.unsqueeze(1), pseudoWeight);
            case MaskMode.SeparateSource or MaskMode.SeparateSourceAug:
                return new MaskedInputs(img, gt, null);
            case MaskMode.Separate or MaskMode.SeparateAug:
                if (img.shape[0] != 2)
                    throw new ArgumentException($"MIC mode 'separate' pairs one source and one target image and needs batch size 2, got {img.shape[0]}");
                var image = stack([img[0], timg[0]]);
                var label = stack([gt[0], pseudoLabel[0].unsqueeze(0)]);
                var weight = stack([ones_like(pseudoWeight[0]), pseudoWeight[0]]);
                return new MaskedInputs(image, label, weight);
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "not a MIC mask mode");
        }
    }

    public static bool Augments(MaskMode mode) => mode is MaskMode.SeparateAug or MaskMode.SeparateSourceAug or MaskMode.SeparateTargetAug;

    /// The fresh strong augmentation of the masked branch: switches and per-image jitter factors as
    /// DACS draws them, but ONE blur σ for the whole batch (the original transforms the batch in one
    /// call, and `gaussian_blur` draws σ once per call).
    public static StrongAugmentDraw DrawAugmentation(Random rng, int batch, MicConfig mic)
    {
        var draw = StrongAugment.Draw(rng, batch, mic.ColorJitter.Strength, mic.ColorJitter.Probability, mic.Blur);
        return draw.BlurSigma is { Count: > 0 } sigma ? draw with { BlurSigma = Enumerable.Repeat(sigma[0], batch).ToArray() } : draw;
    }

    /// The masked step: augmentation, block mask, student forward, backward. `mean`/`std` are the
    /// dataset normalisation (0…255, RGB). Randomness: `MicAugment` and `MicMask` streams of the
    /// iteration; `crop` is the HRDA detail-crop stream (unused by single-scale segmentors).
    /// `lossScale`: fp16 loss scaling of the backward (see ScaledOptimizerStep.Backward).
    public static MaskedResult Step(SegmentorBase student, MaskedInputs inputs, MicConfig mic, IReadOnlyList<double> mean,
        IReadOnlyList<double> std, IterationStreams random, Random? crop = null, double lossScale = 1.0)
    {
        var image = inputs.Image;
        if (Augments(mic.Mode))
            image = StrongAugment.Apply(image, mean, std, DrawAugmentation(random.Random(Purpose.MicAugment), (int)image.shape[0], mic));
        using var generator = random.Torch(Purpose.MicMask);
        var (masked, _) = BlockMask.Apply(image, mic.BlockSize, mic.MaskRatio, generator);
        var forward = SegmentorTraining.Forward(student, masked, inputs.Label, inputs.Weight, mic.Lambda, crop);
        ScaledOptimizerStep.Backward(forward.Loss, lossScale);
        return new MaskedResult(forward.Logs, masked, forward.Logits.detach().argmax(1));
    }
}
