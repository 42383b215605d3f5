using DaFormer.Model;
using DaFormer.Training.Optim;
using static TorchSharp.torch;

namespace DaFormer.Training.Uda;

/// One supervised step (source-only and target-only baselines): the segmentor's own training
/// forward (DAFormer's CE; under HRDA the fused, detail-crop and context losses of
/// `HRDAEncoderDecoder.forward_train`), then backward on the sum of the loss terms.
public static class SupervisedStep
{
    /// `crop` draws HRDA's detail-crop box (the iteration's `Purpose.HrdaCrop` stream, as in the
    /// DACS step); the plain segmentor draws nothing and accepts null. `lossScale` multiplies the loss
    /// before backward (fp16 loss scaling; the logged values are unscaled).
    public static IReadOnlyDictionary<string, double> Run(SegmentorBase model, Tensor img, Tensor gt, Random? crop = null, double lossScale = 1.0)
    {
        using var scope = NewDisposeScope();
        model.train();
        var forward = SegmentorTraining.Forward(model, img, gt, weight: null, crop: crop);
        ScaledOptimizerStep.Backward(forward.Loss, lossScale);
        return forward.Logs;
    }
}
