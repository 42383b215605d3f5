using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Model.Segmentors;
using DaFormer.Model.LowPrecision;
using DaFormer.Model.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Training.Inference;

/// The model to test or demo: built from the config's architecture and loaded strictly (a mismatch
/// names the architecture the file does fit), or — without a config — inferred from the file.
/// With bf16/fp16 the loaded network is prepared for low-precision inference (LowPrecisionInference).
public static class InferenceModel
{
    public static SegmentorBase Load(InferenceSetup setup, string checkpoint, WhichWeights which, Device device,
                                     Precision precision = Precision.Fp32)
    {
        Precisions.EnsureSupported(precision, device);
        SegmentorBase model;
        if (setup.Model is { } spec)
        {
            model = SegmentorFactory.Build(spec, setup.Hrda);
            try { SegmentorLoading.LoadInto(model, checkpoint, which); }
            catch { model.Dispose(); throw; }
        }
        else model = SegmentorLoading.Build(checkpoint, which);
        model.to(device);
        model.eval();
        LowPrecisionInference.Prepare(model, precision, device);
        return model;
    }
}
