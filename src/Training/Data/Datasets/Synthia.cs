namespace DaFormer.Training.Data.Datasets;

/// SYNTHIA RAND-CITYSCAPES (`SynthiaDataset`, spec §1.1): `ROOT/RGB/<N>.png` with
/// `ROOT/GT/LABELS/<N>_labelTrainIds.png` written by `daformer convert synthia ROOT`. Train split only.
public static class Synthia
{
    public static PairLayout Layout(string root) => new(
        "synthia", root, Path.Join(root, "RGB"), Path.Join(root, "GT", "LABELS"), ".png", "_labelTrainIds.png",
        "SYNTHIA layout ROOT/RGB/<name>.png + ROOT/GT/LABELS/<name>_labelTrainIds.png",
        $"daformer convert synthia {root}");

    public static SegDataset Scan(string root, bool requireLabels = true) => PairScan.Scan(Layout(root), requireLabels);
}
