namespace DaFormer.Training.Evaluation;

/// The 19 Cityscapes evaluation classes (train IDs 0..18, spec §1.2) and the Synthia subsets (§5.3).
public static class EvalClasses
{
    public static IReadOnlyList<string> Cityscapes { get; } =
    [
        "road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign",
        "vegetation", "terrain", "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle",
    ];

    /// All classes except terrain, truck, train (no Synthia labels).
    public static IReadOnlyList<int> Synthia16 { get; } = Enumerable.Range(0, 19).Except([9, 14, 16]).ToArray();

    /// Synthia-16 without wall, fence, pole — the UDA convention, not in the original code.
    public static IReadOnlyList<int> Synthia13 { get; } = Synthia16.Except([3, 4, 5]).ToArray();
}
