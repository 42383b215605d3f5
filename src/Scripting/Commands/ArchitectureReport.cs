using DaFormer.Model.Checkpoints;

namespace DaFormer.Cli.Commands;

/// Lines describing which architecture a checkpoint's weights fit.
public static class ArchitectureReport
{
    public static IEnumerable<string> Describe(CheckpointContents c)
    {
        yield return $"layout      {c.Layout}";
    }
}
