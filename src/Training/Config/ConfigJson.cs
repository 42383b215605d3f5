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
            return JsonSerializer.Deserialize<RunConfig>(json, Options)
                   ?? throw new DaFormerError($"{source}: the JSON is null; expected a run config object.");
        }
        catch (JsonException e)
        {
            throw new DaFormerError($"{source}: not a valid run config ({e.Path}): {e.Message}", e);
        }
    }
}
