using System.Text.Json;
using DaFormer.Tests.Support;

namespace DaFormer.Tests.Scripting;

/// `daformer model describe <backbone> <architecture> --keys` with the original generator's names
/// reproduces each full-size key list of ../shared/fixtures/keys_baselines (names, shapes, order).
/// MiT files list only the head entries; their backbone entries are those of keys_mitb5_daformer.json.
[Collection("Console")]
public class BaselineKeysTests
{
    public static TheoryData<string> Files => new(Directory.GetFiles(Path.Combine(Paths.Fixtures, "keys_baselines"), "keys_*.json")
        .Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    static List<string> Lines(JsonElement entries) => entries.EnumerateArray()
        .Select(e => $"{e[0].GetString()}\t{string.Join(",", e[1].EnumerateArray().Select(d => d.GetInt64()))}").ToList();

    [Theory]
    [MemberData(nameof(Files))]
    public void Keys_equal_the_reference_list(string file)
    {
        var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "keys_baselines", file))).RootElement;
        var model = doc.GetProperty("model").GetString()!;          // "<architecture>_<backbone>"
        var cut = model.LastIndexOf('_');
        var (architecture, backbone) = (model[..cut], model[(cut + 1)..]);
        var r = CliHarness.Run("model", "describe", backbone, architecture, "--keys");
        Assert.True(r.ExitCode == 0, r.All);
        var actual = r.Out.TrimEnd('\n').Split('\n').ToList();
        var expected = Lines(doc.GetProperty("segmentor_state_dict"));
        if (doc.TryGetProperty("backbone_entries_note", out _))
        {
            var mit = JsonDocument.Parse(File.ReadAllText(Path.Combine(Paths.Fixtures, "keys_mitb5_daformer.json"))).RootElement;
            expected = [.. Lines(mit.GetProperty("segmentor_state_dict")).Where(l => l.StartsWith("backbone.", StringComparison.Ordinal)), .. expected];
        }
        Assert.Equal(doc.GetProperty("n_state_dict_entries").GetInt32(), expected.Count);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_pairing_the_original_cannot_build_names_both_and_the_pairings_that_exist()
    {
        var r = CliHarness.Run("model", "describe", "r101v1c", "upernet");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("'upernet' does not fit encoder 'r101v1c'", r.Err);
        Assert.Contains("Pairings that exist", r.Err);
        Assert.Contains("dlv3p_nodbn", r.Err);
        Assert.Contains("with any encoder", r.Err);
        var u = CliHarness.Run("model", "describe", "r50v1c", "uper");
        Assert.Equal(1, u.ExitCode);
        Assert.Contains("upernet_r50.py", u.Err);
    }
}
