using static TorchSharp.torch;

namespace DaFormer.Model.Layers;

/// mmseg `resize(..., mode='bilinear', align_corners=False)` — the only resize the network uses.
public static class Resize
{
    public static Tensor Bilinear(Tensor x, long height, long width) =>
        nn.functional.interpolate(x, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
}
