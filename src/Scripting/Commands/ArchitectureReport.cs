using DaFormer.Model.Checkpoints;

namespace DaFormer.Cli.Commands;

/// The `fits:` line of `checkpoint inspect`: which architecture the checkpoint's weights fit, inferred
/// from keys and shapes (ArchitectureGuess). For a UDA training checkpoint, of the student `model.*`.
public static class ArchitectureReport
{
    public static IEnumerable<string> Describe(CheckpointContents c)
    {
        var shapes = ArchitectureGuess.ShapesOf(c.Tensors);
        switch (c.Layout)
        {
            case CheckpointLayout.Encoder:
                var encoder = ArchitectureGuess.Encoder(shapes);
                yield return encoder.Encoder is { } e
                    ? $"fits: {e} encoder (ImageNet weights; the classification head.* is ignored when loading)"
                    : $"fits: no known encoder: {encoder.Reason}";
                break;
            case CheckpointLayout.UdaTraining:
            case CheckpointLayout.Segmentor:
                var weights = c.Layout == CheckpointLayout.UdaTraining
                    ? shapes.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key["model.".Length..], kv => kv.Value)
                    : shapes;
                var guess = ArchitectureGuess.Segmentor(weights);
                var of = c.Layout == CheckpointLayout.UdaTraining ? " (student model.* weights)" : "";
                yield return guess.Spec is { } spec
                    ? $"fits: {ArchitectureGuess.Describe(spec)}{of}"
                    : $"fits: no known architecture{of}: {guess.Reason}";
                break;
            default:
                yield return "fits: no known architecture: the keys are not those of a segmentor, a training checkpoint or an encoder";
                break;
        }
    }
}
