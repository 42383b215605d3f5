using static TorchSharp.torch;

namespace DaFormer.Model.Layers;

/// mmseg `resize(..., mode='bilinear', align_corners=False)` — the only resize the network uses.
public static class Resize
{
    public static Tensor Bilinear(Tensor x, long height, long width) =>
        nn.functional.interpolate(x, size: [height, width], mode: InterpolationMode.Bilinear, align_corners: false);

    /// `F.interpolate(x, scale_factor=s, mode='bilinear', align_corners=False)`: output size
    /// floor(in·s), and the kernel samples at `(dst + 0.5)/s − 0.5` (the given factor, not in/out).
    /// HRDA rescales its views and upsamples its context logits this way. s = 1 is an exact copy,
    /// so it returns an alias.
    public static Tensor BilinearByFactor(Tensor x, double scale) =>
        scale == 1 ? x.alias()
        : nn.functional.interpolate(x, scale_factor: [scale, scale], mode: InterpolationMode.Bilinear, align_corners: false);
}
