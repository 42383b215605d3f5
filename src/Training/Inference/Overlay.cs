using DaFormer.Training.Data;
using static TorchSharp.torch;

namespace DaFormer.Training.Inference;

/// Drawing predictions: the original's `show_result` blend `img·(1−opacity) + colour·opacity`
/// (truncated to uint8 as numpy's astype does), train-ID maps and Cityscapes label-ID maps.
public static class Overlay
{
    public static RgbImage Blend(RgbImage image, LabelMap prediction, IReadOnlyList<(byte R, byte G, byte B)> palette, double opacity)
    {
        if (image.Width != prediction.Width || image.Height != prediction.Height)
            throw new ArgumentException($"prediction {prediction.Width}×{prediction.Height} does not match the image {image.Width}×{image.Height}");
        if (opacity is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(opacity), opacity, "opacity must be in [0, 1]");
        var px = new byte[image.Pixels.Length];
        for (var i = 0; i < prediction.Values.Length; i++)
        {
            var k = prediction.Values[i];
            var (r, g, b) = k < palette.Count ? palette[k] : ((byte)0, (byte)0, (byte)0);
            px[3 * i] = Mix(image.Pixels[3 * i], r, opacity);
            px[3 * i + 1] = Mix(image.Pixels[3 * i + 1], g, opacity);
            px[3 * i + 2] = Mix(image.Pixels[3 * i + 2], b, opacity);
        }
        return new RgbImage(image.Width, image.Height, px);
    }

    static byte Mix(byte image, byte colour, double opacity) => (byte)Math.Clamp(Math.Floor(image * (1 - opacity) + colour * opacity), 0, 255);

    /// (H,W) integer prediction tensor → 8-bit train-ID map.
    public static LabelMap ToLabelMap(Tensor prediction)
    {
        using var bytes = prediction.to(ScalarType.Byte).contiguous();
        return new LabelMap((int)prediction.shape[1], (int)prediction.shape[0], bytes.data<byte>().ToArray());
    }

    /// Train IDs → Cityscapes label IDs for the benchmark server (`--format-only`, mmseg
    /// CityscapesDataset._convert_to_label_id). Values without a Cityscapes ID stay as they are.
    public static LabelMap ToCityscapesIds(LabelMap trainIds)
    {
        var lut = new byte[256];
        for (var v = 0; v < 256; v++) lut[v] = (byte)(LabelMaps.CityscapesIdOfTrainId(v) ?? v);
        return trainIds with { Values = trainIds.Values.Select(v => lut[v]).ToArray() };
    }
}
