using DaFormer.Model;
using DaFormer.Model.Runtime;
using static TorchSharp.torch;

namespace DaFormer.Training.Runs;

/// What `Runtime.Precision` means for training on a given device, checked before anything is built.
public static class TrainingPrecision
{
    /// fp32 trains everywhere; fp16 needs CUDA (one paragraph saying so); bf16/fp16 training — float32
    /// master weights and AdamW state with bf16/fp16 convolutions and linear layers — is not built yet,
    /// so asking for it stops the run instead of silently training in float32.
    public static void EnsureTrainable(Precision precision, Device device)
    {
        Precisions.EnsureSupported(precision, device, "Runtime.Precision");
        if (precision != Precision.Fp32)
            throw new DaFormerError(
                $"Runtime.Precision {precision.Name()}: training runs in fp32 only for now; {precision.Name()} is available for " +
                $"inference (`daformer test|demo|bench … --precision {precision.Name()}`). Set Runtime.Precision to fp32 " +
                "(e.g. `--set Runtime.Precision=fp32`).");
    }
}
