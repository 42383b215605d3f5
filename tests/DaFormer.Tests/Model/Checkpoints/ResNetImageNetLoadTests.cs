using System.Collections;
using System.Text.Json;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Tests.Support;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Checkpoints;

/// The ResNet-family ImageNet weights load into the encoder as the original's `load_checkpoint` puts
/// them into the backbone (no `backbone.` prefix; a `state_dict` wrapper and a `module.` prefix
/// removed; the classifier `fc.*` skipped). The files cannot be fetched here, so each test writes a
/// synthetic one with the original's key names and shapes: the backbone entries of the full-size key
/// lists in keys_baselines (prefix dropped), every tensor filled with its own index so that a value in
/// the wrong place shows.
public class ResNetImageNetLoadTests
{
    /// Encoder → the key list holding its backbone, and the `pretrained` value the original sets.
    public static TheoryData<string, string, string> Encoders => new()
    {
        { "r50v1c", "keys_r50_dlv2red.json", "open-mmlab://resnet50_v1c" },
        { "r101v1c", "keys_r101_da.json", "open-mmlab://resnet101_v1c" },
        { "x50-32", "keys_x50-32_dlv2red.json", "open-mmlab://resnext50_32x4d" },
        { "x101-32", "keys_x101-32_dlv2red.json", "open-mmlab://resnext101_32x4d" },
        { "s50", "keys_s50_dlv2red.json", "open-mmlab://resnest50" },
        { "s101", "keys_s101_dlv2red.json", "open-mmlab://resnest101" },
        { "s200", "keys_s200_dlv2red.json", "open-mmlab://resnest200" },
    };

    /// The backbone entries of a key list, without `backbone.`: (key, shape, dtype).
    static List<(string Key, long[] Shape, string Dtype)> BackboneKeys(string file)
    {
        var root = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "keys_baselines", file))).RootElement;
        return [.. root.GetProperty("segmentor_state_dict").EnumerateArray()
            .Select(e => (Key: e[0].GetString()!, Shape: e[1].EnumerateArray().Select(x => x.GetInt64()).ToArray(), Dtype: e[2].GetString()!))
            .Where(e => e.Key.StartsWith("backbone.", StringComparison.Ordinal))
            .Select(e => (e.Key["backbone.".Length..], e.Shape, e.Dtype))];
    }

    static Tensor Filled(long[] shape, string dtype, int index) =>
        dtype == "int64" ? full(shape, (long)index, dtype: ScalarType.Int64) : full(shape, (float)index);

    [Theory]
    [MemberData(nameof(Encoders))]
    public void The_original_key_layout_loads_every_tensor_into_its_place(string encoder, string keyList, string pretrained)
    {
        using var scope = NewDisposeScope();
        var root = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "keys_baselines", keyList))).RootElement;
        Assert.Equal(pretrained, root.GetProperty("imagenet_pretrained").GetString());
        Assert.Equal(pretrained, ArchitectureTable.Encoder(encoder).Pretrained);

        var keys = BackboneKeys(keyList);
        var tensors = keys.Select((k, i) => KeyValuePair.Create(k.Key, Filled(k.Shape, k.Dtype, i)))
            .Append(KeyValuePair.Create("fc.weight", randn(1000, 2048)))
            .Append(KeyValuePair.Create("fc.bias", randn(1000)))
            .ToDictionary(StringComparer.Ordinal);
        Assert.Equal(CheckpointLayout.Encoder, CheckpointReader.LayoutOf(tensors.Keys));
        using var model = Architectures.Build(new SegmentorSpec(Encoder: encoder, Head: "dlv2red"));
        SegmentorLoading.LoadEncoder(model, new CheckpointContents("synthetic.pth", CheckpointLayout.Encoder, tensors, new Dictionary<string, object?>(), false));

        var state = model.backbone.state_dict();
        Assert.Equal(keys.Count, state.Count);
        var wrong = keys.Select((k, i) => (k.Key, i)).Where(x => !state[x.Key].eq(x.i).all().item<bool>()).Select(x => x.Key).ToList();
        Assert.True(wrong.Count == 0, $"{encoder}: {wrong.Count} tensors hold another key's values, e.g. {string.Join(", ", wrong.Take(3))}");
    }

    [Fact]
    public void A_file_under_state_dict_with_module_prefix_and_without_bn_counters_loads()
    {
        using var scope = NewDisposeScope();
        var keys = BackboneKeys("keys_r50_dlv2red.json");
        var weights = new Hashtable();
        foreach (var (k, i) in keys.Select((k, i) => (k, i)).Where(x => !x.k.Key.EndsWith("num_batches_tracked")))
            weights["module." + k.Key] = Filled(k.Shape, k.Dtype, i);
        weights["module.fc.weight"] = zeros(1000, 2048);
        weights["module.fc.bias"] = zeros(1000);
        var path = Path.Combine(Paths.NewTempDir(), "resnet50_v1c.pth");
        PyTorchFile.Write(path, new Hashtable { ["state_dict"] = weights, ["meta"] = new Hashtable { ["note"] = "synthetic" } });

        using var model = Architectures.Build(new SegmentorSpec(Encoder: "r50v1c", Head: "dlv2red"));
        SegmentorLoading.LoadEncoder(model, path);
        var state = model.backbone.state_dict();
        Assert.True(state["stem.0.weight"].eq(keys.FindIndex(k => k.Key == "stem.0.weight")).all().item<bool>());
        Assert.True(state["layer4.2.bn3.running_var"].eq(keys.FindIndex(k => k.Key == "layer4.2.bn3.running_var")).all().item<bool>());
        // The counters the file lacks keep their fresh value, as after the original's non-strict load.
        Assert.Equal(0L, state["layer1.0.bn1.num_batches_tracked"].item<long>());
    }

    [Fact]
    public void A_resnet_file_for_another_depth_names_the_encoder_it_holds_and_the_file_to_use()
    {
        using var scope = NewDisposeScope();
        var tensors = BackboneKeys("keys_r50_dlv2red.json").ToDictionary(k => k.Key, k => Filled(k.Shape, k.Dtype, 0), StringComparer.Ordinal);
        using var model = Architectures.Build(new SegmentorSpec(Encoder: "r101v1c", Head: "dlv2red"));
        var e = Assert.Throws<DaFormerError>(() => SegmentorLoading.LoadEncoder(model,
            new CheckpointContents("resnet50_v1c.pth", CheckpointLayout.Encoder, tensors, new Dictionary<string, object?>(), false)));
        Assert.StartsWith("resnet50_v1c.pth: the encoder weights do not fit the r101v1c encoder:", e.Message);
        Assert.Contains("missing (e.g. layer3.6.", e.Message);
        Assert.Contains("The file holds a r50v1c encoder: set Model.Encoder to r50v1c, or use pretrained/resnet101_v1c.pth for r101v1c.", e.Message);
    }
}
