using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Training.Inference;

/// The model to test or demo: built from the config's architecture and loaded strictly (a mismatch
/// names the architecture the file does fit), or — without a config — inferred from the file.
public static class InferenceModel
{
    public static Segmentor Load(InferenceSetup setup, string checkpoint, WhichWeights which, Device device)
    {
        Segmentor model;
        if (setup.Model is { } spec)
        {
            model = Architectures.Build(spec);
            try { SegmentorLoading.LoadInto(model, checkpoint, which); }
            catch { model.Dispose(); throw; }
        }
        else model = SegmentorLoading.Build(checkpoint, which);
        model.to(device);
        model.eval();
        return model;
    }
}
