using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DaFormer.Cli.ConsoleUi;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using static TorchSharp.torch;

namespace DaFormer.Cli.Commands;

/// `daformer model describe ARCH HEAD [--channels C] [--classes N] [--json] [--keys]`: parameter counts
/// per module, or every state-dict key with its shape (in PyTorch's state_dict order, so the list can be
/// compared line by line with the original's `model.state_dict()`).
public static class ModelCommand
{
    public static Command Build()
    {
        var cmd = new Command("model", "Describe the networks this implementation builds.");
        cmd.Subcommands.Add(Describe());
        return cmd;
    }

    static Command Describe()
    {
        var arch = new Argument<string>("ARCH") { Description = $"encoder: {string.Join(", ", Architectures.Encoders)}" };
        var head = new Argument<string>("HEAD") { Description = $"decode head: {string.Join(", ", Architectures.Heads)} (or 'daformer')" };
        var channels = new Option<int>("--channels") { Description = "decoder channels (DAFormer embed_dims; 256 in the paper)", DefaultValueFactory = _ => new SegmentorSpec().Channels };
        var classes = new Option<int>("--classes") { Description = "number of classes", DefaultValueFactory = _ => new SegmentorSpec().NumClasses };
        var json = new Option<bool>("--json") { Description = "print JSON instead of a table / tab-separated lines" };
        var keys = new Option<bool>("--keys") { Description = "list every state-dict key with its shape (key<TAB>k,d,... per line)" };
        var cmd = new Command("describe", "Parameter counts per module, or with --keys every state-dict key and shape.");
        cmd.Arguments.Add(arch); cmd.Arguments.Add(head);
        cmd.Options.Add(channels); cmd.Options.Add(classes); cmd.Options.Add(json); cmd.Options.Add(keys);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var spec = new SegmentorSpec(Encoder: parse.GetValue(arch)!, Head: Architectures.CanonicalHead(parse.GetValue(head)!),
                                         Channels: parse.GetValue(channels), NumClasses: parse.GetValue(classes));
            Architectures.Validate(spec);
            ModelSummary summary;
            using (var model = Architectures.Build(spec)) summary = ModelSummary.Of(model);
            var text = (parse.GetValue(keys), parse.GetValue(json)) switch
            {
                (true, false) => KeyLines(summary),
                (true, true) => KeysJson(summary),
                (false, true) => PartsJson(spec, summary),
                _ => null,
            };
            if (text is not null) Console.Out.Write(text);
            else PrintParts(spec, summary);
            return 0;
        }));
        return cmd;
    }

    /// `key<TAB>k,d,...` per entry; scalars (num_batches_tracked) have an empty shape.
    public static string KeyLines(ModelSummary summary) =>
        string.Concat(summary.Entries.Select(e => $"{e.Key}\t{string.Join(",", e.Shape)}\n"));

    /// The layout of the reference key list (`segmentor_state_dict`: [key, shape, dtype]).
    public static string KeysJson(ModelSummary summary) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["n_state_dict_entries"] = summary.Entries.Count,
        ["n_parameters_total"] = summary.TotalParameters,
        ["segmentor_state_dict"] = summary.Entries.Select(e => new object[] { e.Key, e.Shape, DTypeName(e.DType) }).ToList(),
    }, Indented) + "\n";

    public static string PartsJson(SegmentorSpec spec, ModelSummary summary) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["encoder"] = spec.Encoder,
        ["head"] = spec.Head,
        ["channels"] = spec.Channels,
        ["num_classes"] = spec.NumClasses,
        ["parameters"] = summary.TotalParameters,
        ["parts"] = summary.Parts.Select(p => new Dictionary<string, object> { ["name"] = p.Name, ["parameters"] = p.Parameters }).ToList(),
    }, Indented) + "\n";

    static void PrintParts(SegmentorSpec spec, ModelSummary summary)
    {
        var rows = summary.Parts.Select(p => (IReadOnlyList<string>)[p.Name, p.Parameters.ToString("N0", CultureInfo.InvariantCulture)]).ToList();
        rows.Add(["total", summary.TotalParameters.ToString("N0", CultureInfo.InvariantCulture)]);
        Ui.Table(ArchitectureGuess.Describe(spec), ["module", "parameters"], rows);
        Console.WriteLine($"{summary.Entries.Count} state-dict entries, {summary.TotalParameters.ToString("N0", CultureInfo.InvariantCulture)} parameters");
    }

    static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Int64 => "int64",
        _ => t.ToString().ToLowerInvariant(),
    };

    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
