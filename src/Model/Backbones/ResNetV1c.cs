using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Backbones;

/// mmseg ResNetV1c (spec §3.3) for the DeepLabV2 baseline: deep stem (three 3×3 convs 32, 32, 64
/// with BN + ReLU, first with stride 2) → 3×3 max-pool stride 2 → four bottleneck stages with
/// strides (1,2,1,1) and dilations (1,1,2,4) (output stride 8). As in the DeepLab configs,
/// `contract_dilation=True`: the first block of a dilated stage uses half the dilation.
/// Keys: `stem.{0,1,3,4,6,7}.*`, `layer{s}.{j}.conv1.weight`, `layer{s}.{j}.bn1.*`, `layer{s}.0.downsample.{0,1}.*`.
public sealed class ResNetV1c : Encoder
{
    public static readonly IReadOnlyDictionary<int, int[]> BlocksPerDepth = new Dictionary<int, int[]>
    {
        [50] = [3, 4, 6, 3],
        [101] = [3, 4, 23, 3],
    };

    static readonly int[] Strides = [1, 2, 1, 1];
    static readonly int[] Dilations = [1, 1, 2, 4];
    const int StemChannels = 64;

    public readonly Sequential stem;
    public readonly MaxPool2d maxpool;
    public readonly Sequential layer1, layer2, layer3, layer4;
    readonly Sequential[] layers;

    public int Depth { get; }
    public override IReadOnlyList<int> OutChannels => [256, 512, 1024, 2048];

    public ResNetV1c(int depth = 101, bool contractDilation = true) : base(nameof(ResNetV1c))
    {
        if (!BlocksPerDepth.TryGetValue(depth, out var blocks))
            throw new DaFormerError($"ResNet depth {depth} is not supported; expected one of {string.Join(", ", BlocksPerDepth.Keys)}.");
        Depth = depth;
        const int half = StemChannels / 2;
        stem = nn.Sequential(
            ("0", nn.Conv2d(3, half, 3, stride: 2, padding: 1, bias: false)), ("1", nn.BatchNorm2d(half)), ("2", nn.ReLU(inplace: true)),
            ("3", nn.Conv2d(half, half, 3, padding: 1, bias: false)), ("4", nn.BatchNorm2d(half)), ("5", nn.ReLU(inplace: true)),
            ("6", nn.Conv2d(half, StemChannels, 3, padding: 1, bias: false)), ("7", nn.BatchNorm2d(StemChannels)), ("8", nn.ReLU(inplace: true)));
        maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);
        long inPlanes = StemChannels;
        Sequential Layer(int s)
        {
            var planes = 64L << s;
            var firstDilation = Dilations[s] > 1 && contractDilation ? Dilations[s] / 2 : Dilations[s];
            var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
            for (var j = 0; j < blocks[s]; j++)
            {
                modules.Add((j.ToString(), new ResNetBottleneck(inPlanes, planes, j == 0 ? Strides[s] : 1, j == 0 ? firstDilation : Dilations[s])));
                inPlanes = planes * ResNetBottleneck.Expansion;
            }
            return nn.Sequential(modules);
        }
        layer1 = Layer(0); layer2 = Layer(1); layer3 = Layer(2); layer4 = Layer(3);
        layers = [layer1, layer2, layer3, layer4];
        RegisterComponents();
        InitWeights();
    }

    /// mmseg ResNet.init_weights without a pretrained file: Kaiming (fan_out) convs, BN 1 / 0.
    void InitWeights()
    {
        foreach (var m in modules())
        {
            if (m is Conv2d c) Init.KaimingFanOut(c);
            else if (m is BatchNorm2d bn) Init.Constant(bn);
        }
    }

    public override Tensor[] forward(Tensor x)
    {
        using var s = stem.forward(x);
        var current = maxpool.forward(s);
        var outs = new Tensor[4];
        for (var i = 0; i < 4; i++)
        {
            outs[i] = layers[i].forward(current);
            if (i == 0) current.Dispose();
            current = outs[i];
        }
        return outs;
    }
}
