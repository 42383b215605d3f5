using DaFormer.Model.LowPrecision;
using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Heads;

/// DAFormer decode head (spec §3.2): per-level MLP embeddings → bilinear alignment to level 0 →
/// concat → context-aware fusion → Dropout2d → `conv_seg`. `isaChannels` (the ISA fusion's key/query
/// width) defaults to `channels`, as in the decoder study (256). Fields in the original registration
/// order (`conv_seg` of the base head first), so the state-dict keys and order match §3.5.
public sealed class DaformerHead : DecodeHead
{
    public static readonly int[] AsppDilations = [1, 6, 12, 18];

    public readonly Conv2d conv_seg;
    public readonly Dropout2d? dropout;
    public readonly ModuleList<nn.Module<Tensor, Tensor>> embed_layers;
    public readonly nn.Module<Tensor, Tensor> fuse_layer;

    public DaformerFusion Fusion { get; }
    public override int NumClasses { get; }

    public DaformerHead(IReadOnlyList<int> inChannels, int channels, int numClasses, DaformerFusion fusion,
                        double dropoutRatio = 0.1, int? isaChannels = null) : base(nameof(DaformerHead))
    {
        Fusion = fusion;
        NumClasses = numClasses;
        conv_seg = nn.Conv2d(channels, numClasses, 1);
        dropout = dropoutRatio > 0 ? nn.Dropout2d(dropoutRatio) : null;
        var embedDims = channels; // embed_dims = channels in every DAFormer config
        embed_layers = new ModuleList<nn.Module<Tensor, Tensor>>();
        for (var i = 0; i < inChannels.Count; i++)
        {
            var last = i == inChannels.Count - 1;
            embed_layers.Add(last && fusion == DaformerFusion.SepAsppBottleneck
                ? nn.Sequential(("0", nn.Conv2d(inChannels[i], embedDims, 1)),
                                ("1", new AsppWrapper(embedDims, embedDims, AsppDilations, separable: true)))
                : new MlpEmbedding(inChannels[i], embedDims));
        }
        var fusedIn = embedDims * inChannels.Count;
        fuse_layer = fusion switch
        {
            DaformerFusion.SepAspp => new AsppWrapper(fusedIn, channels, AsppDilations, separable: true),
            DaformerFusion.Aspp => new AsppWrapper(fusedIn, channels, AsppDilations, separable: false),
            DaformerFusion.Isa => new IsaFusion(fusedIn, channels, isaChannels ?? channels, (8, 8)),
            _ => new ConvModule(fusedIn, channels, 1),
        };
        RegisterComponents();
        Init.Normal(conv_seg, 0.01);
    }

    public override Tensor forward(Tensor[] features)
    {
        using var cat = MlpEmbedding.EmbedAlignConcat(embed_layers.ToList(), features);
        using var fused = fuse_layer.forward(cat);
        return Classify(fused, dropout, conv_seg);
    }

    /// Dropout2d (whole channels per sample, active in training only) → 1×1 classifier.
    internal static Tensor Classify(Tensor x, Dropout2d? dropout, Conv2d classifier)
    {
        if (dropout is null) return Autocast.Conv2d(classifier, x);
        using var d = dropout.forward(x);
        return Autocast.Conv2d(classifier, d);
    }
}
