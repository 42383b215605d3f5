using System.CommandLine;
using DaFormer.Cli.ConsoleUi;
using DaFormer.Model.Checkpoints;

namespace DaFormer.Cli.Commands;

/// `daformer checkpoint inspect FILE` and `daformer checkpoint export FILE --to OUT.safetensors [--teacher]`.
public static class CheckpointCommand
{
    public static Command Build()
    {
        var cmd = new Command("checkpoint", "Inspect or export checkpoints (.pth from PyTorch/DAFormer or ours, .safetensors).");
        cmd.Subcommands.Add(Inspect());
        cmd.Subcommands.Add(Export());
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
        var to = new Option<string>("--to") { Description = "output .safetensors file", Required = true };
        var teacher = new Option<bool>("--teacher") { Description = "export the EMA teacher instead of the student" };
        var cmd = new Command("export", "Write the student (or --teacher) weights as a plain segmentor state dict in safetensors format.");
        cmd.Arguments.Add(file); cmd.Options.Add(to); cmd.Options.Add(teacher);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            using var c = CheckpointReader.Read(parse.GetValue(file)!);
            var which = parse.GetValue(teacher) ? WhichWeights.Teacher : WhichWeights.Student;
            var weights = WeightSelection.SegmentorWeights(c, which);
            var output = parse.GetValue(to)!;
            var meta = new Dictionary<string, string> { ["source"] = Path.GetFileName(c.Path), ["weights"] = which.ToString().ToLowerInvariant() };
            if (c.Iteration is { } it) meta["iteration"] = it.ToString();
            Safetensors.Save(output, weights.OrderBy(kv => kv.Key, StringComparer.Ordinal), meta);
            Console.WriteLine($"wrote {weights.Count} tensors ({which.ToString().ToLowerInvariant()}) to {output}");
            return 0;
        }));
        return cmd;
    }
}
