using System.Text.Json.Nodes;
using DaFormer.Training.Config;

namespace DaFormer.Training.Runs;

/// One field whose value differs between two configs: its path as `--set` spells it
/// (`Optimizer.Lr`, `Data.Rcs.Temperature`) and both values as JSON text.
public sealed record ConfigChange(string Path, string Old, string New)
{
    public override string ToString() => $"{Path}: {Old} → {New}";
}

/// Field-by-field comparison of two resolved configs (JSON as <see cref="ConfigJson"/> writes it), for
/// refusing — or recording — a resume whose config differs from the one the run was started with.
public static class ConfigDiff
{
    /// Every differing leaf (lists and a record that is null on one side compare as a whole). The
    /// derived `name` and the legacy fields that moved to the run request are not compared.
    public static IReadOnlyList<ConfigChange> Between(string oldJson, string newJson)
    {
        var changes = new List<ConfigChange>();
        Compare(JsonNode.Parse(ConfigJson.WithoutLegacyFields(oldJson)), JsonNode.Parse(ConfigJson.WithoutLegacyFields(newJson)), "", changes);
        return changes;
    }

    static void Compare(JsonNode? a, JsonNode? b, string path, List<ConfigChange> into)
    {
        if (a is JsonObject oa && b is JsonObject ob)
        {
            foreach (var key in oa.Select(p => p.Key).Union(ob.Select(p => p.Key)))
            {
                if (path.Length == 0 && key == "name") continue;
                Compare(oa[key], ob[key], path.Length == 0 ? Pascal(key) : $"{path}.{Pascal(key)}", into);
            }
            return;
        }
        var (ta, tb) = (Text(a), Text(b));
        if (ta != tb) into.Add(new ConfigChange(path, ta, tb));
    }

    static string Text(JsonNode? n) => n switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => n.ToJsonString(),
    };

    /// `featureDistance` → `FeatureDistance`: the JSON is camelCase, the records (and `--set`) Pascal.
    static string Pascal(string camel) => camel.Length == 0 ? camel : char.ToUpperInvariant(camel[0]) + camel[1..];
}
