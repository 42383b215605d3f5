using DaFormer.Model;
using System.Reflection;
using System.Text.Json.Serialization;

namespace DaFormer.Training.Config;

/// <summary>Names of the config's encoders and decode heads, what the original generator (<c>experiments.py</c>)
/// couples to each (ImageNet weights, decoder channels), and which pairings it can build.
/// The names live once, in the model table (<see cref="EncoderNames"/>, <see cref="HeadNames"/>), which the enums'
/// <c>JsonStringEnumMemberName</c> attributes and everything coupled to a name read.</summary>
public static class ArchitectureNames
{
    /// <summary>The name JSON writes and the model library builds from: <c>mit_b5</c>, <c>r101v1c</c>, <c>s101</c>,
    /// <c>x50-32</c>, <c>mitb5-del</c>.</summary>
    public static string Name(this Encoder e) => JsonName(e);

    /// <summary>The head's name as the generator's architecture string: <c>daformer_sepaspp</c>, <c>da_nodbn</c>, <c>upernet_ch256</c>, ….</summary>
    public static string Name(this Decoder d) => JsonName(d);

    /// <summary>The model table's entry of the encoder (<c>mitb5-del</c>: MiT-b5's, the same network).</summary>
    public static EncoderInfo Info(this Encoder e) => ArchitectureTable.Encoder(e.Name());

    /// <summary>The model table's entry of the head.</summary>
    public static HeadInfo Info(this Decoder d) => ArchitectureTable.Head(d.Name());

    /// <summary>The generator's backbone key, as its run names spell it: <c>mitb5</c>, <c>r101v1c</c>, <c>x50-32</c>, <c>mitb5-del</c>
    /// (the table's generator name; <c>mitb5-del</c> is its own).</summary>
    public static string GeneratorName(this Encoder e) => e == Encoder.MitB5Del ? e.Name() : e.Info().GeneratorName;

    /// <summary>Mix-Transformer encoders, including <c>mitb5-del</c> — the generator's <c>'mit' in backbone</c>, which
    /// decides the MiT ImageNet weights and weight decay 0 on <c>norm</c> / <c>pos_block</c>.</summary>
    public static bool IsMit(this Encoder e) => e.Info().Family == EncoderFamily.Mit;

    public static bool IsDeepLabV2(this Decoder d) => d is Decoder.Dlv2Red or Decoder.Dlv2;

    /// <summary>The ImageNet weights the generator starts the encoder from (<c>get_pretraining_file</c>), as the
    /// model table names the files below <c>pretrained/</c>: <c>mit_bN.pth</c> (<c>mitb5-del</c>: <c>mit_b5.pth</c>), and for
    /// the CNNs the open-mmlab model-zoo names (<c>open-mmlab://resnest101</c> → <c>pretrained/resnest101.pth</c>).</summary>
    public static string PretrainedFile(this Encoder e) => e.Info().PretrainedPath;

    /// <summary>The decoder channels of the generator's base model file for this pairing: the fixed width of the
    /// table's CNN heads (UPerNet 512 / 256, DeepLabV3+, DANet, ISANet 512), SegFormer 768 on MiT-b3…b5 and
    /// ResNet-101 (<c>segformer_b5.py</c>, <c>segformer_r101.py</c>; smaller MiTs take 256 like SegFormer-b0…b2),
    /// DAFormer 256 (DeepLabV2 has none; 256 is kept).</summary>
    public static int DefaultChannels(Encoder e, Decoder d) =>
        d.Info().Channels
        ?? (d == Decoder.Segformer && e is Encoder.MitB3 or Encoder.MitB4 or Encoder.MitB5 or Encoder.R101V1c ? 768 : 256);

    static readonly Decoder[] MitHeads =
    [
        Decoder.DaformerSepAspp, Decoder.DaformerAspp, Decoder.DaformerConv1, Decoder.DaformerIsa,
        Decoder.DaformerSepAsppBottleneck, Decoder.Segformer, Decoder.Upernet, Decoder.UpernetCh256,
        Decoder.Dlv2Red, Decoder.Dlv2,
    ];

    static readonly Decoder[] CnnHeads = [Decoder.Dlv2Red, Decoder.Dlv2, Decoder.Dlv3pNodbn, Decoder.DaNodbn, Decoder.IsaNodbn];

    /// <summary>The heads the original can put on this encoder (<c>get_model_base</c>): the DAFormer variants,
    /// SegFormer and UPerNet need MiT features (the generator names only b3…b5; the modules take any
    /// MiT, and the released fixtures use b0), DeepLabV2 reads the last feature map of either family;
    /// DeepLabV3+, DANet and ISANet exist only in the ResNet-based configs; SegFormer on a CNN only
    /// as <c>segformer_r101.py</c>; <c>sfa_dlv3p_nodbn</c> only with <c>mitb5-del</c> (the adapter needs MiT's
    /// list output, the DeepLabV3+ config a deleted ResNet backbone), which takes no other head.</summary>
    public static IReadOnlyList<Decoder> HeadsFor(Encoder e) => e switch
    {
        Encoder.MitB5Del => [Decoder.SfaDlv3pNodbn],
        _ when e.IsMit() => MitHeads,
        Encoder.R101V1c => [.. CnnHeads, Decoder.Segformer],
        _ => CnnHeads,
    };

    public static bool Fits(Encoder e, Decoder d) => HeadsFor(e).Contains(d);

    /// <summary>Every pairing that exists, encoders with the same heads grouped:
    /// "mit_b0, …, mit_b5 with daformer_sepaspp, …; r101v1c with …".</summary>
    public static string Pairings() => string.Join("; ",
        Enum.GetValues<Encoder>()
            .GroupBy(e => string.Join(", ", HeadsFor(e).Select(d => d.Name())))
            .Select(g => $"{string.Join(", ", g.Select(e => e.Name()))} with {g.Key}"));

    /// <summary>Reads an encoder or head name in any accepted spelling: ours (<c>mit_b5</c>), the generator's
    /// (<c>mitb5</c>), the member name (<c>MitB5</c>), case-insensitive, <c>_</c>/<c>-</c> optional; <c>daformer</c> is
    /// short for <c>daformer_sepaspp</c> as in <c>model describe</c>.</summary>
    public static bool TryParse<T>(string text, out T value) where T : struct, Enum
    {
        if (Lookup<T>.ByKey.TryGetValue(Key(text), out var found)) { value = (T)found; return true; }
        value = default;
        return false;
    }

    /// <summary>The names <see cref="TryParse"/> reports as expected.</summary>
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
            if (typeof(T) == typeof(Decoder))
                foreach (var d in Enum.GetValues<Decoder>())
                    foreach (var alias in d.Info().Aliases ?? []) Add(alias, (T)(object)d);
            return map;
        }
    }
}
