using DaFormer.Model;
using DaFormer.Model.LowPrecision;
using DaFormer.Model.Runtime;
using static TorchSharp.torch;

namespace DaFormer.Training.Runs;

/// What `Runtime.Precision` means for training on a given device, checked before anything is built.
/// bf16 (CPU and CUDA) and fp16 (CUDA) train with float32 master weights and AdamW state, the
/// convolutions, linear layers and attention of the network in the low precision (`Autocast`), and
/// for fp16 dynamic loss scaling (`LossScaling`).
public static class TrainingPrecision
{
    /// fp16 needs CUDA, and the low precisions need a network whose layers `Autocast` covers (one
    /// paragraph saying so otherwise).
    public static void EnsureTrainable(Precision precision, Device device, SegmentorSpec spec)
    {
        Precisions.EnsureSupported(precision, device, "Runtime.Precision");
        MixedPrecisionCoverage.Ensure(spec, precision, "Runtime.Precision");
    }

    /// The dtype `Autocast` computes in during training: null for fp32 (no casts).
    public static ScalarType? ComputeType(Precision precision) => precision == Precision.Fp32 ? null : precision.ComputeType();
}
