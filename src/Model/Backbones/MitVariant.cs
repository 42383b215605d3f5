using DaFormer.Model;

namespace DaFormer.Model.Backbones;

/// One MiT (Mix Transformer) size. All variants share the structure of spec §3.1 and differ only
/// in these numbers (SegFormer's mit_b0…mit_b5).
public sealed record MitVariant(string Name, int[] EmbedDims, int[] Depths, int[] NumHeads)
{
    /// Spatial-reduction ratio of the attention keys/values per stage (all variants).
    public static readonly int[] SrRatios = [8, 4, 2, 1];
    public const int MlpRatio = 4;

    /// Patch-embedding conv kernel / stride per stage.
    public static readonly int[] PatchKernels = [7, 3, 3, 3];
    public static readonly int[] PatchStrides = [4, 2, 2, 2];

    public static readonly IReadOnlyList<MitVariant> All =
    [
        new(EncoderNames.MitB0, [32, 64, 160, 256], [2, 2, 2, 2], [1, 2, 5, 8]),
        new(EncoderNames.MitB1, [64, 128, 320, 512], [2, 2, 2, 2], [1, 2, 5, 8]),
        new(EncoderNames.MitB2, [64, 128, 320, 512], [3, 4, 6, 3], [1, 2, 5, 8]),
        new(EncoderNames.MitB3, [64, 128, 320, 512], [3, 4, 18, 3], [1, 2, 5, 8]),
        new(EncoderNames.MitB4, [64, 128, 320, 512], [3, 8, 27, 3], [1, 2, 5, 8]),
        new(EncoderNames.MitB5, [64, 128, 320, 512], [3, 6, 40, 3], [1, 2, 5, 8]),
    ];

    public static MitVariant? Find(string name) => All.FirstOrDefault(v => v.Name == name);

    /// Stochastic-depth rate of every block in order (stage 1 block 0 … stage 4 last block):
    /// `linspace(0, maxRate, sum(depths))` (spec §3.1).
    public double[] DropPathRates(double maxRate)
    {
        var n = Depths.Sum();
        return Enumerable.Range(0, n).Select(i => n == 1 ? 0.0 : maxRate * i / (n - 1)).ToArray();
    }
}
