namespace DaFormer.Training.Config;

/// One thing wrong with a config: the field path (`Optimizer.Lr`) and what is wrong with it.
public sealed record ConfigProblem(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
