using DaFormer.Model.LowPrecision;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Layers;

/// DAFormer's `ASPPWrapper` without image pooling / context layer (the configurations used):
/// parallel branches `aspp_modules.{i}` on the same input (dilation 1 → 1×1 ConvModule; otherwise a
/// 3×3 dilated ConvModule, or a depthwise-separable one when `separable`), concatenated in order →
/// `bottleneck` 3×3 ConvModule. All with BN + ReLU (spec §3.2, §3.3).
public sealed class AsppWrapper : nn.Module<Tensor, Tensor>
{
    public readonly nn.Module<Tensor, Tensor> aspp_modules;
    public readonly ConvModule bottleneck;
    readonly nn.Module<Tensor, Tensor>[] branches;
    readonly bool separable;

    /// Whether the dilated branches are depthwise-separable (DAFormer's final head) or dense 3×3 convolutions.
    public bool Separable => separable;

    public AsppWrapper(long inChannels, long channels, IReadOnlyList<int> dilations, bool separable) : base(nameof(AsppWrapper))
    {
        this.separable = separable;
        branches = dilations.Select(d => Branch(inChannels, channels, d, separable)).ToArray();
        aspp_modules = new Branches(branches);
        bottleneck = new ConvModule(dilations.Count * channels, channels, 3, padding: 1);
        RegisterComponents();
    }

    static nn.Module<Tensor, Tensor> Branch(long inChannels, long channels, int dilation, bool separable) =>
        dilation == 1 ? new ConvModule(inChannels, channels, 1)
        : separable ? new DepthwiseSeparableConvModule(inChannels, channels, 3, padding: dilation, dilation: dilation)
        : new ConvModule(inChannels, channels, 3, padding: dilation, dilation: dilation);

    public override Tensor forward(Tensor x)
    {
        if (separable && InferenceConv.IsCpuInference(x)) return ForwardChannelsLast(x);
        var outs = new Tensor[branches.Length];
        // Dilated depthwise convs run 2–3× faster on NCHW-contiguous input than on channels-last
        // (libtorch 2.10 CPU, measured fwd+bwd); other convs are layout-neutral. One copy of the input
        // (in inference through a fast transpose, see Layout.Contiguous).
        using var input = separable ? Layout.Contiguous(x) : x.alias();
        try
        {
            for (var i = 0; i < branches.Length; i++) outs[i] = branches[i].forward(input);
            using var cat = torch.cat(outs, 1);
            using var packed = Layout.ChannelsLastInInference(cat);
            return bottleneck.forward(packed);
        }
        finally { foreach (var o in outs) o?.Dispose(); }
    }

    /// The separable ASPP in CPU inference (no autograd), channels-last from its branches on. In
    /// bf16/fp16 the decoder's concatenation arrives channels-last and the depthwise convolutions run
    /// channels-last on an explicitly padded input (InferenceConv.Conv2d: bf16 1×1024×128×256, dilation
    /// 6/12/18, 2 threads, 2026-12-01: 15–17 ms each instead of 23/55/55 ms on NCHW — and no 22 ms copy
    /// of the input to NCHW); in float32 the input stays NCHW, where the dilations 12/18 also run on an
    /// explicitly padded input. The 1×1 convolutions write channels-last
    /// (InferenceConv.PointwiseChannelsLast), and so does the concatenation of channels-last maps, which
    /// the bf16 bottleneck prefers and float32's does not mind. Same sums as the training path; the
    /// rounding order may differ.
    Tensor ForwardChannelsLast(Tensor x)
    {
        var outs = new Tensor[branches.Length];
        using var input = Layout.ChannelsLastInInference(x);   // bf16/fp16: an alias of a channels-last map; float32: of x
        try
        {
            for (var i = 0; i < branches.Length; i++) outs[i] = ChannelsLastBranch(branches[i], input);
            using var cat = torch.cat(outs, 1);
            return bottleneck.forward(cat);
        }
        finally { foreach (var o in outs) o?.Dispose(); }
    }

    /// A branch in CPU inference, its output channels-last (InferenceConv.PointwiseChannelsLast).
    static Tensor ChannelsLastBranch(nn.Module<Tensor, Tensor> branch, Tensor x)
    {
        switch (branch)
        {
            case ConvModule pointwise:
                return InferenceConv.PointwiseChannelsLast(pointwise, x);
            case DepthwiseSeparableConvModule separable:
                using (var d = separable.depthwise_conv.forward(x))
                    return InferenceConv.PointwiseChannelsLast(separable.pointwise_conv, d);
            default:
                using (var y = branch.forward(x)) return Layout.ChannelsLastInInference(y);
        }
    }

    /// A ModuleList (keys `aspp_modules.{i}`) — not called directly.
    sealed class Branches : nn.Module<Tensor, Tensor>
    {
        public Branches(IEnumerable<nn.Module<Tensor, Tensor>> modules) : base("ASPPModule")
        {
            var i = 0;
            foreach (var m in modules) register_module((i++).ToString(), m);
        }

        public override Tensor forward(Tensor x) => throw new NotSupportedException("ASPP branches are applied by AsppWrapper.");
    }
}
