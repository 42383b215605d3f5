using System.Reflection;
using System.Text.Json.Serialization;

namespace DaFormer.Training.Config;

/// Names of the config's encoders and decode heads, what the original generator (`experiments.py`)
/// couples to each (ImageNet weights, decoder channels), and which pairings it can build.
/// The names themselves live once, in the enums' `JsonStringEnumMemberName` attributes.
public static class ArchitectureNames
{
    /// The name JSON writes and the model library builds from: `mit_b5`, `r101v1c`, `s101`,
    /// `x50-32`, `mitb5-del`.
    public static string Name(this Encoder e) => JsonName(e);

    /// The head's name as the generator's architecture string: `daformer_sepaspp`, `da_nodbn`, `upernet_ch256`, ….
    public static string Name(this Decoder d) => JsonName(d);

    /// The generator's backbone key, as its run names spell it: `mitb5`, `r101v1c`, `x50-32`, `mitb5-del`
    /// (the MiT names without their underscore, everything else unchanged).
    public static string GeneratorName(this Encoder e) => e.Name().Replace("_", "");

    /// Mix-Transformer encoders, including `mitb5-del` — the generator's `'mit' in backbone`, which
    /// decides the MiT ImageNet weights and weight decay 0 on `norm` / `pos_block`.
    public static bool IsMit(this Encoder e) => e is >= Encoder.MitB0 and <= Encoder.MitB5 or Encoder.MitB5Del;

    public static bool IsDeepLabV2(this Decoder d) => d is Decoder.Dlv2Red or Decoder.Dlv2;

    /// The ImageNet weights the generator starts the encoder from (`get_pretraining_file`), as files
    /// below `pretrained/`: `mit_bN.pth`, and for the CNNs the open-mmlab model-zoo names
    /// (`open-mmlab://resnest101` → `pretrained/resnest101.pth`).
    public static string PretrainedFile(this Encoder e) => e switch
    {
        Encoder.MitB5Del => "pretrained/mit_b5.pth",
        _ when e.IsMit() => $"pretrained/{e.Name()}.pth",
        Encoder.R50V1c => "pretrained/resnet50_v1c.pth",
        Encoder.R101V1c => "pretrained/resnet101_v1c.pth",
        Encoder.X50_32 => "pretrained/resnext50_32x4d.pth",
        Encoder.X101_32 => "pretrained/resnext101_32x4d.pth",
        Encoder.S50 => "pretrained/resnest50.pth",
        Encoder.S101 => "pretrained/resnest101.pth",
        Encoder.S200 => "pretrained/resnest200.pth",
        _ => throw new ArgumentOutOfRangeException(nameof(e), e, null),
    };

    /// The decoder channels of the generator's base model file for this pairing: SegFormer 768 on
    /// MiT-b3…b5 and ResNet-101 (`segformer_b5.py`, `segformer_r101.py`; smaller MiTs take 256 like
    /// SegFormer-b0…b2), UPerNet 512 (`upernet_mit.py`) or 256 (`upernet_ch256_mit.py`), the mmseg
    /// CNN heads 512 (`deeplabv3plus_r50-d8.py`, `danet_r50-d8.py`, `isanet_r50-d8.py`), DAFormer 256.
    public static int DefaultChannels(Encoder e, Decoder d) => d switch
    {
        Decoder.Segformer => e is Encoder.MitB3 or Encoder.MitB4 or Encoder.MitB5 or Encoder.R101V1c ? 768 : 256,
        Decoder.Upernet or Decoder.Dlv3pNodbn or Decoder.SfaDlv3pNodbn or Decoder.DaNodbn or Decoder.IsaNodbn => 512,
        _ => 256,
    };

    static readonly Decoder[] MitHeads =
    [
        Decoder.DaformerSepAspp, Decoder.DaformerAspp, Decoder.DaformerConv1, Decoder.DaformerIsa,
        Decoder.DaformerSepAsppBottleneck, Decoder.Segformer, Decoder.Upernet, Decoder.UpernetCh256,
        Decoder.Dlv2Red, Decoder.Dlv2,
    ];

    static readonly Decoder[] CnnHeads = [Decoder.Dlv2Red, Decoder.Dlv2, Decoder.Dlv3pNodbn, Decoder.DaNodbn, Decoder.IsaNodbn];

    /// The heads the original can put on this encoder (`get_model_base`): the DAFormer variants,
    /// SegFormer and UPerNet need MiT features (the generator names only b3…b5; the modules take any
    /// MiT, and the released fixtures use b0), DeepLabV2 reads the last feature map of either family;
    /// DeepLabV3+, DANet and ISANet exist only in the ResNet-based configs; SegFormer on a CNN only
    /// as `segformer_r101.py`; `sfa_dlv3p_nodbn` only with `mitb5-del` (the adapter needs MiT's
    /// list output, the DeepLabV3+ config a deleted ResNet backbone), which takes no other head.
    public static IReadOnlyList<Decoder> HeadsFor(Encoder e) => e switch
    {
        Encoder.MitB5Del => [Decoder.SfaDlv3pNodbn],
        _ when e.IsMit() => MitHeads,
        Encoder.R101V1c => [.. CnnHeads, Decoder.Segformer],
        _ => CnnHeads,
    };

    public static bool Fits(Encoder e, Decoder d) => HeadsFor(e).Contains(d);

    /// Every pairing that exists, encoders with the same heads grouped:
    /// "mit_b0, …, mit_b5 with daformer_sepaspp, …; r101v1c with …".
    public static string Pairings() => string.Join("; ",
        Enum.GetValues<Encoder>()
            .GroupBy(e => string.Join(", ", HeadsFor(e).Select(d => d.Name())))
            .Select(g => $"{string.Join(", ", g.Select(e => e.Name()))} with {g.Key}"));

    /// Reads an encoder or head name in any accepted spelling: ours (`mit_b5`), the generator's
    /// (`mitb5`), the member name (`MitB5`), case-insensitive, `_`/`-` optional; `daformer` is
    /// short for `daformer_sepaspp` as in `model describe`.
    public static bool TryParse<T>(string text, out T value) where T : struct, Enum
    {
        if (Lookup<T>.ByKey.TryGetValue(Key(text), out var found)) { value = (T)found; return true; }
        value = default;
        return false;
    }

    /// The names <see cref="TryParse"/> reports as expected.
    public static string Expected<T>() where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(v => JsonName(v)));

    static string Key(string s) => s.Trim().Replace("_", "").Replace("-", "").ToLowerInvariant();

    static string JsonName<T>(T value) where T : struct, Enum =>
        typeof(T).GetField(value.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
        ?? throw new ArgumentOutOfRangeException(nameof(value), value, $"not a {typeof(T).Name}");

    static class Lookup<T> where T : struct, Enum
    {
        public static readonly Dictionary<string, object> ByKey = Build();

        static Dictionary<string, object> Build()
        {
            var map = new Dictionary<string, object>();
            void Add(string name, T v)
            {
                // Two members answering to one spelling would make a config ambiguous.
                if (map.TryGetValue(Key(name), out var other) && !other.Equals(v))
                    throw new InvalidOperationException($"{typeof(T).Name}: '{name}' names both {other} and {v}");
                map[Key(name)] = v;
            }
            foreach (var v in Enum.GetValues<T>())
            {
                Add(v.ToString(), v);
                Add(JsonName(v), v);
            }
            if (typeof(T) == typeof(Decoder)) Add("daformer", (T)(object)Decoder.DaformerSepAspp);
            return map;
        }
    }
}
