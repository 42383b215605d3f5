using System.CommandLine;
using DaFormer.Cli.ConsoleUi;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;

namespace DaFormer.Cli.Commands;

/// `daformer checkpoint inspect FILE`, `daformer checkpoint export FILE --to OUT.safetensors [--teacher]` and
/// `daformer checkpoint verify FILE [--arch A] [--head H] [--channels C] [--classes N] [--teacher]`.
public static class CheckpointCommand
{
    public static Command Build()
    {
        var cmd = new Command("checkpoint", "Inspect, verify (load into a model) or export checkpoints (.pth from PyTorch/DAFormer or ours, .safetensors).");
        cmd.Subcommands.Add(Inspect());
        cmd.Subcommands.Add(Export());
        cmd.Subcommands.Add(Verify());
        return cmd;
    }

    static Command Inspect()
    {
        var file = new Argument<string>("FILE") { Description = "checkpoint file (.pth or .safetensors)" };
        var cmd = new Command("inspect", "Layout, prefixes, meta, iteration, key counts and which architecture the weights fit.");
        cmd.Arguments.Add(file);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            using var c = CheckpointReader.Read(parse.GetValue(file)!);
            Console.WriteLine($"file        {c.Path}");
            Console.WriteLine($"size        {new FileInfo(c.Path).Length / 1048576.0:F1} MiB");
            Console.WriteLine($"layout      {c.Layout}");
            Console.WriteLine($"tensors     {c.Tensors.Count}");
            Console.WriteLine($"values      {c.Tensors.Values.Sum(t => t.numel()):N0} (all prefixes, parameters and buffers)");
            if (c.Iteration is { } it) Console.WriteLine($"iteration   {it}");
            Console.WriteLine($"optimizer   {(c.HasOptimizer ? "yes" : "no")}");
            foreach (var key in new[] { "exp_name", "mmseg_version", "mmcv_version", "seed", "time", "run_name" })
                if (c.Meta.TryGetValue(key, out var v) && v is not null) Console.WriteLine($"{key,-11} {v}");
            Ui.Table("Prefixes", ["prefix", "tensors"], c.Prefixes().Select(p => (IReadOnlyList<string>)[p.Prefix, p.Count.ToString()]));
            foreach (var line in ArchitectureReport.Describe(c)) Console.WriteLine(line);
            return 0;
        }));
        return cmd;
    }

    static Command Export()
    {
        var file = new Argument<string>("CHECKPOINT") { Description = "checkpoint file" };
        var to = new Option<string>("--to") { Description = "output file: .safetensors, or .pth/.pt (PyTorch zip format, readable by torch.load)", Required = true };
        var teacher = new Option<bool>("--teacher") { Description = "export the EMA teacher instead of the student" };
        var cmd = new Command("export", "Write the student (or --teacher) weights as a plain segmentor state dict, in the format the --to extension names " +
                                        "(.safetensors; .pth/.pt = torch.save zip format as {'meta': …, 'state_dict': …}, mmseg's checkpoint layout).");
        cmd.Arguments.Add(file); cmd.Options.Add(to); cmd.Options.Add(teacher);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var output = parse.GetValue(to)!;
            // The format follows the extension, checked before the (possibly large) checkpoint is read.
            var ext = Path.GetExtension(output).ToLowerInvariant();
            if (ext is not (".safetensors" or ".pth" or ".pt"))
                throw new DaFormerError($"--to {output}: unknown output format '{(ext.Length > 0 ? ext : "(no extension)")}'; expected a file name ending in " +
                                        ".safetensors or .pth/.pt (PyTorch, readable by torch.load).");
            using var c = CheckpointReader.Read(parse.GetValue(file)!);
            var which = parse.GetValue(teacher) ? WhichWeights.Teacher : WhichWeights.Student;
            var weights = WeightSelection.SegmentorWeights(c, which);
            var meta = new Dictionary<string, string> { ["source"] = Path.GetFileName(c.Path), ["weights"] = which.ToString().ToLowerInvariant() };
            if (c.Iteration is { } it) meta["iteration"] = it.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var ordered = weights.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
            if (ext == ".safetensors") Safetensors.Save(output, ordered, meta);
            else
            {
                var stateDict = new System.Collections.Specialized.OrderedDictionary(StringComparer.Ordinal);
                foreach (var (k, v) in ordered) stateDict[k] = v;
                var metaDict = new System.Collections.Specialized.OrderedDictionary(StringComparer.Ordinal);
                foreach (var (k, v) in meta) metaDict[k] = v;
                PyTorchFile.Write(output, new System.Collections.Specialized.OrderedDictionary { ["meta"] = metaDict, ["state_dict"] = stateDict });
            }
            Console.WriteLine($"wrote {weights.Count} tensors ({which.ToString().ToLowerInvariant()}) to {output} ({(ext == ".safetensors" ? "safetensors" : "PyTorch zip")})");
            return 0;
        }));
        return cmd;
    }

    /// Builds the model and loads the checkpoint into it exactly as evaluation and training do
    /// (SegmentorLoading), so a file that passes here loads everywhere. Settings not given are taken
    /// from what the file fits; give them to check that the file is the architecture you expect.
    static Command Verify()
    {
        var file = new Argument<string>("FILE") { Description = "checkpoint file (.pth or .safetensors)" };
        var arch = new Option<string?>("--arch") { Description = $"encoder: {string.Join(", ", Architectures.Encoders)} (default: what the file fits)" };
        var head = new Option<string?>("--head") { Description = $"decode head: {string.Join(", ", Architectures.Heads)} or 'daformer' (default: what the file fits)" };
        var channels = new Option<int?>("--channels") { Description = "decoder channels (default: what the file fits)" };
        var classes = new Option<int?>("--classes") { Description = "number of classes (default: what the file fits)" };
        var teacher = new Option<bool>("--teacher") { Description = "check the EMA teacher (ema_model.*) instead of the student (model.*)" };
        var cmd = new Command("verify", "Load a checkpoint into a model of the given (or inferred) architecture and report whether it fits.");
        cmd.Arguments.Add(file);
        cmd.Options.Add(arch); cmd.Options.Add(head); cmd.Options.Add(channels); cmd.Options.Add(classes); cmd.Options.Add(teacher);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var path = parse.GetValue(file)!;
            var which = parse.GetValue(teacher) ? WhichWeights.Teacher : WhichWeights.Student;
            using var c = CheckpointReader.Read(path);
            var inferred = Inferred(c, which);
            var spec = inferred with
            {
                Encoder = parse.GetValue(arch) ?? inferred.Encoder,
                Head = Architectures.CanonicalHead(parse.GetValue(head) ?? inferred.Head),
                Channels = parse.GetValue(channels) ?? inferred.Channels,
                NumClasses = parse.GetValue(classes) ?? inferred.NumClasses,
            };
            var hrda = c.Layout == CheckpointLayout.Encoder ? null : ArchitectureGuess.Segmentor(c, which).Hrda;
            using var model = DaFormer.Model.Segmentors.SegmentorFactory.Build(spec, hrda);
            if (c.Layout == CheckpointLayout.Encoder)
            {
                SegmentorLoading.LoadEncoder(model, c);
                Console.WriteLine($"ok: {path}: the {spec.Encoder} encoder weights load (the classification head.* is ignored).");
                return 0;
            }
            SegmentorLoading.LoadInto(model, c, which);
            var what = c.Layout == CheckpointLayout.UdaTraining ? which == WhichWeights.Teacher ? "teacher (ema_model.*)" : "student (model.*)" : "weights";
            Console.WriteLine($"ok: {path}: the {what} load into {ArchitectureGuess.Describe(spec, hrda)}, " +
                              $"{ModelSummary.Parameters(model).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} parameters.");
            return 0;
        }));
        return cmd;
    }

    /// What the file fits, or the defaults when that cannot be inferred (loading then reports why).
    static SegmentorSpec Inferred(CheckpointContents c, WhichWeights which)
    {
        var defaults = new SegmentorSpec();
        if (c.Layout != CheckpointLayout.Encoder) return ArchitectureGuess.Segmentor(c, which).Spec ?? defaults;
        var encoder = ArchitectureGuess.Encoder(ArchitectureGuess.ShapesOf(c.Tensors)).Encoder ?? defaults.Encoder;
        return defaults with { Encoder = encoder, Head = ArchitectureTable.FindEncoder(encoder) is { } e ? ArchitectureTable.DefaultHead(e).Name : defaults.Head };
    }
}
