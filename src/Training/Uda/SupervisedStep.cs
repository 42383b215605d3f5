using DaFormer.Model;
using static TorchSharp.torch;

namespace DaFormer.Training.Uda;

/// One supervised step (source-only and target-only baselines): forward, the original's CE, backward.
public static class SupervisedStep
{
    public static IReadOnlyDictionary<string, double> Run(Segmentor model, Tensor img, Tensor gt)
    {
        using var scope = NewDisposeScope();
        model.train();
        var logits = model.DecodeLogits(model.ExtractFeatures(img));
        var loss = Segmentor.Loss(logits, gt);
        var result = new Dictionary<string, double>
        {
            ["decode.loss_seg"] = loss.item<float>(),
            ["decode.acc_seg"] = Segmentor.Accuracy(logits, gt),
        };
        loss.backward();
        return result;
    }
}
