using System.Globalization;
using System.Reflection;
using System.Text.Json;
using DaFormer.Model;

namespace DaFormer.Training.Config;

/// `--set Path=Value` on the command line: a pure function that returns a copy of the config with
/// one field replaced, exactly like a `with` expression (records are cloned through their
/// compiler-generated copy method and the init setter is called on the copy). Paths are the
/// property names (`Optimizer.Lr`, `Data.Rcs.Temperature`; case-insensitive, camelCase works).
/// Values: numbers (invariant culture, `inf`), booleans (true/false/on/off), enum names (`MitB0`,
/// `mit_b0` or the generator's `mitb0`), `null`/`none`/`off` for optional fields, JSON for records and lists
/// (`[6,7]`, `{"top":15,"bottom":120}`; a list may also be written `6,7`). Setting a field inside an
/// optional record that is off (`Data.Rcs.Temperature` with RCS off) first turns it on with its
/// defaults.
public static class ConfigOverrides
{
    public static RunConfig Apply(RunConfig cfg, string path, string value)
    {
        var segments = path.Split('.');
        if (segments.Length == 0 || segments.Any(string.IsNullOrWhiteSpace))
            throw new DaFormerError($"--set {path}={value}: '{path}' is not a field path; expected e.g. Optimizer.Lr");
        return (RunConfig)SetIn(cfg, typeof(RunConfig), segments, 0, path, value)!;
    }

    /// Applies `PATH=VALUE` assignments in order.
    public static RunConfig ApplyAll(RunConfig cfg, IEnumerable<string> assignments)
    {
        foreach (var a in assignments)
        {
            var eq = a.IndexOf('=');
            if (eq <= 0) throw new DaFormerError($"--set '{a}': expected PATH=VALUE, e.g. --set Optimizer.Lr=1e-4");
            cfg = Apply(cfg, a[..eq].Trim(), a[(eq + 1)..].Trim());
        }
        return cfg;
    }

    /// The settable fields of a config record type, in declaration order (for messages and help).
    public static IReadOnlyList<PropertyInfo> Fields(Type recordType) =>
        recordType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is not null && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .OrderBy(p => p.MetadataToken)
            .ToList();

    static object? SetIn(object? current, Type type, string[] segments, int i, string path, string value)
    {
        var where = i == 0 ? "RunConfig" : string.Join('.', segments[..i]);
        var prop = Fields(type).FirstOrDefault(p => string.Equals(p.Name, segments[i], StringComparison.OrdinalIgnoreCase));
        if (prop is null)
        {
            var valid = string.Join(", ", Fields(type).Select(p => p.Name));
            throw new DaFormerError(valid.Length == 0
                ? $"--set {path}: {where} is a value ({Describe(type)}), it has no field '{segments[i]}'"
                : $"--set {path}: {where} has no field '{segments[i]}'; valid fields: {valid}");
        }
        current ??= CreateDefault(type, where, path);
        object? newValue;
        if (i == segments.Length - 1)
            newValue = Parse(prop.PropertyType, IsNullable(prop), value, path);
        else
        {
            var childType = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
            if (!IsRecord(childType))
            {
                throw new DaFormerError($"--set {path}: {string.Join('.', segments[..(i + 1)])} is a value ({Describe(prop.PropertyType)}), it has no field '{segments[i + 1]}'");
            }
            newValue = SetIn(prop.GetValue(current), childType, segments, i + 1, path, value);
        }
        var copy = Clone(current);
        prop.SetValue(copy, newValue);
        return copy;
    }

    static bool IsRecord(Type t) => t.GetMethod("<Clone>$") is not null;

    static object Clone(object record) => record.GetType().GetMethod("<Clone>$")!.Invoke(record, null)!;

    static object CreateDefault(Type type, string where, string path)
    {
        var ctor = type.GetConstructors().OrderBy(c => c.GetParameters().Length).FirstOrDefault(c => c.GetParameters().All(p => p.HasDefaultValue))
            ?? throw new DaFormerError($"--set {path}: {where} is off (null) and has no defaults; set {where} as a whole first");
        return ctor.Invoke(ctor.GetParameters().Select(p => p.DefaultValue).ToArray());
    }

    static readonly string[] NullWords = ["null", "none", "off"];

    /// Whether the field is declared optional (`Rcs?`, `string?`, `int?`) — only those accept null.
    static bool IsNullable(PropertyInfo prop) =>
        Nullable.GetUnderlyingType(prop.PropertyType) is not null
        || (!prop.PropertyType.IsValueType && new NullabilityInfoContext().Create(prop).WriteState == NullabilityState.Nullable);

    static object? Parse(Type type, bool nullable, string text, string path)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        string Bad(string expected) => $"--set {path}={text}: '{text}' is not {expected}";
        if (NullWords.Contains(text, StringComparer.OrdinalIgnoreCase))
        {
            if (nullable) return null;
            if (t != typeof(string)) throw new DaFormerError($"--set {path}={text}: {path} is required and cannot be switched off");
        }
        if (t == typeof(string)) return text;
        if (t == typeof(int))
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new DaFormerError(Bad("an integer"));
        if (t == typeof(double))
        {
            var s = text.Trim().ToLowerInvariant();
            if (s is "inf" or "infinity" or "+inf") return double.PositiveInfinity;
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : throw new DaFormerError(Bad("a number"));
        }
        if (t == typeof(bool))
            return text.ToLowerInvariant() switch
            {
                "true" or "on" or "yes" or "1" => true,
                "false" or "off" or "no" or "0" => false,
                _ => throw new DaFormerError(Bad("a boolean (true/false)")),
            };
        if (t == typeof(Encoder))
            return ArchitectureNames.TryParse<Encoder>(text, out var e) ? e : throw new DaFormerError(Bad($"an encoder; expected one of {ArchitectureNames.Expected<Encoder>()}"));
        if (t == typeof(Decoder))
            return ArchitectureNames.TryParse<Decoder>(text, out var d) ? d : throw new DaFormerError(Bad($"a decode head; expected one of {ArchitectureNames.Expected<Decoder>()}"));
        if (t.IsEnum)
        {
            var key = text.Replace("-", "").Replace("_", "");
            foreach (var name in Enum.GetNames(t))
            {
                var jsonName = t.GetField(name)!.GetCustomAttribute<System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute>()?.Name;
                if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase) || string.Equals(jsonName, text, StringComparison.OrdinalIgnoreCase))
                    return Enum.Parse(t, name);
            }
            throw new DaFormerError(Bad($"a {t.Name}; expected one of {string.Join(", ", Enum.GetNames(t).Select(n => t.GetField(n)!.GetCustomAttribute<System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute>()?.Name ?? n))}"));
        }
        // Records and lists: JSON; a list may omit its brackets.
        var json = text;
        if (IsList(t) && !text.TrimStart().StartsWith('['))
            json = "[" + string.Join(",", text.Split(',').Select(x => x.Trim()).Select(x => ElementIsString(t) ? JsonSerializer.Serialize(x) : x)) + "]";
        try
        {
            return JsonSerializer.Deserialize(json, t, ConfigJson.Options);
        }
        catch (JsonException e)
        {
            throw new DaFormerError($"--set {path}={text}: not a valid {Describe(t)} ({e.Message}); write it as JSON, e.g. {JsonSerializer.Serialize(Example(t), t, ConfigJson.Options).Replace("\n", " ").Replace("  ", "")}");
        }
    }

    static bool IsList(Type t) => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(EquatableList<>);
    static bool ElementIsString(Type t) => t.GetGenericArguments()[0] == typeof(string);

    static object? Example(Type t) =>
        IsList(t) ? Activator.CreateInstance(t, Array.CreateInstance(t.GetGenericArguments()[0], 0))
        : t.GetConstructors().FirstOrDefault(c => c.GetParameters().All(p => p.HasDefaultValue)) is { } c ? c.Invoke(c.GetParameters().Select(p => p.DefaultValue).ToArray()) : null;

    static string Describe(Type t) =>
        IsList(t) ? $"list of {t.GetGenericArguments()[0].Name}" : (Nullable.GetUnderlyingType(t) ?? t).Name;
}
