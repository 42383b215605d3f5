using DaFormer.Model;

namespace DaFormer.Training.Data.Datasets;

/// Cityscapes (`CityscapesDataset`, spec §1.1): `ROOT/leftImg8bit/<split>/<city>/<stem>_leftImg8bit.png`
/// with `ROOT/gtFine/<split>/<city>/<stem>_gtFine_labelTrainIds.png` (written by
/// `daformer convert cityscapes ROOT`). As a UDA target the train split needs no labels.
public static class Cityscapes
{
    public static readonly IReadOnlyList<string> Splits = ["train", "val", "test"];

    public static PairLayout Layout(string root, string split)
    {
        if (!Splits.Contains(split)) throw new DaFormerError($"Cityscapes split '{split}' is not one of train, val, test.");
        return new PairLayout(
            $"cityscapes/{split}", root, Path.Join(root, "leftImg8bit", split), Path.Join(root, "gtFine", split),
            "_leftImg8bit.png", "_gtFine_labelTrainIds.png",
            $"Cityscapes layout ROOT/leftImg8bit/{split}/<city>/<stem>_leftImg8bit.png + ROOT/gtFine/{split}/<city>/<stem>_gtFine_labelTrainIds.png",
            $"daformer convert cityscapes {root}");
    }

    public static SegDataset Scan(string root, string split, bool requireLabels = true) =>
        PairScan.Scan(Layout(root, split), requireLabels);
}
