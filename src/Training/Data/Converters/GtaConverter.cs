using DaFormer.Model;
using DaFormer.Training.Data.Datasets;
using DaFormer.Training.Data.Formats;

namespace DaFormer.Training.Data.Converters;

/// `tools/convert_datasets/gta.py` (spec §1.3): every `ROOT/labels/**/<…digit>.png` (sorted) is a
/// palette PNG whose palette INDICES are Cityscapes label IDs; writes `<name>_labelTrainIds.png` next to
/// it and the RCS statistics into the output directory.
public static class GtaConverter
{
    public static ConvertResult Run(string root, ConvertOptions? options = null) =>
        LabelConversion.RunFlat("gta", root, Path.Join(root, "labels"), Path.Join(root, "images"),
            "GTA5 layout ROOT/images/<name>.png + ROOT/labels/<name>.png (palette label IDs)", "the GTA5 label PNGs (e.g. labels/00001.png)", ReadTrainIds, options);

    /// Palette indices → train IDs through the GTA table; unlisted IDs → 255.
    public static LabelMap ReadTrainIds(string rawPath) =>
        LabelMaps.Apply(PalettePng.ReadIndices(rawPath), LabelMaps.GtaLut.Span);
}
