using System.Text.Json;

namespace DaFormer.Model.Checkpoints;

/// One tensor entry of a safetensors header after validation: byte range relative to the data start.
public sealed record SafetensorsEntry(string Name, string DType, long[] Shape, long Begin, long End);

/// Parses and checks a safetensors JSON header against the size of the data that follows it (pure).
/// A header is untrusted input: every field is checked for type and range before anything is
/// allocated, and each problem names the tensor key — a lying header must never reach libtorch.
public static class SafetensorsHeader
{
    public static readonly IReadOnlyDictionary<string, int> ElementSizes = new Dictionary<string, int>
    {
        ["F32"] = 4, ["F64"] = 8, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4,
        ["I16"] = 2, ["I8"] = 1, ["U8"] = 1, ["BOOL"] = 1,
    };

    /// The entries in header order, plus the `__metadata__` strings. `dataLength` is the number of
    /// bytes after the header. Throws <see cref="DaFormerError"/> naming `path` and the key.
    public static (IReadOnlyList<SafetensorsEntry> Entries, Dictionary<string, string> Metadata) Parse(string path, ReadOnlySpan<byte> json, long dataLength)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json.ToArray()); }
        catch (JsonException e) { throw Corrupt(path, $"the header is not valid JSON ({e.Message})"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw Corrupt(path, $"the header is a JSON {Kind(doc.RootElement)}, expected an object {{\"<tensor name>\": {{\"dtype\", \"shape\", \"data_offsets\"}}, …}}");
            var entries = new List<SafetensorsEntry>();
            var metadata = new Dictionary<string, string>();
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    if (prop.Value.ValueKind != JsonValueKind.Object) throw Corrupt(path, "\"__metadata__\" is not an object of strings");
                    foreach (var m in prop.Value.EnumerateObject())
                        metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                entries.Add(Entry(path, prop.Name, prop.Value, dataLength));
            }
            CheckOverlaps(path, entries);
            return (entries, metadata);
        }
    }

    static SafetensorsEntry Entry(string path, string name, JsonElement e, long dataLength)
    {
        DaFormerError Bad(string what) => Corrupt(path, $"tensor '{name}': {what}");
        if (e.ValueKind != JsonValueKind.Object) throw Bad($"the entry is a JSON {Kind(e)}, expected an object with dtype, shape and data_offsets");
        if (!e.TryGetProperty("dtype", out var dt)) throw Bad("no \"dtype\"");
        if (dt.ValueKind != JsonValueKind.String) throw Bad($"\"dtype\" is {dt.GetRawText()}, expected a string such as \"F32\"");
        var dtype = dt.GetString()!;
        if (!ElementSizes.TryGetValue(dtype, out var elementSize))
            throw Bad($"unsupported dtype \"{dtype}\" (expected one of {string.Join(", ", ElementSizes.Keys)})");
        var shape = Integers(e, "shape", Bad, minCount: 0, maxCount: 32);
        var offsets = Integers(e, "data_offsets", Bad, minCount: 2, maxCount: 2);
        var (begin, end) = (offsets[0], offsets[1]);
        if (begin > end) throw Bad($"data_offsets [{begin}, {end}] end before they begin");
        if (end > dataLength) throw Bad($"data_offsets [{begin}, {end}] lie beyond the {dataLength} data bytes of the file (truncated or a lying header)");
        // Element count with overflow detection: a declared shape can exceed any real file.
        long bytes = elementSize;
        foreach (var d in shape)
        {
            if (d != 0 && bytes > long.MaxValue / d) throw Bad($"shape [{string.Join(", ", shape)}] is impossibly large");
            bytes *= d;
        }
        if (bytes != end - begin)
            throw Bad($"shape [{string.Join(", ", shape)}] of {dtype} needs {bytes} bytes but data_offsets [{begin}, {end}] hold {end - begin}");
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    static long[] Integers(JsonElement e, string field, Func<string, DaFormerError> bad, int minCount, int maxCount)
    {
        if (!e.TryGetProperty(field, out var a)) throw bad($"no \"{field}\"");
        if (a.ValueKind != JsonValueKind.Array) throw bad($"\"{field}\" is {a.GetRawText()}, expected a list of integers");
        var n = a.GetArrayLength();
        if (n < minCount || n > maxCount)
            throw bad($"\"{field}\" has {n} entries, expected {(minCount == maxCount ? $"{minCount}" : $"{minCount}…{maxCount}")}");
        var result = new long[n];
        var i = 0;
        foreach (var x in a.EnumerateArray())
        {
            if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out var v))
                throw bad($"\"{field}\" entry {x.GetRawText()} is not an integer");
            if (v < 0) throw bad($"\"{field}\" entry {v} is negative");
            result[i++] = v;
        }
        return result;
    }

    static void CheckOverlaps(string path, List<SafetensorsEntry> entries)
    {
        var sorted = entries.Where(x => x.End > x.Begin).OrderBy(x => x.Begin).ToList();
        for (var i = 1; i < sorted.Count; i++)
            if (sorted[i].Begin < sorted[i - 1].End)
                throw Corrupt(path, $"tensor '{sorted[i].Name}': data_offsets [{sorted[i].Begin}, {sorted[i].End}] overlap those of '{sorted[i - 1].Name}' [{sorted[i - 1].Begin}, {sorted[i - 1].End}]");
    }

    static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "array", JsonValueKind.String => "string", JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean", JsonValueKind.Null => "null", _ => "object",
    };

    public static DaFormerError Corrupt(string path, string what) =>
        new($"{path}: not a valid safetensors file ({what}). Expected an 8-byte header length, a JSON header and raw tensor data; re-export or re-download the file.");
}
