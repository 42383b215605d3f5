using System.Text.Json;
using System.Text.Json.Serialization;

namespace DaFormer.Training.Config;

/// <summary>JSON for <see cref="Encoder"/> and <see cref="Decoder"/>: writes our name (<c>mit_b5</c>), reads every
/// spelling <see cref="ArchitectureNames.TryParse"/> accepts, so configs written by hand with the
/// original generator's names (<c>mitb5</c>, <c>x50-32</c>) load too.</summary>
public sealed class ArchitectureNameConverter<T> : JsonConverter<T> where T : struct, Enum
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw new JsonException($"expected a {typeof(T).Name} name as a string, one of {ArchitectureNames.Expected<T>()}");
        var text = reader.GetString()!;
        return ArchitectureNames.TryParse<T>(text, out var value)
            ? value
            : throw new JsonException($"'{text}' is not a {typeof(T).Name}; expected one of {ArchitectureNames.Expected<T>()}");
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value switch
        {
            Encoder e => e.Name(),
            Decoder d => d.Name(),
            _ => value.ToString(),
        });
}
