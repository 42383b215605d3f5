using DaFormer.Model.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Model.Backbones;

/// The mmseg ResNet family as the paper's CNN baselines build it (`backbones/resnet.py`, `resnext.py`,
/// `resnest.py`, `utils/res_layer.py`): a stem → 3×3 max-pool stride 2 → four bottleneck stages
/// `layer1..4` with planes 64·2^i, strides (1,2,1,1) and dilations (1,1,2,4) (output stride 8); the
/// first block of a dilated stage uses half the dilation (`contract_dilation`). Returns all four maps.
/// * ResNetV1c: deep stem `stem.{0..8}` (3×3 convs S/2, S/2, S with BN + ReLU, the first with stride 2).
/// * ResNeXt: plain stem `conv1` 7×7 stride 2 + `bn1` (ResNeXt derives from ResNet, not V1c).
/// * ResNeSt: deep stem; the shortcut average-pools before its 1×1 conv (`downsample.{1,2}`, ResNetV1d).
/// Without a pretrained file: Kaiming (fan_out) convs, BN 1/0, and for the plain ResNet Bottleneck
/// only (mmseg checks `block is Bottleneck`) bn3's weight 0 (zero_init_residual).
public sealed class ResNet : Encoder
{
    public readonly Sequential? stem;
    public readonly Conv2d? conv1;
    public readonly HeldBatchNorm2d? bn1;
    public readonly MaxPool2d maxpool;
    public readonly Sequential layer1, layer2, layer3, layer4;
    readonly Sequential[] layers;

    public ResNetOptions Options { get; }
    public override IReadOnlyList<int> OutChannels { get; }

    public ResNet(ResNetOptions options) : base(nameof(ResNet))
    {
        Options = options;
        var blocks = options.Blocks;
        var s = options.StemChannels;
        if (options.Kind == ResNetKind.ResNeXt)
        {
            conv1 = nn.Conv2d(3, s, 7, stride: 2, padding: 3, bias: false);
            bn1 = new HeldBatchNorm2d(s);
        }
        else
        {
            var half = s / 2;
            stem = nn.Sequential(
                ("0", nn.Conv2d(3, half, 3, stride: 2, padding: 1, bias: false)), ("1", new HeldBatchNorm2d(half)), ("2", nn.ReLU(inplace: true)),
                ("3", nn.Conv2d(half, half, 3, padding: 1, bias: false)), ("4", new HeldBatchNorm2d(half)), ("5", nn.ReLU(inplace: true)),
                ("6", nn.Conv2d(half, s, 3, padding: 1, bias: false)), ("7", new HeldBatchNorm2d(s)), ("8", nn.ReLU(inplace: true)));
        }
        maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);
        long inPlanes = s;
        var built = new Sequential[4];
        for (var i = 0; i < 4; i++)
        {
            var planes = (long)options.BaseChannels << i;
            built[i] = Layer(options, i, inPlanes, planes, blocks[i]);
            inPlanes = planes * ResNetBottleneck.Expansion;
        }
        (layer1, layer2, layer3, layer4) = (built[0], built[1], built[2], built[3]);
        layers = built;
        OutChannels = Enumerable.Range(0, 4).Select(i => options.BaseChannels * ResNetBottleneck.Expansion << i).ToArray();
        RegisterComponents();
        InitWeights();
    }

    /// mmseg `ResLayer`: the first block takes the stage's stride, (contracted) dilation and shortcut.
    static Sequential Layer(ResNetOptions o, int stage, long inPlanes, long planes, int count)
    {
        var stride = o.StageStrides[stage];
        var dilation = o.StageDilations[stage];
        var firstDilation = dilation > 1 && o.ContractDilation ? dilation / 2 : dilation;
        var width = o.Width(stage);
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (var j = 0; j < count; j++)
        {
            var (blockStride, blockDilation) = j == 0 ? (stride, firstDilation) : (1, dilation);
            var downsample = j == 0 && (stride != 1 || inPlanes != planes * ResNetBottleneck.Expansion)
                ? Shortcut(o.Kind, inPlanes, planes * ResNetBottleneck.Expansion, stride)
                : null;
            nn.Module<Tensor, Tensor> block = o.Kind == ResNetKind.ResNeSt
                ? new ResNeStBottleneck(inPlanes, planes, width, blockStride, blockDilation, o, downsample)
                : new ResNetBottleneck(inPlanes, planes, width, blockStride, blockDilation, o.Groups, downsample);
            modules.Add((j.ToString(), block));
            inPlanes = planes * ResNetBottleneck.Expansion;
        }
        return nn.Sequential(modules);
    }

    /// Strided 1×1 conv + BN; with avg_down (ResNeSt) AvgPool(s, s, ceil_mode, count_include_pad=False)
    /// + 1×1 conv + BN — the pool exists (kernel 1) even when s = 1, hence the key indices 1 and 2.
    static Sequential Shortcut(ResNetKind kind, long inPlanes, long outPlanes, long stride) =>
        kind == ResNetKind.ResNeSt
            ? nn.Sequential(("0", nn.AvgPool2d(stride, stride, ceil_mode: true, count_include_pad: false)),
                            ("1", nn.Conv2d(inPlanes, outPlanes, 1, bias: false)),
                            ("2", new HeldBatchNorm2d(outPlanes)))
            : nn.Sequential(("0", nn.Conv2d(inPlanes, outPlanes, 1, stride: stride, bias: false)),
                            ("1", new HeldBatchNorm2d(outPlanes)));

    void InitWeights()
    {
        foreach (var m in modules())
        {
            if (m is Conv2d c) Init.KaimingFanOut(c);
            else if (m is BatchNorm bn) Init.Constant(bn);
        }
        if (Options.Kind != ResNetKind.V1c) return;
        using var _ = no_grad();
        foreach (var m in modules())
            if (m is ResNetBottleneck b) nn.init.zeros_(b.bn3.weight);
    }

    public override Tensor[] forward(Tensor x)
    {
        Tensor s;
        if (stem is not null) s = stem.forward(x);
        else
        {
            using var c = conv1!.forward(x);
            s = bn1!.forward(c).relu_();
        }
        var current = maxpool.forward(s);
        s.Dispose();
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
