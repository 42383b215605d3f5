using DaFormer.Model.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Necks;

/// The `SegFormerAdapter` neck of the `daformer_sepaspp_bottleneck` ablation: replaces selected
/// feature levels by bilinear (align_corners=False) upsampling with an integer scale. No parameters.
public sealed class SegFormerAdapter : nn.Module<Tensor[], Tensor[]>
{
    readonly int[] outLayers;
    readonly int[] scales;

    public SegFormerAdapter(int[] outLayers, int[] scales) : base(nameof(SegFormerAdapter))
    {
        this.outLayers = outLayers;
        this.scales = scales;
    }

    /// Returns a new array: replaced levels are new tensors, the others are the inputs themselves.
    public override Tensor[] forward(Tensor[] features)
    {
        var result = (Tensor[])features.Clone();
        for (var i = 0; i < outLayers.Length; i++)
        {
            var level = outLayers[i];
            var x = features[level];
            if (scales[i] != 1) result[level] = Resize.Bilinear(x, x.shape[2] * scales[i], x.shape[3] * scales[i]);
        }
        return result;
    }
}
