using DaFormer.Model;

namespace DaFormer.Training.Data.Loader;

/// A decoded image and (if the data set has one) its train-ID label.
public sealed record DecodedSample(RgbImage Image, LabelMap? Label);

/// Decoding one sample's files. The default reads PNG/JPEG with ImageSharp and the converted 8-bit
/// `_labelTrainIds.png`; tests and benchmarks can pass their own (e.g. in-memory) reader.
public delegate DecodedSample SampleReader(SampleFiles files, bool withLabel);

public static class SampleReaders
{
    public static DecodedSample FromDisk(SampleFiles files, bool withLabel)
    {
        var image = ImageIo.ReadRgb(files.ImagePath);
        if (!withLabel) return new DecodedSample(image, null);
        if (files.LabelPath is null) throw new DaFormerError($"{files.ImagePath}: this sample has no label file, but the pipeline needs one.");
        var label = ImageIo.ReadLabel(files.LabelPath);
        if (label.Width != image.Width || label.Height != image.Height)
            throw new DaFormerError($"{files.LabelPath}: label is {label.Width}×{label.Height} but its image {files.ImagePath} is {image.Width}×{image.Height}; they must match.");
        return new DecodedSample(image, label);
    }

    /// <see cref="FromDisk"/> plus the check that every label value is a class of the data set
    /// (0…numClasses−1) or its ignore index — done where the label is read, so a wrong file is named
    /// instead of failing later inside the loss.
    public static SampleReader ForClasses(int numClasses, int ignoreIndex) => (files, withLabel) =>
    {
        var d = FromDisk(files, withLabel);
        if (d.Label is { } label) LabelValues.Require(files.LabelPath!, label, numClasses, ignoreIndex);
        return d;
    };

    /// The reader a data set needs: its own class count and ignore index.
    public static SampleReader For(SegDataset data) => ForClasses(data.ClassNames.Count, data.IgnoreIndex);

    /// Runs `read` and turns anything but a user error into one naming the sample's files (a worker
    /// thread's bare "overflow" or "out of memory" says nothing about which file caused it).
    public static DecodedSample Named(SampleReader read, SampleFiles files, bool withLabel)
    {
        try { return read(files, withLabel); }
        catch (Exception e) when (e is not DaFormerError)
        {
            var which = withLabel && files.LabelPath is not null ? $"{files.ImagePath} (label {files.LabelPath})" : files.ImagePath;
            throw new DaFormerError($"{which}: reading this sample failed ({e.Message}). Check the file, or remove it from the data set.", e);
        }
    }
}

/// Checking a label's values against the class list (pure).
public static class LabelValues
{
    /// Throws naming the file, the offending values (up to five, with a pixel where each occurs) and
    /// the expected range.
    public static void Require(string path, LabelMap label, int numClasses, int ignoreIndex)
    {
        var seen = new int[256];
        Array.Fill(seen, -1);
        var bad = 0;
        var values = label.Values;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (v < numClasses || v == ignoreIndex) continue;
            if (seen[v] < 0) { seen[v] = i; bad++; }
        }
        if (bad == 0) return;
        var shown = Enumerable.Range(0, 256).Where(v => seen[v] >= 0).Take(5)
            .Select(v => $"{v} (e.g. at pixel ({seen[v] % label.Width}, {seen[v] / label.Width}))");
        throw new DaFormerError(
            $"{path}: label value{(bad == 1 ? "" : "s")} {string.Join(", ", shown)}{(bad > 5 ? $" and {bad - 5} more" : "")} " +
            $"{(bad == 1 ? "is" : "are")} not a class. Expected train IDs 0…{numClasses - 1} and {ignoreIndex} = ignore. Raw label IDs " +
            "(Cityscapes *_labelIds.png, GTA palette indices) must be converted first (`daformer convert …` writes *_labelTrainIds.png); " +
            "for your own data, map the values to the class list or to the ignore index.");
    }
}
