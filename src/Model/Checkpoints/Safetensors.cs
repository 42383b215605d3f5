using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Checkpoints;

/// The safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then raw
/// little-endian C-order data (offsets relative to the end of the header).
public static class Safetensors
{
    static readonly Dictionary<string, ScalarType> DTypes = new()
    {
        ["F32"] = ScalarType.Float32, ["F64"] = ScalarType.Float64, ["F16"] = ScalarType.Float16,
        ["BF16"] = ScalarType.BFloat16, ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32,
        ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8, ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    /// Reads every tensor of a safetensors file (on the CPU). Errors name the file and what is wrong.
    public static Dictionary<string, Tensor> Load(string path) => Load(path, out _);

    public static Dictionary<string, Tensor> Load(string path, out Dictionary<string, string> metadata)
    {
        if (!File.Exists(path)) throw new DaFormerError($"{path}: file not found.");
        var bytes = File.ReadAllBytes(path);
        metadata = new();
        if (bytes.Length < 8) throw Corrupt(path, "shorter than the 8-byte header length");
        var n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)bytes.Length - 8) throw Corrupt(path, $"header length {n} exceeds the file size {bytes.Length}");
        JsonObject header;
        try { header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)n))!.AsObject(); }
        catch (JsonException e) { throw Corrupt(path, "header is not valid JSON: " + e.Message); }
        var dataStart = 8 + (long)n;
        var result = new Dictionary<string, Tensor>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node!.AsObject()) metadata[k] = v?.ToString() ?? "";
                continue;
            }
            var dtypeName = node!["dtype"]!.GetValue<string>();
            if (!DTypes.TryGetValue(dtypeName, out var dtype)) throw Corrupt(path, $"tensor '{name}' has unsupported dtype {dtypeName}");
            var shape = node["shape"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
            var offsets = node["data_offsets"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
            var begin = dataStart + offsets[0];
            var end = dataStart + offsets[1];
            if (end > bytes.Length || begin > end) throw Corrupt(path, $"tensor '{name}' data lies outside the file");
            var t = empty(shape, dtype);
            var span = bytes.AsSpan((int)begin, (int)(end - begin));
            if (span.Length != t.NumberOfElements * t.ElementSize) throw Corrupt(path, $"tensor '{name}' has {span.Length} bytes for shape [{string.Join(",", shape)}]");
            span.CopyTo(t.bytes);
            result[name] = t;
        }
        return result;
    }

    /// Writes tensors atomically (temporary file + rename). Keys are written in the given order.
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var m = new JsonObject();
            foreach (var (k, v) in metadata) m[k] = v;
            header["__metadata__"] = m;
        }
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            using var cpu = tensor.detach().cpu().contiguous();
            var data = cpu.bytes.ToArray();
            var code = DTypes.First(kv => kv.Value == cpu.dtype).Key;
            header[name] = new JsonObject
            {
                ["dtype"] = code,
                ["shape"] = new JsonArray(cpu.shape.Select(s => (JsonNode)s).ToArray()),
                ["data_offsets"] = new JsonArray((JsonNode)offset, (JsonNode)(offset + data.Length)),
            };
            offset += data.Length;
            blobs.Add(data);
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        var tmp = path + ".tmp";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using (var f = File.Create(tmp))
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            f.Write(len);
            f.Write(json);
            for (var i = json.Length; i < padded; i++) f.WriteByte((byte)' ');
            foreach (var b in blobs) f.Write(b);
        }
        File.Move(tmp, path, overwrite: true);
    }

    static DaFormerError Corrupt(string path, string what) =>
        new($"{path}: not a valid safetensors file ({what}). Expected an 8-byte header length, a JSON header and raw tensor data.");
}
