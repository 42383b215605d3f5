using DaFormer.Model.LowPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Layers;

/// y = x·Wᵀ + b over the last dimension — every MiT and head Linear goes through here.
///
/// It used to compute the Linear on the CPU as a 1×1 convolution of a channels-last (1, K, M, 1)
/// view of x, because oneDNN's convolutions outran MKL's sgemm on this AMD CPU. That path is wrong
/// with more than one thread for some token counts M (libtorch 2.10 CPU, 2 threads, measured
/// 2026-12-01 against `linear`: 160→640 wrong by relL2 ≈ 0.1 for 105 of the M in 100…400, e.g.
/// M = 144 and 216 — HRDA's batch of 12 or 18 sliding windows at MiT stage 3 —, 128→512 with
/// M = 8192 — MiT-b5 stage 2 at 2×512² — wrong by 0.067, and some shapes abort the process; with one
/// thread, or with the pixels as the batch axis (M, K, 1, 1), every case was right). Until a
/// correct fast path is found and measured, the ordinary `linear` is used everywhere;
/// `FastLinearTests` holds the failing shapes.
public static class FastLinear
{
    public static Tensor Apply(Linear layer, Tensor x) => Apply(x, layer.weight!, layer.bias);

    /// Under an `Autocast` scope the product runs in the scope's dtype (mixed-precision training).
    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias) => Autocast.Linear(x, weight, bias);
}
