using System.Text.Json;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Scripting;

/// `daformer model describe mit_b5 daformer --hrda` against the original HRDA segmentor's key list
/// (keys_mitb5_hrda.json: names, shapes, dtypes, state_dict order) and its parameter counts.
[Collection("Console")]
public class HrdaModelCommandTests
{
    static JsonElement Reference() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "keys_mitb5_hrda.json"))).RootElement;

    [Fact]
    public void Keys_of_mit_b5_hrda_reproduce_the_reference_list_exactly()
    {
        var r = CliHarness.Run("model", "describe", "mit_b5", "daformer", "--hrda", "--keys", "--json");
        Assert.True(r.ExitCode == 0, r.All);
        var doc = JsonDocument.Parse(r.Out).RootElement;
        var reference = Reference();
        static List<string> Entries(JsonElement e) => e.GetProperty("segmentor_state_dict").EnumerateArray()
            .Select(x => $"{x[0].GetString()} [{string.Join(",", x[1].EnumerateArray().Select(d => d.GetInt64()))}] {x[2].GetString()}").ToList();
        var expected = Entries(reference);
        Assert.Equal(1126, expected.Count);
        Assert.Equal(expected, Entries(doc));
        Assert.Equal(85_685_990, reference.GetProperty("n_parameters_total").GetInt64());
        Assert.Equal(reference.GetProperty("n_parameters_total").GetInt64(), doc.GetProperty("n_parameters_total").GetInt64());
    }

    [Fact]
    public void Summary_counts_the_scale_attention_head_separately()
    {
        var r = CliHarness.Run("model", "describe", "mit_b5", "daformer", "--hrda", "--json");
        Assert.True(r.ExitCode == 0, r.All);
        var doc = JsonDocument.Parse(r.Out).RootElement;
        var parts = doc.GetProperty("parts").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("parameters").GetInt64());
        var reference = Reference();
        Assert.Equal(reference.GetProperty("n_parameters_backbone").GetInt64(), parts["backbone"]);
        Assert.Equal(reference.GetProperty("n_parameters_head").GetInt64(), parts["decode_head.head"]);
        Assert.Equal(reference.GetProperty("n_parameters_scale_attention").GetInt64(), parts["decode_head.scale_attention"]);
        Assert.True(doc.GetProperty("hrda").GetBoolean());
    }

    [Fact]
    public void Attention_options_without_hrda_are_a_user_error()
    {
        var r = CliHarness.Run("model", "describe", "mit_b0", "daformer", "--single-attention");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("add --hrda", r.Err);
    }
}
