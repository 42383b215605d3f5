namespace DaFormer.Training.Data.Datasets;

/// GTA5 (`GTADataset`, spec §1.1): `ROOT/images/<NNNNN>.png` with
/// `ROOT/labels/<NNNNN>_labelTrainIds.png` written by `daformer convert gta ROOT`. Train split only.
public static class Gta
{
    public static PairLayout Layout(string root) => new(
        "gta", root, Path.Join(root, "images"), Path.Join(root, "labels"), ".png", "_labelTrainIds.png",
        "GTA5 layout ROOT/images/<name>.png + ROOT/labels/<name>_labelTrainIds.png",
        $"daformer convert gta {root}");

    public static SegDataset Scan(string root, bool requireLabels = true) => PairScan.Scan(Layout(root), requireLabels);
}
