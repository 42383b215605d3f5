namespace DaFormer.Training.Runs;

/// Counter-based randomness: every random decision of a run is drawn from a generator seeded by
/// (run seed, iteration or sample index, purpose). Nothing random carries state from one iteration
/// to the next, so a resumed run draws exactly what an uninterrupted run would have drawn, and the
/// data loader produces the same batches for any number of workers.
public static class RandomStreams
{
    /// Well-known purposes, so two consumers never share a stream by accident.
    public enum Purpose : ulong
    {
        DacsSwitches = 1, ClassMix = 2, ColorJitter = 3, Blur = 4, TorchOps = 5,
        SourceSample = 10, TargetSample = 11, RcsClass = 12, Shuffle = 13, Init = 20,
    }

    /// SplitMix64 finaliser over the combined inputs: a cheap, well-mixed 64-bit seed.
    public static ulong Seed(long runSeed, long index, Purpose purpose)
    {
        var z = unchecked((ulong)runSeed * 0x9E3779B97F4A7C15UL ^ (ulong)index * 0xBF58476D1CE4E5B9UL ^ (ulong)purpose * 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    public static Random Random(long runSeed, long index, Purpose purpose) =>
        new(unchecked((int)(Seed(runSeed, index, purpose) & 0x7FFFFFFF)));

    public static TorchSharp.torch.Generator TorchGenerator(long runSeed, long index, Purpose purpose) =>
        new(Seed(runSeed, index, purpose) & 0x7FFFFFFFFFFFFFFFUL);
}
