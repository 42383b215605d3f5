using DaFormer.Model;
using DaFormer.Training.Config;

namespace DaFormer.Training.Runs;

/// Trains one validated config. STUB: the training issue replaces the body.
public static class Trainer
{
    public static RunOutcome Run(RunConfig config, RunRequest request) =>
        throw new DaFormerError("training is not implemented yet");
}
