using System.Collections;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Training.Optim;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DaFormer.Training.Runs;

/// The training state written to `latest.pth` / `iter_N.pth`, in the original's layout so PyTorch
/// tools can read it: `{'meta': {...}, 'state_dict': {'model.*', 'ema_model.*', 'imnet_model.*'},
/// 'optimizer': {'state': {i: {step, exp_avg, exp_avg_sq}}, 'param_groups': [...]}}`.
/// `meta` holds the iteration (iterations completed), seed, sampler position and the config JSON.
///
/// Optimizer layout. Given the parameter groups, the file has mmcv's layout: DefaultOptimizerConstructor
/// with paramwise_cfg gives every parameter of the DACS module its own group, in `named_parameters()`
/// order — `model.*`, then `ema_model.*`, then `imnet_model.*` — each with its own lr, initial_lr and
/// weight_decay; `state[i]` is keyed by that index and exists only for parameters AdamW has stepped
/// (the student's), as in PyTorch. In memory we keep one AdamW group per distinct (lr, decay) setting
/// (the same update, since AdamW's state is per parameter). Files of the earlier layout (one group per
/// setting, state in group order) still load.
public static class TrainingCheckpoint
{
    public static void Save(string path, IReadOnlyList<(string Prefix, nn.Module Module)> modules, AdamW? optimizer,
                            IReadOnlyDictionary<string, object> meta, IReadOnlyList<ParameterGroup>? groups = null)
    {
        var stateDict = new Hashtable();
        foreach (var (prefix, module) in modules)
            foreach (var (k, v) in module.state_dict())
                stateDict[prefix + k] = v.detach().cpu();
        var root = new Hashtable { ["meta"] = ToHashtable(meta), ["state_dict"] = stateDict };
        if (optimizer is not null) root["optimizer"] = groups is null ? OptimizerState(optimizer) : MmcvOptimizerState(optimizer, groups, modules);
        try { PyTorchFile.Write(path, root); }
        finally
        {
            foreach (DictionaryEntry e in stateDict) ((Tensor)e.Value!).Dispose();
        }
    }

    /// Restores modules (strictly, by prefix) and the optimizer; returns the meta dictionary.
    public static IReadOnlyDictionary<string, object?> Load(string path, IReadOnlyList<(string Prefix, nn.Module Module)> modules, AdamW? optimizer,
                                                            IReadOnlyList<ParameterGroup>? groups = null)
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
            if (module is SegmentorBase segmentor && StateDictLoader.Compare(segmentor, weights) is { IsEmpty: false } mismatch)
                throw new DaFormerError(SegmentorLoading.MismatchMessage(path, $"the '{prefix}*' weights", segmentor.Spec, mismatch,
                                                                         ArchitectureGuess.ShapesOf(weights), segmentor.Hrda) + " " + hint);
            StateDictLoader.Load(module, weights, path, strict: true, hint: hint);
        }
        if (optimizer is not null)
        {
            if (root["optimizer"] is not IDictionary opt)
                throw new DaFormerError($"{path}: the checkpoint has no optimizer state, so the run cannot resume exactly.");
            if (groups is not null && IsPerParameterLayout(opt)) RestoreMmcvOptimizer(optimizer, opt, groups, modules, path);
            else RestoreOptimizer(optimizer, opt, path);
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
                ["betas"] = new object[] { o.beta1 ?? 0.9, o.beta2 ?? 0.999 }, // a tuple, as PyTorch stores it
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
            s.step = StepOf(entry["step"]);
            s.exp_avg.copy_((Tensor)entry["exp_avg"]!);
            s.exp_avg_sq.copy_((Tensor)entry["exp_avg_sq"]!);
        }
    }

    /// Every parameter of the checkpointed modules with its full name, in the order mmcv indexes them.
    static List<string> AllParameterNames(IReadOnlyList<(string Prefix, nn.Module Module)> modules) =>
        modules.SelectMany(m => m.Module.named_parameters().Select(p => m.Prefix + p.name)).ToList();

    /// The full names of the optimizer's parameters in its state order (group by group); the groups
    /// were built from the student's names, which the file prefixes with `model.`.
    static List<string> StateOrderNames(IReadOnlyList<ParameterGroup> groups, IReadOnlyList<(string Prefix, nn.Module Module)> modules)
    {
        var prefix = modules.Count > 0 ? modules[0].Prefix : "";
        return groups.SelectMany(g => g.Parameters.Select(p => prefix + p.Name)).ToList();
    }

    static Hashtable MmcvOptimizerState(AdamW optimizer, IReadOnlyList<ParameterGroup> groups, IReadOnlyList<(string Prefix, nn.Module Module)> modules)
    {
        var all = AllParameterNames(modules);
        var index = all.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
        var live = optimizer.ParamGroups.Cast<AdamW.ParamGroup>().ToList();
        var state = new Hashtable();
        var names = StateOrderNames(groups, modules);
        var k = 0;
        foreach (var s in States(optimizer))
        {
            var name = names[k++];
            // PyTorch keeps no state for a parameter that was never stepped.
            if (s.step == 0 || !index.TryGetValue(name, out var i)) continue;
            state[i] = new Hashtable
            {
                ["step"] = tensor((float)s.step),
                ["exp_avg"] = s.exp_avg.detach().cpu(),
                ["exp_avg_sq"] = s.exp_avg_sq.detach().cpu(),
            };
        }
        var paramGroups = new ArrayList();
        for (var i = 0; i < all.Count; i++)
        {
            // Teacher and ImageNet copies get the rates their names classify to, as mmcv gives them.
            var (lrMult, decayMult) = ParameterGroups.Classify(all[i]);
            var g = groups.Select((x, j) => (x, j)).FirstOrDefault(x => x.x.LrMult == lrMult && x.x.DecayMult == decayMult).j;
            var o = live[g].Options;
            paramGroups.Add(new Hashtable
            {
                ["lr"] = live[g].LearningRate, ["initial_lr"] = live[g].InitialLearningRate,
                ["betas"] = new object[] { o.beta1 ?? 0.9, o.beta2 ?? 0.999 }, // a tuple, as PyTorch stores it
                ["eps"] = o.eps ?? 1e-8, ["weight_decay"] = o.weight_decay ?? 0.0, ["amsgrad"] = o.amsgrad ?? false,
                ["params"] = new ArrayList { i },
            });
        }
        return new Hashtable { ["state"] = state, ["param_groups"] = paramGroups };
    }

    /// mmcv's layout: every group holds exactly one parameter.
    static bool IsPerParameterLayout(IDictionary saved) =>
        saved["param_groups"] is IList pg && pg.Count > 0 && pg.Cast<object>().All(g => g is IDictionary d && d["params"] is IList p && p.Count == 1);

    static void RestoreMmcvOptimizer(AdamW optimizer, IDictionary saved, IReadOnlyList<ParameterGroup> groups,
                                     IReadOnlyList<(string Prefix, nn.Module Module)> modules, string path)
    {
        var all = AllParameterNames(modules);
        var count = ((IList)saved["param_groups"]!).Count;
        if (count != all.Count)
            throw new DaFormerError($"{path}: the optimizer state has {count} parameter groups (one per parameter) but this run's model has {all.Count} parameters; resume with the config the run was started with.");
        var index = all.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i, StringComparer.Ordinal);
        var st = saved["state"] as IDictionary ?? new Hashtable();
        var names = StateOrderNames(groups, modules);
        using var _ = no_grad();
        var k = 0;
        foreach (var s in States(optimizer))
        {
            var i = index[names[k++]];
            if ((st[i] ?? st[(long)i]) is not IDictionary entry) continue; // never stepped: fresh state
            s.step = StepOf(entry["step"]);
            s.exp_avg.copy_((Tensor)entry["exp_avg"]!);
            s.exp_avg_sq.copy_((Tensor)entry["exp_avg_sq"]!);
        }
    }

    /// AdamW's step count: a tensor in our files and newer PyTorch, an int in PyTorch 1.7's.
    static long StepOf(object? step) => step is Tensor t ? (long)t.item<float>() : Convert.ToInt64(step);
}
