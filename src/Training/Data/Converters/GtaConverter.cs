using DaFormer.Model;
using DaFormer.Training.Data.Datasets;
using DaFormer.Training.Data.Formats;

namespace DaFormer.Training.Data.Converters;

/// `tools/convert_datasets/gta.py` (spec §1.3): every `ROOT/labels/**/<…digit>.png` (sorted) is a
/// palette PNG whose palette INDICES are Cityscapes label IDs; writes `<name>_labelTrainIds.png` next to
/// it and the RCS statistics into the output directory.
public static class GtaConverter
{
    public static ConvertResult Run(string root, ConvertOptions? options = null)
    {
        options = LabelConversion.CheckOptions(options);
        var labelDir = LabelConversion.RequireFolder(Path.Join(root, "labels"),
            "GTA5 layout ROOT/images/<name>.png + ROOT/labels/<name>.png (palette label IDs)");
        var imageDir = Path.Join(root, "images");
        var jobs = PairScan.ScanRelative(labelDir, LabelConversion.EndsInDigitPng).Select(rel =>
        {
            var raw = Path.Join(labelDir, rel);
            var output = LabelConversion.TrainIdsPath(raw);
            return new LabelJob(raw, output, Path.Join(imageDir, rel), output);
        }).ToArray();
        if (jobs.Length == 0)
            throw new DaFormerError($"{labelDir}: no raw labels (files named <number>.png) found; nothing to convert. Expected the GTA5 label PNGs (e.g. labels/00001.png).");
        return LabelConversion.Run("gta", jobs, ReadTrainIds, options.OutDir ?? root, options);
    }

    /// Palette indices → train IDs through the GTA table; unlisted IDs → 255.
    public static LabelMap ReadTrainIds(string rawPath) =>
        LabelMaps.Apply(PalettePng.ReadIndices(rawPath), LabelMaps.GtaLut.Span);
}
