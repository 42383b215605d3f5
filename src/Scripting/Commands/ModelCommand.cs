using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DaFormer.Cli.ConsoleUi;
using DaFormer.Model;
using DaFormer.Model.Checkpoints;
using DaFormer.Model.Segmentors;
using static TorchSharp.torch;

namespace DaFormer.Cli.Commands;

/// `daformer model describe ARCH HEAD [--channels C] [--classes N] [--hrda [--attention-channels A]
/// [--single-attention]] [--json] [--keys]`: parameter counts per module (with `--hrda`, HRDA's
/// multi-resolution segmentor around that encoder and head, keys `decode_head.head.*` and
/// `decode_head.scale_attention.*` as in the released HRDA / MIC checkpoints), or every state-dict key with its shape (in PyTorch's state_dict order, so the list can be
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
        var hrda = new Option<bool>("--hrda") { Description = "HRDA around this encoder and DAFormer head (context + detail view, scale attention)" };
        var attention = new Option<int>("--attention-channels") { Description = "HRDA: channels of the scale-attention head (attention_embed_dim)", DefaultValueFactory = _ => new HrdaSpec().AttentionEmbedDim };
        var single = new Option<bool>("--single-attention") { Description = "HRDA: one attention channel for all classes (attention_classwise=False)" };
        var cmd = new Command("describe", "Parameter counts per module, or with --keys every state-dict key and shape.");
        cmd.Arguments.Add(arch); cmd.Arguments.Add(head);
        cmd.Options.Add(channels); cmd.Options.Add(classes); cmd.Options.Add(json); cmd.Options.Add(keys);
        cmd.Options.Add(hrda); cmd.Options.Add(attention); cmd.Options.Add(single);
        cmd.SetAction(parse => Guard.Run(() =>
        {
            var spec = new SegmentorSpec(Encoder: parse.GetValue(arch)!, Head: Architectures.CanonicalHead(parse.GetValue(head)!),
                                         Channels: parse.GetValue(channels), NumClasses: parse.GetValue(classes));
            Architectures.Validate(spec);
            var hrdaSpec = parse.GetValue(hrda)
                ? new HrdaSpec { AttentionEmbedDim = parse.GetValue(attention), AttentionClasswise = !parse.GetValue(single) }
                : null;
            if (hrdaSpec is null && (parse.GetValue(single) || parse.GetValue(attention) != new HrdaSpec().AttentionEmbedDim))
                throw new DaFormerError("--attention-channels and --single-attention describe HRDA's scale attention; add --hrda.");
            ModelSummary summary;
            using (var model = SegmentorFactory.Build(spec, hrdaSpec)) summary = ModelSummary.Of(model);
            var text = (parse.GetValue(keys), parse.GetValue(json)) switch
            {
                (true, false) => KeyLines(summary),
                (true, true) => KeysJson(summary),
                (false, true) => PartsJson(spec, summary, hrdaSpec is not null),
                _ => null,
            };
            if (text is not null) Console.Out.Write(text);
            else PrintParts(spec, hrdaSpec, summary);
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

    public static string PartsJson(SegmentorSpec spec, ModelSummary summary, bool hrda = false) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["encoder"] = spec.Encoder,
        ["head"] = spec.Head,
        ["hrda"] = hrda,
        ["channels"] = spec.Channels,
        ["num_classes"] = spec.NumClasses,
        ["parameters"] = summary.TotalParameters,
        ["parts"] = summary.Parts.Select(p => new Dictionary<string, object> { ["name"] = p.Name, ["parameters"] = p.Parameters }).ToList(),
    }, Indented) + "\n";

    static void PrintParts(SegmentorSpec spec, HrdaSpec? hrda, ModelSummary summary)
    {
        var rows = summary.Parts.Select(p => (IReadOnlyList<string>)[p.Name, p.Parameters.ToString("N0", CultureInfo.InvariantCulture)]).ToList();
        rows.Add(["total", summary.TotalParameters.ToString("N0", CultureInfo.InvariantCulture)]);
        Ui.Table(ArchitectureGuess.Describe(spec, hrda), ["module", "parameters"], rows);
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
