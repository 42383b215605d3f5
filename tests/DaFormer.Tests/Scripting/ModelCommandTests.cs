using System.Text.Json;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Scripting;

/// `daformer model describe`: the key list of the paper's model against the original's
/// (keys_mitb5_daformer.json, in state_dict order) and the parameter counts per module.
[Collection("Console")]
public class ModelCommandTests
{
    static JsonElement Reference() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "keys_mitb5_daformer.json"))).RootElement;

    [Fact]
    public void Keys_of_mit_b5_daformer_reproduce_the_reference_list_line_by_line()
    {
        var r = CliHarness.Run("model", "describe", "mit_b5", "daformer", "--keys");
        Assert.True(r.ExitCode == 0, r.All);
        var expected = Reference().GetProperty("segmentor_state_dict").EnumerateArray()
            .Select(e => $"{e[0].GetString()}\t{string.Join(",", e[1].EnumerateArray().Select(d => d.GetInt64()))}").ToList();
        Assert.Equal(1110, expected.Count);
        Assert.Equal(expected, r.Out.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Summary_of_mit_b5_daformer_shows_the_reference_parameter_counts()
    {
        var r = CliHarness.Run("model", "describe", "mit_b5", "daformer");
        Assert.True(r.ExitCode == 0, r.All);
        var reference = Reference();
        Assert.Equal(85_155_283, reference.GetProperty("n_parameters_total").GetInt64());
        Assert.Matches(@"(?m)^total\s+85,155,283$", r.Out);
        Assert.Matches(@"(?m)^backbone\s+81,443,008$", r.Out); // backbone_param_counts.mit_b5
        Assert.Matches(@"(?m)^decode_head\s+3,712,275$", r.Out); // the final head's count
        Assert.Contains("mit_b5 + daformer_sepaspp (channels 256, 19 classes)", r.Out);
    }

    [Fact]
    public void Json_of_mit_b0_lists_the_parts_and_the_reference_encoder_count()
    {
        var r = CliHarness.Run("model", "describe", "mit_b0", "daformer", "--channels", "64", "--json");
        Assert.True(r.ExitCode == 0, r.All);
        var doc = JsonDocument.Parse(r.Out).RootElement;
        var parts = doc.GetProperty("parts").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("parameters").GetInt64());
        Assert.Equal(Reference().GetProperty("backbone_param_counts").GetProperty("mit_b0").GetInt64(), parts["backbone"]);
        // The public parity fixture's head: DAFormer head with 64 channels on mit_b0.
        Assert.Equal(256_339, parts["decode_head"]);
        Assert.Equal(parts["backbone"] + parts["decode_head"], doc.GetProperty("parameters").GetInt64());
        Assert.Equal(64, doc.GetProperty("channels").GetInt32());
    }

    [Fact]
    public void Keys_as_json_use_the_reference_layout_with_empty_shapes_for_scalars()
    {
        var r = CliHarness.Run("model", "describe", "mit_b0", "segformer", "--channels", "32", "--keys", "--json");
        Assert.True(r.ExitCode == 0, r.All);
        var doc = JsonDocument.Parse(r.Out).RootElement;
        var entries = doc.GetProperty("segmentor_state_dict").EnumerateArray().ToList();
        Assert.Equal(doc.GetProperty("n_state_dict_entries").GetInt32(), entries.Count);
        var tracked = entries.First(e => e[0].GetString()!.EndsWith("num_batches_tracked"));
        Assert.Equal(0, tracked[1].GetArrayLength());
        Assert.Equal("int64", tracked[2].GetString());
        var pred = entries.Single(e => e[0].GetString() == "decode_head.linear_pred.weight");
        Assert.Equal(new long[] { 19, 32, 1, 1 }, pred[1].EnumerateArray().Select(d => d.GetInt64()));
    }

    [Fact]
    public void Unknown_architecture_is_a_user_error_listing_the_choices()
    {
        var r = CliHarness.Run("model", "describe", "mit_b9", "daformer");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Unknown encoder 'mit_b9'", r.Err);
        Assert.Contains("mit_b5", r.Err);
    }
}
