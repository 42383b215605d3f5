using System.Text.Json;
using DaFormer.Model;
using DaFormer.Tests.Support;
using static TorchSharp.torch;

namespace DaFormer.Tests.Model.Network;

/// DAFormer (MiT-b5 + sep-ASPP head) built once for the class — construction is the costly part.
public sealed class MitB5DaformerFixture : IDisposable
{
    public Segmentor Model { get; } = Architectures.Build(new SegmentorSpec());
    public ModelSummary Summary { get; }
    public MitB5DaformerFixture() => Summary = ModelSummary.Of(Model);
    public void Dispose() => Model.Dispose();
}

public class ModelSummaryTests(MitB5DaformerFixture b5) : IClassFixture<MitB5DaformerFixture>
{
    static JsonElement KeysFixture() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "keys_mitb5_daformer.json"))).RootElement;

    [Fact]
    public void Mit_b5_daformer_reproduces_the_reference_state_dict_keys_shapes_dtypes_and_order()
    {
        var reference = KeysFixture().GetProperty("segmentor_state_dict").EnumerateArray()
            .Select(e => (Key: e[0].GetString()!, Shape: e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray(), DType: e[2].GetString()!))
            .ToList();
        var ours = b5.Summary.Entries;
        Assert.Equal(1110, reference.Count);
        Assert.Equal(reference.Select(r => r.Key), ours.Select(e => e.Key));
        for (var i = 0; i < reference.Count; i++)
        {
            Assert.True(reference[i].Shape.SequenceEqual(ours[i].Shape), $"{reference[i].Key}: [{string.Join(",", ours[i].Shape)}]");
            Assert.Equal(reference[i].DType, ours[i].DType == ScalarType.Int64 ? "int64" : ours[i].DType == ScalarType.Float32 ? "float32" : ours[i].DType.ToString());
        }
    }

    [Fact]
    public void Mit_b5_daformer_parameter_counts_match_the_reference()
    {
        var fixture = KeysFixture();
        Assert.Equal(fixture.GetProperty("n_parameters_total").GetInt64(), b5.Summary.TotalParameters);
        Assert.Equal(85_155_283, b5.Summary.TotalParameters);
        Assert.Equal(81_443_008, b5.Summary.ParametersUnder("backbone."));
        Assert.Equal(3_712_275, b5.Summary.ParametersUnder("decode_head."));
        // Spec §9.2: MiT-b5 parameters per stage (patch embedding + blocks + stage norm).
        long[] perStage = [954_368, 2_869_888, 66_623_040, 10_995_712];
        for (var s = 1; s <= 4; s++)
        {
            var n = b5.Summary.ParametersUnder($"backbone.patch_embed{s}.") + b5.Summary.ParametersUnder($"backbone.block{s}.")
                    + b5.Summary.ParametersUnder($"backbone.norm{s}.");
            Assert.Equal(perStage[s - 1], n);
        }
        Assert.Contains(b5.Summary.Parts, p => p.Name == "backbone" && p.Parameters == 81_443_008);
        Assert.Equal(perStage, b5.Summary.Parts.Where(p => p.Name.StartsWith("backbone.stage")).Select(p => p.Parameters));
        Assert.Contains(b5.Summary.Parts, p => p.Name == "decode_head.fuse_layer");
    }

    [Fact]
    public void Parity_fixture_network_has_the_manifest_keys_and_counts()
    {
        using var model = Architectures.Build(ParityFixture.Spec);
        var summary = ModelSummary.Of(model);
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.ParityDir, "manifest.json"))).RootElement;
        var keys = manifest.GetProperty("state_dict_keys").EnumerateArray().Select(e => e[0].GetString()).ToList();
        Assert.Equal(keys, summary.Entries.Select(e => e.Key));
        Assert.Equal(manifest.GetProperty("param_count").GetInt64(), summary.TotalParameters);
        Assert.Equal(manifest.GetProperty("backbone_param_count").GetInt64(), summary.ParametersUnder("backbone."));
        Assert.Equal(manifest.GetProperty("head_param_count").GetInt64(), summary.ParametersUnder("decode_head."));
    }
}
