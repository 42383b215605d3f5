using DaFormer.Model;

namespace DaFormer.Training.Data.Datasets;

/// Dark Zurich (`DarkZurichDataset`, configs `uda_cityscapes_to_darkzurich_512x512.py`): the train
/// target is `ROOT/rgb_anon/train/night/` (no labels — scan with `requireLabels: false`); val is
/// `ROOT/rgb_anon/val/` with `ROOT/gt/val/` (`*_rgb_anon.png` / `*_gt_labelTrainIds.png`).
public static class DarkZurich
{
    public static PairLayout Layout(string root, string split)
    {
        var sub = split switch
        {
            "train" => Path.Join("train", "night"),
            "val" or "test" => split,
            _ => throw new DaFormerError($"Dark Zurich split '{split}' is not one of train, val, test."),
        };
        return new PairLayout(
            $"dark_zurich/{split}", root, Path.Join(root, "rgb_anon", sub), Path.Join(root, "gt", sub),
            "_rgb_anon.png", "_gt_labelTrainIds.png",
            $"Dark Zurich layout ROOT/rgb_anon/{sub}/…/<name>_rgb_anon.png + ROOT/gt/{sub}/…/<name>_gt_labelTrainIds.png" +
            (split == "train" ? " (the night train split has no labels: scan it with requireLabels: false)" : ""));
    }

    public static SegDataset Scan(string root, string split, bool requireLabels = true) =>
        PairScan.Scan(Layout(root, split), requireLabels);
}
