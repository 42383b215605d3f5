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
        if (Directory.Exists(path)) throw new DaFormerError($"{path}: is a directory; expected a .safetensors file.");
        if (!File.Exists(path)) throw new DaFormerError($"{path}: file not found.");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw Corrupt(path, $"the file has {bytes.Length} bytes, shorter than the 8-byte header length");
        var n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)bytes.Length - 8) throw Corrupt(path, $"header length {n} exceeds the file size {bytes.Length}");
        var dataStart = 8 + (int)n;
        var (entries, meta) = SafetensorsHeader.Parse(path, bytes.AsSpan(8, (int)n), bytes.Length - dataStart);
        metadata = meta;
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (var e in entries)
            {
                var t = empty(e.Shape, DTypes[e.DType]);
                result[e.Name] = t;
                bytes.AsSpan(dataStart + (int)e.Begin, (int)(e.End - e.Begin)).CopyTo(t.bytes);
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
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
        var tmp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
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
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    static DaFormerError Corrupt(string path, string what) => SafetensorsHeader.Corrupt(path, what);
}
