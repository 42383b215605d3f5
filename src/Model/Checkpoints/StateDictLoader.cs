using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model.Checkpoints;

/// Differences between a checkpoint's keys and a module's state dict.
public sealed record KeyMismatch(
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<(string Key, long[] Expected, long[] Found)> WrongShape)
{
    public bool IsEmpty => Missing.Count == 0 && Unexpected.Count == 0 && WrongShape.Count == 0;

    /// One paragraph listing the first few of each kind with counts.
    public string Describe(int first = 5)
    {
        static string Shape(long[] s) => "(" + string.Join(",", s) + ")";
        var parts = new List<string>();
        if (Missing.Count > 0) parts.Add($"{Missing.Count} missing (e.g. {string.Join(", ", Missing.Take(first))})");
        if (Unexpected.Count > 0) parts.Add($"{Unexpected.Count} unexpected (e.g. {string.Join(", ", Unexpected.Take(first))})");
        if (WrongShape.Count > 0)
            parts.Add($"{WrongShape.Count} with the wrong shape (e.g. {string.Join(", ", WrongShape.Take(first).Select(w => $"{w.Key}: model {Shape(w.Expected)} vs file {Shape(w.Found)}"))})");
        return string.Join("; ", parts);
    }
}

/// Copies tensors from a state dict into a module by key, like PyTorch's `load_state_dict`, but
/// reporting every problem at once.
public static class StateDictLoader
{
    /// Compares keys and shapes without copying anything.
    public static KeyMismatch Compare(nn.Module module, IReadOnlyDictionary<string, Tensor> source, Func<string, bool>? ignore = null)
    {
        var target = module.state_dict();
        var missing = target.Keys.Where(k => !source.ContainsKey(k)).ToList();
        var unexpected = source.Keys.Where(k => !target.ContainsKey(k) && !(ignore?.Invoke(k) ?? false)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var wrong = target.Where(kv => source.TryGetValue(kv.Key, out var s) && !kv.Value.shape.SequenceEqual(s.shape))
            .Select(kv => (kv.Key, kv.Value.shape, source[kv.Key].shape)).ToList();
        return new KeyMismatch(missing, unexpected, wrong);
    }

    /// Loads `source` into `module`. With `strict`, any mismatch is a DaFormerError naming `file`;
    /// without, matching keys are loaded and the mismatch is returned. Shape mismatches always fail.
    public static KeyMismatch Load(nn.Module module, IReadOnlyDictionary<string, Tensor> source, string file, bool strict = true,
                                   Func<string, bool>? ignore = null, string? hint = null)
    {
        var mismatch = Compare(module, source, ignore);
        if ((strict && !mismatch.IsEmpty) || mismatch.WrongShape.Count > 0)
            throw new DaFormerError($"{file}: the checkpoint does not fit the model: {mismatch.Describe()}." + (hint is null ? "" : " " + hint));
        var target = module.state_dict();
        using var _ = no_grad();
        foreach (var (key, dst) in target)
            if (source.TryGetValue(key, out var src))
                dst.copy_(src.to(dst.dtype, dst.device));
        return mismatch;
    }

    /// Keys that start with `prefix`, with the prefix removed (e.g. `model.` → the student).
    public static Dictionary<string, Tensor> WithPrefix(IReadOnlyDictionary<string, Tensor> source, string prefix) =>
        source.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
              .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
}
