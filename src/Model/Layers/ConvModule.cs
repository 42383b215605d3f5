using DaFormer.Model.LowPrecision;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Layers;

/// mmcv ConvModule: `conv` → optional `bn` (BatchNorm2d, PyTorch defaults) → optional ReLU.
/// As in mmcv (`bias='auto'`), the conv has a bias only when no norm follows. Kaiming (fan_out)
/// initialisation of the conv, BN weight 1 / bias 0 (spec §3.2).
public sealed class ConvModule : nn.Module<Tensor, Tensor>
{
    public readonly Conv2d conv;
    public readonly HeldBatchNorm2d? bn;
    readonly bool relu;

    /// Whether a ReLU follows the convolution (and BN).
    public bool Relu => relu;

    /// Set by `BatchNormFolding` for inference: `bn` has been folded into `conv` and is skipped.
    internal bool BatchNormFolded { get; set; }

    public ConvModule(long inChannels, long outChannels, long kernel, long padding = 0, long dilation = 1,
                      long groups = 1, bool norm = true, bool relu = true) : base(nameof(ConvModule))
    {
        conv = nn.Conv2d(inChannels, outChannels, kernel, stride: 1, padding: padding, dilation: dilation,
                         groups: groups, bias: !norm);
        bn = norm ? new HeldBatchNorm2d(outChannels) : null;
        this.relu = relu;
        RegisterComponents();
        Init.KaimingFanOut(conv);
        if (bn is not null) Init.Constant(bn);
    }

    public override Tensor forward(Tensor x)
    {
        var bn = BatchNormFolded ? null : this.bn;
        if (bn is null) return relu ? InferenceConv.Conv2d(conv, x).relu_() : InferenceConv.Conv2d(conv, x);
        using var c = InferenceConv.Conv2d(conv, x);
        var y = bn.forward(c);
        return relu ? y.relu_() : y;
    }
}
