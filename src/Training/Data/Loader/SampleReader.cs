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
}
