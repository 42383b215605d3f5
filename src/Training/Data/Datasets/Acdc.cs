using DaFormer.Model;

namespace DaFormer.Training.Data.Datasets;

/// ACDC (`ACDCDataset`, configs `uda_cityscapes_to_acdc_512x512.py`): `ROOT/rgb_anon/<split>/…/*_rgb_anon.png`
/// with the shipped `ROOT/gt/<split>/…/*_gt_labelTrainIds.png` (the condition/sequence folders are
/// flattened per split by the user, spec §1.1; nested folders are scanned recursively anyway).
public static class Acdc
{
    public static PairLayout Layout(string root, string split)
    {
        if (split is not ("train" or "val" or "test")) throw new DaFormerError($"ACDC split '{split}' is not one of train, val, test.");
        return new PairLayout(
            $"acdc/{split}", root, Path.Join(root, "rgb_anon", split), Path.Join(root, "gt", split),
            "_rgb_anon.png", "_gt_labelTrainIds.png",
            $"ACDC layout ROOT/rgb_anon/{split}/<name>_rgb_anon.png + ROOT/gt/{split}/<name>_gt_labelTrainIds.png");
    }

    public static SegDataset Scan(string root, string split, bool requireLabels = true) =>
        PairScan.Scan(Layout(root, split), requireLabels);
}
