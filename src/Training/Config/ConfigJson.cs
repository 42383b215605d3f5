using System.Text.Json;
using System.Text.Json.Serialization;
using DaFormer.Model;

namespace DaFormer.Training.Config;

/// JSON form of <see cref="RunConfig"/>: camelCase properties, enums by the original's names
/// (`mit_b5`, `dacs`, `source-only`), ∞ as "Infinity", every field written (also the defaults) so
/// a stored config says everything. `name` is written for readers and ignored when read back.
public static class ConfigJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions(indented: true);

    static JsonSerializerOptions CreateOptions(bool indented)
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = indented,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            PropertyNameCaseInsensitive = true,
            // `null` only where the record says the field is optional (Rcs?, FeatureDistance?, …).
            RespectNullableAnnotations = true,
        };
        // Before the general enum converter, which would otherwise claim these two.
        o.Converters.Add(new ArchitectureNameConverter<Encoder>());
        o.Converters.Add(new ArchitectureNameConverter<Decoder>());
        o.Converters.Add(new JsonStringEnumConverter());
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    public static string Serialize(RunConfig cfg) => JsonSerializer.Serialize(cfg, Options);

    public static string Serialize(IReadOnlyList<RunConfig> cfgs) =>
        cfgs.Count == 1 ? Serialize(cfgs[0]) : JsonSerializer.Serialize(cfgs, Options);

    /// Reads a config written by <see cref="Serialize(RunConfig)"/> (e.g. a run directory's config.json).
    public static RunConfig Deserialize(string json, string source = "config")
    {
        try
        {
            return JsonSerializer.Deserialize<RunConfig>(WithoutLegacyFields(json), Options)
                   ?? throw new DaFormerError($"{source}: the JSON is null; expected a run config object.");
        }
        catch (JsonException e)
        {
            throw new DaFormerError($"{source}: not a valid run config ({e.Path}): {e.Message}", e);
        }
    }

    /// Fields that older run directories' config.json files hold but configs no longer have:
    /// `runtime.device` and `runtime.workDirRoot` moved to the run request (`--device`, `--work-dir`).
    public static IReadOnlyList<string> LegacyFields { get; } = ["runtime.device", "runtime.workDirRoot"];

    /// The JSON with the legacy fields removed, so old run directories still load.
    public static string WithoutLegacyFields(string json)
    {
        System.Text.Json.Nodes.JsonNode? root;
        try { root = System.Text.Json.Nodes.JsonNode.Parse(json); }
        catch (JsonException) { return json; } // the deserializer reports the syntax error with its position
        var changed = false;
        foreach (var path in LegacyFields)
        {
            var dot = path.IndexOf('.');
            if (root is System.Text.Json.Nodes.JsonObject o && o[path[..dot]] is System.Text.Json.Nodes.JsonObject parent) changed |= parent.Remove(path[(dot + 1)..]);
        }
        return changed ? root!.ToJsonString() : json;
    }
}
