using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Heads;

/// SegFormer's all-MLP head (spec §3.3, `segformer_b5.py`): `linear_c.{i}` MLPs C_i → E,
/// upsample to level 0, concat → `linear_fuse` 1×1 ConvModule (BN, ReLU) → Dropout2d → `linear_pred`.
/// The base head's `conv_seg` (128 → classes, from the config's `channels=128`) exists in the
/// original state dict but is never used; it is kept so checkpoints load strictly.
public sealed class SegformerHead : DecodeHead
{
    public const int UnusedConvSegChannels = 128;

    public readonly Conv2d conv_seg;
    public readonly Dropout2d? dropout;
    public readonly ModuleList<MlpEmbedding> linear_c;
    public readonly ConvModule linear_fuse;
    public readonly Conv2d linear_pred;

    public override int NumClasses { get; }

    public SegformerHead(IReadOnlyList<int> inChannels, int embedDim, int numClasses, double dropoutRatio = 0.1)
        : base(nameof(SegformerHead))
    {
        NumClasses = numClasses;
        conv_seg = nn.Conv2d(UnusedConvSegChannels, numClasses, 1);
        dropout = dropoutRatio > 0 ? nn.Dropout2d(dropoutRatio) : null;
        linear_c = new ModuleList<MlpEmbedding>(inChannels.Select(c => new MlpEmbedding(c, embedDim)).ToArray());
        linear_fuse = new ConvModule(embedDim * inChannels.Count, embedDim, 1);
        linear_pred = nn.Conv2d(embedDim, numClasses, 1);
        RegisterComponents();
        Init.Normal(conv_seg, 0.01);
    }

    public override Tensor forward(Tensor[] features)
    {
        using var cat = MlpEmbedding.EmbedAlignConcat(linear_c.Cast<nn.Module<Tensor, Tensor>>().ToList(), features);
        using var fused = linear_fuse.forward(cat);
        return DaformerHead.Classify(fused, dropout, linear_pred);
    }
}
