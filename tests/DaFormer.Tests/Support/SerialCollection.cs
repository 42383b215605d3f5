namespace DaFormer.Tests.Support;

/// Tests that measure process-wide state (RSS, the global libtorch generator that Dropout/DropPath
/// draw from) run alone: xunit starts this collection only after the parallel ones have finished.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial (process-wide state)";
}
