using DaFormer.Model.Runtime;
using DaFormer.Model.Backbones;
using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.LowPrecision;

/// Folds an eval-mode BatchNorm into the convolution before it. In eval mode BN is the per-channel
/// affine map y = (x − μ)·γ/√(σ² + ε) + β of the conv output, so with s = γ/√(σ² + ε)
///   W' = W·s (per output channel),  b' = (b − μ)·s + β
/// gives the same result in one convolution: exact in real arithmetic, different only in float
/// rounding. Folding in float64 before casting to bf16 also rounds the weights once instead of
/// rounding the conv output and then BN's output. Only valid for inference: BN in train mode uses
/// batch statistics, and the folded layers must not be trained or saved.
public static class BatchNormFolding
{
    /// The folded convolution weight and bias (computed in float64, returned in the weight's dtype).
    public static (Tensor Weight, Tensor Bias) Fold(Tensor convWeight, Tensor? convBias, Tensor runningMean, Tensor runningVar,
                                                    Tensor? gamma, Tensor? beta, double eps)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var dtype = convWeight.dtype;
        var outChannels = convWeight.shape[0];
        var mean = runningMean.to(ScalarType.Float64);
        var scale = runningVar.to(ScalarType.Float64).Plus(eps).rsqrt();
        if (gamma is not null) scale = scale * gamma.to(ScalarType.Float64);
        var shape = new long[convWeight.dim()];
        Array.Fill(shape, 1L);
        shape[0] = outChannels;
        var weight = convWeight.to(ScalarType.Float64) * scale.view(shape);
        var bias = ((convBias?.to(ScalarType.Float64) ?? zeros(outChannels, ScalarType.Float64, convWeight.device)) - mean) * scale;
        if (beta is not null) bias = bias.Plus(beta.to(ScalarType.Float64));
        return (weight.to(dtype).MoveToOuterDisposeScope(), bias.to(dtype).MoveToOuterDisposeScope());
    }

    /// Folds every (Conv2d, BatchNorm2d) pair of the networks we build: `ConvModule` (its `bn` is then
    /// skipped) and, in ResNet-V1c, the stem, the bottlenecks and their downsample branches (there the
    /// BN module stays in place but is made an exact identity: μ = 0, σ² = 1, ε = 0, γ = 1, β = 0).
    /// BNs of other modules stay as they are (still correct, only not fused). Returns the pairs folded.
    public static int FoldAll(nn.Module model)
    {
        if (model.training) throw new InvalidOperationException("BatchNorm folding needs a model in eval mode (running statistics).");
        var folded = 0;
        foreach (var m in model.modules())
        {
            switch (m)
            {
                case ConvModule { bn: { } bn, BatchNormFolded: false } cm:
                    FoldInto(cm.conv, bn);
                    cm.BatchNormFolded = true;
                    folded++;
                    break;
                case ResNetBottleneck rb:
                    foreach (var (conv, bn) in new[] { (rb.conv1, rb.bn1), (rb.conv2, rb.bn2), (rb.conv3, rb.bn3) })
                        folded += FoldAndNeutralise(conv, bn);
                    break;
                case Sequential seq:
                    var children = seq.children().ToList();
                    for (var i = 0; i + 1 < children.Count; i++)
                        if (children[i] is Conv2d conv && children[i + 1] is BatchNorm bn2)
                            folded += FoldAndNeutralise(conv, bn2);
                    break;
            }
        }
        return folded;
    }

    static void FoldInto(Conv2d conv, BatchNorm bn)
    {
        var (w, b) = Fold(conv.weight!, conv.bias, bn.running_mean!, bn.running_var!, bn.weight, bn.bias, bn.eps);
        conv.weight = new Parameter(w, requires_grad: false);
        conv.bias = new Parameter(b, requires_grad: false);
    }

    static int FoldAndNeutralise(Conv2d conv, BatchNorm bn)
    {
        if (IsIdentity(bn)) return 0; // already folded
        FoldInto(conv, bn);
        using var _ = no_grad();
        bn.running_mean!.zero_();
        bn.running_var!.FilledWith(1);
        bn.weight?.FilledWith(1);
        bn.bias?.zero_();
        bn.eps = 0; // (x − 0)/√(1 + 0)·1 + 0 = x exactly
        return 1;
    }

    static bool IsIdentity(BatchNorm bn) => bn.eps == 0;
}
