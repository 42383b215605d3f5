using System.Text.Json;
using DaFormer.Model;
using DaFormer.Model.Backbones;
using DaFormer.Model.Heads;
using DaFormer.Model.Necks;
using DaFormer.Tests.Support;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using Safetensors = DaFormer.Model.Checkpoints.Safetensors;

namespace DaFormer.Tests.Model.Baselines;

/// One case of ../shared/fixtures/parity_baselines: the reduced-width segmentor of its manifest
/// `config` (an mmseg config dict), built from our modules and loaded from `weights.pth`, and the
/// golden tensors. The config is read here, in the test, so that the model's numbers come from the
/// fixture and not from our table.
public sealed class BaselineFixture
{
    public static readonly string[] Cases =
    [
        "s50_dlv2red", "x50_dlv2red", "r50_dlv3p_nodbn", "r50_da_nodbn", "r50_isa_nodbn",
        "daformer_conv1", "daformer_aspp", "daformer_isa", "daformer_sepaspp_bottleneck", "upernet", "sfa_dlv3p_nodbn",
    ];

    public string Dir { get; }
    public JsonElement Manifest { get; }

    public BaselineFixture(string name)
    {
        Dir = Path.Combine(Paths.Fixtures, "parity_baselines", name);
        Manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "manifest.json"))).RootElement;
    }

    public JsonElement Config => Manifest.GetProperty("config");

    public Dictionary<string, Tensor> Io() => Safetensors.Load(Path.Combine(Dir, "io.safetensors"));
    public Dictionary<string, Tensor> Grads() => Safetensors.Load(Path.Combine(Dir, "grads.safetensors"));

    /// The fixture's network with its weights, in eval mode, every parameter trainable.
    public Segmentor LoadModel()
    {
        var model = Build(Config);
        model.load_py(Path.Combine(Dir, "weights.pth"), strict: true);
        foreach (var p in model.parameters()) p.requires_grad = true; // load_py copies requires_grad=False
        model.eval();
        return model;
    }

    static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();
    static int Int(JsonElement e, string key, int fallback) => e.TryGetProperty(key, out var v) ? v.GetInt32() : fallback;

    public static Segmentor Build(JsonElement config)
    {
        var b = config.GetProperty("backbone");
        var kind = b.GetProperty("type").GetString() switch
        {
            "ResNetV1c" or "ResNetV1cList" => ResNetKind.V1c,
            "ResNeXt" => ResNetKind.ResNeXt,
            "ResNeSt" => ResNetKind.ResNeSt,
            var t => throw new InvalidOperationException($"backbone type {t}"),
        };
        var options = new ResNetOptions(kind, b.GetProperty("depth").GetInt32(),
            StemChannels: Int(b, "stem_channels", 64), BaseChannels: Int(b, "base_channels", 64),
            Strides: Ints(b.GetProperty("strides")), Dilations: Ints(b.GetProperty("dilations")),
            ContractDilation: b.GetProperty("contract_dilation").GetBoolean(),
            Groups: Int(b, "groups", 1), BaseWidth: Int(b, "base_width", 4),
            Radix: Int(b, "radix", 2), ReductionFactor: Int(b, "reduction_factor", 4));
        var encoder = new ResNet(options);

        var h = config.GetProperty("decode_head");
        var classes = h.GetProperty("num_classes").GetInt32();
        var channels = Int(h, "channels", 0); // DLV2Head has none
        var norm = h.TryGetProperty("norm_cfg", out var n) && n.ValueKind == JsonValueKind.Object;
        var dropout = h.TryGetProperty("dropout_ratio", out var d) ? d.GetDouble() : 0.1;
        DecodeHead head = h.GetProperty("type").GetString() switch
        {
            "DLV2Head" => new DeepLabV2Head(h.GetProperty("in_channels").GetInt32(), classes, Ints(h.GetProperty("dilations"))),
            "DepthwiseSeparableASPPHead" => new DepthwiseSeparableAsppHead(h.GetProperty("in_channels").GetInt32(), h.GetProperty("c1_in_channels").GetInt32(),
                channels, h.GetProperty("c1_channels").GetInt32(), classes, Ints(h.GetProperty("dilations")), norm, dropout),
            "DAHead" => new DaHead(h.GetProperty("in_channels").GetInt32(), channels, h.GetProperty("pam_channels").GetInt32(), classes, norm, dropout),
            "ISAHead" => new IsaHead(h.GetProperty("in_channels").GetInt32(), channels, h.GetProperty("isa_channels").GetInt32(), classes, norm,
                DownFactor(h.GetProperty("down_factor")), dropout),
            "UPerHead" => new UperHead(Ints(h.GetProperty("in_channels")), channels, classes, dropout),
            "DAFormerHead" => Daformer(h, channels, classes, dropout),
            var t => throw new InvalidOperationException($"head type {t}"),
        };

        SegFormerAdapter? neck = null;
        if (config.TryGetProperty("neck", out var nk))
            neck = new SegFormerAdapter(nk.TryGetProperty("out_layers", out var ol) ? Ints(ol) : [3], nk.TryGetProperty("scales", out var sc) ? Ints(sc) : [4]);
        return new Segmentor(new SegmentorSpec("fixture", "fixture", classes), encoder, head, neck);
    }

    static (int, int) DownFactor(JsonElement e) => (e[0].GetInt32(), e[1].GetInt32());

    static DaformerHead Daformer(JsonElement h, int channels, int classes, double dropout)
    {
        var p = h.GetProperty("decoder_params");
        Assert.Equal(channels, p.GetProperty("embed_dims").GetInt32());
        var fusionCfg = p.GetProperty("fusion_cfg");
        var neckEmbed = p.GetProperty("embed_neck_cfg").GetProperty("type").GetString();
        var fusion = (fusionCfg.GetProperty("type").GetString(), neckEmbed) switch
        {
            ("conv", "rawconv_and_aspp") => DaformerFusion.SepAsppBottleneck,
            ("conv", _) => DaformerFusion.Conv1,
            ("aspp", _) => fusionCfg.GetProperty("sep").GetBoolean() ? DaformerFusion.SepAspp : DaformerFusion.Aspp,
            ("isa", _) => DaformerFusion.Isa,
            var t => throw new InvalidOperationException($"fusion {t}"),
        };
        if (fusion == DaformerFusion.Isa) Assert.Equal([8, 8], Ints(fusionCfg.GetProperty("down_factor")));
        int? isa = fusion == DaformerFusion.Isa ? fusionCfg.GetProperty("isa_channels").GetInt32() : null;
        return new DaformerHead(Ints(h.GetProperty("in_channels")), channels, classes, fusion, dropout, isa);
    }
}
