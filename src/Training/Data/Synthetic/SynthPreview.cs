namespace DaFormer.Training.Data.Synthetic;

/// A contact sheet for eyeballing the domains: columns = images 0…n−1; rows = source image, source
/// labels (Cityscapes colours), target image, target labels.
public static class SynthPreview
{
    public static RgbImage Sheet(SynthOptions o, int count = 4)
    {
        int w = o.Width, h = o.Height;
        var sheet = new byte[w * count * h * 4 * 3];
        void Paste(byte[] rgb, int col, int row)
        {
            for (var y = 0; y < h; y++)
                Array.Copy(rgb, y * w * 3, sheet, ((row * h + y) * w * count + col * w) * 3, w * 3);
        }
        for (var i = 0; i < count; i++)
        {
            var s = SynthDataset.Render(o, SynthDomain.Source, i);
            var t = SynthDataset.Render(o, SynthDomain.TargetTrain, i);
            Paste(s.Image.Pixels, i, 0); Paste(Colourise(s.TrainIds), i, 1);
            Paste(t.Image.Pixels, i, 2); Paste(Colourise(t.TrainIds), i, 3);
        }
        return new RgbImage(w * count, h * 4, sheet);
    }

    static byte[] Colourise(LabelMap trainIds)
    {
        var pal = CsClass.LabelIdPalette;
        var rgb = new byte[trainIds.Values.Length * 3];
        for (var i = 0; i < trainIds.Values.Length; i++)
        {
            var t = trainIds.Values[i];
            var (r, g, b) = t < CsClass.LabelIdOfTrainId.Length ? pal[CsClass.LabelIdOfTrainId[t]] : ((byte)0, (byte)0, (byte)0);
            rgb[3 * i] = r; rgb[3 * i + 1] = g; rgb[3 * i + 2] = b;
        }
        return rgb;
    }
}
