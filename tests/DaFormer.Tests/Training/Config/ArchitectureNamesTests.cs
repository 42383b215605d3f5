using System.Text.Json;
using DaFormer.Model;
using DaFormer.Tests.Support;
using DaFormer.Training.Config;

namespace DaFormer.Tests.Training.Config;

/// The config's encoder and head names against the original generator's: its (architecture,
/// backbone) pairs, the `model` and `imagenet_pretrained` fields of the key-list fixtures, and
/// the spellings a config may use.
public class ArchitectureNamesTests
{
    /// Every (architecture, backbone) the original generator builds in experiments 1–8 and its
    /// start-up test (exp 100), as `experiments.py` writes them.
    public static TheoryData<string, string> GeneratorPairs() => new()
    {
        { "dlv2red", "r101v1c" }, { "dlv3p_nodbn", "r101v1c" }, { "da_nodbn", "r101v1c" }, { "segformer", "mitb5" },
        { "isa_nodbn", "r101v1c" }, { "dlv2red", "r50v1c" }, { "dlv2red", "s50" }, { "dlv2red", "s101" }, { "dlv2red", "s200" },
        { "dlv2red", "x50-32" }, { "dlv2red", "x101-32" }, { "segformer", "mitb4" }, { "segformer", "mitb3" },
        { "sfa_dlv3p_nodbn", "mitb5-del" }, { "segformer", "r101v1c" }, { "daformer_conv1", "mitb5" }, { "daformer_isa", "mitb5" },
        { "daformer_sepaspp_bottleneck", "mitb5" }, { "daformer_aspp", "mitb5" }, { "daformer_sepaspp", "mitb5" },
        { "upernet", "mitb5" }, { "upernet_ch256", "mitb5" },
    };

    [Theory]
    [MemberData(nameof(GeneratorPairs))]
    public void Every_generator_pair_reads_builds_a_valid_config_and_keeps_its_names(string architecture, string backbone)
    {
        // The generator's spellings, as JSON values and as --set values.
        var json = ConfigJson.Serialize(Presets.Gta2Cs).Replace("\"mit_b5\"", $"\"{backbone}\"").Replace("\"daformer_sepaspp\"", $"\"{architecture}\"");
        var read = ConfigJson.Deserialize(json).Model;
        var set = ConfigOverrides.ApplyAll(Presets.Gta2Cs, [$"Model.Encoder={backbone}", $"Model.Decoder={architecture}"]).Model;
        Assert.Equal((read.Encoder, read.Decoder), (set.Encoder, set.Decoder));

        var cfg = Presets.Gta2Cs.WithArchitecture(read.Encoder, read.Decoder);
        Assert.Empty(ConfigValidation.Validate(cfg, _ => true));
        Assert.Equal($"{architecture}_{backbone}", RunNameParts.Of(cfg).Architecture);
        Assert.Equal($"gta2cs_dacs_a999_fdthings_rcs001_cpl_{architecture}_{backbone}_poly10warm_s0", cfg.Name);
        Assert.Equal(architecture, cfg.Model.ToSpec().Head);
    }

    public static TheoryData<string> KeyLists() =>
        [.. Directory.GetFiles(Path.Combine(Paths.Fixtures, "keys_baselines"), "*.json").Select(Path.GetFileName).Order()!];

    [Theory]
    [MemberData(nameof(KeyLists))]
    public void Each_key_list_model_is_one_config_pairing_with_the_originals_imagenet_weights(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "keys_baselines", file)));
        var model = doc.RootElement.GetProperty("model").GetString()!;            // "<architecture>_<backbone>"
        var weights = doc.RootElement.GetProperty("imagenet_pretrained").GetString()!;
        var (encoder, decoder) = Assert.Single(
            from e in Enum.GetValues<Encoder>()
            from d in Enum.GetValues<Decoder>()
            where $"{d.Name()}_{e.GeneratorName()}" == model
            select (e, d));
        Assert.True(ArchitectureNames.Fits(encoder, decoder), model);
        // open-mmlab://resnest101 → pretrained/resnest101.pth; MiT weights are named as they are.
        var expected = weights.StartsWith("open-mmlab://") ? $"pretrained/{weights["open-mmlab://".Length..]}.pth" : weights;
        Assert.Equal(expected, Presets.Gta2Cs.WithArchitecture(encoder, decoder).Model.Pretrained);
    }

    [Theory]
    [InlineData("mit_b5", Encoder.MitB5)]
    [InlineData("mitb5", Encoder.MitB5)]
    [InlineData("MitB5", Encoder.MitB5)]
    [InlineData("x50-32", Encoder.X50_32)]
    [InlineData("X50_32", Encoder.X50_32)]
    [InlineData("mitb5-del", Encoder.MitB5Del)]
    [InlineData("mit_b5-del", Encoder.MitB5Del)]
    [InlineData("S101", Encoder.S101)]
    public void Encoders_read_in_every_spelling_and_write_ours(string text, Encoder expected)
    {
        Assert.True(ArchitectureNames.TryParse<Encoder>(text, out var e));
        Assert.Equal(expected, e);
        Assert.Equal(expected, ConfigOverrides.Apply(Presets.Gta2Cs, "Model.Encoder", text).Model.Encoder);
    }

    [Fact]
    public void Json_writes_each_name_once_and_reads_it_back()
    {
        foreach (var e in Enum.GetValues<Encoder>())
        foreach (var d in ArchitectureNames.HeadsFor(e))
        {
            var cfg = Presets.Gta2Cs.WithArchitecture(e, d);
            var json = ConfigJson.Serialize(cfg);
            Assert.Contains($"\"encoder\": \"{e.Name()}\"", json);
            Assert.Contains($"\"decoder\": \"{d.Name()}\"", json);
            Assert.Equal(cfg, ConfigJson.Deserialize(json));
        }
        // "daformer" is short for the final head, as in `model describe`.
        Assert.Equal(Decoder.DaformerSepAspp, ConfigOverrides.Apply(Presets.Gta2Cs with { Model = Presets.Gta2Cs.Model with { Decoder = Decoder.Segformer } },
            "Model.Decoder", "daformer").Model.Decoder);
    }

    [Fact]
    public void Unknown_names_list_the_valid_ones()
    {
        var set = Assert.Throws<DaFormerError>(() => ConfigOverrides.Apply(Presets.Gta2Cs, "Model.Encoder", "resnet50"));
        Assert.Contains("'resnet50' is not an encoder; expected one of mit_b0,", set.Message);
        Assert.Contains("s101, s200, x50-32, x101-32, mitb5-del", set.Message);
        var json = ConfigJson.Serialize(Presets.Gta2Cs).Replace("\"daformer_sepaspp\"", "\"uper\"");
        var e = Assert.Throws<DaFormerError>(() => ConfigJson.Deserialize(json, "my.json"));
        Assert.Contains("my.json", e.Message);
        Assert.Contains("'uper' is not a Decoder; expected one of daformer_sepaspp,", e.Message);
    }

    [Fact]
    public void WithArchitecture_takes_the_decoder_channels_of_the_originals_base_model_files()
    {
        // upernet_mit.py 512, upernet_ch256_mit.py 256; deeplabv3plus/danet/isanet_r50-d8.py 512;
        // the sfa head keeps DeepLabV3+'s 512; the DAFormer variants 256.
        int Channels(Encoder e, Decoder d) => Presets.Gta2Cs.WithArchitecture(e, d).Model.Channels;
        Assert.Equal(512, Channels(Encoder.MitB5, Decoder.Upernet));
        Assert.Equal(256, Channels(Encoder.MitB5, Decoder.UpernetCh256));
        Assert.Equal(512, Channels(Encoder.R101V1c, Decoder.Dlv3pNodbn));
        Assert.Equal(512, Channels(Encoder.R101V1c, Decoder.DaNodbn));
        Assert.Equal(512, Channels(Encoder.R101V1c, Decoder.IsaNodbn));
        Assert.Equal(512, Channels(Encoder.MitB5Del, Decoder.SfaDlv3pNodbn));
        Assert.Equal(256, Channels(Encoder.MitB5, Decoder.DaformerIsa));
        // MiT weight-decay exemptions follow the generator's `'mit' in backbone` — mitb5-del included.
        Assert.Equal(["norm", "pos_block"], Presets.Gta2Cs.WithArchitecture(Encoder.MitB5Del, Decoder.SfaDlv3pNodbn).Optimizer.NoDecayKeys);
        Assert.Empty(Presets.Gta2Cs.WithArchitecture(Encoder.S50, Decoder.Dlv2Red).Optimizer.NoDecayKeys);
    }
}
