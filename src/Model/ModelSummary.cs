using TorchSharp;
using static TorchSharp.torch;

namespace DaFormer.Model;

/// One state-dict entry: key and shape.
public sealed record StateEntry(string Key, long[] Shape, ScalarType DType, bool IsParameter)
{
    public long NumElements => Shape.Aggregate(1L, (a, b) => a * b);
}

/// Parameter count of a part: `backbone`, `decode_head`, MiT stages `backbone.stage{s}`, or a
/// direct child such as `backbone.layer3` / `decode_head.fuse_layer`.
public sealed record ModuleCount(string Name, long Parameters);

/// What a model consists of: state-dict entries in PyTorch's `state_dict()` order and parameter
/// counts per part. PyTorch orders a state dict recursively: a module's own parameters, then its own
/// buffers, then each child in registration order. (TorchSharp's `state_dict()` lists all parameters
/// before all buffers, so the order is rebuilt here.)
public sealed record ModelSummary(IReadOnlyList<StateEntry> Entries, IReadOnlyList<ModuleCount> Parts, long TotalParameters)
{
    public static ModelSummary Of(SegmentorBase model)
    {
        var entries = StateEntries(model).ToList();
        var parts = new List<ModuleCount>();
        foreach (var (name, child) in model.named_children())
        {
            var total = Parameters(child);
            if (total == 0) continue;
            parts.Add(new ModuleCount(name, total));
            if (child is Backbones.MixTransformer mit)
            {
                // MiT stage s = patch_embed{s} + block{s} + stage norm{s} (spec §9.2 per-stage counts).
                for (var s = 1; s <= 4; s++)
                    parts.Add(new ModuleCount($"{name}.stage{s}", mit.named_children()
                        .Where(c => c.name == $"patch_embed{s}" || c.name == $"block{s}" || c.name == $"norm{s}")
                        .Sum(c => Parameters(c.module))));
                continue;
            }
            foreach (var (sub, grand) in child.named_children())
            {
                var n = Parameters(grand);
                if (n > 0) parts.Add(new ModuleCount($"{name}.{sub}", n));
            }
        }
        return new ModelSummary(entries, parts, Parameters(model));
    }

    public static long Parameters(nn.Module module) => module.parameters().Sum(p => p.numel());

    /// State-dict entries of any module in PyTorch order.
    public static IEnumerable<StateEntry> StateEntries(nn.Module module, string prefix = "")
    {
        foreach (var (name, p) in module.named_parameters(recurse: false))
            yield return new StateEntry(prefix + name, p.shape, p.dtype, true);
        foreach (var (name, b) in module.named_buffers(recurse: false, include_nonpersistent: false))
            yield return new StateEntry(prefix + name, b.shape, b.dtype, false);
        foreach (var (name, child) in module.named_children())
            foreach (var e in StateEntries(child, prefix + name + "."))
                yield return e;
    }

    /// Parameter count of the entries whose key starts with `prefix` (e.g. "backbone.block3.").
    public long ParametersUnder(string prefix) =>
        Entries.Where(e => e.IsParameter && e.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(e => e.NumElements);
}
