using DaFormer.Model.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Layers;

/// PyTorch's `nn.BatchNorm2d` (same parameters, buffers and state-dict keys: weight, bias,
/// running_mean, running_var, num_batches_tracked), built instead of TorchSharp's sealed BatchNorm2d
/// because that one counts batches in training with an implicit `add_(1)` whose Scalars nothing holds
/// (HeldScalars explains the crash this causes). The forward is `_BatchNorm.forward` of
/// torch/nn/modules/batchnorm.py: in training the counter is incremented and the running statistics
/// are updated with `momentum` (or, with momentum null, the cumulative average 1 / num_batches_tracked).
public sealed class HeldBatchNorm2d : BatchNorm
{
    /// `nn.BatchNorm2d(features)` with PyTorch's defaults (eps 1e-5, momentum 0.1, affine, running statistics).
    public HeldBatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1)
        : base(features, eps, momentum, affine: true, track_running_stats: true, device: null, dtype: null, name: "BatchNorm2d")
    {
    }

    protected override void ValidateInputDimensions(Tensor input)
    {
        if (input.ndim != 4) throw new ArgumentException($"expected 4D input (got {input.ndim}D input)");
    }

    public override Tensor forward(Tensor input)
    {
        ValidateInputDimensions(input);
        double? factor = momentum;
        if (training && track_running_stats && num_batches_tracked is not null)
        {
            num_batches_tracked.PlusInPlace(1L);
            factor = momentum ?? 1.0 / num_batches_tracked.item<long>();
        }
        var bnTraining = training || (running_mean is null && running_var is null);
        var useRunning = !training || track_running_stats;
        return nn.functional.batch_norm(input, useRunning ? running_mean : null, useRunning ? running_var : null,
                                        weight, bias, bnTraining, factor ?? 0.0, eps);
    }
}
