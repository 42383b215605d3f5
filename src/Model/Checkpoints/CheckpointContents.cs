using System.Collections;
using static TorchSharp.torch;

namespace DaFormer.Model.Checkpoints;

public enum CheckpointLayout
{
    /// A plain segmentor state dict (`backbone.*`, `decode_head.*`).
    Segmentor,
    /// An mmcv training checkpoint of the UDA module: `model.` (student), `ema_model.` (teacher), `imnet_model.`.
    UdaTraining,
    /// A bare encoder state dict as in the official ImageNet `mit_b*.pth` (no prefix, plus `head.*`).
    Encoder,
    /// Anything else (keys do not look like a segmentor).
    Unknown,
}

/// What a checkpoint file holds: its tensors (flattened, keys as stored), meta data and layout.
public sealed record CheckpointContents(
    string Path,
    CheckpointLayout Layout,
    IReadOnlyDictionary<string, Tensor> Tensors,
    IReadOnlyDictionary<string, object?> Meta,
    bool HasOptimizer) : IDisposable
{
    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }

    /// The distinct first key segments with their tensor counts, e.g. `model.`: 1110.
    public IReadOnlyList<(string Prefix, int Count)> Prefixes() =>
        Tensors.Keys.GroupBy(k => k.Contains('.') ? k[..(k.IndexOf('.') + 1)] : k)
            .Select(g => (g.Key, g.Count())).OrderByDescending(p => p.Item2).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();

    public long? Iteration => Meta.TryGetValue("iter", out var v) && v is not null && long.TryParse(v.ToString(), out var i) ? i : null;
}

/// Reads `.pth` (PyTorch zip), and `.safetensors` files into CheckpointContents.
public static class CheckpointReader
{
    public static CheckpointContents Read(string path)
    {
        if (IsSafetensors(path))
        {
            var t = Safetensors.Load(path, out var meta);
            return new CheckpointContents(path, LayoutOf(t.Keys), t, meta.ToDictionary(kv => kv.Key, kv => (object?)kv.Value), false);
        }
        var root = PyTorchFile.Read(path);
        var (tensors, metaDict, hasOptimizer) = Unwrap(root, path);
        return new CheckpointContents(path, LayoutOf(tensors.Keys), tensors, metaDict, hasOptimizer);
    }

    static bool IsSafetensors(string path)
    {
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return true;
        if (!File.Exists(path)) return false;
        using var f = File.OpenRead(path);
        var b = new byte[9];
        // 8-byte little-endian length followed by '{' (a zip starts with "PK").
        return f.Read(b, 0, 9) == 9 && b[8] == (byte)'{' && b[6] == 0 && b[7] == 0;
    }

    // The original's loaders accept a dict with 'state_dict' (mmcv) or 'model' (timm/SegFormer) wrapping the weights.
    static (Dictionary<string, Tensor>, Dictionary<string, object?>, bool) Unwrap(IDictionary root, string path)
    {
        var meta = new Dictionary<string, object?>();
        IDictionary weights = root;
        if (root["state_dict"] is IDictionary sd) weights = sd;
        else if (root["model"] is IDictionary m && m.Values.Cast<object?>().Any(v => v is Tensor)) weights = m;
        if (root["meta"] is IDictionary md)
            foreach (DictionaryEntry e in md) meta[e.Key.ToString()!] = e.Value;
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in weights)
            if (e.Value is Tensor t) tensors[e.Key.ToString()!] = t;
        // mmcv `load_checkpoint`: when the first key starts with `module.` (a DataParallel save),
        // the first 7 characters of every key are dropped.
        if (tensors.Keys.FirstOrDefault()?.StartsWith("module.", StringComparison.Ordinal) == true)
            tensors = tensors.ToDictionary(kv => kv.Key[7..], kv => kv.Value, StringComparer.Ordinal);
        if (tensors.Count == 0)
            throw new DaFormerError($"{path}: the file holds no tensors at the top level, under 'state_dict' or under 'model'. " +
                                    $"Top-level keys: {string.Join(", ", root.Keys.Cast<object>().Take(8))}. Expected a state dict or an mmcv/DAFormer checkpoint.");
        return (tensors, meta, root["optimizer"] is not null);
    }

    public static CheckpointLayout LayoutOf(IEnumerable<string> keys)
    {
        var list = keys.ToList();
        if (list.Any(k => k.StartsWith("model.backbone.", StringComparison.Ordinal))) return CheckpointLayout.UdaTraining;
        if (list.Any(k => k.StartsWith("backbone.", StringComparison.Ordinal))) return CheckpointLayout.Segmentor;
        if (list.Any(k => k.StartsWith("patch_embed1.", StringComparison.Ordinal) || k.StartsWith("stem.", StringComparison.Ordinal) || k.StartsWith("conv1.", StringComparison.Ordinal)))
            return CheckpointLayout.Encoder;
        return CheckpointLayout.Unknown;
    }
}
