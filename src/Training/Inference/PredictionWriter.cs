using DaFormer.Training.Data;

namespace DaFormer.Training.Inference;

/// Writes per-image predictions under a folder, keeping the images' paths relative to the folder
/// they all share (like mmseg's `ori_filename`, e.g. `frankfurt/frankfurt_000000_000294_leftImg8bit`):
/// `<stem>.png` = coloured overlay (or, with `LabelIdsOnly`, Cityscapes label IDs for the
/// benchmark server) and `<stem>_trainIds.png` = the train-ID map.
public sealed class PredictionWriter(string dir, string commonRoot, IReadOnlyList<(byte R, byte G, byte B)> palette, double opacity, bool labelIdsOnly)
{
    public int Written { get; private set; }

    public void Write(string imagePath, LabelMap prediction, RgbImage? image = null)
    {
        var stem = Path.ChangeExtension(Path.GetRelativePath(commonRoot, imagePath), null);
        var baseName = Path.Combine(dir, stem);
        if (labelIdsOnly)
            ImageIo.WriteLabel(baseName + ".png", Overlay.ToCityscapesIds(prediction));
        else
        {
            ImageIo.WriteRgb(baseName + ".png", Overlay.Blend(image ?? ImageIo.ReadRgb(imagePath), prediction, palette, opacity));
            ImageIo.WriteLabel(baseName + "_trainIds.png", prediction);
        }
        Written++;
    }

    /// The deepest folder that contains every path (the paths' own folder for a single image).
    public static string CommonDirectory(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0) return ".";
        var dirs = paths.Select(p => Path.GetDirectoryName(Path.GetFullPath(p))!.Split(Path.DirectorySeparatorChar)).ToList();
        var n = dirs.Min(d => d.Length);
        var common = 0;
        while (common < n && dirs.All(d => d[common] == dirs[0][common])) common++;
        var joined = string.Join(Path.DirectorySeparatorChar, dirs[0].Take(common));
        return joined.Length == 0 ? Path.DirectorySeparatorChar.ToString() : joined;
    }

    /// Creates `dir` or says clearly that it cannot be written.
    public static void EnsureWritable(string dir, string what)
    {
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, $".daformer-write-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DaFormer.Model.DaFormerError($"{what} {dir}: the folder cannot be created or written ({e.Message}); choose another folder.");
        }
    }
}
