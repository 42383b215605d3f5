using DaFormer.Model;
using DaFormer.Training.Data.Datasets;
using DaFormer.Training.Data.Formats;

namespace DaFormer.Training.Data.Converters;

/// `tools/convert_datasets/cityscapes.py` (spec §1.3). The original rasterises `*_gtFine_polygons.json`
/// with `json2labelImg(…, 'trainIds')`; mapping the shipped `*_gtFine_labelIds.png` (rasterised from
/// the same polygons, same order) through the official id→trainId table gives the identical image.
/// All splits under `gtFine/` are converted; statistics cover the train split only; `<split>.txt`
/// (`<city>/<stem>` per line) is written for each split present — a missing `test` folder is fine.
public static class CityscapesConverter
{
    const string RawSuffix = "_gtFine_labelIds.png";

    public static ConvertResult Run(string root, ConvertOptions? options = null)
    {
        options = LabelConversion.CheckOptions(options);
        var gtDir = LabelConversion.RequireFolder(Path.Join(root, "gtFine"),
            "Cityscapes layout ROOT/gtFine/{train,val,test}/<city>/<stem>_gtFine_labelIds.png + ROOT/leftImg8bit/<split>/<city>/<stem>_leftImg8bit.png");
        var imageDir = Path.Join(root, "leftImg8bit");
        var rels = PairScan.ScanRelative(gtDir, RawSuffix);
        var jobs = rels.Select(rel =>
        {
            var raw = Path.Join(gtDir, rel);
            var output = LabelConversion.TrainIdsPath(raw, "_labelIds.png");
            return new LabelJob(raw, output, Path.Join(imageDir, rel[..^RawSuffix.Length] + "_leftImg8bit.png"),
                IsTrain(rel) ? output : null);
        }).ToArray();
        if (jobs.Length == 0)
            throw new DaFormerError($"{gtDir}: no *{RawSuffix} files found; nothing to convert. They ship in gtFine_trainvaltest.zip (gtFine/<split>/<city>/).");
        return LabelConversion.Run("cityscapes", jobs, ReadTrainIds, options.OutDir ?? root, options, SplitLists(gtDir, rels));
    }

    /// The original tests `'train/' in path`; we test the split folder itself so a root that happens to
    /// contain "train/" does not put val/test images into the statistics.
    static bool IsTrain(string rel) => FirstComponent(rel) == "train";

    static string FirstComponent(string rel) => rel.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)[0];

    static IEnumerable<(string, string)> SplitLists(string gtDir, IReadOnlyList<string> rels) =>
        Cityscapes.Splits.Where(s => Directory.Exists(Path.Join(gtDir, s))).Select(split => (
            $"{split}.txt",
            string.Concat(rels.Where(r => FirstComponent(r) == split)
                .Select(r => r[(split.Length + 1)..^RawSuffix.Length] + "\n"))));

    public static LabelMap ReadTrainIds(string rawPath) =>
        LabelMaps.Apply(PalettePng.ReadIndices(rawPath), LabelMaps.CityscapesLut.Span);
}
