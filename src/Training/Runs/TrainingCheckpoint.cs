using System.Collections;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Training.Runs;

/// The training state written to `latest.pth` / `iter_N.pth`, in the original's layout so PyTorch
/// tools can read it: `{'meta': {...}, 'state_dict': {'model.*', 'ema_model.*', 'imnet_model.*'},
/// 'optimizer': {'state': {i: {step, exp_avg, exp_avg_sq}}, 'param_groups': [...]}}`.
/// `meta` holds the iteration (next iteration to run), seed, sampler position and the config JSON.
public static class TrainingCheckpoint
{
    public static void Save(string path, IReadOnlyList<(string Prefix, nn.Module Module)> modules, AdamW? optimizer,
                            IReadOnlyDictionary<string, object> meta)
    {
        var stateDict = new Hashtable();
        foreach (var (prefix, module) in modules)
            foreach (var (k, v) in module.state_dict())
                stateDict[prefix + k] = v.detach().cpu();
        var root = new Hashtable { ["meta"] = ToHashtable(meta), ["state_dict"] = stateDict };
        if (optimizer is not null) root["optimizer"] = OptimizerState(optimizer);
        PyTorchFile.Write(path, root);
        foreach (DictionaryEntry e in stateDict) ((Tensor)e.Value!).Dispose();
    }

    /// Restores modules (strictly, by prefix) and the optimizer; returns the meta dictionary.
    public static IReadOnlyDictionary<string, object?> Load(string path, IReadOnlyList<(string Prefix, nn.Module Module)> modules, AdamW? optimizer)
    {
        var root = PyTorchFile.Read(path);
        if (root["state_dict"] is not IDictionary sd)
            throw new DaFormerError($"{path}: not a training checkpoint (no 'state_dict'); expected latest.pth or iter_N.pth of a run directory.");
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in sd) if (e.Value is Tensor t) tensors[(string)e.Key] = t;
        const string hint = "The run's config and the checkpoint disagree; resume with the config the run was started with.";
        foreach (var (prefix, module) in modules)
        {
            var weights = StateDictLoader.WithPrefix(tensors, prefix);
            // A segmentor that does not fit gets the same message as every other loading path: which
            // architecture the file's weights do fit, and how to build that one.
            if (module is Segmentor segmentor && StateDictLoader.Compare(segmentor, weights) is { IsEmpty: false } mismatch)
                throw new DaFormerError(SegmentorLoading.MismatchMessage(path, $"the '{prefix}*' weights", segmentor.Spec, mismatch,
                                                                         ArchitectureGuess.ShapesOf(weights)) + " " + hint);
            StateDictLoader.Load(module, weights, path, strict: true, hint: hint);
        }
        if (optimizer is not null)
        {
            if (root["optimizer"] is not IDictionary opt)
                throw new DaFormerError($"{path}: the checkpoint has no optimizer state, so the run cannot resume exactly.");
            RestoreOptimizer(optimizer, opt, path);
        }
        foreach (var t in tensors.Values) t.Dispose();
        var meta = new Dictionary<string, object?>();
        if (root["meta"] is IDictionary m) foreach (DictionaryEntry e in m) meta[(string)e.Key] = e.Value;
        return meta;
    }

    static Hashtable ToHashtable(IReadOnlyDictionary<string, object> meta)
    {
        var h = new Hashtable();
        foreach (var (k, v) in meta) h[k] = v;
        return h;
    }

    static IEnumerable<AdamW.State> States(AdamW optimizer) => optimizer.state_dict().State.Cast<AdamW.State>();

    static Hashtable OptimizerState(AdamW optimizer)
    {
        var state = new Hashtable();
        var i = 0;
        foreach (var s in States(optimizer))
        {
            state[i++] = new Hashtable
            {
                ["step"] = tensor((float)s.step),
                ["exp_avg"] = s.exp_avg.detach().cpu(),
                ["exp_avg_sq"] = s.exp_avg_sq.detach().cpu(),
            };
        }
        var groups = new ArrayList();
        var index = 0;
        foreach (var g in optimizer.ParamGroups.Cast<AdamW.ParamGroup>())
        {
            var n = g.Parameters.Count();
            var o = g.Options;
            groups.Add(new Hashtable
            {
                ["lr"] = g.LearningRate, ["initial_lr"] = g.InitialLearningRate,
                ["betas"] = new ArrayList { o.beta1 ?? 0.9, o.beta2 ?? 0.999 },
                ["eps"] = o.eps ?? 1e-8, ["weight_decay"] = o.weight_decay ?? 0.0, ["amsgrad"] = o.amsgrad ?? false,
                ["params"] = new ArrayList(Enumerable.Range(index, n).ToArray()),
            });
            index += n;
        }
        return new Hashtable { ["state"] = state, ["param_groups"] = groups };
    }

    static void RestoreOptimizer(AdamW optimizer, IDictionary saved, string path)
    {
        var states = States(optimizer).ToList();
        if (saved["state"] is not IDictionary st || st.Count != states.Count)
            throw new DaFormerError($"{path}: the optimizer state covers {(saved["state"] as IDictionary)?.Count ?? 0} parameters but the model has {states.Count}.");
        using var _ = no_grad();
        for (var i = 0; i < states.Count; i++)
        {
            var entry = (IDictionary)(st[i] ?? st[(long)i])!;
            var s = states[i];
            s.step = (long)((Tensor)entry["step"]!).item<float>();
            s.exp_avg.copy_((Tensor)entry["exp_avg"]!);
            s.exp_avg_sq.copy_((Tensor)entry["exp_avg_sq"]!);
        }
    }
}
