namespace DaFormer.Training.Data.Pipeline;

/// mmseg `RandomCrop` (spec §2.3): a uniformly placed box (clipped to the image), and with
/// `cat_max_ratio < 1` up to 10 checks that the box is not dominated by one class.
public static class RandomCrop
{
    /// One draw: offset_h then offset_w, each uniform in [0, max(size − crop, 0)] inclusive.
    public static CropBox DrawBox(int height, int width, int cropHeight, int cropWidth, Random rng)
    {
        var offH = rng.Next(0, Math.Max(height - cropHeight, 0) + 1);
        var offW = rng.Next(0, Math.Max(width - cropWidth, 0) + 1);
        return new CropBox(offH, offW, Math.Min(cropHeight, height - offH), Math.Min(cropWidth, width - offW));
    }

    /// The acceptance rule: after dropping the ignore value, more than one class is present and the
    /// largest class covers strictly less than `catMaxRatio` of the remaining pixels.
    public static bool Accepts(LabelMap label, CropBox box, double catMaxRatio, int ignoreIndex = 255)
    {
        Span<long> counts = stackalloc long[256];
        counts.Clear();
        for (var y = box.Top; y < box.Bottom; y++)
            foreach (var v in label.Values.AsSpan(y * label.Width + box.Left, box.Width)) counts[v]++;
        if (ignoreIndex is >= 0 and < 256) counts[ignoreIndex] = 0;
        long total = 0, max = 0; var distinct = 0;
        foreach (var c in counts)
        {
            if (c == 0) continue;
            distinct++; total += c; max = Math.Max(max, c);
        }
        return distinct > 1 && (double)max / total < catMaxRatio;
    }

    /// Draw a box; with catMaxRatio &lt; 1 re-draw while the check fails, at most 10 checks. The box
    /// drawn after the 10th failed check is used unchecked (the original's loop shape).
    public static CropBox Choose(LabelMap label, int cropHeight, int cropWidth, double catMaxRatio, Random rng, int ignoreIndex = 255)
    {
        var box = DrawBox(label.Height, label.Width, cropHeight, cropWidth, rng);
        if (catMaxRatio >= 1.0) return box;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            if (Accepts(label, box, catMaxRatio, ignoreIndex)) break;
            box = DrawBox(label.Height, label.Width, cropHeight, cropWidth, rng);
        }
        return box;
    }
}
