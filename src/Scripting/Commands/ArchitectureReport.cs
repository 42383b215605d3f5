using DaFormer.Model.Checkpoints;

namespace DaFormer.Cli.Commands;

/// The `fits:` line of `checkpoint inspect`: which architecture the checkpoint's weights fit, inferred
/// from keys and shapes (ArchitectureGuess). For a UDA training checkpoint, of the student `model.*`.
public static class ArchitectureReport
{
    public static IEnumerable<string> Describe(CheckpointContents c)
    {
        switch (c.Layout)
        {
            case CheckpointLayout.Encoder:
                var encoder = ArchitectureGuess.Encoder(ArchitectureGuess.ShapesOf(c.Tensors));
                yield return encoder.Encoder is { } e
                    ? $"fits: {e} encoder (ImageNet weights; the classification head.* is ignored when loading)"
                    : $"fits: no known encoder: {encoder.Reason}";
                break;
            case CheckpointLayout.UdaTraining:
            case CheckpointLayout.Segmentor:
                var guess = ArchitectureGuess.Segmentor(c);
                var of = c.Layout == CheckpointLayout.UdaTraining ? " (student model.* weights)" : "";
                yield return guess.Spec is { } spec
                    ? $"fits: {ArchitectureGuess.Describe(spec, guess.Hrda)}{of}"
                    : $"fits: no known architecture{of}: {guess.Reason}";
                break;
            default:
                yield return "fits: no known architecture: the keys are not those of a segmentor, a training checkpoint or an encoder";
                break;
        }
    }
}
