namespace DaFormer.Model.Backbones;

/// Which mmseg ResNet class a backbone is: they differ in stem, shortcut and block.
public enum ResNetKind
{
    /// `ResNetV1c`: deep stem (three 3×3 convs), strided 1×1-conv shortcut, plain Bottleneck.
    V1c,
    /// `ResNeXt` (subclass of the plain `ResNet`, not of V1c): 7×7 `conv1` stem, strided 1×1-conv
    /// shortcut, grouped 3×3 conv in the bottleneck.
    ResNeXt,
    /// `ResNeSt` (subclass of `ResNetV1d`): deep stem, average-pool shortcut, split-attention bottleneck.
    ResNeSt,
}

/// The numbers of an mmseg ResNet-family backbone (`backbones/resnet.py`, `resnext.py`, `resnest.py`).
/// Defaults are the DeepLab "d8" configuration every experiment uses (`*_r50-d8.py`): strides
/// (1,2,1,1), dilations (1,1,2,4), contract_dilation, stem and base width 64; ResNeXt 32×4d;
/// ResNeSt radix 2, reduction factor 4, avg_down_stride. The parity fixtures shrink the widths.
public sealed record ResNetOptions(
    ResNetKind Kind,
    int Depth,
    int StemChannels = 64,
    int BaseChannels = 64,
    int[]? Strides = null,
    int[]? Dilations = null,
    bool ContractDilation = true,
    int Groups = 1,
    int BaseWidth = 4,
    int Radix = 2,
    int ReductionFactor = 4)
{
    public int[] StageStrides => Strides ?? [1, 2, 1, 1];
    public int[] StageDilations => Dilations ?? [1, 1, 2, 4];

    /// Bottleneck blocks per stage for each depth (mmseg `arch_settings`; 200 only in ResNeSt).
    public static readonly IReadOnlyDictionary<int, int[]> BlocksPerDepth = new Dictionary<int, int[]>
    {
        [50] = [3, 4, 6, 3],
        [101] = [3, 4, 23, 3],
        [152] = [3, 8, 36, 3],
        [200] = [3, 24, 36, 3],
    };

    public int[] Blocks => BlocksPerDepth.TryGetValue(Depth, out var b) && (Depth != 200 || Kind == ResNetKind.ResNeSt)
        ? b
        : throw new DaFormerError($"{Kind} depth {Depth} is not supported; expected one of 50, 101, 152" + (Kind == ResNetKind.ResNeSt ? ", 200." : "."));

    /// Width of the bottleneck's 3×3 conv in stage `stage`: `planes` for groups = 1, else
    /// `floor(planes · base_width / base_channels) · groups` (ResNeXt's Bottleneck).
    public long Width(int stage)
    {
        long planes = (long)BaseChannels << stage;
        return Groups == 1 ? planes : planes * BaseWidth / BaseChannels * Groups;
    }

    public static ResNetOptions V1c(int depth) => new(ResNetKind.V1c, depth);
    public static ResNetOptions ResNeXt32x4d(int depth) => new(ResNetKind.ResNeXt, depth, Groups: 32, BaseWidth: 4);
    /// ResNeSt-50 has a 64-wide deep stem, ResNeSt-101/200 a 128-wide one (`experiments.py` get_backbone_cfg).
    public static ResNetOptions ResNeSt(int depth) => new(ResNetKind.ResNeSt, depth, StemChannels: depth == 50 ? 64 : 128);
}
