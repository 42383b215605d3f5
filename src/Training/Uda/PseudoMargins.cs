using DaFormer.Training.Config;
using DaFormer.Training.Data;
using DaFormer.Training.Data.Pipeline;
using static TorchSharp.torch;

namespace DaFormer.Training.Uda;

/// Where a target crop sits in its resized image: the crop box and whether it was flipped.
public readonly record struct CropGeometry(CropBox Box, bool Flipped);

/// The `valid_pseudo_mask` of HRDA's margins "v2": the original creates a 0/1 mask of the full target
/// image (`crop_pseudo_margins`) and registers it as a segmentation field, so the target's Resize,
/// RandomCrop and RandomFlip act on it exactly as on a label. Here the same pipeline functions are
/// applied to the same mask, given the crop box and flip the loader drew for each target sample.
public static class PseudoMargins
{
    /// The mask at `Reference` size: 1 inside, 0 in the margins.
    public static LabelMap Reference(PseudoLabelMargins m)
    {
        int w = m.Reference.Width, h = m.Reference.Height;
        var values = new byte[w * h];
        for (var y = m.Top; y < h - m.Bottom; y++)
            Array.Fill(values, (byte)1, y * w + m.Left, Math.Max(0, w - m.Left - m.Right));
        return new LabelMap(w, h, values);
    }

    /// The mask after the target's keep-ratio resize to `scale` (nearest, as for labels).
    public static LabelMap Resized(PseudoLabelMargins m, ImageSize scale)
    {
        var reference = Reference(m);
        var (w, h) = KeepRatio.Size(reference.Width, reference.Height, scale.Width, scale.Height);
        return Resize.Nearest(reference, w, h);
    }

    /// (B,1,H,W) float32 masks of a batch: crop, flip and pad (with 0: padded pixels hold no image, so
    /// they get no pseudo-label weight) of the resized mask per sample.
    public static Tensor Masks(LabelMap resized, IReadOnlyList<CropGeometry> samples, int height, int width)
    {
        var data = new float[samples.Count * height * width];
        for (var b = 0; b < samples.Count; b++)
        {
            var (box, flipped) = samples[b];
            if (box.Top < 0 || box.Left < 0 || box.Bottom > resized.Height || box.Right > resized.Width)
                throw new ArgumentException($"target crop ({box}) lies outside the {resized.Width}×{resized.Height} pseudo-label margin mask; the target images are not of the margins' reference size");
            var crop = Crop.Label(resized, box);
            if (flipped) crop = Flip.Horizontal(crop);
            crop = Pad.Label(crop, height, width, 0);
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                    data[(b * height + y) * width + x] = crop[y, x];
        }
        return tensor(data, [samples.Count, 1, height, width]);
    }
}
